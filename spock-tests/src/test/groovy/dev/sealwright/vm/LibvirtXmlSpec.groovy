package dev.sealwright.vm

import dev.sealwright.testkit.Cli
import dev.sealwright.testkit.Repo
import javax.xml.parsers.DocumentBuilderFactory
import javax.xml.xpath.XPathFactory
import spock.lang.Specification
import spock.lang.TempDir

import java.nio.file.Files
import java.nio.file.Path

/**
 * The libvirt XML is validated by libvirt's own schema checker (virt-xml-validate, libvirt 9.0 in
 * Debian 12). That schema predates &lt;launchSecurity type='tdx'&gt; and 'sev-snp', so TEE XML is
 * only checked for its elements here.
 */
class LibvirtXmlSpec extends Specification {
    @TempDir Path dir

    def "plain and vTPM domains (direct boot, pflash vars, disks, port forwards) pass virt-xml-validate"() {
        given:
        Repo.requireTool('ovmf')
        def xml = dir.resolve('guest.xml')
        def disk = dir.resolve('root.qcow2')
        Files.write(disk, new byte[512])
        def kernel = dir.resolve('vmlinuz')
        Files.write(kernel, new byte[512])

        when:
        def r = Cli.run('launch', '--libvirt-xml', xml.toString(), '--firmware', TestGuest.OVMF_CODE.toString(),
                '--vars', TestGuest.OVMF_VARS.toString(), '--kernel', kernel.toString(), '--cmdline', 'console=ttyS0 root=/dev/vda',
                '--cpus', '2', '--memory', '1G', '--vtpm', '--disk', disk.toString(), '--forward', '2222:22')
        def v = validate(xml)
        def d = dom(Files.readString(xml))

        then:
        r.exitCode == 0
        v.exit == 0
        v.out.contains('validates')
        d('/domain/name') == 'guest'
        d('/domain/memory') == '1024'
        d('/domain/vcpu') == '2'
        d('/domain/os/loader/@type') == 'pflash'
        d('/domain/os/nvram/@template') == TestGuest.OVMF_VARS.toString()
        d('/domain/os/cmdline') == 'console=ttyS0 root=/dev/vda'
        d('/domain/devices/tpm/@model') == 'tpm-crb'
        d('/domain/devices/disk/source/@file') == disk.toString()
        d("/domain/*[local-name()='commandline']/*[local-name()='arg'][2]/@value") == 'user,id=net0,hostfwd=tcp:127.0.0.1:2222-:22'
    }

    def "UKI boot writes the ESP disk beside the XML, and the domain boots it from disk"() {
        given:
        ['sgdisk', 'mkfs.fat', 'mcopy'].each { Repo.requireTool(it) }
        def uki = dir.resolve('app.efi')
        Files.write(uki, new byte[100_000])
        def xml = dir.resolve('uki.xml')

        when:
        def r = Cli.run('launch', '--libvirt-xml', xml.toString(), '--firmware', TestGuest.OVMF_CODE.toString(),
                '--vars', TestGuest.OVMF_VARS.toString(), '--uki', uki.toString())
        def d = dom(Files.readString(xml))

        then:
        r.exitCode == 0
        validate(xml).exit == 0
        d('/domain/os/boot/@dev') == 'hd'
        d('/domain/devices/disk/source/@file') == "${xml}.esp.img".toString()
        Files.size(Path.of("${xml}.esp.img")) > 100_000
    }

    def "TDX and SNP domains carry libvirt's launchSecurity elements"() {
        given:
        def xml = LibvirtXml.write(spec, 'td', '/usr/bin/qemu-system-x86_64', false, null)
        def d = dom(xml)

        expect:
        d('/domain/@type') == 'kvm'
        d('/domain/launchSecurity/@type') == type
        d('/domain/os/loader/@type') == 'rom'
        check(d)

        where:
        spec << [
                VmSpec.builder().firmware(Path.of('/OVMF.fd')).kernel(Path.of('/k')).tee('tdx').build(),
                VmSpec.builder().firmware(Path.of('/OVMF.fd')).kernel(Path.of('/k')).tee('snp').build()]
        type << ['tdx', 'sev-snp']
        check << [
                { x -> x('/domain/launchSecurity/quoteGenerationService/SocketAddress/@type') == 'vsock' && x('/domain/launchSecurity/quoteGenerationService/SocketAddress/@port') == '4050' },
                { x -> x('/domain/launchSecurity/cbitpos') == '51' && x('/domain/launchSecurity/policy') == '0x00030000' && x('/domain/launchSecurity/@kernelHashes') == 'yes' }]
    }

    /** XPath evaluator over the parsed document (a real XML parser: malformed XML fails here). */
    private static Closure<String> dom(String xml) {
        def doc = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(new ByteArrayInputStream(xml.getBytes('UTF-8')))
        def xpath = XPathFactory.newInstance().newXPath()
        return { String expr -> xpath.evaluate(expr, doc) }
    }

    private static Map validate(Path xml) {
        Repo.requireTool('virt-xml-validate')
        def p = new ProcessBuilder('virt-xml-validate', xml.toString(), 'domain').redirectErrorStream(true).start()
        def out = p.inputStream.text
        [exit: p.waitFor(), out: out]
    }
}
