package dev.sealwright.measure.uki

import dev.sealwright.image.pe.PeFile
import dev.sealwright.image.uki.UkiBuilder
import dev.sealwright.measure.event.EventType
import dev.sealwright.measure.event.HashAlg
import dev.sealwright.measure.tdx.TdxInputs
import dev.sealwright.measure.tdx.TdxPrediction
import dev.sealwright.measure.tdx.TdxProfile
import dev.sealwright.testkit.Repo
import groovy.json.JsonSlurper
import spock.lang.Shared
import spock.lang.Specification
import spock.lang.TempDir

import java.nio.file.Files
import java.nio.file.Path
import java.security.MessageDigest

/**
 * systemd-stub's measurements of a UKI built on Debian's stub (252) and kernel, checked against
 * systemd's own calculator (systemd-measure calculate, PCR 11 sha384), objcopy's section extraction
 * and pesign's Authenticode hash of the kernel file.
 */
class StubMeasurementsSpec extends Specification {
    static final Path STUB = Path.of('/usr/lib/systemd/boot/efi/linuxx64.efi.stub')
    static final Path OVMF = Path.of('/usr/share/ovmf/OVMF.fd')
    static final String CMDLINE = 'console=ttyS0 quiet'
    static final String OSREL = 'ID=test\nVERSION_ID=1\n'

    @Shared Path dir
    @Shared Path kernel, initrd, ukiFile
    @Shared byte[] uki

    def setupSpec() {
        Repo.requireTool('systemd-stub')
        dir = Files.createTempDirectory('stub-spec')
        kernel = dev.sealwright.testkit.Kernels.debian().vmlinuz()   // Debian's cloud kernel from the cached .deb
        initrd = dir.resolve('initrd.img')
        Files.write(initrd, (0..<5000).collect { (byte) (it * 7) } as byte[])
        uki = UkiBuilder.build(new UkiBuilder.Parts(Files.readAllBytes(STUB), Files.readAllBytes(kernel), Files.readAllBytes(initrd),
                CMDLINE, '6.1.0-test', OSREL), STUB.toString())
        ukiFile = dir.resolve('uki.efi')
        Files.write(ukiFile, uki)
    }

    def cleanupSpec() {
        dir?.toFile()?.deleteDir()
    }

    static String run(List<String> cmd) {
        def p = new ProcessBuilder(cmd).redirectErrorStream(true).start()
        def out = p.inputStream.text
        assert p.waitFor() == 0: "${cmd.join(' ')}: ${out}"
        out
    }

    static byte[] extend(byte[] reg, byte[] digest) {
        def md = MessageDigest.getInstance('SHA-384')
        md.update(reg)
        md.update(digest)
        md.digest()
    }

    private TdxPrediction predictWithStub(Integer stub) {
        TdxPrediction.predict(new TdxInputs(Files.readAllBytes(OVMF), 'OVMF.fd', 2L << 30, 1, null, uki, 'uki.efi', true, null, null, TdxProfile.named('qemu-10'), stub))
    }

    static byte[] sha384(byte[] b) {
        MessageDigest.getInstance('SHA-384').digest(b)
    }

    def "the stub version comes from .sdmagic: Debian's stub is 252"() {
        expect:
        StubVersion.detect(PeFile.read(uki, 'uki')).get().major() == 252
        StubVersion.detect(PeFile.read(uki, 'uki')).get().text().startsWith('252.')
        !StubVersion.detect(PeFile.read(Files.readAllBytes(Path.of('/usr/lib/systemd/boot/efi/systemd-bootx64.efi')), 'boot')).isPresent()
    }

    def "PCR 11 from our section events, extended by the enter-initrd phase, equals systemd-measure calculate (sha384)"() {
        given:
        Repo.requireTool('systemd-measure')
        def osrel = dir.resolve('osrel'), cmdline = dir.resolve('cmdline')
        Files.writeString(osrel, OSREL)
        Files.writeString(cmdline, CMDLINE)
        def json = new JsonSlurper().parseText(run(['/usr/lib/systemd/systemd-measure', 'calculate', "--linux=${kernel}".toString(),
                "--osrel=${osrel}".toString(), "--cmdline=${cmdline}".toString(), "--initrd=${initrd}".toString(), '--bank=sha384', '--json=short']))
        String expected = json.sha384.find { it.phase == 'enter-initrd' }.hash

        when:
        def events = StubMeasurements.sections(PeFile.read(uki, 'uki'), StubVersion.of(252), 'uki')
        byte[] pcr = new byte[48]
        events.each { pcr = extend(pcr, sha384(it.measured())) }
        pcr = extend(pcr, sha384('enter-initrd'.bytes))

        then: '252 measures .linux .osrel .cmdline .initrd, not the .uname and .sbat sections the UKI also has'
        events*.description().findAll { it.startsWith('systemd-stub section name') }*.replace('systemd-stub section name ', '') == ['.linux', '.osrel', '.cmdline', '.initrd']
        events.every { it.pcr() == 11 && it.type() == EventType.EV_IPL }
        HexFormat.of().formatHex(pcr) == expected
    }

