package dev.sealwright.cli

import dev.sealwright.attest.dcap.Quote
import dev.sealwright.attest.snp.AttestationReport
import dev.sealwright.disk.Sh
import dev.sealwright.enroll.quex.SimulatedSgxIdentity
import dev.sealwright.tools.NativeHelpers
import dev.sealwright.image.uki.UkiBuilder
import dev.sealwright.measure.capture.CapturedTpmProfile
import dev.sealwright.measure.event.EventLog
import dev.sealwright.measure.event.HashAlg
import dev.sealwright.measure.event.LogKind
import dev.sealwright.measure.event.Tcg2EventLogCodec
import dev.sealwright.measure.vtpm.TpmBootEvents
import dev.sealwright.tpm.SealedFiles
import dev.sealwright.testkit.Cli
import dev.sealwright.testkit.Kernels
import dev.sealwright.testkit.Repo
import dev.sealwright.testkit.Swtpm
import spock.lang.Shared
import spock.lang.Specification
import spock.lang.TempDir

import java.nio.file.Files
import java.nio.file.Path

/**
 * Issue #18: a CLI verb and its step are one operation. Each verb runs here on the same inputs as its step in
 * one recipe, defaults left unset on both sides, and what they write must be the same bytes.
 */
class VerbStepEqualitySpec extends Specification {
    @Shared @TempDir
    Path dir
    @Shared
    Cli.Result run
    @Shared
    Swtpm tpm

    static final String OVMF_TD = '/usr/share/ovmf/OVMF.fd'
    static final String CODE = '/usr/share/OVMF/OVMF_CODE_4M.fd'
    static final String VARS = '/usr/share/OVMF/OVMF_VARS_4M.fd'
    static final String MS_VARS = '/usr/share/OVMF/OVMF_VARS_4M.ms.fd'
    static final String ID_KEY = Repo.fixture('snp/virtee-sev/idblock/test_id_key.pem').toString()        // public TEST keys
    static final String AUTHOR_KEY = Repo.fixture('snp/virtee-sev/idblock/test_auth_key.pem').toString()
    static final String SRK = '0x81000001'
    static final String AT = '2026-01-01T00:00:00Z'
    static final String REPORT_DATA = 'ab' * 32

