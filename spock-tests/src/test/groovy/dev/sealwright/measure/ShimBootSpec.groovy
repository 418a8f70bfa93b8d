package dev.sealwright.measure

import dev.sealwright.disk.gpt.GptDisk
import dev.sealwright.cloud.DebianPackage
import dev.sealwright.cloud.ShimCloudDisk
import dev.sealwright.image.kernel.DebianKernel
import dev.sealwright.measure.event.EventLog
import dev.sealwright.measure.event.HashAlg
import dev.sealwright.measure.event.Registers
import dev.sealwright.measure.event.Tcg2EventLogCodec
import dev.sealwright.measure.shim.GrubBootConfig
import dev.sealwright.testkit.Cli
import dev.sealwright.testkit.Kernels
import dev.sealwright.testkit.GuestFiles
import dev.sealwright.testkit.Repo
import dev.sealwright.testkit.Swtpm
import dev.sealwright.tools.Tools
import dev.sealwright.uefi.EfiGuid
import dev.sealwright.uefi.VariableStore
import groovy.json.JsonSlurper
import spock.lang.Shared
import spock.lang.Specification
import spock.lang.Stepwise
import spock.lang.TempDir

import java.nio.ByteBuffer
import java.nio.ByteOrder
import java.nio.channels.FileChannel
import java.nio.file.Files
import java.nio.file.Path
import java.nio.file.StandardOpenOption
import java.security.MessageDigest
import java.security.SecureRandom
import java.util.concurrent.TimeUnit

/**
 * Ground truth for the shim → GRUB → kernel prediction ({@code measure vtpm --esp-chain}): real boots
 * under QEMU TCG (q35, SMM) with Debian's OVMF_CODE_4M.ms.fd + OVMF_VARS_4M.ms.fd (Microsoft keys) and
 * swtpm, of a disk built from Debian's shim-signed (16.1), grub-efi-amd64-signed (2.06-13) and the
 * Debian-signed 6.12 cloud kernel, Secure Boot enforced. The initrd prints the PCRs and the event log and
 * unseals blobs sealed offline to the predicted PCR 7 and PCRs 4+7 (a tar at the start of partition 2,
 * which no boot component measures). Then the same blobs in boots that must not unseal them: another
 * kernel, Secure Boot off, a db entry added, a dbx entry added.
 */
@Stepwise
class ShimBootSpec extends Specification {
    static final Path CODE = Path.of('/usr/share/OVMF/OVMF_CODE_4M.ms.fd')
    static final Path MS_VARS = Path.of('/usr/share/OVMF/OVMF_VARS_4M.ms.fd')
    static final Path BLANK_VARS = Path.of('/usr/share/OVMF/OVMF_VARS_4M.fd')
    static final String CMDLINE = 'console=ttyS0 panic=-1'
    static final List<Integer> PREDICTED = [2, 3, 4, 5, 6, 7, 8, 9, 11, 12, 13, 14, 15]
    static final String SRK = '0x81000001'

    @Shared @TempDir Path work
    @Shared Path shim, grub, kernel, initrd, tpmState, disk
    @Shared byte[] secret
    @Shared Map prediction
    @Shared Map intended

    def setupSpec() {
        ['qemu-system-x86_64', 'ovmf', 'swtpm', 'tpm2_createprimary', 'busybox', 'cpio', 'xz', 'sgdisk', 'mkfs.fat', 'mcopy', 'dpkg-deb', 'apt-get'].each { Repo.requireTool(it) }
        def tools = new Tools()
        shim = DebianPackage.fetch(tools, DebianPackage.defaultCacheRoot(), 'shim-signed', { println it }).resolve('usr/lib/shim/shimx64.efi.signed')
        grub = DebianPackage.fetch(tools, DebianPackage.defaultCacheRoot(), 'grub-efi-amd64-signed', { println it }).resolve('usr/lib/grub/x86_64-efi-signed/grubx64.efi.signed')
        def k = Kernels.debian()
        kernel = k.vmlinuz()
        initrd = probeInitrd(k, 'initrd.img')
        tpmState = srkState()
        secret = new byte[32]
        new SecureRandom().nextBytes(secret)
        disk = buildDisk('disk.img', kernel)
        prediction = predict(disk, null)
        sealInto(disk, prediction)
    }

