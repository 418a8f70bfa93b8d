package dev.sealwright.measure.uki

import dev.sealwright.image.pe.PeFile
import dev.sealwright.image.uki.UkiBuilder
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
 * Ground truth for the systemd-stub model: one real boot under QEMU TCG with Debian's OVMF (TPM
 * build) and swtpm, of a UKI on Debian's systemd-stub 252 and cloud kernel, passed as -kernel. The
 * guest's busybox init prints the firmware's TCG2 event log; the stub's PCR 11 events, the inner
 * kernel in PCR 4 and the kernel's PCR 9 LoadOptions/initrd must equal what StubMeasurements
 * predicts (sha256 bank). TDX logs the same events through the CC protocol (PCR → RTMR mapping).
 */
class StubBootSpec extends Specification {
    static final String CMDLINE = 'console=ttyS0 panic=-1'
    @Shared Path dir
    @Shared byte[] uki
    @Shared List<BootEvent> logged

    def setupSpec() {
        Repo.requireTool('systemd-stub')
        def kernel = dev.sealwright.testkit.Kernels.debian().vmlinuz()   // Debian's cloud kernel from the cached .deb
        dir = Files.createTempDirectory('stub-boot')
        def initrd = TpmLogBoot.dumpingInitrd(dir)
        uki = UkiBuilder.build(new UkiBuilder.Parts(Files.readAllBytes(Path.of('/usr/lib/systemd/boot/efi/linuxx64.efi.stub')),
                Files.readAllBytes(kernel), Files.readAllBytes(initrd), CMDLINE, 'test', 'ID=test\n'), 'stub')
        Files.write(dir.resolve('uki.efi'), uki)
        logged = TpmLogBoot.boot(dir, dir.resolve('uki.efi'), null, null)
    }

    def cleanupSpec() {
        dir?.toFile()?.deleteDir()
    }

    static String sha256(byte[] b) {
        HexFormat.of().formatHex(MessageDigest.getInstance('SHA-256').digest(b))
    }

    def "PCR 11: stub 252 logs exactly our section events (sha256 digest and UTF-16 name data), .uname and .sbat not measured"() {
        given:
        def pe = PeFile.read(uki, 'uki')
        def predicted = StubMeasurements.sections(pe, StubVersion.detect(pe).get(), 'uki')
        def pcr11 = logged.findAll { it.index() == 11 }

        expect:
        predicted.size() == 8
        pcr11*.type() == [EventType.EV_IPL] * 8
        pcr11*.digestHex(HashAlg.SHA256) == predicted.collect { sha256(it.measured()) }
        pcr11*.data() == predicted*.eventData()
    }

    def "PCR 4: the UKI as QEMU 7.2 serves it (unpatched), the separator, then the inner kernel the stub loads with LoadImage"() {
        given:
        def pe = PeFile.read(uki, 'uki')
        def apps = logged.findAll { it.index() == 4 && it.type() == EventType.EV_EFI_BOOT_SERVICES_APPLICATION }

        expect:
        apps.size() == 2
        apps[0].digestHex(HashAlg.SHA256) == HexFormat.of().formatHex(PeFile.authenticodeDigest(uki, 'SHA-256', 'uki'))
        apps[1].digestHex(HashAlg.SHA256) == HexFormat.of().formatHex(PeFile.authenticodeDigest(StubMeasurements.innerKernel(pe, 'uki'), 'SHA-256', 'linux'))
        logged.findAll { it.index() == 4 }*.type() == [EventType.EV_EFI_BOOT_SERVICES_APPLICATION, EventType.EV_EFI_ACTION, EventType.EV_SEPARATOR,
                                                        EventType.EV_EFI_BOOT_SERVICES_APPLICATION]
    }

    def "PCR 9: the kernel measures the LoadOptions the stub built from .cmdline (UTF-16LE + NUL) and the .initrd it served"() {
        given:
        def pe = PeFile.read(uki, 'uki')
        def pcr9 = logged.findAll { it.index() == 9 }

        expect:
        StubMeasurements.commandLine(pe) == CMDLINE
        pcr9*.type() == [EventType.EV_EVENT_TAG, EventType.EV_EVENT_TAG]
        pcr9[0].digestHex(HashAlg.SHA256) == sha256((CMDLINE + '\0').getBytes('UTF-16LE'))
        pcr9[1].digestHex(HashAlg.SHA256) == sha256(StubMeasurements.initrd(pe, StubVersion.of(252)))
    }
}
