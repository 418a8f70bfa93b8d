package dev.sealwright.disk

import dev.sealwright.cloud.DebianPackage
import dev.sealwright.cloud.ShimCloudDisk
import dev.sealwright.measure.shim.GrubBootConfig
import dev.sealwright.testkit.Cli
import dev.sealwright.testkit.Kernels
import dev.sealwright.testkit.Repo
import dev.sealwright.tools.Tools
import groovy.json.JsonSlurper
import spock.lang.Shared
import spock.lang.Specification
import spock.lang.TempDir

import java.nio.ByteBuffer
import java.nio.file.Files
import java.nio.file.Path

/**
 * A user's existing cloud image as qcow2, fixed VHD or dynamic VHD: the Debian shim → GRUB → kernel image
 * (built from Debian's signed packages, as ShimSectionsSpec builds it), converted by the real
 * {@code qemu-img} ({@code -O qcow2}, {@code -O vpc -o subformat=fixed|dynamic}), goes through
 * {@code measure vtpm --esp-chain}, {@code disk encrypt} and {@code disk deploy} as the raw image does.
 * What we compare with is what qemu-img makes of the files: its conversions in, its {@code convert -O raw}
 * and {@code info} of our outputs; cryptsetup reads the deployed LUKS2 header.
 */
class DiskFormatsSpec extends Specification {
    static final List<String> CONVERTED = ['qcow2', 'vhd-fixed', 'vhd-dynamic']
    static final String OVMF_CODE = '/usr/share/OVMF/OVMF_CODE_4M.ms.fd', OVMF_VARS = '/usr/share/OVMF/OVMF_VARS_4M.ms.fd'

    @Shared @TempDir Path work
    @Shared Path plain, enc, key, seed, uefiConfig, srkPub
    @Shared Map<String, Path> plainAs = [:], encAs = [:]

    def setupSpec() {
        ['qemu-img', 'sgdisk', 'mkfs.fat', 'mcopy', 'dpkg-deb', 'apt-get', 'cryptsetup'].each { Repo.requireTool(it) }
        def tools = new Tools()
        Path shim = DebianPackage.fetch(tools, DebianPackage.defaultCacheRoot(), 'shim-signed', { println it }).resolve('usr/lib/shim/shimx64.efi.signed')
        Path grub = DebianPackage.fetch(tools, DebianPackage.defaultCacheRoot(), 'grub-efi-amd64-signed', { println it }).resolve('usr/lib/grub/x86_64-efi-signed/grubx64.efi.signed')
        Path initrd = work.resolve('initrd.img')
        Files.write(initrd, 'not an initrd, only measured'.bytes)
        Path root = work.resolve('root.ext')
        def rnd = new Random(17)
        byte[] rootBytes = new byte[3 << 20]
        rnd.nextBytes(rootBytes)
        Files.write(root, rootBytes)
        plain = work.resolve('cloud.img')
        ShimCloudDisk.write(tools, new ShimCloudDisk.Inputs(shim, grub, Kernels.debian().vmlinuz(), initrd,
                new GrubBootConfig('/boot/vmlinuz', '/boot/initrd.img', 'console=ttyS0'), root, 4), plain)
        key = work.resolve('root.key')
        Files.write(key, 'a DEMO passphrase'.bytes)
        seed = work.resolve('seed')
        Files.write(seed, 'DiskFormatsSpec'.bytes)
        enc = work.resolve('enc.img')
        def r = Cli.run('disk', 'encrypt', plain.toString(), '-o', enc.toString(), '--key-file', key.toString(), '--deterministic-seed-file', seed.toString())
        assert r.exitCode == 0: r.toString()
        CONVERTED.each { fmt ->
            plainAs[fmt] = qemuConvert(plain, fmt, 'cloud')
            encAs[fmt] = qemuConvert(enc, fmt, 'enc')
        }
        uefiConfig = work.resolve('uefi-config.json')
        assert Cli.run('uefi', 'config', '--vars', OVMF_VARS, '-o', uefiConfig.toString()).exitCode == 0
        srkPub = Repo.path('samples/debian-cloud-fde/srk.pub')
    }

