package dev.sealwright.measure

import dev.sealwright.cloud.DebianPackage
import dev.sealwright.cloud.ShimCloudDisk
import dev.sealwright.measure.shim.GrubBootConfig
import dev.sealwright.measure.shim.ShimBinary
import dev.sealwright.testkit.Cli
import dev.sealwright.testkit.Kernels
import dev.sealwright.testkit.Repo
import dev.sealwright.tools.Tools
import groovy.json.JsonSlurper
import spock.lang.Shared
import spock.lang.Specification
import spock.lang.TempDir

import java.nio.ByteBuffer
import java.nio.ByteOrder
import java.nio.file.Files
import java.nio.file.Path
import java.security.MessageDigest

/**
 * The certificate side of the shim chain prediction, against tools we did not write: shim's sections
 * as {@code objcopy} extracts them, the vendor certificate's signature list as efitools'
 * {@code cert-to-efi-sig-list} builds it (its hash is the MokList event), and every PCR 4 image digest
 * as {@code pesign -h} computes it. No boot (ShimBootSpec boots).
 */
class ShimSectionsSpec extends Specification {
    static final String SHIM_LOCK = '605dab50-e046-4300-abb6-3dd810dd8b23'

    @Shared @TempDir Path work
    @Shared Path shim, grub, kernel, disk
    @Shared Map prediction

    def setupSpec() {
        ['objcopy', 'cert-to-efi-sig-list', 'sig-list-to-certs', 'openssl', 'pesign', 'sgdisk', 'mkfs.fat', 'mcopy', 'dpkg-deb', 'apt-get'].each { Repo.requireTool(it) }
        def tools = new Tools()
        shim = DebianPackage.fetch(tools, DebianPackage.defaultCacheRoot(), 'shim-signed', { println it }).resolve('usr/lib/shim/shimx64.efi.signed')
        grub = DebianPackage.fetch(tools, DebianPackage.defaultCacheRoot(), 'grub-efi-amd64-signed', { println it }).resolve('usr/lib/grub/x86_64-efi-signed/grubx64.efi.signed')
        kernel = Kernels.debian().vmlinuz()
        Path initrd = work.resolve('initrd.img')
        Files.write(initrd, 'not an initrd, only measured'.bytes)
        disk = work.resolve('disk.img')
        ShimCloudDisk.write(tools, new ShimCloudDisk.Inputs(shim, grub, kernel, initrd, new GrubBootConfig('/boot/vmlinuz', '/boot/initrd.img', 'console=ttyS0'), null, 4), disk)
        def r = Cli.run('measure', 'vtpm', '--firmware-code', '/usr/share/OVMF/OVMF_CODE_4M.ms.fd', '--firmware-vars', '/usr/share/OVMF/OVMF_VARS_4M.ms.fd',
                '--esp-chain', '--boot-disk', disk.toString(), '--secure-boot', '--json')
        assert r.exitCode == 0: r.toString()
        prediction = new JsonSlurper().parseText(r.out) as Map
    }

    def "shim's .vendor_cert, .sbatlevel and .sbat as objcopy extracts them give the values the prediction uses"() {
        when:
        def s = ShimBinary.read(Files.readAllBytes(shim), shim.toString())
        byte[] vc = objcopy('.vendor_cert'), level = objcopy('.sbatlevel')
        def h = ByteBuffer.wrap(vc).order(ByteOrder.LITTLE_ENDIAN)
        int authSize = h.getInt(0), deauthSize = h.getInt(4), authOff = h.getInt(8), deauthOff = h.getInt(12)
        int prev = ByteBuffer.wrap(level).order(ByteOrder.LITTLE_ENDIAN).getInt(4) + 4

        then:
        s.version() == '16.1'
        new String(objcopy('.sbat'), 'US-ASCII').contains('shim.debian,1,Debian,shim,16.1,')
        s.vendorCert() == Arrays.copyOfRange(vc, authOff, authOff + authSize)
        s.vendorDbx() == Arrays.copyOfRange(vc, deauthOff, deauthOff + deauthSize)
        s.sbatLevelPrevious() == new String(level, prev, (0..<level.length - prev).find { level[prev + it] == 0 }, 'US-ASCII')
        s.sbatLevelPrevious().startsWith('sbat,1,')
    }

    def "the MokList event hashes the vendor certificate's list as cert-to-efi-sig-list builds it, and sig-list-to-certs reads it back"() {
        given:
        def s = ShimBinary.read(Files.readAllBytes(shim), shim.toString())
        Path der = work.resolve('vendor.der'), pem = work.resolve('vendor.pem'), esl = work.resolve('vendor.esl')
        Files.write(der, s.vendorCert())
        sh('openssl', 'x509', '-inform', 'DER', '-in', der.toString(), '-out', pem.toString())
        sh('cert-to-efi-sig-list', '-g', SHIM_LOCK, pem.toString(), esl.toString())
        sh('sig-list-to-certs', esl.toString(), work.resolve('back').toString())

        expect:
        def mokList = prediction.events.find { it.index == 14 && it.description == 'MokList' }
        mokList.digests.sha256 == sha256(Files.readAllBytes(esl))
        Files.readAllBytes(work.resolve('back-0.der')) == s.vendorCert()
        and: 'MokListX hashes the vendor dbx as stored'
        prediction.events.find { it.index == 14 && it.description == 'MokListX' }.digests.sha256 == sha256(s.vendorDbx())
    }

    def "every PCR 4 image digest is pesign's Authenticode hash: shim, GRUB, the kernel twice"() {
        expect:
        def apps = prediction.events.findAll { it.index == 4 && it.type == 'EV_EFI_BOOT_SERVICES_APPLICATION' }*.digests*.sha256
        apps == [pesign(shim), pesign(grub), pesign(kernel), pesign(kernel)]
    }

    private byte[] objcopy(String section) {
        Path out = work.resolve("section${section}")
        sh('objcopy', '-O', 'binary', "--only-section=${section}".toString(), shim.toString(), out.toString())
        Files.readAllBytes(out)
    }

    private static String pesign(Path image) {
        def p = new ProcessBuilder('pesign', '-h', '-d', 'sha256', '-i', image.toString()).redirectErrorStream(true).start()
        def out = p.inputStream.text
        assert p.waitFor() == 0: out
        (out =~ /hash: ([0-9a-f]{64})/)[0][1]
    }

    private static String sha256(byte[] b) {
        MessageDigest.getInstance('SHA-256').digest(b).encodeHex().toString()
    }

    private static void sh(String... cmd) {
        def p = new ProcessBuilder(cmd).redirectErrorStream(true).start()
        def out = p.inputStream.text
        assert p.waitFor() == 0: "${cmd.join(' ')} failed: ${out}"
    }
}
