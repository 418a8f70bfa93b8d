package dev.sealwright.cli

import dev.sealwright.testkit.Cli
import dev.sealwright.testkit.Repo
import spock.lang.Specification
import spock.lang.TempDir

import java.nio.file.Files
import java.nio.file.Path

/** docs/man: generated from the command model (picocli ManPageGenerator + asciidoctor), installed by doctor --install, read by man. */
class ManPagesSpec extends Specification {
    @TempDir
    Path work

    static List<String> names(Path dir, String ext) {
        Files.list(dir).withCloseable { s -> s.map { it.fileName.toString() }.filter { it.endsWith(ext) }.sorted().toList() }
    }

    static Map run(List<String> cmd, Map<String, String> env = [:]) {
        def pb = new ProcessBuilder(cmd).redirectErrorStream(true)
        pb.environment().putAll(env)
        def p = pb.start()
        String out = p.inputStream.text
        [exit: p.waitFor(), out: out]
    }

    def "docs/man holds one page per command and subcommand, exactly as generated from the current command model"() {
        given:
        Repo.requireTool('asciidoctor')
        def checkedIn = Repo.path('docs/man')

        when:
        ManPages.generate(work)

        then: 'every command of the model has a page (new commands are covered automatically)'
        def expected = CliDiscoverabilitySpec.commandPaths().collect { (['sealwright'] + it).join('-') }
        names(work, '.adoc') == expected.collect { it + '.adoc' }.sort()
        names(work.resolve('man1'), '.1') == expected.collect { it + '.1' }.sort()

        and: "the checked-in pages are current (else regenerate: ${ManPages.REGENERATE})"
        names(checkedIn, '.adoc') == names(work, '.adoc')
        names(checkedIn.resolve('man1'), '.1') == names(work.resolve('man1'), '.1')
        names(work, '.adoc').every { Files.readString(work.resolve(it)) == Files.readString(checkedIn.resolve(it)) }
        names(work.resolve('man1'), '.1').every { Files.readString(work.resolve('man1').resolve(it)) == Files.readString(checkedIn.resolve('man1').resolve(it)) }
    }

    def "after doctor --install, man sealwright-measure-tdx shows the page from where man looks by default"() {
        given:
        Repo.requireTool('man')
        def page = Path.of('/usr/local/share/man/man1/sealwright-measure-tdx.1')
        Files.deleteIfExists(page)

        when:
        def doctor = Cli.run('doctor', '--install')
        def where = run(['man', '-w', 'sealwright-measure-tdx'])
        def shown = run(['man', '-P', 'cat', 'sealwright-measure-tdx'], [MANWIDTH: '100'])

        then:
        doctor.exitCode == 0
        doctor.out.contains('man pages in /usr/local/share/man/man1')
        Files.isRegularFile(page)
        where.exit == 0
        Path.of(where.out.trim()).toRealPath() == page.toRealPath()
        shown.exit == 0
        shown.out.contains('sealwright-measure-tdx - Predict MRTD and RTMR0..3')
        shown.out =~ /--profile=P\s+host stack/
    }

    def "doctor --install --man-dir puts the pages where a user's MANPATH can find them"() {
        when:
        def doctor = Cli.run('doctor', '--install', '--man-dir', work.toString())
        def shown = run(['man', '-M', work.toString(), '-P', 'cat', 'sealwright-verity-format'], [MANWIDTH: '100'])

        then:
        doctor.exitCode == 0
        shown.exit == 0
        shown.out =~ /DATA\s+data image the tree covers/
        Files.getPosixFilePermissions(work.resolve('man1/sealwright-verity-format.1'))*.toString().sort() == ['GROUP_READ', 'OTHERS_READ', 'OWNER_READ', 'OWNER_WRITE']
    }
}
