package dev.sealwright.measure.tdx

import dev.sealwright.testkit.Kernels
import dev.sealwright.testkit.Repo
import spock.lang.Shared
import spock.lang.Specification
import spock.lang.TempDir

import java.nio.file.Files
import java.nio.file.Path

/**
 * The kernel bytes QEMU serves through fw_cfg (and OVMF measures into RTMR1), read from a real
 * QEMU with the qtest protocol on a stopped q35 machine (-S: no guest code runs): FW_CFG_SETUP_DATA
 * must equal our patched setup header, for several RAM sizes, with and without an initrd.
 * Uses Debian's cloud kernel as the Pack component fetches it (testkit Kernels: a cached .deb, not /boot).
 */
class QemuKernelHeaderSpec extends Specification {
    @TempDir
    Path dir

    @Shared Path kernel

    def setupSpec() {
        Repo.requireTool('qemu-system-x86_64')
        kernel = Kernels.debian().vmlinuz()
    }

    /** FW_CFG_SETUP_SIZE (0x17) then FW_CFG_SETUP_DATA (0x18), read byte by byte on the fw_cfg I/O ports 0x510/0x511. */
    static byte[] qemuSetup(Path kernel, Path initrd, String memory, String append = 'console=ttyS0') {
        def cmd = ['qemu-system-x86_64', '-machine', 'q35', '-accel', 'tcg', '-S', '-nodefaults', '-display', 'none',
                   '-qtest', 'stdio', '-qtest-log', '/dev/null', '-m', memory, '-kernel', kernel.toString()]
        if (append != null) cmd += ['-append', append]
        if (initrd != null) cmd += ['-initrd', initrd.toString()]
        def p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start()
        def out = new PrintWriter(p.outputStream, true)
        def reader = new BufferedReader(new InputStreamReader(p.inputStream))
        def send = { String c ->
            out.println(c)
            String line
            while ((line = reader.readLine()) != null && !line.startsWith('OK') && !line.startsWith('FAIL')) {}
            assert line?.startsWith('OK'): "qtest '${c}': ${line}"
            line
        }
        def read = { int key, int n ->
            send(String.format('outw 0x510 0x%x', key))
            (0..<n).collect { (byte) Integer.decode(send('inb 0x511').split(' ')[1]) } as byte[]
        }
        try {
            byte[] size = read(0x17, 4)
            int n = java.nio.ByteBuffer.wrap(size).order(java.nio.ByteOrder.LITTLE_ENDIAN).getInt()
            return read(0x18, n)
        } finally {
            p.destroy()
            p.waitFor()
        }
    }

    def "our setup-header patch equals what QEMU serves: #memory RAM, initrd #initrdSize bytes, -append '#append'"() {
        given:
        Path initrd = null
        if (initrdSize != null) {
            initrd = dir.resolve('initrd')
            Files.write(initrd, new byte[initrdSize])
        }
        byte[] original = Files.readAllBytes(kernel)

        when:
        byte[] fromQemu = qemuSetup(kernel, initrd, memory, append)
        byte[] ours = QemuKernelHeader.patch(original, kernel.toString(), dev.sealwright.vm.VmSpec.parseMemory(memory) << 20,
                initrdSize == null ? null : (long) initrdSize, append)

        then:
        fromQemu.length > 0x240
        Arrays.copyOf(ours, fromQemu.length) == fromQemu
        Arrays.copyOfRange(ours, fromQemu.length, ours.length) == Arrays.copyOfRange(original, fromQemu.length, original.length)
        fromQemu != Arrays.copyOf(original, fromQemu.length)

        where:
        memory | initrdSize | append
        '2G'   | null       | 'console=ttyS0'
        '2G'   | 1234567    | 'console=ttyS0'
        '8G'   | 1234567    | 'console=ttyS0'
        '1G'   | 5000000    | 'console=ttyS0'
        '3G'   | 4096       | 'console=ttyS0'
        '2G'   | null       | 'console=ttyS0 vga=0x317'
        '2G'   | null       | 'vga=ask quiet'
        '2G'   | 4096       | 'novga=791'
    }

