package dev.sealwright.measure

import dev.sealwright.testkit.Cli
import dev.sealwright.testkit.Kernels
import dev.sealwright.testkit.GuestFiles
import dev.sealwright.testkit.Repo
import dev.sealwright.testkit.Swtpm
import dev.sealwright.testkit.VtpmGuest
import dev.sealwright.tools.Tools
import dev.sealwright.vm.HostCapabilities
import dev.sealwright.vm.VmHandle
import dev.sealwright.vm.VmSpec
import groovy.json.JsonSlurper
import spock.lang.Shared
import spock.lang.Specification
import spock.lang.Stepwise
import spock.lang.TempDir

import java.nio.file.Files
import java.nio.file.Path
import java.nio.file.StandardCopyOption
import java.nio.file.attribute.PosixFilePermissions
import java.security.MessageDigest
import java.security.SecureRandom
import java.time.Duration

/**
 * Ground truth for `measure vtpm` and offline sealing: two real boots under QEMU TCG with Debian's
 * OVMF and swtpm of one UKI packed by the Pack component, whose workload prints the guest's PCRs,
 * its binary TPM event log (base64) and tries to unseal a blob sealed offline to the predicted
 * Secure Boot PCRs 4 and 7. The blob reaches the guest on a second virtio disk (not in the UKI, whose
 * Authenticode digest PCR 4 measures). (a) no Secure Boot: predictions equal the guest, the blob
 * does not unseal; (b) Debian's snakeoil Secure Boot firmware + vars and the UKI signed with sbsign:
 * predictions equal the guest and the blob unseals to the sealed secret.
 */