    def setupSpec() {
        Repo.requireTool('ovmf-combined')
        Repo.requireTool('systemd-stub')
        Files.copy(Kernels.debian().vmlinuz(), dir.resolve('vmlinuz'))
        Files.write(dir.resolve('initrd'), 'initrd bytes'.bytes)
        Files.write(dir.resolve('uki.efi'), UkiBuilder.build(new UkiBuilder.Parts(
                Files.readAllBytes(Path.of('/usr/lib/systemd/boot/efi/linuxx64.efi.stub')), Files.readAllBytes(dir.resolve('vmlinuz')),
                'rd'.bytes, 'console=ttyS0', '', 'ID=test\n'), 'stub'))
        byte[] data = new byte[3 << 16]
        new Random(18).nextBytes(data)
        Files.write(dir.resolve('data.img'), data)
        def disk = Sh.sparseFile(dir.resolve('disk.img'), 40L << 20)
        Sh.ok(['sgdisk', '-o', '-n', '15:2048:+4M', '-t', '15:ef00', '-n', '1:0:0', '-t', '1:8300', disk.toString()])
        new RandomAccessFile(disk.toFile(), 'rw').withCloseable { raf -> byte[] b = new byte[8 << 20]; new Random(5).nextBytes(b); raf.seek(6L << 20); raf.write(b) }
        Files.write(dir.resolve('disk.key'), 'equal passphrase'.bytes)
        Files.write(dir.resolve('disk.seed'), 'equal seed'.bytes)
        tpm = new Swtpm()
        Files.copy(tpm.persistSrk('rsa', SRK), dir.resolve('srk.pub'))
        Files.writeString(dir.resolve('pcrs.json'), '{"sha256": {"7": "' + '00' * 32 + '"}}')
        Files.writeString(dir.resolve('sealed.secret'), 'sealed by verb and step')
        // a profile captured on a QEMU this host does not run: read only if both sides pass qemuVersion (else both refuse)
        def pcr01 = Tcg2EventLogCodec.write(EventLog.of(LogKind.TPM_EVENT_LOG, [HashAlg.SHA256, HashAlg.SHA384], [TpmBootEvents.separator(0), TpmBootEvents.separator(1)]))
        Files.writeString(dir.resolve('vtpm-profile.json'), new CapturedTpmProfile('QEMU emulator version 8.2.2', sha256(CODE), sha256(VARS), 1, 512, 'esp', pcr01).toJson())
        def recipe = dir.resolve('pairs.groovy')
        Files.writeString(recipe, """
            pipeline('pairs') {
                def tdxKernel = measure.tdx('tdx-kernel') {
                    firmware file('${OVMF_TD}')
                    kernel   file('vmlinuz')
                    initrd   file('initrd')
                    cmdline  'console=ttyS0'
                    memory   '2G'
                    cpus     2
                    profile  'ubuntu-24.04'
                    disks    1
                }
                measure.tdx('tdx-firmware') { firmware file('${OVMF_TD}') }
                measure.tdx('tdx-uki') { firmware file('${OVMF_TD}'); uki file('uki.efi') }
                measure.vtpm('vtpm') {
                    firmwareCode file('${CODE}')
                    firmwareVars file('${VARS}')
                    uki          file('uki.efi')
                }
                measure.vtpm('vtpm-profile') {
                    firmwareCode file('${CODE}')
                    firmwareVars file('${VARS}')
                    uki          file('uki.efi')
                    profile      file('vtpm-profile.json')
                    qemuVersion  '8.2.2'
                }
                def snpDigest = measure.snp('snp') {
                    ovmf   file('${Repo.fixture('snp/sev-snp-measure/ovmf_AmdSev_suffix.bin')}')
                    kernel file('vmlinuz')
                    initrd file('initrd')
                    append 'console=ttyS0'
                }
                measure.snp('snp-ec2') {
                    ovmf    file('${Repo.fixture('snp/sev-snp-measure/ovmf_AmdSev_suffix.bin')}')
                    vcpus   2
                    vmmType 'ec2'
                }
                snpIdBlock('idblock') {
                    measurement snpDigest.measurement
                    idKey       secret(file: '${ID_KEY}')
                    authorKey   secret(file: '${AUTHOR_KEY}')
                }
                uefiConfig('uefi-config') { vars file('${MS_VARS}') }
                launch('launch') {
                    firmware file('${CODE}')
                    vars     file('${VARS}')
                    kernel   file('vmlinuz')
                    initrd   file('initrd')
                    cmdline  'console=ttyS0'
                    memory   '1G'
                    forward  '2222:22'
                    dryRun   true
                }
                verity('verity') { data file('data.img') }
                verity('verity-sha512') { data file('data.img'); hash 'sha512'; hashBlockSize 1024; salt '-' }
                diskEncrypt('encrypt') {
                    image      file('disk.img')
                    passphrase secret(file: 'disk.key')
                    seed       secret(file: 'disk.seed')
                }
                tpmSeal('seal') {
                    srkPub    file('srk.pub')
                    pcrs      'sha256:7'
                    pcrValues file('pcrs.json')
                    data      secret(file: 'sealed.secret')
                    keyslot   1
                }
                quoteSimulate('quote') { expected tdxKernel.expected; reportData '${REPORT_DATA}'; at '${AT}' }
                kbsSimulatedQuotes('sim-quotes') { expected tdxKernel.expected; port 0 }
                snpSimulate('snp-report') { measurement snpDigest.measurement; reportData '${REPORT_DATA}'; at '${AT}' }
            }
        """.stripIndent())
        run = Cli.run('run', recipe.toString(), '-C', dir.toString(), '--report', dir.resolve('report.json').toString())
    }

    def cleanupSpec() { tpm?.close() }

    private String f(String name) { dir.resolve(name).toString() }