    /** qemu-img's conversion of a raw image to {@code fmt}. */
    Path qemuConvert(Path raw, String fmt, String name) {
        def out = work.resolve("${name}.${fmt}")
        def args = fmt == 'qcow2' ? ['-O', 'qcow2'] : ['-O', 'vpc', '-o', "subformat=${fmt - 'vhd-'}".toString()]
        Sh.ok(['qemu-img', 'convert', '-f', 'raw'] + args + [raw.toString(), out.toString()])
        out
    }

    /** The disk qemu-img reads from {@code image} (format given, not probed), as a raw file. */
    Path qemuRaw(Path image, String fmt, String name) {
        def out = work.resolve("${name}.back.raw")
        Files.deleteIfExists(out)
        Sh.ok(['qemu-img', 'convert', '-f', fmt == 'qcow2' ? 'qcow2' : fmt == 'raw' ? 'raw' : 'vpc', '-O', 'raw', image.toString(), out.toString()])
        out
    }

    static String qemuFormat(Path image) {
        (Sh.ok(['qemu-img', 'info', '--output=json', image.toString()]).out =~ /"format": "([^"]+)"/)[0][1]
    }

    static Map predict(Path image) {
        def r = Cli.run('measure', 'vtpm', '--firmware-code', OVMF_CODE, '--firmware-vars', OVMF_VARS, '--esp-chain', '--boot-disk', image.toString(), '--secure-boot', '--json')
        assert r.exitCode == 0: r.toString()
        new JsonSlurper().parseText(r.out) as Map
    }

    /** Every event's PCR, type and digests (descriptions name the file, which differs). */
    static List events(Map prediction) {
        prediction.events.collect { [it.index, it.type, it.digests] }
    }

    def "measure vtpm --esp-chain predicts the same PCRs and events from qemu-img's #fmt of the Debian cloud image as from the raw image"() {
        given:
        def raw = predict(enc)
        def other = predict(encAs[fmt])

        expect:
        raw.sha256['7'] != null && raw.sha256['4'] != null && raw.sha256['14'] != null
        other.sha256 == raw.sha256
        other.sha384 == raw.sha384
        events(other) == events(raw)
        other.events.find { it.type == 'EV_EFI_GPT_EVENT' }.description.contains(encAs[fmt].fileName.toString())

        and: 'nothing was left in the temp directory'
        leftovers() == []

        where:
        fmt << CONVERTED
    }

    def "disk encrypt of qemu-img's #fmt writes #fmt, from which qemu-img reads the bytes a raw encryption of qemu-img's view of the input writes (same seed)"() {
        given: 'the raw peer: qemu-img reads the input disk (a fixed VHD it wrote is a few sectors larger: CHS rounding), we encrypt that raw disk'
        def out = work.resolve("enc-from.${fmt}"), peer = work.resolve("enc-from-${fmt}-peer.img")
        def plainRaw = qemuRaw(plainAs[fmt], fmt, "plain-${fmt}")
        assert Cli.run('disk', 'encrypt', plainRaw.toString(), '-o', peer.toString(), '--key-file', key.toString(), '--deterministic-seed-file', seed.toString()).exitCode == 0
        String before = Sh.sha256(plainAs[fmt])

        when:
        def r = Cli.run('disk', 'encrypt', plainAs[fmt].toString(), '-o', out.toString(), '--key-file', key.toString(), '--deterministic-seed-file', seed.toString())

        then:
        r.exitCode == 0
        Sh.sha256(plainAs[fmt]) == before
        qemuFormat(out) == (fmt == 'qcow2' ? 'qcow2' : fmt == 'vhd-dynamic' ? 'vpc' : 'raw') // qemu probes a fixed VHD as raw: its cookie is at the end
        Sh.sha256(qemuRaw(out, fmt, "enc-from-${fmt}")) == Sh.sha256(peer)
        Files.list(work).withCloseable { it.map { it.fileName.toString() }.filter { it.startsWith(".enc-from.${fmt}.") }.toList() } == []

        where:
        fmt << CONVERTED
    }

    def "disk deploy of qemu-img's #fmt: the input is unchanged, the output is #fmt, and qemu-img reads the raw deploy's disk from it outside the LUKS2 header"() {
        given:
        String before = Sh.sha256(encAs[fmt])
        def out = work.resolve("deployed.${fmt}"), recovery = work.resolve("recovery-${fmt}.key")
        def peer = rawDeploy()
        Path rawOut = work.resolve('deployed-peer.img')

        when:
        def r = deploy(encAs[fmt], out, recovery)

        then:
        peer.exitCode == 0
        r.exitCode == 0
        sealedValues(r.out) == sealedValues(peer.out)
        sealedValues(r.out).keySet() == ['sha256:7', 'sha256:4'] as Set
        r.out.contains("predicted from ${encAs[fmt]} ESP \\EFI\\BOOT\\BOOTX64.EFI")
        Sh.sha256(encAs[fmt]) == before
        qemuFormat(out) == (fmt == 'qcow2' ? 'qcow2' : fmt == 'vhd-dynamic' ? 'vpc' : 'raw')

        when: 'qemu-img reads the deployed disk back'
        def back = qemuRaw(out, fmt, "deployed-${fmt}")
        def (long luksAt, long luksLen) = partition(enc, 2)

        then: 'everything but the LUKS2 header area (16 MiB) and the ESP equals the raw deploy; cryptsetup opens the recovery keyslot'
        sameDisk(back, rawOut, [[luksAt, 16L << 20], espRange(back)])
        Sh.ok(['cryptsetup', 'luksDump', header(back, luksAt, fmt).toString()]).out.contains('systemd-tpm2')
        Sh.run(['cryptsetup', 'open', '--test-passphrase', '--key-file', recovery.toString(), header(back, luksAt, fmt).toString()]).exit == 0
        Sh.ok(['mcopy', '-n', '-i', "${back}@@${espRange(back)[0]}".toString(), '::/device/fde/cloudimg-rootfs.sealed-key', work.resolve("sealed-${fmt}").toString()]).exit == 0

        where:
        fmt << CONVERTED
    }

    def "disk deploy --output-format: a qcow2 input deploys to a raw image, a raw input to qcow2"() {
        when:
        def toRaw = Cli.run('disk', 'deploy', encAs.qcow2.toString(), '-o', work.resolve('q2raw.img').toString(), '--srk-pub', srkPub.toString(),
                '--uefi-config', uefiConfig.toString(), '--pcrs', '7', '--key-file', key.toString(), '--output-format', 'raw')
        def toQcow2 = Cli.run('disk', 'deploy', enc.toString(), '-o', work.resolve('raw2q.qcow2').toString(), '--srk-pub', srkPub.toString(),
                '--uefi-config', uefiConfig.toString(), '--pcrs', '7', '--key-file', key.toString(), '--output-format', 'qcow2')

        then:
        toRaw.exitCode == 0
        toQcow2.exitCode == 0
        qemuFormat(work.resolve('q2raw.img')) == 'raw'
        Files.size(work.resolve('q2raw.img')) == Files.size(enc)
        qemuFormat(work.resolve('raw2q.qcow2')) == 'qcow2'
    }

    def "the disk.deploy step keeps a qcow2 input's format, or writes outputFormat"() {
        given:
        def dir = work.resolve('recipe')
        Files.createDirectories(dir)
        def recipe = dir.resolve('deploy.groovy')
        Files.writeString(recipe, """
            pipeline('formats') {
                diskDeploy('as-input') {
                    image      file('${encAs.qcow2}')
                    srkPub     file('${srkPub}')
                    uefiConfig file('${uefiConfig}')
                    passphrase secret(file: '${key}')
                }
                diskDeploy('as-vhd') {
                    image        file('${encAs.qcow2}')
                    srkPub       file('${srkPub}')
                    uefiConfig   file('${uefiConfig}')
                    passphrase   secret(file: '${key}')
                    outputFormat 'vhd-dynamic'
                }
            }
        """)

        when:
        def r = Cli.run('run', recipe.toString(), '-C', dir.toString())

        then:
        r.exitCode == 0
        qemuFormat(dir.resolve('out/as-input/disk.img')) == 'qcow2'
        qemuFormat(dir.resolve('out/as-vhd/disk.img')) == 'vpc'
    }

    def "a conversion temp file a killed run left in the temp directory is removed by the next conversion"() {
        given: 'a temp file named after a process that no longer runs'
        def dead = new ProcessBuilder('true').start()
        dead.waitFor()
        Path stale = Path.of(System.getProperty('java.io.tmpdir'), ".sealwright-disk.${dead.pid()}-1.raw")
        Files.write(stale, new byte[512])

        when:
        predict(encAs.qcow2)

        then:
        !Files.exists(stale)
        leftovers() == []
    }

    def "a bad image is one line naming the file: #problem"() {
        given:
        Path bad = work.resolve("bad-${problem.replace(' ', '-')}")
        Files.write(bad, make() as byte[])

        when:
        def r = Cli.run('measure', 'vtpm', '--firmware-code', OVMF_CODE, '--firmware-vars', OVMF_VARS, '--esp-chain', '--boot-disk', bad.toString(), '--secure-boot')

        then:
        r.exitCode == 1
        r.err.readLines().findAll { it.trim() }.size() == 1
        r.err.contains("${bad}: ")
        r.err.contains(message)
        leftovers() == []

        where:
        problem                  | message                                                   | make
        'qcow2 truncated header' | 'qcow2 header cut off'                                    | { -> Arrays.copyOf(Files.readAllBytes(encAs.qcow2), 40) }
        'qcow2 truncated'        | 'qemu-img check finds'                                    | { -> Arrays.copyOf(Files.readAllBytes(encAs.qcow2), (int) (Files.size(encAs.qcow2) / 2)) }
        'qcow2 version'          | 'qcow2 version 9 (2 and 3 exist)'                         | { -> patch(Files.readAllBytes(encAs.qcow2)) { ByteBuffer b -> b.putInt(4, 9) } }
        'qcow2 absurd size'      | 'qcow2 header says the disk has 4611686018427387904 bytes' | { -> patch(Files.readAllBytes(encAs.qcow2)) { ByteBuffer b -> b.putLong(24, 1L << 62) } }
        'qcow2 backing file'     | 'qcow2 with a backing file'                               | { -> patch(Files.readAllBytes(encAs.qcow2)) { ByteBuffer b -> b.putLong(8, 512) } }
        'vhd absurd size'        | 'VHD footer says the disk has 4611686018427387904 bytes'  | { -> vhdFooterPatched(Files.readAllBytes(encAs['vhd-fixed'])) { ByteBuffer b -> b.putLong(48, 1L << 62) } }
        'vhd fixed truncated'    | 'fixed VHD footer says'                                   | { -> cutMiddle(Files.readAllBytes(encAs['vhd-fixed'])) }
        'vhd dynamic truncated'  | 'lies outside the data area'                              | { -> Arrays.copyOf(Files.readAllBytes(encAs['vhd-dynamic']), (int) (Files.size(encAs['vhd-dynamic']) - 4096)) }
        'vhd bad checksum'       | 'VHD footer checksum mismatch'                            | { -> patch(Files.readAllBytes(encAs['vhd-fixed'])) { ByteBuffer b -> b.put(b.limit() - 512 + 48, (byte) 1) } }
        'vhdx'                   | 'is a VHDX image'                                         | { -> ('vhdxfile' + 'x' * 1000).bytes }
        'raw not sectors'        | 'is not a whole number of 512-byte sectors'               | { -> new byte[1000] }
        'raw no partition table' | 'no MBR signature 0x55AA at LBA 0'                        | { -> new byte[68 * 512] }
    }

    def "launch boots a qcow2 or dynamic VHD boot disk with QEMU's driver for it (dry run)"() {
        when:
        def r = Cli.run('launch', '--firmware', OVMF_CODE, '--boot-disk', image.toString(), '--dry-run')

        then:
        r.exitCode == 0
        r.out.contains("format=${driver},snapshot=on,file=${image}")

        where:
        image                        | driver
        encAs.qcow2                  | 'qcow2'
        encAs['vhd-dynamic']         | 'vpc'
        enc                          | 'raw'
    }

    @Shared Cli.Result rawPeer

    /** The raw image's deploy (once): the peer each format's deploy is compared with. */
    Cli.Result rawDeploy() {
        if (rawPeer == null) rawPeer = deploy(enc, work.resolve('deployed-peer.img'), work.resolve('recovery-peer.key'))
        rawPeer
    }

    Cli.Result deploy(Path image, Path out, Path recovery) {
        Cli.run('disk', 'deploy', image.toString(), '-o', out.toString(), '--srk-pub', srkPub.toString(), '--uefi-config', uefiConfig.toString(),
                '--pcrs', '7,4', '--key-file', key.toString(), '--recovery-key-out', recovery.toString())
    }

    static Map<String, String> sealedValues(String out) {
        out.readLines().findAll { it =~ /^  sha\d+:\d+ [0-9a-f]+$/ }.collectEntries { def (k, v) = it.trim().split(' '); [k, v] }
    }

    /** The LUKS2 header area (16 MiB) of the partition at {@code at}, as a detached header file cryptsetup reads. */
    Path header(Path disk, long at, String name) {
        def out = work.resolve("${name}.luks-header")
        new RandomAccessFile(disk.toFile(), 'r').withCloseable { raf ->
            byte[] b = new byte[16 << 20]; raf.seek(at); raf.readFully(b); Files.write(out, b)
        }
        out
    }

    /** The ESP (partition 1 of the shim cloud disk) as [first byte, length], as sgdisk reads it from the raw encrypted image. */
    List<Long> espRange(Path disk) {
        partition(enc, 1)
    }

    /** Partition {@code n} as sgdisk sees it: [first byte, length]. */
    static List<Long> partition(Path disk, int n) {
        def info = Sh.ok(['sgdisk', '-i', "${n}".toString(), disk.toString()]).out
        long first = (info =~ /First sector: (\d+)/)[0][1] as long
        long last = (info =~ /Last sector: (\d+)/)[0][1] as long
        [first * 512, (last - first + 1) * 512]
    }

    /** Equal bytes over the shorter length, except in {@code skip} ([offset, length] ranges); the rest of the longer file is zeros. */
    static boolean sameDisk(Path a, Path b, List<List<Long>> skip = []) {
        def ra = new RandomAccessFile(a.toFile(), 'r'), rb = new RandomAccessFile(b.toFile(), 'r')
        try {
            long n = Math.min(ra.length(), rb.length())
            byte[] x = new byte[1 << 20], y = new byte[1 << 20]
            for (long off = 0; off < n; off += x.length) {
                int len = (int) Math.min(x.length, n - off)
                ra.seek(off); ra.readFully(x, 0, len); rb.seek(off); rb.readFully(y, 0, len)
                for (int i = 0; i < len; i++) {
                    if (x[i] == y[i]) continue
                    long at = off + i
                    if (!skip.any { at >= it[0] && at < it[0] + it[1] }) return false
                }
            }
            def longer = ra.length() > rb.length() ? ra : rb
            for (long off = n; off < longer.length(); off++) { longer.seek(off); if (longer.read() != 0) return false }
            true
        } finally {
            ra.close(); rb.close()
        }
    }

    static byte[] patch(byte[] b, Closure c) {
        c(ByteBuffer.wrap(b))
        b
    }

    /** Changes the footer at the end of a fixed VHD and fixes its checksum (one's complement of the byte sum). */
    static byte[] vhdFooterPatched(byte[] b, Closure c) {
        def footer = ByteBuffer.wrap(b, b.length - 512, 512).slice()
        c(footer)
        footer.putInt(64, 0)
        int sum = 0
        for (int i = 0; i < 512; i++) sum += footer.get(i) & 0xff
        footer.putInt(64, ~sum)
        b
    }

    /** A fixed VHD with 1 MiB cut out of its middle: the footer stays, the size no longer fits. */
    static byte[] cutMiddle(byte[] b) {
        int mid = b.length.intdiv(2)
        byte[] out = new byte[b.length - (1 << 20)]
        System.arraycopy(b, 0, out, 0, mid)
        System.arraycopy(b, mid + (1 << 20), out, mid, out.length - mid)
        out
    }

    /** Conversion temp files of this JVM (.sealwright-disk.PID-N.raw) still in the temp directory. */
    static List<String> leftovers() {
        Files.list(Path.of(System.getProperty('java.io.tmpdir'))).withCloseable { s ->
            s.map { it.fileName.toString() }.filter { it.startsWith(".sealwright-disk.${ProcessHandle.current().pid()}-") }.toList()
        }
    }
}