    def "the intended boot: PCRs 4, 5, 7, 8, 9, 14 equal the prediction, eventlog diff is empty, and both blobs unseal"() {
        when:
        def guest = boot('intended', disk, MS_VARS)
        intended = guest
        Path predicted = guest.logFile.resolveSibling('predicted.json')
        def p = Cli.run('measure', 'vtpm', '--firmware-code', CODE.toString(), '--firmware-vars', MS_VARS.toString(), '--esp-chain',
                '--boot-disk', disk.toString(), '--secure-boot', '--reference-log', guest.logFile.toString(), '--eventlog', predicted.toString())

        then: 'Secure Boot was enforced through shim and GRUB'
        guest.console.any { it.contains('secureboot: Secure boot enabled') }
        p.exitCode == 0
        and: 'every predicted PCR equals what the guest reads, in both banks'
        PREDICTED.each { int pcr ->
            assert prediction.sha256[pcr as String] == guest.pcrs.sha256[pcr]: "sha256 PCR ${pcr}"
            assert prediction.sha384[pcr as String] == guest.pcrs.sha384[pcr]: "sha384 PCR ${pcr}"
        }
        and: 'the guest log replays to its PCRs, and eventlog diff against the prediction finds nothing'
        ['sha256', 'sha384'].each { bank ->
            def regs = Registers.replay(guest.log as EventLog, HashAlg.byLabel(bank))
            (0..15).findAll { it != 10 }.each { int pcr -> assert regs.hex(pcr) == guest.pcrs[bank][pcr]: "${bank} PCR ${pcr} replay" }
            def d = Cli.run('eventlog', 'diff', guest.logFile.toString(), predicted.toString(), '--bank', bank)
            assert d.exitCode == 0 && d.out.contains('no differences'): d.toString()
        }
        and: 'PCR 7 holds the firmware authority (Microsoft UEFI CA 2011 for shim) and shim SbatLevel and MokListRT authorities'
        def authorities = (guest.log as EventLog).events().findAll { it.index() == 7 && it.typeName() == 'EV_EFI_VARIABLE_AUTHORITY' }
        authorities.size() == 3
        and: 'the guest unsealed the secret from both blobs'
        guest.unseal['pcr7'] == 'ok sha256=' + sha256(secret)
        guest.unseal['pcr47'] == 'ok sha256=' + sha256(secret)
    }