    private static String sha256(String file) { HashAlg.SHA256.digest(Files.readAllBytes(Path.of(file))).encodeHex().toString() }

    def "measure.vtpm's qemuVersion is the verb's --qemu-version: the profile's PCR 0/1 are used, and without it both refuse the same line"() {
        given:
        def doc = new groovy.json.JsonSlurper().parse(dir.resolve('out/vtpm-profile/expected.json').toFile()) as Map
        def recipe = dir.resolve('no-version.groovy')
        Files.writeString(recipe, """
            pipeline('no-version') {
                measure.vtpm('vtpm-host-qemu') {
                    firmwareCode file('${CODE}')
                    firmwareVars file('${VARS}')
                    uki          file('uki.efi')
                    profile      file('vtpm-profile.json')
                }
            }
        """.stripIndent())

        when:
        def step = Cli.run('run', recipe.toString(), '-C', dir.toString())
        def verb = Cli.run('measure', 'vtpm', '--firmware-code', CODE, '--firmware-vars', VARS, '--uki', f('uki.efi'), '--profile', f('vtpm-profile.json'), '--json')
        def line = 'PCR 0/1 captured on QEMU 8.2.2 (QEMU emulator version 8.2.2); the VM\'s QEMU is 7.2.'

        then: 'PCR 0 and 1 hold the profile\'s two events (a separator each), not the modelled firmware events'
        doc.events.findAll { it.index in [0, 1] }*.type == ['EV_SEPARATOR', 'EV_SEPARATOR']
        and:
        verb.exitCode == 1 && verb.err.trim().lines().count() == 1 && verb.err.contains(line)
        step.exitCode != 0 && step.out.contains(line)
    }

    def "the recipe with one step per verb runs"() {
        expect:
        run.exitCode == 0
    }

    def "the measure verb prints, with --json, the bytes its step writes to #output"() {
        when:
        def cli = Cli.run(*(args.collect { it.replace('@', dir.toString() + '/') }))

        then:
        cli.exitCode == 0
        cli.out == Files.readString(dir.resolve('out').resolve(output))

        where:
        args                                                                                                                  | output
        ['measure', 'tdx', '--firmware', OVMF_TD, '--kernel', '@vmlinuz', '--initrd', '@initrd', '--cmdline', 'console=ttyS0',
         '--memory', '2G', '--cpus', '2', '--profile', 'ubuntu-24.04', '--disks', '1', '--json']                              | 'tdx-kernel/expected.json'
        ['measure', 'tdx', '--firmware', OVMF_TD, '--json']                                                                   | 'tdx-firmware/expected.json'
        ['measure', 'tdx', '--firmware', OVMF_TD, '--uki', '@uki.efi', '--json']                                              | 'tdx-uki/expected.json'
        ['measure', 'vtpm', '--firmware-code', CODE, '--firmware-vars', VARS, '--uki', '@uki.efi', '--json']                  | 'vtpm/expected.json'
        ['measure', 'vtpm', '--firmware-code', CODE, '--firmware-vars', VARS, '--uki', '@uki.efi', '--profile', '@vtpm-profile.json',
         '--qemu-version', '8.2.2', '--json']                                                                                 | 'vtpm-profile/expected.json'
        ['measure', 'snp', '--ovmf', Repo.fixture('snp/sev-snp-measure/ovmf_AmdSev_suffix.bin').toString(), '--kernel', '@vmlinuz',
         '--initrd', '@initrd', '--append', 'console=ttyS0', '--output-format', 'json']                                       | 'snp/measurement.json'
        ['measure', 'snp', '--ovmf', Repo.fixture('snp/sev-snp-measure/ovmf_AmdSev_suffix.bin').toString(), '--vcpus', '2',
         '--vmm-type', 'ec2', '--json']                                                                                       | 'snp-ec2/measurement.json'
    }

