package dev.sealwright.image.kernel

import dev.sealwright.base.RecipeException
import dev.sealwright.testkit.Repo
import dev.sealwright.tools.Apt
import dev.sealwright.tools.Tools
import spock.lang.Specification
import spock.lang.TempDir

import java.nio.file.Files
import java.nio.file.Path
import java.nio.file.attribute.FileTime
import java.time.Instant
import java.time.temporal.ChronoUnit

/**
 * A new machine whose apt lists are months old and lack bookworm-security: resolving the kernel
 * refreshes the lists itself (the real apt-get update, against Debian's mirror) and then finds the
 * 6.12 cloud kernel. apt runs with a private apt.conf (Dir::State::Lists, Dir::Cache, sources), so
 * the machine's own lists are never touched; apt itself (apt-cache policy) is the ground truth.
 */
class DebianKernelAptSpec extends Specification {
    static final Path REAL_LISTS = Path.of('/var/lib/apt/lists')
    static final String MAIN_RELEASE = 'deb.debian.org_debian_dists_bookworm_InRelease'
    static final String MAIN_PACKAGES = 'deb.debian.org_debian_dists_bookworm_main_binary-amd64_Packages'

    @TempDir
    Path dir
    Path lists
    List<String> log = []

    def setup() {
        ['apt-get', 'apt-cache', 'apt-config'].each { Repo.requireTool(it) }
        lists = dir.resolve('lists')
        Files.createDirectories(lists.resolve('partial'))
        Files.createDirectories(dir.resolve('cache'))
        Files.createDirectories(dir.resolve('no-parts'))
        // only the suites a Debian 12 cloud image has; bookworm-security is where the 6.12 kernels are
        Files.writeString(dir.resolve('sources.list'), [
                'deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian bookworm main',
                'deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian-security bookworm-security main',
                ''].join('\n'))
        Files.writeString(dir.resolve('apt.conf'), """\
            Dir::State::Lists "${lists}/";
            Dir::Cache "${dir.resolve('cache')}/";
            Dir::Etc::sourcelist "${dir.resolve('sources.list')}";
            Dir::Etc::sourceparts "${dir.resolve('no-parts')}/";
            APT::Sandbox::User "root";
            """.stripIndent())
        System.setProperty(Apt.CONFIG_PROPERTY, dir.resolve('apt.conf').toString())
    }

    def cleanup() {
        System.clearProperty(Apt.CONFIG_PROPERTY)
    }

    /** The machine's main bookworm list (not security), copied with the given age; none when the machine has none. */
    void seedMainListOnly(Instant mtime) {
        Files.list(REAL_LISTS).withCloseable { s ->
            s.filter { it.fileName.toString() == MAIN_RELEASE || it.fileName.toString().startsWith(MAIN_PACKAGES) }.each { Files.copy(it, lists.resolve(it.fileName)) }
        }
        [lists, lists.resolve('partial')].plus(Files.list(lists).toList()).each { Files.setLastModifiedTime(it, FileTime.from(mtime)) }
    }

    String apt(String... args) {
        def p = new ProcessBuilder(args as List<String>).redirectErrorStream(true)
        p.environment().put('APT_CONFIG', dir.resolve('apt.conf').toString())
        def proc = p.start()
        def out = proc.inputStream.text
        assert proc.waitFor() == 0: out
        out
    }

    Map<String, FileTime> realListsState() {
        Files.list(REAL_LISTS).withCloseable { s -> s.toList().collectEntries { [(it.fileName.toString()): Files.getLastModifiedTime(it)] } } +
                [('.'): Files.getLastModifiedTime(REAL_LISTS)]
    }

    DebianKernel kernel() { new DebianKernel(new Tools(), dir.resolve('kernels'), { log << it }) }

    def "lists months old without bookworm-security: resolving the kernel refreshes them, finds the 6.12 cloud kernel, and leaves the machine's lists alone"() {
        given:
        seedMainListOnly(Instant.now().minus(90, ChronoUnit.DAYS))
        def realBefore = realListsState()

        expect: 'apt itself finds no 6.12 cloud kernel in these lists'
        !apt('apt-cache', 'pkgnames', 'linux-image-6.12').readLines().any { it ==~ /linux-image-6\.12\..*-cloud-amd64/ }

        when:
        def name = kernel().resolve(DebianKernel.DEFAULT_PACKAGE)

        then: 'one refresh, for age; apt now has that package from bookworm-security'
        log.count { it.contains('apt-get update') } == 1
        log.find { it.contains('apt-get update') }.contains('older than a day')
        name ==~ /linux-image-6\.12\.\d+\+deb12-cloud-amd64/
        apt('apt-cache', 'policy', name) =~ /Candidate: 6\.12\./
        apt('apt-cache', 'policy', name).contains('bookworm-security')
        Files.list(lists).withCloseable { s -> s.anyMatch { it.fileName.toString().contains('bookworm-security_main_binary-amd64_Packages') } }
        realListsState() == realBefore

        when: 'asked again with the lists now fresh'
        log.clear()
        def listsMtime = Files.getLastModifiedTime(lists)
        def again = kernel().resolve(DebianKernel.DEFAULT_PACKAGE)

        then: 'no apt-get update'
        again == name
        log.isEmpty()
        Files.getLastModifiedTime(lists) == listsMtime
    }

    def "fresh lists that lack the package are refreshed once because it is missing; a package no suite has is one line naming the suite"() {
        given: 'lists dated now, still without bookworm-security'
        seedMainListOnly(Instant.now())

        when:
        def name = kernel().resolve(DebianKernel.DEFAULT_PACKAGE)

        then:
        log.size() == 1
        log[0].contains('not in the apt lists: refreshing them (apt-get update)')
        name ==~ /linux-image-6\.12\.\d+\+deb12-cloud-amd64/

        when: 'an exact package name no suite has'
        log.clear()
        kernel().resolve('linux-image-0.0.0-nosuch-amd64')

        then: 'refreshed once more, then one line naming the package and the suite to add'
        def e = thrown(RecipeException)
        log.size() == 1
        e.message == "kernel debian('linux-image-0.0.0-nosuch-amd64'): not in the apt lists even after apt-get update;" +
                " add the suite bookworm-security (deb http://deb.debian.org/debian-security bookworm-security main) to /etc/apt/sources.list.d/"
        !e.message.contains('\n')
    }
}