    def "disk deploy of the encrypted image with the Microsoft uefi-config seals to the intended boot's PCR 7 and 4, and the token unseals in a real boot of the deployed image"() {
        given: 'the image with its root partition encrypted (LUKS2) and the uefi-config of OVMF_VARS_4M.ms.fd'
        Path plain = buildDisk('plain.img', kernel)
        Path key = work.resolve('root.key'), enc = work.resolve('enc.img'), config = work.resolve('uefi-config.json'), deployed = work.resolve('deployed.img')
        assert Cli.run('disk', 'encrypt', plain.toString(), '-o', enc.toString(), '--generate-key', key.toString()).exitCode == 0
        assert Cli.run('uefi', 'config', '--vars', MS_VARS.toString(), '-o', config.toString()).exitCode == 0

        when:
        def r = Cli.run('disk', 'deploy', enc.toString(), '-o', deployed.toString(), '--srk-pub', work.resolve('srk.pub').toString(),
                '--uefi-config', config.toString(), '--pcrs', '7,4', '--key-file', key.toString())

        then: 'the values it sealed to are those the intended real boot produced'
        r.exitCode == 0
        r.out.contains("PCR values predicted from ${enc} ESP \\EFI\\BOOT\\BOOTX64.EFI with ${config} (Secure Boot on)")
        r.out.contains("  sha256:4 ${intended.pcrs.sha256[4]}")
        r.out.contains("  sha256:7 ${intended.pcrs.sha256[7]}")

        when: 'the token blob (cryptsetup token export) reaches the guest in the last MiB of the deployed disk, which nothing measures'
        Path part = partition2(deployed)
        def dump = new JsonSlurper().parseText(shOut('cryptsetup', 'luksDump', '--dump-json-metadata', part.toString())) as Map
        def token = dump.tokens.find { it.value.type == 'systemd-tpm2' }
        byte[] blob = Base64.decoder.decode(token.value['tpm2-blob'] as String)
        Path t = Files.createDirectories(work.resolve('token-tar/token'))
        int at = 0
        ['sealed.dpriv', 'sealed.pub', 'sealed.seed'].each { n ->
            int len = ((blob[at] & 0xff) << 8) | (blob[at + 1] & 0xff)
            Files.write(t.resolve(n), Arrays.copyOfRange(blob, at, at + 2 + len))
            at += 2 + len
        }
        assert at == blob.length
        Files.writeString(t.resolve('pcrs'), 'sha256:4,7')
        Path bootable = work.resolve('deployed-with-token.img')
        Files.copy(deployed, bootable)
        Path tar = work.resolve('token.tar')
        sh('tar', '-C', t.parent.toString(), '-cf', tar.toString(), 'token')
        byte[] tail = Arrays.copyOf(Files.readAllBytes(tar), 1 << 20)
        Files.write(bootable, tail, StandardOpenOption.APPEND)
        def guest = boot('deployed', bootable, MS_VARS, ['token'])
        Path pass = work.resolve('token.pass')
        Files.write(pass, (guest.secrets['token'] as String).bytes)

        then: 'the deployed image boots with the same PCR 4 and 7, the TPM unseals the token, and its secret (base64) opens the token\'s keyslot'
        guest.pcrs.sha256[4] == intended.pcrs.sha256[4] && guest.pcrs.sha256[7] == intended.pcrs.sha256[7]
        guest.unseal['token'].startsWith('ok sha256=')
        new ProcessBuilder('cryptsetup', 'open', '--test-passphrase', '--key-slot', token.value.keyslots[0] as String, '--key-file', pass.toString(), part.toString())
                .redirectErrorStream(true).start().waitFor() == 0
    }

    def "another kernel (Debian 6.1, signed by the same vendor key): PCR 7 is unchanged, so only the PCR 4+7 blob is refused"() {
        given:
        def other = new DebianKernel(new Tools(), DebianKernel.defaultCacheRoot(), { println it }).resolveAndFetch('linux-image-6.1.0-*-cloud-amd64')
        Path otherDisk = buildDisk('other-kernel.img', other.vmlinuz(), probeInitrd(other, 'initrd-6.1.img'))
        copySealedInto(otherDisk)

        when:
        def guest = boot('other-kernel', otherDisk, MS_VARS)

        then:
        guest.console.any { it.contains('secureboot: Secure boot enabled') }
        guest.pcrs.sha256[7] == prediction.sha256['7']
        guest.pcrs.sha256[4] != prediction.sha256['4']
        guest.unseal['pcr7'] == 'ok sha256=' + sha256(secret)
        guest.unseal['pcr47'].startsWith('failed')
    }

    def "Secure Boot off (the same firmware with empty key databases): neither blob unseals"() {
        when:
        def guest = boot('sb-off', disk, BLANK_VARS)

        then:
        !guest.console.any { it.contains('secureboot: Secure boot enabled') }
        guest.pcrs.sha256[7] != prediction.sha256['7']
        guest.unseal['pcr7'].startsWith('failed')
        guest.unseal['pcr47'].startsWith('failed')
    }