    def "verity format #options writes the hash file and root hash its step writes"() {
        given:
        def hash = dir.resolve("cli-${step}.hash")
        def root = dir.resolve("cli-${step}.roothash")

        when:
        def cli = Cli.run(*(['verity', 'format', f('data.img'), hash.toString(), '--root-hash-file', root.toString()] + options))

        then:
        cli.exitCode == 0
        Files.readAllBytes(hash) == Files.readAllBytes(dir.resolve("out/${step}/hash.img"))
        Files.readAllBytes(root) == Files.readAllBytes(dir.resolve("out/${step}/roothash.txt"))

        where:
        step            | options
        'verity'        | []
        'verity-sha512' | ['--hash', 'sha512', '--hash-block-size', '1024', '--salt', '-']
    }

    def "uefi config writes the uefi-config.json its step writes"() {
        given:
        def out = dir.resolve('cli-uefi-config.json')

        when:
        def cli = Cli.run('uefi', 'config', '--vars', MS_VARS, '-o', out.toString())

        then:
        cli.exitCode == 0
        Files.readAllBytes(out) == Files.readAllBytes(dir.resolve('out/uefi-config/uefi-config.json'))
    }

    def "snp idblock writes the ID block and key digests its step writes (the ID auth is a fresh ECDSA signature each time)"() {
        given:
        def out = Files.createDirectories(dir.resolve('cli-idblock'))
        def digest = new groovy.json.JsonSlurper().parse(dir.resolve('out/snp/measurement.json').toFile()).digest as String

        when:
        def cli = Cli.run('snp', 'idblock', '--measurement', digest, '--id-key', ID_KEY, '--author-key', AUTHOR_KEY, '--out-dir', out.toString())

        then:
        cli.exitCode == 0
        ['id-block.base64', 'id-key-digest.base64', 'author-key-digest.base64'].every {
            Files.readAllBytes(out.resolve(it)) == Files.readAllBytes(dir.resolve("out/idblock/idblock/${it}"))
        }
        Files.size(out.resolve('id-auth.base64')) == Files.size(dir.resolve('out/idblock/idblock/id-auth.base64'))
    }

    def "launch --dry-run prints the QEMU command line its step records, but for the run directory"() {
        given:
        Repo.requireTool('qemu-system-x86_64')
        def report = new groovy.json.JsonSlurper().parse(dir.resolve('report.json').toFile())
        String stepLine = report.steps.find { it.name == 'launch' }.values.commandLine

        when:
        def cli = Cli.run('launch', '--dry-run', '--run-dir', dir.resolve('cli-run').toString(), '--firmware', CODE, '--vars', VARS,
                '--kernel', f('vmlinuz'), '--initrd', f('initrd'), '--cmdline', 'console=ttyS0', '--memory', '1G', '--forward', '2222:22')

        then:
        cli.exitCode == 0
        withoutRunDir(cli.out.trim()) == withoutRunDir(stepLine)
    }

    /** The run directory is the one difference by design (the CLI's --run-dir, the step's work directory). */
    private static String withoutRunDir(String line) {
        def m = line =~ /path=(\S+)\/serial\.log/
        assert m.find(): line
        line.replace(m.group(1), 'RUN')
    }

    def "disk encrypt with --deterministic-seed-file writes the image its step writes from the same seed, and cryptsetup opens it"() {
        given:
        def out = dir.resolve('cli-encrypted.img')

        when:
        def cli = Cli.run('disk', 'encrypt', f('disk.img'), '-o', out.toString(), '--key-file', f('disk.key'), '--deterministic-seed-file', f('disk.seed'))
        def step = dir.resolve('out/encrypt/disk.img')

        then:
        cli.exitCode == 0
        Sh.sha256(out) == Sh.sha256(step)

        when: 'cryptsetup (the real tool) checks the passphrase against the LUKS2 partition cut out of the image'
        def part = Sh.cutPartition(out, 1, dir.resolve('cli-part.img'))

        then:
        Sh.run(['cryptsetup', 'open', '--test-passphrase', '--key-file', f('disk.key'), part.toString()]).exit == 0
        Sh.ok(['cryptsetup', 'luksDump', part.toString()]).out =~ /Label:\s+cloudimg-rootfs-enc/
    }