    def "stub 256 also measures .uname and .sbat; each data event hashes the bytes objcopy extracts, each name event the ASCII name with NUL"() {
        given:
        Repo.requireTool('objdump')
        def events = StubMeasurements.sections(PeFile.read(uki, 'uki'), StubVersion.of(256), 'uki')
        def names = ['.linux', '.osrel', '.cmdline', '.initrd', '.uname', '.sbat']

        expect:
        events.size() == 2 * names.size()
        names.eachWithIndex { String n, int i ->
            def out = dir.resolve("sec${i}.bin")
            run(['objcopy', "--dump-section", "${n}=${out}".toString(), ukiFile.toString(), dir.resolve("x${i}").toString()])
            assert events[2 * i].measured() == (n + '\0').bytes
            assert events[2 * i].eventData() == (n + '\0').getBytes('UTF-16LE')
            assert events[2 * i + 1].measured() == Files.readAllBytes(out)
        }
    }

    def "a UKI booted directly under TDX with stub 252: RTMR1 gains the inner kernel (pesign's hash of the kernel file), RTMR2 has LoadOptions and initrd only"() {
        given:
        Repo.requireTool('ovmf-combined')
        Repo.requireTool('pesign')
        def inputs = new TdxInputs(Files.readAllBytes(OVMF), OVMF.toString(), 2L << 30, 1, null, uki, 'uki.efi', true, null, null,
                TdxProfile.named('qemu-10'), null)

        when:
        def p = TdxPrediction.predict(inputs)
        def rtmr1 = p.events(1), rtmr2 = p.events(2)
        def inner = PeFile.authenticodeDigest(StubMeasurements.innerKernel(PeFile.read(uki, 'uki'), 'uki'), 'SHA-256', 'k')

        then:
        p.missing()[1].isEmpty() && p.missing()[2].isEmpty()
        rtmr1*.type() == [EventType.EV_EFI_BOOT_SERVICES_APPLICATION, EventType.EV_EFI_ACTION, EventType.EV_SEPARATOR,
                          EventType.EV_EFI_BOOT_SERVICES_APPLICATION, EventType.EV_EFI_ACTION, EventType.EV_EFI_ACTION]
        rtmr1[3].description().contains('systemd-stub 252')
        run(['pesign', '-h', '-i', kernel.toString()]).contains('hash: ' + HexFormat.of().formatHex(inner))
        rtmr2*.type() == [EventType.EV_EVENT_TAG, EventType.EV_EVENT_TAG]
        rtmr2[0].digestHex(HashAlg.SHA384) == HexFormat.of().formatHex(sha384((CMDLINE + '\0').getBytes('UTF-16LE')))
        rtmr2[1].digestHex(HashAlg.SHA384) == HexFormat.of().formatHex(sha384(Files.readAllBytes(initrd)))
        p.rtmrHex(1) != null && p.rtmrHex(2) != null
    }

    def "stub version switches: 256 adds the section events to RTMR2 before LoadOptions and initrd; 258 drops the inner-kernel event"() {
        given:
        Repo.requireTool('ovmf-combined')

        when:
        def v256 = predictWithStub(256)
        def v258 = predictWithStub(258)

        then:
        v256.events(2).size() == 12 + 2
        v256.events(2).take(12).every { it.type() == EventType.EV_IPL }
        v256.events(2)[12].type() == EventType.EV_EVENT_TAG && v256.events(2)[12].description().startsWith('LoadOptions')
        v256.events(2)[13].description().startsWith('Linux initrd')
        v256.events(1).count { it.type() == EventType.EV_EFI_BOOT_SERVICES_APPLICATION } == 2
        v258.events(1).count { it.type() == EventType.EV_EFI_BOOT_SERVICES_APPLICATION } == 1
        v258.missing()[2].any { it.contains('cpio') }
        v258.rtmrHex(2) == null
    }

    def "a UKI without .sdmagic and no stub version given: RTMR1 and RTMR2 say so plainly"() {
        given:
        Repo.requireTool('ovmf-combined')
        byte[] pe = Files.readAllBytes(Path.of('/usr/lib/systemd/boot/efi/systemd-bootx64.efi'))

        when:
        def p = TdxPrediction.predict(new TdxInputs(Files.readAllBytes(OVMF), 'OVMF.fd', 2L << 30, 1, null, pe, 'boot.efi', true, null, null, TdxProfile.named('qemu-10'), null))

        then:
        p.rtmrHex(1) == null && p.rtmrHex(2) == null
        p.missing()[2] == ['boot.efi has no systemd-stub version (.sdmagic); give the stub version (--stub-version) to predict what it measures']
    }
}