    def "a db entry added, and a dbx entry added: shim still boots under Secure Boot, neither blob unseals"() {
        when:
        def dbGuest = boot('db-added', disk, varsWith('db', x509List(selfSignedDer())))
        def dbxGuest = boot('dbx-added', disk, varsWith('dbx', sha256List(MessageDigest.getInstance('SHA-256').digest('not an image'.bytes))))

        then:
        [dbGuest, dbxGuest].every { g -> g.console.any { it.contains('secureboot: Secure boot enabled') } }
        [dbGuest, dbxGuest].every { g -> g.pcrs.sha256[7] != prediction.sha256['7'] }
        [dbGuest, dbxGuest].every { g -> g.unseal['pcr7'].startsWith('failed') && g.unseal['pcr47'].startsWith('failed') }
    }

    def "an unknown shim version and a grub.cfg of another shape are refused in one line"() {
        given:
        Path bad = work.resolve('bad.img')
        Files.copy(disk, bad)
        def esp = "${bad}@@${1024 * 1024}".toString()
        Path cfg = work.resolve('other.cfg')
        Files.writeString(cfg, 'set timeout=5\n')
        sh('mcopy', '-o', '-i', esp, cfg.toString(), '::/EFI/debian/grub.cfg')

        when:
        def r = Cli.run('measure', 'vtpm', '--firmware-code', CODE.toString(), '--firmware-vars', MS_VARS.toString(), '--esp-chain',
                '--boot-disk', bad.toString(), '--secure-boot')

        then:
        r.exitCode != 0
        r.err.trim().readLines().size() == 1
        r.err.contains('/EFI/debian/grub.cfg: not the grub.cfg shape this build predicts')

        when: 'a shim whose .sbat names another upstream version'
        byte[] patched = Files.readAllBytes(shim)
        String text = new String(patched, 'ISO-8859-1')
        int at = text.indexOf('shim.debian,1,Debian,shim,16.1,')
        assert at > 0
        patched[at + 'shim.debian,1,Debian,shim,16.'.length()] = (byte) '9'
        Path badShim = work.resolve('shim-16.9.efi')
        Files.write(badShim, patched)
        Path badShimDisk = work.resolve('bad-shim.img')
        Files.copy(disk, badShimDisk)
        sh('mcopy', '-o', '-i', "${badShimDisk}@@${1024 * 1024}".toString(), badShim.toString(), '::/EFI/BOOT/BOOTX64.EFI')
        def r2 = Cli.run('measure', 'vtpm', '--firmware-code', CODE.toString(), '--firmware-vars', MS_VARS.toString(), '--esp-chain',
                '--boot-disk', badShimDisk.toString(), '--secure-boot')

        then:
        r2.exitCode != 0
        r2.err.trim().readLines().size() == 1
        r2.err.contains('shim 16.9 (shim.debian) is not modelled by this build')
    }

    // ---- helpers -------------------------------------------------------------------------------

    private Path buildDisk(String name, Path vmlinuz, Path initramfs = initrd) {
        Path out = work.resolve(name)
        ShimCloudDisk.write(new Tools(), new ShimCloudDisk.Inputs(shim, grub, vmlinuz, initramfs,
                new GrubBootConfig('/boot/vmlinuz', '/boot/initrd.img', CMDLINE), null, 4), out)
        out
    }

    private Map predict(Path image, Path referenceLog) {
        def args = ['measure', 'vtpm', '--firmware-code', CODE.toString(), '--firmware-vars', MS_VARS.toString(), '--esp-chain',
                    '--boot-disk', image.toString(), '--secure-boot', '--json']
        if (referenceLog != null) args += ['--reference-log', referenceLog.toString()]
        def r = Cli.run(args as String[])
        assert r.exitCode == 0: r.toString()
        new JsonSlurper().parseText(r.out) as Map
    }

