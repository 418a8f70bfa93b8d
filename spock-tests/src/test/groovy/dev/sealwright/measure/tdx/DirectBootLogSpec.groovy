package dev.sealwright.measure.tdx

import dev.sealwright.image.pe.PeFile
import dev.sealwright.measure.event.BootEvent
import dev.sealwright.measure.event.EventType
import dev.sealwright.measure.event.HashAlg
import dev.sealwright.testkit.Repo
import dev.sealwright.testkit.TpmLogBoot
import spock.lang.Shared
import spock.lang.Specification

import java.nio.file.Files
import java.nio.file.Path
import java.security.MessageDigest

/**
 * The direct-boot kernel events of a TDX prediction (RTMR1 image, RTMR2 LoadOptions and initrd)
 * against a real log: the same firmware code measures them into PCR 4 and the Linux EFI stub into
 * PCR 9 of a swtpm under QEMU TCG (Debian OVMF, QEMU 7.2, Debian cloud kernel, 1 GiB, -initrd,
 * with and without -append; two boots). The TDX prediction's events carry SHA-384; the log's sha256 bank is compared with the
 * same inputs hashed with SHA-256.
 */
class DirectBootLogSpec extends Specification {
    static final String APPEND = 'console=ttyS0 panic=-1'
    @Shared Path dir, kernel, initrd
    @Shared List<BootEvent> logged, loggedNoAppend

    def setupSpec() {
        kernel = dev.sealwright.testkit.Kernels.debian().vmlinuz()   // Debian's cloud kernel from the cached .deb
        dir = Files.createTempDirectory('direct-boot')
        initrd = TpmLogBoot.dumpingInitrd(dir)
        logged = TpmLogBoot.boot(dir, kernel, initrd, APPEND, '1024')
        loggedNoAppend = TpmLogBoot.boot(dir, kernel, initrd, null, '1024')
    }

    def cleanupSpec() {
        dir?.toFile()?.deleteDir()
    }

    static String sha256(byte[] b) {
        HexFormat.of().formatHex(MessageDigest.getInstance('SHA-256').digest(b))
    }

    def "PCR 4 image event = Authenticode of the kernel with QEMU's setup-header patch for 1 GiB and this initrd"() {
        given:
        byte[] served = QemuKernelHeader.patch(Files.readAllBytes(kernel), kernel.toString(), 1L << 30, Files.size(initrd))
        def image = logged.find { it.index() == 4 && it.type() == EventType.EV_EFI_BOOT_SERVICES_APPLICATION }

        expect:
        image.digestHex(HashAlg.SHA256) == HexFormat.of().formatHex(PeFile.authenticodeDigest(served, 'SHA-256', 'kernel'))
    }

    def "PCR 9: LoadOptions is the -append line with OVMF's ' initrd=initrd' suffix, UTF-16LE with NUL, and the initrd as given; the prediction builds the same inputs"() {
        given:
        def pcr9 = logged.findAll { it.index() == 9 }
        def p = TdxPrediction.predict(new TdxInputs(Files.readAllBytes(Path.of('/usr/share/ovmf/OVMF.fd')), 'OVMF.fd', 1L << 30, 1, null,
                Files.readAllBytes(kernel), kernel.toString(), false, Files.readAllBytes(initrd), APPEND, TdxProfile.named('ubuntu-25.04'), null))
        def rtmr2 = p.events(2)

        expect:
        Repo.requireTool('ovmf-combined')
        pcr9*.type() == [EventType.EV_EVENT_TAG, EventType.EV_EVENT_TAG]
        pcr9[0].digestHex(HashAlg.SHA256) == sha256((APPEND + ' initrd=initrd\0').getBytes('UTF-16LE'))
        pcr9[1].digestHex(HashAlg.SHA256) == sha256(Files.readAllBytes(initrd))
        rtmr2[0].description() == 'LoadOptions: ' + APPEND + ' initrd=initrd'
        rtmr2[0].digestHex(HashAlg.SHA384) == HexFormat.of().formatHex(MessageDigest.getInstance('SHA-384').digest((APPEND + ' initrd=initrd\0').getBytes('UTF-16LE')))
        rtmr2[1].digestHex(HashAlg.SHA384) == HexFormat.of().formatHex(MessageDigest.getInstance('SHA-384').digest(Files.readAllBytes(initrd)))
    }

    def "without -append OVMF still formats '%a%a': LoadOptions is ' initrd=initrd' with a leading space, and the prediction says so"() {
        given:
        def p = TdxPrediction.predict(new TdxInputs(Files.readAllBytes(Path.of('/usr/share/ovmf/OVMF.fd')), 'OVMF.fd', 1L << 30, 1, null,
                Files.readAllBytes(kernel), kernel.toString(), false, Files.readAllBytes(initrd), null, TdxProfile.named('ubuntu-25.04'), null))
        def pcr9 = loggedNoAppend.findAll { it.index() == 9 }

        expect:
        Repo.requireTool('ovmf-combined')
        pcr9[0].digestHex(HashAlg.SHA256) == sha256(' initrd=initrd\0'.getBytes('UTF-16LE'))
        p.events(2)[0].description() == 'LoadOptions:  initrd=initrd'
        p.events(2)[0].digestHex(HashAlg.SHA384) == HexFormat.of().formatHex(MessageDigest.getInstance('SHA-384').digest(' initrd=initrd\0'.getBytes('UTF-16LE')))
    }

    def "PCR 0 and 1 of the direct boot (plain OVMF_CODE_4M.fd, fresh OVMF_VARS_4M.fd, 1 GiB, 1 vCPU) equal the computed CRTM, firmware-volume and boot-variable events in both banks; the TDX direct-boot RTMR0 variables are the same bytes"() {
        given:
        def code = Path.of('/usr/share/OVMF/OVMF_CODE_4M.fd')
        def build = dev.sealwright.uefi.FirmwareBuild.identify(code)
        def computed = dev.sealwright.measure.vtpm.OvmfFirmwareEvents.pcr0(build.pcr01(), Files.readAllBytes(code), code.toString(), 1L << 30, 1, null)
        def variables = dev.sealwright.uefi.OvmfBootOptions.directKernel()
        def tdxRtmr0 = TdvfEvents.directBootVariables()

        expect:
        [logged, loggedNoAppend].each { log ->
            def pcr0 = log.findAll { it.index() == 0 && it.type() != EventType.EV_SEPARATOR }
            def pcr1 = log.findAll { it.index() == 1 && it.type() != EventType.EV_SEPARATOR }
            assert pcr0*.type() == computed*.type()
            assert pcr1*.type() == [EventType.EV_EFI_VARIABLE_BOOT] * 2
            [HashAlg.SHA256, HashAlg.SHA384].each { alg ->
                assert pcr0*.digestHex(alg) == computed*.digestHex(alg)
                assert pcr1*.digestHex(alg) == variables.collect { HexFormat.of().formatHex(alg.digest(it.value())) }
            }
            assert pcr0*.data()*.encodeHex()*.toString() == computed*.data()*.encodeHex()*.toString()
            assert pcr1*.data()*.encodeHex()*.toString() == tdxRtmr0*.data()*.encodeHex()*.toString()
        }
        tdxRtmr0*.digestHex(HashAlg.SHA384) == logged.findAll { it.index() == 1 && it.type() == EventType.EV_EFI_VARIABLE_BOOT }*.digestHex(HashAlg.SHA384)
    }
}