    def "tpm seal writes the public area, policy and LUKS2 token its step writes (the duplicate and seed are fresh randomness), and both unseal on swtpm"() {
        given:
        def out = dir.resolve('cli-sealed')
        def step = dir.resolve('out/seal/sealed')
        def token = { Path p -> new groovy.json.JsonSlurper().parse(p.toFile()).with { it.remove('tpm2-blob'); it } }

        when:
        def cli = Cli.run('tpm', 'seal', '--srk-pub', f('srk.pub'), '--pcrs', 'sha256:7', '--pcr-values', f('pcrs.json'), '--secret-file', f('sealed.secret'),
                '--out', out.toString(), '--luks2-token', out.resolve('token.json').toString(), '--keyslot', '1')
        def cliPub = SealedFiles.readPublic(out.resolve('sealed.pub'))
        def stepPub = SealedFiles.readPublic(step.resolve('sealed.pub'))

        then:
        cli.exitCode == 0
        [cliPub.nameAlg(), cliPub.attributes(), cliPub.authPolicy() as List] == [stepPub.nameAlg(), stepPub.attributes(), stepPub.authPolicy() as List]
        token(out.resolve('token.json')) == token(step.resolve('systemd-tpm2-token.json'))
        unseal(out) == 'sealed by verb and step'
        unseal(step) == 'sealed by verb and step'
    }

    private String unseal(Path sealed) {
        tpm.ok('tpm2_import', '-C', SRK, '-u', "${sealed}/sealed.pub", '-i', "${sealed}/sealed.dpriv", '-s', "${sealed}/sealed.seed", '-r', 'imported.priv')
        tpm.flush()
        tpm.ok('tpm2_load', '-C', SRK, '-u', "${sealed}/sealed.pub", '-r', 'imported.priv', '-c', 'sealed.ctx')
        def out = tpm.ok('tpm2_unseal', '-c', 'sealed.ctx', '-p', 'pcr:sha256:7').out
        tpm.flush()
        out
    }

    def "quote simulate writes the SIMULATED quote body and collateral validity its step writes (the test PKI and signature are fresh each run)"() {
        given:
        def expected = new groovy.json.JsonSlurper().parse(dir.resolve('out/tdx-kernel/expected.json').toFile())
        def quote = dir.resolve('cli-quote.dat'), collateral = dir.resolve('cli-collateral.json')
        def rtmrs = (0..3).findAll { expected["rtmr${it}"] }.collectMany { ['--rtmr', "${it}=${expected["rtmr${it}"]}".toString()] }

        when:
        def cli = Cli.run(*(['quote', 'simulate', '--out', quote.toString(), '--collateral-out', collateral.toString(), '--report-data', REPORT_DATA,
                             '--mrtd', expected.mrtd, '--at', AT] + rtmrs))
        def cliQuote = Quote.readFile(quote), stepQuote = Quote.readFile(dir.resolve('out/quote/quote.dat'))

        then:
        cli.exitCode == 0
        cli.err.contains('SIMULATED')
        run.out.contains('SIMULATED') || run.err.contains('SIMULATED')
        components(cliQuote.tdBody()) == components(stepQuote.tdBody())
        components(cliQuote.header()) == components(stepQuote.header())
        signedBodies(collateral) == signedBodies(dir.resolve('out/quote/collateral.json'))
    }

    /** A record's components by name, arrays as lists (records of byte[] do not compare by content), but for the {@code fresh} ones. */
    private static Map components(Record r, List<String> fresh = []) {
        r.getClass().recordComponents.findAll { !(it.name in fresh) }.collectEntries { c ->
            def v = c.accessor.invoke(r)
            [c.name, v instanceof byte[] ? (v as List) : v]
        }
    }

    /** The TCB info and QE identity bodies of a collateral file (their signatures and issuer chains belong to the fresh PKI). */
    private static List signedBodies(Path collateral) {
        def c = new groovy.json.JsonSlurper().parse(collateral.toFile())
        [c.tcb_info, c.qe_identity]
    }