    /** Seals the secret to the predicted PCR 7 and PCRs 4+7 and writes both blobs as a tar at the start of partition 2. */
    private void sealInto(Path image, Map predicted) {
        Path values = work.resolve('predicted.json')
        Files.writeString(values, groovy.json.JsonOutput.toJson([sha256: predicted.sha256]))
        Path secretFile = work.resolve('secret.bin')
        Files.write(secretFile, secret)
        Path sealed = Files.createDirectories(work.resolve('sealed'))
        [pcr7: 'sha256:7', pcr47: 'sha256:4,7'].each { name, pcrs ->
            def s = Cli.run('tpm', 'seal', '--srk-pub', work.resolve('srk.pub').toString(), '--pcrs', pcrs, '--pcr-values', values.toString(),
                    '--secret-file', secretFile.toString(), '--out', sealed.resolve(name).toString())
            assert s.exitCode == 0: s.toString()
            Files.writeString(sealed.resolve(name).resolve('pcrs'), pcrs)
        }
        sh('tar', '-C', sealed.toString(), '-cf', work.resolve('sealed.tar').toString(), 'pcr7', 'pcr47')
        copySealedInto(image)
    }

    private void copySealedInto(Path image) {
        long offset
        FileChannel.open(image, StandardOpenOption.READ).withCloseable { ch -> offset = GptDisk.read(ch, image.toString()).partitions().find { it.number() == 2 }.firstLba() * 512 }
        FileChannel.open(image, StandardOpenOption.WRITE).withCloseable { ch -> ch.write(ByteBuffer.wrap(Files.readAllBytes(work.resolve('sealed.tar'))), offset) }
    }

    /** busybox, the probe, tpm2-tools with its ldd closure and the device TCTI, and the virtio block modules. */
    private Path probeInitrd(DebianKernel.Unpacked k, String name) {
        Path root = Files.createDirectories(work.resolve(name + '-root/bin'))
        Files.copy(Repo.requireTool('busybox'), root.resolve('busybox'))
        root = root.parent
        GuestFiles.copyWithLibraries(Path.of('/usr/bin/tpm2'), root)
        GuestFiles.copyWithLibraries(Path.of('/usr/lib/x86_64-linux-gnu/libtss2-tcti-device.so.0'), root)
        Files.writeString(root.resolve('init'), getClass().getResource('shim-probe.sh').text)
        root.resolve('init').toFile().setExecutable(true)
        // virtio_blk and (Debian 6.1: modules, 6.12: built in) virtio_pci with their dependencies, in load order
        Map<String, List<String>> dep = [:]
        k.modulesDir().resolve('modules.dep').toFile().eachLine { l ->
            def (mod, deps) = l.split(':', 2) as List
            dep[mod] = deps.trim() ? deps.trim().split(' ') as List : []
        }
        List<String> order = []
        ['virtio_pci', 'virtio_blk'].each { wanted ->
            String mod = dep.keySet().find { it.tokenize('/').last().startsWith(wanted + '.ko') }
            if (mod == null) return
            (dep[mod].reverse() + [mod]).each { if (!order.contains(it)) order << it }
        }
        assert order.any { it.contains('virtio_blk') }
        Path mods = Files.createDirectories(root.resolve('modules'))
        order.eachWithIndex { String mod, int i ->
            Path src = k.modulesDir().resolve(mod), dst = mods.resolve(String.format('%02d-%s', i, src.fileName.toString().replace('.xz', '')))
            if (mod.endsWith('.xz')) sh('sh', '-c', "xz -dc '${src}' > '${dst}'") // Debian 6.12 compresses modules (busybox insmod does not)
            else Files.copy(src, dst)
        }
        Path out = work.resolve(name)
        sh('sh', '-c', "cd '${root}' && find . | LC_ALL=C sort | cpio -o -H newc --quiet -R 0:0 > '${out}'")
        out
    }