    def "vga= values QEMU refuses are refused with the reason"() {
        when:
        QemuKernelHeader.patch(Files.readAllBytes(kernel), 'k', 2L << 30, null, 'vga=12abc')

        then:
        def e = thrown(dev.sealwright.base.RecipeException)
        e.message == "cmdline: QEMU refuses it (\"invalid 'vga=' kernel parameter\": vga=12abc)"
    }

    def "a UKI (boot protocol 0): this QEMU (7.2.22, with the 7.2.17 backport of 'only patch linux kernels') serves it unpatched; the pre-2024 rule writes only 0xA33F and the command-line offset at 0x20..0x23"() {
        given:
        Repo.requireTool('systemd-stub')
        def uki = dir.resolve('uki.efi')
        Files.write(uki, dev.sealwright.image.uki.UkiBuilder.build(new dev.sealwright.image.uki.UkiBuilder.Parts(
                Files.readAllBytes(Path.of('/usr/lib/systemd/boot/efi/linuxx64.efi.stub')), Files.readAllBytes(kernel), 'rd'.bytes,
                'console=ttyS0', 'test', 'ID=test\n'), 'stub'))
        byte[] original = Files.readAllBytes(uki)

        when:
        byte[] fromQemu = qemuSetup(uki, null, '2G', append)
        byte[] old = QemuKernelHeader.patchNonLinux(original, 'uki', append)
        def b = java.nio.ByteBuffer.wrap(old).order(java.nio.ByteOrder.LITTLE_ENDIAN)

        then: 'LINUX_ONLY is what this QEMU does'
        !QemuKernelHeader.isLinux(original)
        fromQemu == Arrays.copyOf(original, fromQemu.length)

        and: "QEMU's source: real_addr 0x90000, cmdline_addr = 0x9a000 - ((strlen + 16) & ~15), stw 0x20 = 0xA33F, stw 0x22 = cmdline_addr - real_addr"
        (b.getShort(0x20) & 0xFFFF) == 0xA33F
        (b.getShort(0x22) & 0xFFFF) == offset
        Arrays.copyOf(old, 0x20) == Arrays.copyOf(original, 0x20)
        Arrays.copyOfRange(old, 0x24, old.length) == Arrays.copyOfRange(original, 0x24, original.length)

        where:
        append             | offset
        null               | 0x9FF0
        'console=ttyS0'    | 0x9FF0
        'console=ttyS0 ab' | 0x9FE0
    }

    def "the RTMR1 image digest of a patched kernel is the Authenticode of the bytes QEMU serves (pesign over QEMU's setup + kernel data), also hashed in place from the patched head"() {
        given:
        Repo.requireTool('pesign')
        byte[] original = Files.readAllBytes(kernel)
        byte[] setup = qemuSetup(kernel, null, '4G')
        def served = dir.resolve('served.efi')
        def blob = new ByteArrayOutputStream()
        blob.write(setup)
        blob.write(original, setup.length, original.length - setup.length)
        Files.write(served, blob.toByteArray())

        when:
        def p = ['pesign', '-h', '-i', served.toString()].execute()
        def out = p.text
        p.waitFor()

        then:
        out.contains('hash: ' + HexFormat.of().formatHex(dev.sealwright.image.pe.PeFile.authenticodeDigest(
                QemuKernelHeader.patch(original, 'k', 4L << 30, null), 'SHA-256', 'k')))
        out.contains('hash: ' + HexFormat.of().formatHex(dev.sealwright.image.pe.PeFile.authenticodeDigest(
                QemuKernelHeader.patchedHead(original, 'k', 4L << 30, null, null), original, 'SHA-256', 'k')))
    }

}
