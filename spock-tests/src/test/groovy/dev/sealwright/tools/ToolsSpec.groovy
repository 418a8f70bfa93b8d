package dev.sealwright.tools

import dev.sealwright.testkit.Cli
import groovy.transform.CompileStatic
import spock.lang.Specification

import java.nio.file.Files
import java.time.Duration

class ToolsSpec extends Specification {
    def tools = new Tools()

    def "a missing program is named with the Debian package that provides it"() {
        when:
        tools.withSearchPath('/nonexistent').exec('swtpm', '--version').run()

        then:
        def e = thrown(ToolNotFoundException)
        e.message == 'swtpm not found: install the Debian package swtpm (or run: sealwright doctor --install)'
    }

    def "a program sealwright does not know is reported as missing from PATH"() {
        when:
        tools.find('no-such-tool-xyz')

        then:
        def e = thrown(ToolNotFoundException)
        e.message == 'no-such-tool-xyz not found: install it and make sure it is on PATH'
    }

    def "a failing program's exit code and stderr tail are in the error"() {
        when:
        tools.exec('sh', '-c', 'echo one >&2; echo two >&2; exit 3').run()

        then:
        def e = thrown(ToolFailedException)
        e.message == 'sh exited with 3: one | two'
        e.exitCode() == 3
    }

    def "a program that overruns its timeout is killed, with its children, and they have ended when run() returns"() {
        given: 'a shell with three children, a grandchild and the shell between them, each noting its PID'
        def pids = Files.createTempFile('tools-kill', '.pids')
        def script = "echo \$\$ >> ${pids}; for i in 1 2 3; do sleep 30 & echo \$! >> ${pids}; done; " +
                "sh -c 'echo \$\$ >> ${pids}; sleep 30 & echo \$! >> ${pids}; wait' & wait"

        when:
        tools.exec('sh', '-c', script).timeout(Duration.ofSeconds(1)).run()

        then:
        def e = thrown(ToolFailedException)
        e.message == 'sh timed out after 1s'
        // no polling: the kernel's state of each, read at once (ps would start too late to see anything):
        // none (reaped) or Z (ended, not yet reaped by init) -- not R, S or D
        def states = Files.readAllLines(pids).collectEntries { [(it): kernelState(it)] }
        states.size() == 6
        states.findAll { pid, state -> state && state != 'Z' } == [:]

        cleanup:
        Files.deleteIfExists(pids)
    }

    def "destroyTree returns once every process of the tree has ended"() {
        given: 'a shell with three children and a grandchild behind a second shell, all started'
        Process p = new ProcessBuilder('sh', '-c', "for i in 1 2 3; do sleep 30 & done; sh -c 'sleep 30 & wait' & wait").start()
        long end = System.nanoTime() + 10_000_000_000L
        while (p.descendants().count() < 5 && System.nanoTime() < end) Thread.sleep(20)
        long[] pids = ([p.pid()] + p.descendants().toList()*.pid()) as long[]
        assert pids.length == 6: "the tree did not start: ${pids}"
        states(pids)  // warmed up: the check must follow the call at once (SIGKILLed processes take a moment to end)

        when:
        Tools.destroyTree(p)
        String[] after = states(pids)

        then: 'none running, sleeping or in disk wait: reaped, or Z (ended, not yet reaped by init)'
        after.findAll { it && it != 'Z' } == []

        cleanup:
        pids?.each { ProcessHandle.of(it).ifPresent { it.destroyForcibly() } }
    }

    @CompileStatic
    private static String[] states(long[] pids) {
        String[] s = new String[pids.length]
        for (int i = 0; i < pids.length; i++) s[i] = kernelState(pids[i].toString())
        s
    }

    /** The state letter in /proc/PID/stat (R, S, D, Z, ...), or '' for a process that no longer exists. */
    @CompileStatic
    private static String kernelState(String pid) {
        def stat = new File("/proc/${pid}/stat")
        try {
            String text = stat.text
            return text.substring(text.lastIndexOf(')') + 2, text.lastIndexOf(')') + 3)
        } catch (IOException ignored) {
            return ''
        }
    }

    def "versions are captured as the tool reports them and recorded as used"() {
        given:
        def expected = ['tar', '--version'].execute().text.readLines()[0].find(/\d+\.\d+(\.\d+)?/)
        def stepTools = tools.recording()

        when:
        stepTools.exec('tar', '--version').run()

        then:
        stepTools.used() == [tar: expected]
    }

    def "doctor lists tools as found or missing with their package"() {
        when:
        def r = Cli.run('doctor')

        then:
        r.exitCode == 0
        r.out.readLines().find { it.trim().startsWith('sha256sum') }.contains('found')
        r.out.contains('native helpers: hello')
        def doctorFindings = new Doctor(tools).examine()
        doctorFindings.findAll { !it.found() }.every { f -> r.out.contains("(apt: ${f.spec().debianPackage()})") }
    }

    def "dpkg tells which Debian packages are missing"() {
        expect:
        new Doctor(tools).missingPackages(['coreutils', 'no-such-package-sealwright']) == ['no-such-package-sealwright'] as Set
    }

    def "the quickstart's package list names real packages that provide its inputs"() {
        given:
        def wanted = java.nio.file.Files.readAllLines(dev.sealwright.testkit.Repo.path('samples/quickstart.packages'))*.trim().findAll { it && !it.startsWith('#') }

        expect: 'on this (fully provisioned) machine every one is installed, so none is misspelt'
        new Doctor(tools).missingPackages(wanted).isEmpty()
        wanted.containsAll(['ovmf', 'qemu-system-x86', 'systemd-boot-efi'])
    }
}