    def "kbs simulate-quotes serves the SIMULATED quote body quote.simulate writes, and the collateral its step writes but for the dates (the PKI is fresh, valid from start)"() {
        given:
        def expected = new groovy.json.JsonSlurper().parse(dir.resolve('out/tdx-kernel/expected.json').toFile())
        def rtmrs = (0..3).findAll { expected["rtmr${it}"] }.collectMany { ['--rtmr', "${it}=${expected["rtmr${it}"]}".toString()] }
        def collateral = dir.resolve('cli-sim-collateral.json')
        // --port 0: the service's line names the port the kernel chose (a port probed free and released could be taken first)
        def service = Cli.start(dir, *(['kbs', 'simulate-quotes', '--collateral-out', collateral.toString(), '--port', '0', '--mrtd', expected.mrtd] + rtmrs))

        when:
        String line = null
        for (int i = 0; i < 600 && line == null && service.alive; i++) {     // Cli.start writes its output to dir/cli.log
            if (Files.exists(dir.resolve('cli.log'))) line = Files.readAllLines(dir.resolve('cli.log')).find { it.startsWith('SIMULATED quote service: ') }
            if (line == null) sleep(100)
        }
        assert line != null: Files.readString(dir.resolve('cli.log'))
        def url = (line =~ /(http:\S+)/)[0][1]
        def conn = (HttpURLConnection) new URL(url).openConnection()
        conn.requestMethod = 'POST'
        conn.doOutput = true
        conn.outputStream.withCloseable { it.write(REPORT_DATA.padRight(128, '0').bytes) }
        def served = Quote.read(conn.inputStream.bytes, url)
        def stepQuote = Quote.readFile(dir.resolve('out/quote/quote.dat'))

        then:
        components(served.tdBody()) == components(stepQuote.tdBody())
        components(served.header()) == components(stepQuote.header())
        undated(collateral) == undated(dir.resolve('out/sim-quotes/collateral.json'))

        cleanup:
        service?.destroy()
        service?.waitFor()
    }

    /** The TCB info and QE identity bodies of a collateral file without their issue and next-update dates. */
    private static List undated(Path collateral) {
        signedBodies(collateral).collect { String body ->
            def doc = new groovy.json.JsonSlurper().parseText(body)
            doc.each { k, v -> if (v instanceof Map) v.keySet().removeAll(['issueDate', 'nextUpdate']) }
            doc.keySet().removeAll(['issueDate', 'nextUpdate'])
            doc
        }
    }

    def "snp simulate writes the SIMULATED report fields its step writes (the chain, chip id and signature are fresh each run)"() {
        given:
        def digest = new groovy.json.JsonSlurper().parse(dir.resolve('out/snp/measurement.json').toFile()).digest as String
        def out = dir.resolve('cli-report.bin')

        when:
        def cli = Cli.run('snp', 'simulate', '--out', out.toString(), '--vcek-out', f('cli-vcek.pem'), '--chain-out', f('cli-chain.pem'),
                '--measurement', digest, '--report-data', REPORT_DATA)
        def a = AttestationReport.read(Files.readAllBytes(out)), b = AttestationReport.read(Files.readAllBytes(dir.resolve('out/snp-report/report.bin')))

        then:
        cli.exitCode == 0
        cli.err.contains('SIMULATED')
        components(a, ['reportId', 'chipId', 'signature']) == components(b, ['reportId', 'chipId', 'signature'])
    }

    // registers of ../shared/fixtures/quex/quex-pack/report.dat, as listed in the fixtures' README
    static final String QUEX_MRTD = '91eb2b44d141d4ece09f0c75c2c53d247a3c68edd7fafe8a3520c942a604a407de03ae6dc5f87f27428b2538873118b7'
    static final String QUEX_RTMR0 = 'ae2f7878f398f756d181aebe8c0199d07d55369e1260d6dc358c240af99a22e4f3133d5d3e29e11d6a5ea7c1c348122f'

