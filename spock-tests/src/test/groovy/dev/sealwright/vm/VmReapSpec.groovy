package dev.sealwright.vm

import dev.sealwright.testkit.Cli
import dev.sealwright.testkit.Repo
import spock.lang.Specification
import spock.lang.TempDir

import java.nio.file.Files
import java.nio.file.Path
import java.util.concurrent.TimeUnit

/**
 * Ctrl-C on {@code sealwright launch} leaves no qemu or swtpm behind. The guest never gets past
 * the firmware (its "UKI" is not an EFI image), so this runs OVMF only, not a kernel boot.
 */
class VmReapSpec extends Specification {
    @TempDir Path dir

    def "SIGINT to the CLI reaps qemu and swtpm"() {
        given:
        ['qemu-system-x86_64', 'swtpm', 'ovmf', 'sgdisk', 'mkfs.fat', 'mcopy'].each { Repo.requireTool(it) }
        def junk = dir.resolve('not-efi.bin')
        Files.write(junk, new byte[8192])
        def runDir = dir.resolve('run')

        when:
        def cli = Cli.start(dir, 'launch', '--firmware', TestGuest.OVMF_CODE.toString(), '--vars', TestGuest.OVMF_VARS.toString(),
                '--uki', junk.toString(), '--vtpm', '--run-dir', runDir.toString())
        def log = dir.resolve('cli.log')   // Cli.start sends the CLI's output there
        def output = new Object() { String toString() { Files.exists(log) ? Files.readString(log) : '' } }
        long deadline = System.currentTimeMillis() + 180_000
        while (System.currentTimeMillis() < deadline && !(output.toString().contains('BdsDxe'))) Thread.sleep(200)
        def qemu = TestGuest.running('qemu-system-x86_64', runDir.toString())
        def swtpm = TestGuest.running('swtpm', runDir.toString())

        then: 'OVMF is running with its vTPM'
        output.toString().contains('BdsDxe')
        qemu.size() == 1
        swtpm.size() == 1

        when:
        new ProcessBuilder('kill', '-INT', String.valueOf(cli.pid())).start().waitFor()
        boolean exited = cli.waitFor(60, TimeUnit.SECONDS)
        qemu.each { it.onExit().get(10, TimeUnit.SECONDS) }
        swtpm.each { it.onExit().get(10, TimeUnit.SECONDS) }

        then:
        exited
        !qemu[0].alive
        !swtpm[0].alive
        TestGuest.running('qemu-system-x86_64', runDir.toString()).isEmpty()
        TestGuest.running('swtpm', runDir.toString()).isEmpty()

        cleanup: 'never leave our own processes behind, even when an assertion above failed'
        if (cli?.alive) {
            new ProcessBuilder('kill', '-INT', String.valueOf(cli.pid())).start().waitFor()
            cli.waitFor(30, TimeUnit.SECONDS)
            cli.destroyForcibly()
        }
        (TestGuest.running('qemu-system-x86_64', runDir.toString()) + TestGuest.running('swtpm', runDir.toString()))*.destroyForcibly()
    }
}