    private Path srkState() {
        def tpm = new Swtpm()
        try {
            Path pub = tpm.persistSrk('rsa', SRK)
            Files.copy(pub, work.resolve('srk.pub'))
            Path state = Files.createDirectories(work.resolve('tpm-state'))
            Files.list(tpm.dir.resolve('state')).withCloseable { s -> s.each { Files.copy(it, state.resolve(it.fileName)) } }
            return state
        } finally {
            tpm.close()
        }
    }

    /** The Microsoft vars file with one more signature list appended to {@code name} (as virt-fw-vars edits the flash: no re-signing). */
    private Path varsWith(String name, byte[] list) {
        def store = VariableStore.read(Files.readAllBytes(MS_VARS), MS_VARS.toString())
        def vars = store.variables().collect { v ->
            v.live() && v.name() == name && v.vendor() == EfiGuid.IMAGE_SECURITY_DATABASE
                    ? new VariableStore.Variable(v.state(), v.attributes(), v.monotonicCount(), v.timestamp(), v.pubKeyIndex(), v.vendor(), v.name(), ByteBuffer.allocate(v.data().length + list.length).put(v.data()).put(list).array())
                    : v
        }
        byte[] rest = store.rest()
        int grow = new VariableStore(store.headers(), vars, rest).toBytes().length - (int) Files.size(MS_VARS) // the list plus 4-byte alignment
        (0..<grow).each { assert rest[it] == (byte) 0xFF: 'no free space to grow the variable in place' }
        byte[] out = new VariableStore(store.headers(), vars, Arrays.copyOfRange(rest, grow, rest.length)).toBytes()
        assert out.length == Files.size(MS_VARS)
        Path f = work.resolve("vars-${name}.fd")
        Files.write(f, out)
        f
    }

    private byte[] selfSignedDer() {
        Path key = work.resolve('extra-db.key'), crt = work.resolve('extra-db.der')
        sh('openssl', 'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key.toString(), '-subj', '/CN=extra db entry',
                '-days', '3650', '-outform', 'DER', '-out', crt.toString())
        Files.readAllBytes(crt)
    }

    private static byte[] x509List(byte[] der) {
        ByteBuffer.allocate(28 + 16 + der.length).order(ByteOrder.LITTLE_ENDIAN).put(EfiGuid.bytes(EfiGuid.CERT_X509))
                .putInt(28 + 16 + der.length).putInt(0).putInt(16 + der.length).put(new byte[16]).put(der).array()
    }

    private static byte[] sha256List(byte[] hash) {
        ByteBuffer.allocate(28 + 48).order(ByteOrder.LITTLE_ENDIAN).put(EfiGuid.bytes(EfiGuid.CERT_SHA256))
                .putInt(28 + 48).putInt(0).putInt(48).put(new byte[16]).put(hash).array()
    }

