package dev.sealwright.cli

import dev.sealwright.testkit.Cli
import dev.sealwright.testkit.JsonSchemas
import dev.sealwright.testkit.Repo
import dev.sealwright.vm.TestGuest
import groovy.json.JsonSlurper
import spock.lang.Specification
import spock.lang.TempDir

import java.nio.file.Files
import java.nio.file.Path
import java.util.concurrent.TimeUnit

/**
 * Issue 19: progress of the kernel download (the real apt-get download, into a fresh cache) and of boot waits
 * (a real QEMU boot), as JSON lines valid against docs/schemas/progress.schema.json and as plain lines.
 */
class ProgressCliSpec extends Specification {
    @TempDir
    Path work

    static final String KERNEL_GLOB = 'linux-image-6.1.*-cloud-amd64'      // the smaller of Debian 12's cloud kernels

    /** `sealwright run RECIPE --progress=MODE` in a JVM of its own whose kernel cache is empty ($XDG_CACHE_HOME). */
    Map runFresh(String tag, String mode) {
        def dir = Files.createDirectories(work.resolve(tag))
        Files.writeString(dir.resolve('k.groovy'), "pipeline('kdl') { kernel('k') { debian '${KERNEL_GLOB}' } }\n")
        def target = Repo.path('dsl/target')
        def pb = new ProcessBuilder('java', "-Dsealwright.home=${Repo.root()}".toString(), '-cp', "${target}/classes:${target}/lib/*".toString(),
                'dev.sealwright.cli.Main', 'run', 'k.groovy', '-C', dir.toString(), "--progress=${mode}".toString()).directory(dir.toFile())
        pb.environment().putAll(XDG_CACHE_HOME: dir.resolve('cache').toString(), CI: 'true')
        def err = dir.resolve('err.txt'), out = dir.resolve('out.txt')
        def p = pb.redirectError(err.toFile()).redirectOutput(out.toFile()).start()
        assert p.waitFor(600, TimeUnit.SECONDS): 'the run did not end within 10 minutes'
        [exit: p.exitValue(), out: Files.readString(out), err: Files.readString(err), cache: dir.resolve('cache/sealwright/kernels')]
    }

    /** The .deb apt-get wrote into the cache. */
    static Path deb(Path cache) {
        Files.walk(cache).withCloseable { s -> s.filter { it.toString().endsWith('.deb') }.findFirst().orElseThrow() }
    }

    /** The package's Size in apt's lists (apt-cache show), the total the download is measured against. */
    static long aptSize(String pkg) {
        def p = new ProcessBuilder('apt-cache', 'show', '--no-all-versions', pkg).redirectErrorStream(true).start()
        String text = p.inputStream.text
        assert p.waitFor() == 0: text
        text.readLines().find { it.startsWith('Size:') }.substring(5).trim() as long
    }

    def "run --progress=json|plain: the kernel step's apt-get download as bytes of the package's Size, ending at 100%"() {
        given:
        ['apt-get', 'apt-cache', 'dpkg-deb', 'depmod'].each { Repo.requireTool(it) }
        def schema = Repo.path('docs/schemas/progress.schema.json')

        when:
        def json = runFresh('json', 'json')
        def plain = runFresh('plain', 'plain')
        def lines = json.err.readLines().findAll { it.startsWith('{') }
        def last = new JsonSlurper().parseText(lines.last())
        def pkg = deb(json.cache).fileName.toString().split('_')[0]

        then:
        assert json.exit == 0: json
        assert plain.exit == 0: plain
        lines.every { String l -> JsonSchemas.validate(schema, l).with { assert it.exit == 0: it.out + l; true } }
        lines.every { new JsonSlurper().parseText(it).operation == 'k (kernel)' }
        last.done == true && last.percent == 100
        last.bytes == Files.size(deb(json.cache))
        last.total == aptSize(pkg)
        and: 'plain: one line a second and the last at 100%, on stderr; stdout keeps the run\'s own lines'
        plain.err.readLines().last() ==~ /k \(kernel\): 100% \([0-9.]+ of [0-9.]+ MiB\), [0-9.]+ MiB\/s, ETA 0:00/
        plain.out.contains('kernel 6.1.')
    }

    def "launch --progress=json: the boot wait as seconds of --timeout, done when the guest's line came"() {
        given:
        Repo.requireTool('qemu-system-x86_64')
        Repo.requireTool('ovmf')
        def schema = Repo.path('docs/schemas/progress.schema.json')

        when:
        def r = Cli.run('launch', '--firmware', TestGuest.OVMF_CODE.toString(), '--vars', TestGuest.OVMF_VARS.toString(),
                '--kernel', TestGuest.kernel().toString(), '--initrd', TestGuest.initramfs(work).toString(), '--cmdline', TestGuest.CMDLINE,
                '--cpus', '1', '--memory', '512M', '--wait-for', TestGuest.MARKER, '--timeout', '180', '--progress=json')
        def lines = r.err.readLines().findAll { it.startsWith('{') }
        def docs = lines.collect { new JsonSlurper().parseText(it) }

        then:
        assert r.exitCode == 0: r
        r.out.contains(TestGuest.MARKER)
        lines.every { String l -> JsonSchemas.validate(schema, l).with { assert it.exit == 0: it.out + l; true } }
        docs*.operation.unique() == ["launch: waiting for /${TestGuest.MARKER}/".toString()]
        docs.every { it.timeout_s == 180 }
        def waits = docs.findAll { !it.done }*.waited_s
        waits[0] == 0 && waits == waits.toSorted() && waits.toUnique() == waits      // at most a line a second, counting up
        docs.count { it.done } == 1 && docs.last().done
        docs.last().waited_s >= waits.last() && docs.last().waited_s < 180
    }
}
