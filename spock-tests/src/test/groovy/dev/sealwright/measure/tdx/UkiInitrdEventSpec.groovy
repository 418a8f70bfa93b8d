package dev.sealwright.measure.tdx

import com.fasterxml.jackson.databind.ObjectMapper
import dev.sealwright.measure.MeasureCliSpec
import dev.sealwright.measure.TdxMeasureSpec
import dev.sealwright.testkit.Cli
import dev.sealwright.testkit.Repo
import spock.lang.Specification
import spock.lang.TempDir

import java.nio.file.Files
import java.nio.file.Path

/** A UKI whose stub measures its sections (systemd-stub 256): the .initrd is hashed once for two events. */
class UkiInitrdEventSpec extends Specification {
    @TempDir Path dir

    /** A UKI built as ukify does (objcopy), the stub itself standing in for the PE kernel; an initrd of 3 MiB + 17 bytes (not a multiple of the file alignment). */
    Path ukiWithInitrd(Path initrd) {
        Repo.requireTool('objcopy')
        def noise = new byte[3 * 1024 * 1024 + 17]; new Random(5).nextBytes(noise)
        Files.write(initrd, noise)
        def uki = dir.resolve('uki.efi')
        def p = ['objcopy', '--add-section', ".linux=${MeasureCliSpec.STUB}", '--change-section-vma', '.linux=0x2000000', '--set-section-flags', '.linux=data,readonly',
                 '--add-section', ".initrd=${initrd}", '--change-section-vma', '.initrd=0x3000000', '--set-section-flags', '.initrd=data,readonly',
                 MeasureCliSpec.STUB, uki.toString()]*.toString().execute()
        def err = p.err.text
        assert p.waitFor() == 0: err
        uki
    }

    def "stub 256: the .initrd section event and the Linux initrd event both carry sha384sum of the initrd"() {
        given:
        def initrd = dir.resolve('initrd.bin')
        def uki = ukiWithInitrd(initrd)

        when:
        def r = Cli.run('measure', 'tdx', '--firmware', MeasureCliSpec.OVMF, '--kernel', uki.toString(), '--stub-version', '256', '--profile', 'qemu-10', '--json')
        def events = new ObjectMapper().readValue(r.out, Map).events
        def section = events.find { it.description.startsWith('systemd-stub section .initrd,') }
        def linux = events.find { it.description.startsWith('Linux initrd,') }

        then:
        r.exitCode == 0
        section.digests.sha384 == TdxMeasureSpec.sha384sum(initrd)
        linux.digests.sha384 == TdxMeasureSpec.sha384sum(initrd)
        linux.register == 'RTMR2'
    }

    def "stub 252 (no section events): the Linux initrd event, hashed straight from the UKI's bytes, carries sha384sum of the initrd"() {
        given:
        def initrd = dir.resolve('initrd.bin')
        def uki = ukiWithInitrd(initrd)

        when:
        def r = Cli.run('measure', 'tdx', '--firmware', MeasureCliSpec.OVMF, '--kernel', uki.toString(), '--stub-version', '252', '--profile', 'qemu-10', '--json')
        def events = new ObjectMapper().readValue(r.out, Map).events

        then:
        r.exitCode == 0
        events.every { !it.description.startsWith('systemd-stub section') }
        def linux = events.find { it.description.startsWith('Linux initrd,') }
        linux.description == "Linux initrd, ${3 * 1024 * 1024 + 17} bytes"
        linux.digests.sha384 == TdxMeasureSpec.sha384sum(initrd)
        linux.register == 'RTMR2'
    }
}