    /** One boot of {@code image} with a copy of {@code vars} and of the SRK state; parses what the probe prints. */
    private Map boot(String name, Path image, Path vars, List<String> blobs = ['pcr7', 'pcr47']) {
        Path dir = Files.createDirectories(work.resolve("run-${name}"))
        Path tpm = Files.createDirectories(dir.resolve('tpm'))
        Files.list(tpmState).withCloseable { s -> s.each { Files.copy(it, tpm.resolve(it.fileName)) } }
        Path varsCopy = dir.resolve('vars.fd')
        Files.copy(vars, varsCopy)
        Path diskCopy = dir.resolve('disk.img')
        Files.copy(image, diskCopy)
        Path ctrl = tpm.resolve('ctrl.sock'), console = dir.resolve('console.log')
        def swtpm = new ProcessBuilder('swtpm', 'socket', '--tpm2', '--tpmstate', "dir=${tpm}".toString(),
                '--ctrl', "type=unixio,path=${ctrl}".toString(), '--flags', 'startup-clear')
                .redirectErrorStream(true).redirectOutput(dir.resolve('swtpm.log').toFile()).start()
        try {
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(20)
            while (!Files.exists(ctrl) && System.nanoTime() < until) Thread.sleep(50)
            def qemu = new ProcessBuilder('qemu-system-x86_64', '-machine', 'q35,smm=on', '-accel', 'tcg', '-m', '1024', '-nographic', '-nodefaults',
                    '-serial', 'stdio', '-no-reboot', '-global', 'driver=cfi.pflash01,property=secure,value=on',
                    '-drive', "if=pflash,format=raw,unit=0,readonly=on,file=${CODE}".toString(),
                    '-drive', "if=pflash,format=raw,unit=1,file=${varsCopy}".toString(),
                    '-chardev', "socket,id=chrtpm,path=${ctrl}".toString(), '-tpmdev', 'emulator,id=tpm0,chardev=chrtpm', '-device', 'tpm-crb,tpmdev=tpm0',
                    '-drive', "if=none,id=d0,format=raw,file=${diskCopy}".toString(), '-device', 'virtio-blk-pci,drive=d0')
                    .redirectErrorStream(true).redirectOutput(console.toFile()).start()
            if (!qemu.waitFor(400, TimeUnit.SECONDS)) {
                qemu.destroyForcibly()
                assert false: "the guest did not power off within 400 s: ${Files.readString(console).takeRight(2000)}"
            }
        } finally {
            swtpm.destroy()
            swtpm.waitFor()
        }
        List<String> lines = Files.readAllLines(console, java.nio.charset.StandardCharsets.ISO_8859_1)*.trim()
        assert lines.contains('SW-READY'): "the guest did not reach its readiness line:\n${lines.takeRight(60).join('\n')}"
        Map<String, Map<Integer, String>> pcrs = [sha256: [:], sha384: [:]]
        Map<String, String> unseal = [:], secrets = [:]
        lines.each { l ->
            def m = l =~ /^SW-PCR (sha256|sha384) (\d+) ([0-9A-F]+)$/
            if (m.matches()) pcrs[m.group(1)][m.group(2) as int] = m.group(3).toLowerCase()
            def u = l =~ /^SW-UNSEAL (\S+) (.*)$/
            if (u.matches()) unseal[u.group(1)] = u.group(2)
            def c = l =~ /^SW-SECRET (\S+) (\S+)$/
            if (c.matches()) secrets[c.group(1)] = c.group(2)
        }
        int begin = lines.indexOf('SW-EVENTLOG-BEGIN'), end = lines.indexOf('SW-EVENTLOG-END')
        assert begin >= 0 && end > begin + 1
        byte[] log = Base64.mimeDecoder.decode(lines.subList(begin + 1, end).join('\n'))
        Path logFile = dir.resolve('guest-eventlog.bin')
        Files.write(logFile, log)
        assert unseal.keySet() == blobs as Set: "the guest printed unseal results ${unseal}"
        // the intended boot's log is compared event by event; in the other boots kernel messages may interleave with the base64
        def parsed = null
        try {
            parsed = Tcg2EventLogCodec.read(log, logFile.toString(), null)
        } catch (dev.sealwright.base.RecipeException garbled) {
            assert name != 'intended': garbled.message
        }
        [console: lines, pcrs: pcrs, unseal: unseal, secrets: secrets, logFile: logFile, log: parsed]
    }

    private Path partition2(Path image) {
        long first, last
        FileChannel.open(image, StandardOpenOption.READ).withCloseable { ch ->
            def p = GptDisk.read(ch, image.toString()).partitions().find { it.number() == 2 }
            first = p.firstLba(); last = p.lastLba()
        }
        Path out = work.resolve("${image.fileName}.part2")
        new RandomAccessFile(image.toFile(), 'r').withCloseable { raf ->
            byte[] b = new byte[(int) ((last - first + 1) * 512)]
            raf.seek(first * 512); raf.readFully(b); Files.write(out, b)
        }
        out
    }

    private static String shOut(String... cmd) {
        def p = new ProcessBuilder(cmd).start()
        def out = p.inputStream.text
        assert p.waitFor() == 0: "${cmd.join(' ')} failed"
        out
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