@Stepwise
class VtpmBootSpec extends Specification {
    static final Path CODE = Path.of('/usr/share/OVMF/OVMF_CODE_4M.fd')
    static final Path VARS = Path.of('/usr/share/OVMF/OVMF_VARS_4M.fd')
    static final Path SB_CODE = Path.of('/usr/share/OVMF/OVMF_CODE_4M.snakeoil.fd')
    static final Path SB_VARS = Path.of('/usr/share/OVMF/OVMF_VARS_4M.snakeoil.fd')
    static final Path SNAKEOIL_KEY = Path.of('/usr/share/ovmf/PkKek-1-snakeoil.key')
    static final Path SNAKEOIL_CERT = Path.of('/usr/share/ovmf/PkKek-1-snakeoil.pem')
    /** PCRs the firmware, systemd-stub and the kernel's EFI stub extend and this build predicts from files (0, 1: for the VM's 1 GiB and 1 vCPU). */
    static final List<Integer> PREDICTED = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 11, 12, 13, 14, 15]
    static final String SRK = '0x81000001'

    @Shared @TempDir Path work
    @Shared Path uki, signedUki, otherSignedUki, tpmState, sealedDisk
    @Shared byte[] secret

    def setupSpec() {
        ['qemu-system-x86_64', 'ovmf', 'swtpm', 'sbsign', 'sbverify', 'openssl', 'tpm2_createprimary', 'tar', 'busybox'].each { Repo.requireTool(it) }
        Kernels.debian()
        uki = packGuest('guest', 'console=ttyS0')
        signedUki = sign(uki, 'uki-signed.efi')
        otherSignedUki = sign(packGuest('other', 'console=ttyS0 sw.variant=2'), 'other-signed.efi')
        tpmState = srkState()
        secret = new byte[32]
        new SecureRandom().nextBytes(secret)
        sealedDisk = sealToSecureBootPrediction()
    }

    def "(a) no Secure Boot: predicted PCRs equal the guest's, eventlog diff is empty, and the blob sealed to the Secure Boot prediction does not unseal"() {
        when: 'booted from the ESP disk the Launch component writes, which the prediction reads for PCR 5'
        def guest = boot('plain', CODE, VARS, uki)
        def prediction = predict(CODE, VARS, uki, false, guest.bootDisk)

        then: 'every PCR the prediction computes equals what the guest reads, in both banks'
        prediction.missing.keySet() == ['10'] as Set
        PREDICTED.each { int pcr ->
            assert prediction.sha256[pcr as String] == guest.pcrs.sha256[pcr]: "sha256 PCR ${pcr}"
            assert prediction.sha384[pcr as String] == guest.pcrs.sha384[pcr]: "sha384 PCR ${pcr}"
        }
        and: 'the guest log replays to the PCRs it read (the log is complete)'
        replays(guest)
        and: 'eventlog diff finds no difference in either bank, with PCRs 0 and 1 computed and with the guest log as reference for them'
        diffIsEmpty(guest)
        and: 'the blob is bound to the Secure Boot PCRs, so the TPM refuses it here'
        guest.unseal.startsWith('failed')
        and: 'measure tdx --uki (ESP boot, its GPT derived from the UKI alone) predicts the events the same firmware code logged'
        tdxEspEventsMatch(guest)
        and: 'without --boot-disk, measure vtpm derives PCR 5 from the disk launch writes for this UKI: the guest\'s PCR 5'
        def derived = predict(CODE, VARS, uki, false, null)
        derived.sha256['5'] == guest.pcrs.sha256[5] && derived.sha384['5'] == guest.pcrs.sha384[5]
    }

    /**
     * A TD's CC log and this TPM log come from the same edk2 measurement code (PCR 2..6 → RTMR1, 8..15 →
     * RTMR2). Apart from separators (one per RTMR in a TD, one per PCR here) RTMR1 must list the PCR 2..6
     * events and RTMR2 the PCR 9 events (stub 252 measures PCR 11 through the TPM only), in log order,
     * with the guest's sha384 digests.
     */
    private static boolean tdxEspEventsMatch(Map guest) {
        def r = Cli.run('measure', 'tdx', '--firmware', '/usr/share/ovmf/OVMF.fd', '--uki', guest.image.toString(), '--memory', '1G', '--json')
        assert r.exitCode == 0: r.toString()
        def doc = new JsonSlurper().parseText(r.out) as Map
        assert doc.events.any { it.index == 2 && it.type == 'EV_EFI_GPT_EVENT' }
        (guest.vtpm as VtpmGuest).tdxEventsMatch(doc, false, false)
    }

    def "(b) Secure Boot with the snakeoil db: PCR 7 from the vars file and PCR 4 equal the guest's, and the blob sealed offline unseals in the guest"() {
        when:
        def guest = boot('secure', SB_CODE, SB_VARS, signedUki)
        def prediction = predict(SB_CODE, SB_VARS, signedUki, true, guest.bootDisk)

        then: 'the kernel saw Secure Boot enforced'
        guest.console.any { it.contains('Secure boot enabled') }
        and: 'every PCR the prediction computes equals what the guest reads, in both banks'
        PREDICTED.each { int pcr ->
            assert prediction.sha256[pcr as String] == guest.pcrs.sha256[pcr]: "sha256 PCR ${pcr}"
            assert prediction.sha384[pcr as String] == guest.pcrs.sha384[pcr]: "sha384 PCR ${pcr}"
        }
        and: 'PCR 7 carries the authority event of the snakeoil db entry that verified the UKI'
        prediction.events.any { it.register == 'PCR7' && it.type == 'EV_EFI_VARIABLE_AUTHORITY' }
        replays(guest)
        diffIsEmpty(guest)
        and: 'the guest unsealed exactly the secret sealed offline to the predicted PCRs 4 and 7'
        guest.unseal == 'ok sha256=' + MessageDigest.getInstance('SHA-256').digest(secret).encodeHex().toString()
        and: 'after one more PCR 4 extend (another image loaded) the TPM refuses the same blob'
        guest.console.contains('SW-UNSEAL-AFTER-EXTEND failed')
        and: 'diff against the prediction for the boot without Secure Boot names PCR 4 and PCR 7 (and only those)'
        def wrong = guest.logFile.resolveSibling('predicted-wrong.json')
        Cli.run('measure', 'vtpm', '--firmware-code', CODE.toString(), '--firmware-vars', VARS.toString(), '--uki', uki.toString(),
                '--boot-disk', guest.bootDisk.toString(), '--reference-log', guest.logFile.toString(), '--memory', '1G', '--eventlog', wrong.toString()).exitCode == 0
        def d = Cli.run('eventlog', 'diff', guest.logFile.toString(), wrong.toString(), '--bank', 'sha256')
        d.exitCode == 1
        d.out.readLines().findAll { it ==~ /PCR\d+ event \d+:/ }*.replaceAll(/ event.*/, '') == ['PCR4', 'PCR7']
    }

    def "(c) Secure Boot, same keys, a different signed UKI: the same blob does not unseal"() {
        when: 'another UKI (same kernel and init, another command line) signed by the same db key'
        def guest = boot('other', SB_CODE, SB_VARS, otherSignedUki)

        then: 'it boots under Secure Boot, but its PCR 4 differs from the prediction the blob was sealed to'
        guest.console.any { it.contains('Secure boot enabled') }
        guest.pcrs.sha256[4] != predict(SB_CODE, SB_VARS, signedUki, true, guest.bootDisk).sha256['4']
        guest.unseal.startsWith('failed')
    }

    // ---- helpers -------------------------------------------------------------------------------

    /** A dir image: busybox, the probe script, tpm2-tools with its ldd closure and the device TCTI. */
    private Path packGuest(String name, String cmdline) {
        Path root = work.resolve("${name}/root")
        Files.createDirectories(root.resolve('bin'))
        Files.copy(Repo.requireTool('busybox'), root.resolve('bin/busybox'))
        Path tpm2 = Path.of('/usr/bin/tpm2')
        GuestFiles.copyWithLibraries(tpm2, root)
        GuestFiles.copyWithLibraries(Path.of('/usr/lib/x86_64-linux-gnu/libtss2-tcti-device.so.0'), root)
        Files.writeString(root.resolve('probe.sh'), getClass().getResource('vtpm-probe.sh').text)
        Files.writeString(work.resolve("${name}/pack.groovy"), '''
pipeline('vtpm-guest') {
    pack {
        image   'dir:root'
        kernel  debian('linux-image-6.12.*-cloud-amd64')
        modules 'virtio_blk'
        command '/bin/busybox', 'sh', '/probe.sh'
        cmdline 'CMDLINE'
    }
}
'''.replace('CMDLINE', cmdline))
        def r = Cli.run('run', work.resolve("${name}/pack.groovy").toString(), '-C', work.resolve(name).toString())
        assert r.exitCode == 0: r.toString()
        work.resolve("${name}/out/pack/uki.efi")
    }

    /** The UKI signed by sbsign with Debian's snakeoil db key (its PEM is encrypted with the passphrase "snakeoil"). */
    private Path sign(Path unsigned, String name) {
        Path key = work.resolve('snakeoil.key')
        if (!Files.exists(key)) {
            Files.createFile(key, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString('rw-------')))
            sh('openssl', 'rsa', '-in', SNAKEOIL_KEY.toString(), '-passin', 'pass:snakeoil', '-out', key.toString())
        }
        Path signed = work.resolve(name)
        sh('sbsign', '--key', key.toString(), '--cert', SNAKEOIL_CERT.toString(), '--output', signed.toString(), unsigned.toString())
        sh('sbverify', '--cert', SNAKEOIL_CERT.toString(), signed.toString())
        signed
    }

    /** An swtpm state holding an RSA SRK persisted at 0x81000001 (tpm2_createprimary defaults), and its public area. */
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

    /** Seals the secret to the Secure Boot prediction of PCRs 4 and 7 and writes the files as a tar on a raw disk image. */
    private Path sealToSecureBootPrediction() {
        Path predicted = work.resolve('predicted-sb.json')
        def r = Cli.run('measure', 'vtpm', '--firmware-code', SB_CODE.toString(), '--firmware-vars', SB_VARS.toString(),
                '--uki', signedUki.toString(), '--secure-boot', '--memory', '1G', '--eventlog', predicted.toString())
        assert r.exitCode == 0: r.toString()
        Path secretFile = work.resolve('secret.bin')
        Files.write(secretFile, secret)
        Path sealed = work.resolve('sealed')
        def s = Cli.run('tpm', 'seal', '--srk-pub', work.resolve('srk.pub').toString(), '--pcrs', 'sha256:4,7', '--pcr-values', predicted.toString(),
                '--secret-file', secretFile.toString(), '--out', sealed.toString())
        assert s.exitCode == 0: s.toString()
        Path disk = work.resolve('sealed.img')
        sh('tar', '-C', sealed.toString(), '-cf', disk.toString(), 'sealed.pub', 'sealed.dpriv', 'sealed.seed')
        new RandomAccessFile(disk.toFile(), 'rw').withCloseable { it.setLength(1024 * 1024) }
        disk
    }

    private Map predict(Path code, Path vars, Path image, boolean secureBoot, Path bootDisk) {
        def args = ['measure', 'vtpm', '--firmware-code', code.toString(), '--firmware-vars', vars.toString(), '--uki', image.toString(), '--memory', '1G', '--json']
        if (bootDisk != null) args += ['--boot-disk', bootDisk.toString()]
        if (secureBoot) args << '--secure-boot'
        def r = Cli.run(args as String[])
        assert r.exitCode == 0: r.toString()
        new JsonSlurper().parseText(r.out) as Map
    }

    /** Boots {@code image} with the sealed disk and the SRK state; returns the console, PCRs, event log and unseal result. */
    private Map boot(String name, Path code, Path vars, Path image) {
        Path runDir = work.resolve("run-${name}")
        Files.createDirectories(runDir.resolve('tpm'))
        Files.list(tpmState).withCloseable { s -> s.each { Files.copy(it, runDir.resolve('tpm').resolve(it.fileName), StandardCopyOption.REPLACE_EXISTING) } }
        def tools = new Tools()
        def spec = VmSpec.builder().firmware(code).vars(vars).uki(image).vtpm(true).disk(sealedDisk).cpus(1).memory('1G').build()
        def vm = VmHandle.launch(spec, tools, HostCapabilities.detect(tools), runDir, {})
        try {
            assert vm.waitForExit(Duration.ofSeconds(400)) == 0
            List<String> lines = vm.console()*.trim()
            def g = VtpmGuest.read(name, lines, runDir, runDir.resolve('esp.img'))
            String unseal = lines.find { it.startsWith('SW-UNSEAL ') }?.substring('SW-UNSEAL '.length())
            assert unseal != null: "the guest printed no unseal result:\n${lines.join('\n')}"
            [console: lines, pcrs: g.pcrs, logFile: g.logFile, log: g.log, vtpm: g, unseal: unseal,
             code: code, vars: vars, image: image, secureBoot: code == SB_CODE, bootDisk: runDir.resolve('esp.img')]
        } finally {
            vm.close()
        }
    }

    private static boolean replays(Map guest) {
        (guest.vtpm as VtpmGuest).replays()
    }

    private boolean diffIsEmpty(Map guest) {
        [true, false].each { boolean withReference ->
            Path predicted = guest.logFile.resolveSibling("predicted-${withReference}.json")
            def args = ['measure', 'vtpm', '--firmware-code', guest.code.toString(), '--firmware-vars', guest.vars.toString(), '--uki', guest.image.toString(),
                        '--boot-disk', guest.bootDisk.toString(), '--memory', '1G', '--eventlog', predicted.toString()]
            if (withReference) args += ['--reference-log', guest.logFile.toString()]
            if (guest.secureBoot) args << '--secure-boot'
            def p = Cli.run(args as String[])
            assert p.exitCode == 0: p.toString()
            ['sha256', 'sha384'].each { bank ->
                def d = Cli.run('eventlog', 'diff', guest.logFile.toString(), predicted.toString(), '--bank', bank)
                assert d.exitCode == 0 && d.out.contains('no differences'): "reference log ${withReference}: ${d}"
            }
        }
        true
    }

    private static void sh(String... cmd) {
        def p = new ProcessBuilder(cmd).redirectErrorStream(true).start()
        def out = p.inputStream.text
        assert p.waitFor() == 0: "${cmd.join(' ')} failed: ${out}"
    }
}