    def "vault init and enroll write the vault identity and enrollment record their steps write (seed, identity and the TD's key are fresh each run)"() {
        given: 'a vault made by the verb and one made by the step'
        def cliVault = dir.resolve('cli-vault')
        def init = Cli.run('vault', 'init', '--seed', cliVault.resolve('seed.dat').toString(), '--sim-identity', cliVault.toString())
        def recipe = dir.resolve('vault.groovy')
        Files.writeString(recipe, "pipeline('vault') { vault('vault') { } }")
        def stepRun = Cli.run('run', recipe.toString(), '-C', dir.resolve('vault-run').toString())
        def vaultJson = new groovy.json.JsonSlurper().parse(dir.resolve('vault-run/out/vault/vault.json').toFile())
        def subject = { Path pem -> Sh.ok(['openssl', 'x509', '-noout', '-subject', '-issuer', '-in', pem.toString()]).out }

        expect:
        init.exitCode == 0
        stepRun.exitCode == 0
        init.out.contains("vault MRENCLAVE ${vaultJson.mrEnclave}")
        subject(cliVault.resolve('sim-root.pem')) == subject(dir.resolve('vault-run/out/vault/sim-root.pem'))
        Files.getPosixFilePermissions(cliVault.resolve('seed.dat')) == Files.getPosixFilePermissions(Path.of(vaultJson.seed as String))

        when: 'the enroll verb and the enroll step each enroll a TD (the enroll-agent helper with the quex-pack SIMULATED TD report) from the step\'s vault'
        def verb = enrollAgainstAgent { int port ->
            Cli.run('enroll', '--port', "${port}", '--seed', vaultJson.seed as String, '--sim-identity', Path.of(vaultJson.identity as String).parent.toString(),
                    '--mrtd', QUEX_MRTD, '--rtmr', "0=${QUEX_RTMR0}", '--json')
        }
        def step = enrollAgainstAgent { int port ->
            def enroll = dir.resolve('enroll.groovy')
            Files.writeString(enroll, """pipeline('enroll') {
                def v = vault('vault') { }
                enroll('key') { port ${port}; vault v.vault; mrtd '${QUEX_MRTD}'; rtmr0 '${QUEX_RTMR0}' }
            }""")
            Cli.run('run', enroll.toString(), '-C', dir.resolve('vault-run').toString())
        }
        def fresh = ['td_public_key', 'key_sha256', 'td_report_sha256']   // the TD's fresh key, the key it receives, the report binding that key
        def verbDoc = new groovy.json.JsonSlurper().parseText(verb.out)
        def stepDoc = new groovy.json.JsonSlurper().parse(dir.resolve('vault-run/out/key/enrollment.json').toFile())

        then:
        verb.exitCode == 0
        step.exitCode == 0
        verbDoc.keySet() == stepDoc.keySet()
        verbDoc.findAll { !(it.key.toString() in fresh) } == stepDoc.findAll { !(it.key.toString() in fresh) }
    }

    /** Runs {@code enroll} against a fresh enroll-agent (SIMULATED TD report) pinning the vault MRENCLAVE and the step vault's root. */
    private Cli.Result enrollAgainstAgent(Closure<Cli.Result> enroll) {
        def run = Files.createTempDirectory(dir, 'agent')
        def agent = new ProcessBuilder(NativeHelpers.path('enroll-agent').toString(), '--port', '0',   // it names the port it got
                '--vault-mrenclave', HexFormat.of().formatHex(SimulatedSgxIdentity.mrEnclave()),
                '--root', dir.resolve('vault-run/out/vault/sim-root.pem').toString(), '--secret-file', run.resolve('secret').toString(),
                '--simulated-report', Repo.fixture('quex/quex-pack/report.dat').toString()).redirectErrorStream(true).start()
        try {
            def first = new BufferedReader(new InputStreamReader(agent.inputStream)).readLine()
            def listening = first =~ /enroll: listening on port (\d+) \(SIMULATED TD report\)/
            assert listening.matches(): first
            return enroll(listening.group(1) as int)
        } finally {
            agent.destroyForcibly()
            agent.waitFor()
        }
    }
}
