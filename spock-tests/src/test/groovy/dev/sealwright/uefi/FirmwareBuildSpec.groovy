package dev.sealwright.uefi

import dev.sealwright.base.RecipeException
import dev.sealwright.testkit.Cli
import dev.sealwright.testkit.Repo
import dev.sealwright.testkit.Stack
import spock.lang.Specification
import spock.lang.TempDir

import java.nio.file.Files
import java.nio.file.Path

/**
 * OVMF builds told apart from the image alone: every 4M code image of the installed Debian ovmf
 * (2022.11, version from dpkg) and of trixie's 2025.02 (unpacked by .ci/fetch-stack from the pinned
 * .deb) is identified as its package version; anything else is refused in one line.
 */
class FirmwareBuildSpec extends Specification {
    @TempDir Path dir

    static String installedOvmf() {
        Repo.requireTool('ovmf')
        def p = ['dpkg-query', '-W', '-f=${Version}', 'ovmf'].execute()
        p.waitFor()
        p.text
    }

    def "the installed ovmf's 4M code images (plain, secboot, ms, snakeoil) are identified as the dpkg-installed version"() {
        expect:
        def b = FirmwareBuild.identify(Path.of('/usr/share/OVMF', image))
        b.debianVersion() == installedOvmf()
        b.edk2() == '2022.11'
        b.image() == canonical
        b.secureBootVariableWithoutEnforcement()

        where:
        image                      | canonical
        'OVMF_CODE_4M.fd'          | 'OVMF_CODE_4M.fd'
        'OVMF_CODE_4M.secboot.fd'  | 'OVMF_CODE_4M.secboot.fd'
        'OVMF_CODE_4M.ms.fd'       | 'OVMF_CODE_4M.secboot.fd'
        'OVMF_CODE_4M.snakeoil.fd' | 'OVMF_CODE_4M.secboot.fd'
    }

    def "trixie's 2025.02 images from the pinned .deb are identified; its plain build measures SecureBoot as absent"() {
        expect:
        def b = FirmwareBuild.identify(Stack.ovmf2025(image))
        b.debianVersion() == '2025.02-8+deb13u1'   // the version pinned in .ci/stack-pins
        b.edk2() == '2025.02'
        b.image() == canonical
        b.secureBootVariableWithoutEnforcement() == secureBootVariable

        where:
        image                                | canonical                            | secureBootVariable
        'OVMF_CODE_4M.fd'                    | 'OVMF_CODE_4M.fd'                    | false
        'OVMF_CODE_4M.secboot.fd'            | 'OVMF_CODE_4M.secboot.fd'            | true
        'OVMF_CODE_4M.ms.fd'                 | 'OVMF_CODE_4M.secboot.fd'            | true
        'OVMF_CODE_4M.snakeoil.fd'           | 'OVMF_CODE_4M.secboot.fd'            | true
        'OVMF_CODE_4M.secboot.strictnx.fd'   | 'OVMF_CODE_4M.secboot.strictnx.fd'   | true
    }

    def "an unknown image (one byte changed, a vars file) is refused in one line naming the file, also by measure vtpm"() {
        given:
        Path changed = dir.resolve('OVMF_CODE_4M.fd')
        byte[] b = Files.readAllBytes(Path.of('/usr/share/OVMF/OVMF_CODE_4M.fd'))
        b[b.length - 1] ^= 1
        Files.write(changed, b)

        when:
        FirmwareBuild.identify(changed)
        then:
        def e = thrown(RecipeException)
        e.message == "${changed}: not a known OVMF build (known: Debian ovmf 2022.11-6+deb12u2 and 2025.02-8+deb13u1 images); its event layout is unverified"

        when:
        FirmwareBuild.identify(Path.of('/usr/share/OVMF/OVMF_VARS_4M.fd'))
        then:
        thrown(RecipeException)

        when:
        def r = Cli.run('measure', 'vtpm', '--firmware-code', changed.toString(), '--firmware-vars', '/usr/share/OVMF/OVMF_VARS_4M.fd',
                '--uki', '/usr/lib/systemd/boot/efi/linuxx64.efi.stub')
        then:
        r.exitCode == 1
        def lines = r.err.readLines().findAll { !it.isBlank() }
        lines.size() == 1 && lines[0].contains(e.message)
    }
}
