package dev.sealwright.tools

import dev.sealwright.testkit.Cli
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
        def tree = Files.readAllLines(pids)
        tree.size() == 6
        // no polling. ps's state: none (reaped) or Z (ended, not yet reaped by init) -- not R, S or D
        tree.collect { ['ps', '-o', 'stat=', '-p', it].execute().text.trim() }.findAll { it && !it.startsWith('Z') } == []

        cleanup:
        Files.deleteIfExists(pids)
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
