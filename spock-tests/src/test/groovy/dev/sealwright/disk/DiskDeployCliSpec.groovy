package dev.sealwright.disk

import com.fasterxml.jackson.databind.ObjectMapper
import dev.sealwright.deploy.SecbootSealedKeyFile
import dev.sealwright.testkit.Cli
import dev.sealwright.testkit.JsonSchemas
import dev.sealwright.testkit.Repo
import dev.sealwright.testkit.Swtpm
import groovy.json.JsonOutput
import spock.lang.Specification
import spock.lang.TempDir
import spock.lang.Unroll

import java.nio.ByteBuffer
import java.nio.file.Files
import java.nio.file.Path
import java.security.MessageDigest

/**
 * `disk deploy` against the real tools: cryptsetup writes the cleartext key token deploy must consume
 * and remove; swtpm extends PCR 7 and its own reading is the prediction; tpm2-tools import, load and
 * unseal the blob cryptsetup exports from the systemd-tpm2 token; cryptsetup opens the volume with
 * base64 of the unsealed secret (systemd's convention) and with the recovery key. The secboot key file
 * mtools reads back from the ESP is unsealed with secboot's policy sequence (PolicyPCR, PolicyOR,
 * VerifySignature + PolicyAuthorize, PolicyAuthValue) by tpm2-tools.
 */
class DiskDeployCliSpec extends Specification {
    static final ObjectMapper JSON = new ObjectMapper()
    static final String SRK = '0x81000001'

    @TempDir
    Path dir
    Swtpm tpm

    def setup() { tpm = new Swtpm() }

    def cleanup() { tpm?.close() }

    static String hex(byte[] b) { HexFormat.of().formatHex(b) }

    static byte[] sha256(String s) { MessageDigest.getInstance('SHA-256').digest(s.bytes) }

    /** GPT disk: ESP (15) and rootfs (1, last) with random content; disk encrypt turns it into LUKS2. */
    Path encryptedDisk(String name, Path key, int espMiB = 8) {
        long size = (32L + espMiB) << 20
        def plain = Sh.sparseFile(dir.resolve("${name}.plain"), size)
        Sh.ok(['sgdisk', '-o', '-n', "15:2048:+${espMiB}M".toString(), '-t', '15:ef00', '-n', '1:0:0', '-t', '1:8300', '-c', '1:cloudimg-rootfs', plain.toString()])
        Sh.ok(['mkfs.fat', '--mbr=n', '--offset=2048', plain.toString(), "${espMiB * 1024}".toString()])
        def rnd = new Random(3)
        new RandomAccessFile(plain.toFile(), 'rw').withCloseable { raf ->
            byte[] chunk = new byte[1 << 20]
            for (long off = (2048L + espMiB * 2048L) * 512; off < size - (2 << 20); off += chunk.length) { rnd.nextBytes(chunk); raf.seek(off); raf.write(chunk) }
        }
        def out = dir.resolve(name)
        def r = Cli.run('disk', 'encrypt', plain.toString(), '-o', out.toString(), '--generate-key', key.toString())
        assert r.exitCode == 0: r.toString()
        out
    }

    /** Partition 1 as sgdisk sees it: [first byte, length]. */
    static List<Long> partition1(Path disk) {
        def info = Sh.ok(['sgdisk', '-i', '1', disk.toString()]).out
        long first = (info =~ /First sector: (\d+)/)[0][1] as long
        long last = (info =~ /Last sector: (\d+)/)[0][1] as long
        [first * 512, (last - first + 1) * 512]
    }

    Path cutPartition(Path disk, String name) {
        def (long off, long len) = partition1(disk)
        def part = dir.resolve(name)
        new RandomAccessFile(disk.toFile(), 'r').withCloseable { raf ->
            byte[] b = new byte[(int) len]; raf.seek(off); raf.readFully(b); Files.write(part, b)
        }
        part
    }

    static void pastePartition(Path part, Path disk) {
        def (long off, long len) = partition1(disk)
        assert Files.size(part) == len
        new RandomAccessFile(disk.toFile(), 'rw').withCloseable { raf -> raf.seek(off); raf.write(Files.readAllBytes(part)) }
    }

    /** cryptsetup itself adds encrypt-cloud-image's cleartext token to the image's LUKS2 partition. */
    void addCleartextToken(Path disk, Path key) {
        def part = cutPartition(disk, 'token-edit.img')
        def token = JsonOutput.toJson([type: 'ubuntu-fde-cloudimg-key', keyslots: ['0'], ubuntu_fde_cloudimg_key: Files.readAllBytes(key).encodeBase64().toString()])
        Sh.ok(['cryptsetup', 'token', 'import', part.toString()], token.bytes)
        pastePartition(part, disk)
    }

    /** TPM2B_PRIVATE ‖ TPM2B_PUBLIC ‖ TPM2B_ENCRYPTED_SECRET, split by their u16 sizes. */
    static List<byte[]> splitBlob(byte[] blob) {
        def b = ByteBuffer.wrap(blob)
        (0..2).collect { int size = Short.toUnsignedInt(b.getShort(b.position())); byte[] f = new byte[size + 2]; b.get(f); f }
    }

    Swtpm.Result unsealToken(Path part, int tokenId, String tag, String pcrs = 'sha256:7') {
        def token = JSON.readTree(Sh.ok(['cryptsetup', 'token', 'export', '--token-id', "${tokenId}", part.toString()]).out)
        def (priv, pub, seed) = splitBlob(token.get('tpm2-blob').asText().decodeBase64())
        ['dpriv': priv, 'pub': pub, 'seed': seed].each { ext, bytes -> Files.write(tpm.dir.resolve("${tag}.${ext}"), bytes) }
        tpm.ok('tpm2_import', '-C', SRK, '-u', "${tag}.pub", '-i', "${tag}.dpriv", '-s', "${tag}.seed", '-r', "${tag}.priv")
        tpm.flush()
        tpm.ok('tpm2_load', '-C', SRK, '-u', "${tag}.pub", '-r', "${tag}.priv", '-c', "${tag}.ctx")
        tpm.ok('tpm2_startauthsession', '--policy-session', '-S', 'session.ctx')
        tpm.ok('tpm2_policypcr', '-S', 'session.ctx', '-l', pcrs)
        def r = tpm.run('tpm2_unseal', '-c', "${tag}.ctx", '-p', 'session:session.ctx', '-o', "${tag}.secret")
        tpm.flush()
        r
    }

    static final long ESP_OFFSET = 2048L * 512

    static byte[] concat(byte[] a, byte[] b) { ByteBuffer.allocate(a.length + b.length).put(a).put(b).array() }

    /** secboot's unseal of the ESP key file, step by step with tpm2-tools. */
    Swtpm.Result unsealEspKey(Path keyFile, String tag) {
        def f = SecbootSealedKeyFile.read(Files.readAllBytes(keyFile), keyFile.toString())
        Path d = tpm.dir
        Files.write(d.resolve("${tag}.pub"), f.sealedPublic().toSizedBytes())
        Files.write(d.resolve("${tag}.dpriv"), f.duplicate().toSizedBytes())
        Files.write(d.resolve("${tag}.seed"), f.importSeed().toSizedBytes())
        Files.write(d.resolve('auth.pub'), f.authPublicKey().toSizedBytes())
        Files.write(d.resolve('approved.bin'), f.authorizedPolicy())
        // policyRef = SHA-256("AUTH-PCR-POLICY" ‖ TPM_RH_NULL 0x40000007), as secboot policy_v1.go computes it
        byte[] policyRef = MessageDigest.getInstance('SHA-256').digest(concat('AUTH-PCR-POLICY'.bytes, [0x40, 0, 0, 0x07] as byte[]))
        Files.write(d.resolve('policyref.bin'), policyRef)
        Files.write(d.resolve('ahash-input.bin'), concat(f.authorizedPolicy(), policyRef))
        def sig = ByteBuffer.allocate(4 + 2 + f.signatureR().length + 2 + f.signatureS().length)
                .putShort((short) 0x0018).putShort((short) 0x000B).putShort((short) f.signatureR().length).put(f.signatureR())
                .putShort((short) f.signatureS().length).put(f.signatureS())
        Files.write(d.resolve('sig.tpmt'), sig.array())
        f.orData()[0].digests().eachWithIndex { byte[] b, int i -> Files.write(d.resolve("branch${i}.bin"), b) }
        def branches = (0..<f.orData()[0].digests().size()).collect { "branch${it}.bin" }.join(',')

        tpm.ok('tpm2_loadexternal', '-C', 'o', '-u', 'auth.pub', '-c', 'auth.ctx', '-n', 'auth.name')
        tpm.ok('tpm2_verifysignature', '-c', 'auth.ctx', '-g', 'sha256', '-m', 'ahash-input.bin', '-s', 'sig.tpmt', '-t', 'verify.tkt')
        tpm.flush()
        tpm.ok('tpm2_import', '-C', SRK, '-u', "${tag}.pub", '-i', "${tag}.dpriv", '-s', "${tag}.seed", '-r', "${tag}.priv")
        tpm.flush()
        tpm.ok('tpm2_load', '-C', SRK, '-u', "${tag}.pub", '-r', "${tag}.priv", '-c', "${tag}.ctx")
        tpm.ok('tpm2_startauthsession', '--policy-session', '-S', 'session.ctx')
        def steps = [['tpm2_policypcr', '-S', 'session.ctx', '-l', 'sha256:7'],
                     ['tpm2_policyor', '-S', 'session.ctx', '-l', "sha256:${branches}"],
                     ['tpm2_policyauthorize', '-S', 'session.ctx', '-i', 'approved.bin', '-q', 'policyref.bin', '-n', 'auth.name', '-t', 'verify.tkt'],
                     ['tpm2_policyauthvalue', '-S', 'session.ctx'],
                     ['tpm2_unseal', '-c', "${tag}.ctx", '-p', 'session:session.ctx', '-o', "${tag}.sealed-data"]]
        Swtpm.Result r = null
        for (def step : steps) {
            r = tpm.run(*step.collect { it.toString() })
            if (r.exitCode != 0) break
        }
        tpm.flush()
        r
    }

    @Unroll
    def "deploy seals the volume to the PCR 7 the TPM then holds (#alg SRK), removes the cleartext token, and adds a recovery key"() {
        given: 'an encrypted image whose cleartext key token cryptsetup wrote, and an RSA SRK on swtpm'
        def key = dir.resolve('root.key')
        def enc = encryptedDisk('enc.img', key)
        addCleartextToken(enc, key)
        def before = Sh.sha256(enc)
        Path srkPub = tpm.persistSrk(alg, SRK)

        and: 'PCR 7 extended with two events; the prediction is what tpm2_pcrread reports'
        ['SecureBoot', 'separator'].each { tpm.ok('tpm2_pcrextend', "7:sha256=${hex(sha256(it))}") }
        String pcr7 = (tpm.ok('tpm2_pcrread', 'sha256:7').out =~ /7\s*:\s*0x([0-9A-Fa-f]{64})/)[0][1].toLowerCase()
        def predicted = dir.resolve('predicted.json')
        Files.writeString(predicted, JsonOutput.toJson([sha256: ['7': pcr7]]))
        def out = dir.resolve('deployed.img'), recovery = dir.resolve('recovery.key')

        when:
        def r = Cli.run('disk', 'deploy', enc.toString(), '-o', out.toString(), '--srk-pub', srkPub.toString(),
                '--pcrs', '7', '--pcr-values', predicted.toString(), '--recovery-key-out', recovery.toString())

        then:
        r.exitCode == 0
        r.out.contains('unlocked with token 0 (ubuntu-fde-cloudimg-key)')
        Sh.sha256(enc) == before
        Files.size(recovery) == 16
        Files.getPosixFilePermissions(recovery)*.toString().sort() == ['OWNER_READ', 'OWNER_WRITE']
        !r.out.contains(hex(Files.readAllBytes(recovery))) && !r.out.contains(Files.readAllBytes(key).encodeBase64().toString())

        when: 'cryptsetup reads the deployed header (read-only copy)'
        def part = Sh.readOnlyCopy(cutPartition(out, 'deployed-part.img'))
        def meta = JSON.readTree(Sh.ok(['cryptsetup', 'luksDump', '--dump-json-metadata', part.toString()]).out)
        def tokens = meta.get('tokens').fields().collect { [it.key as int, it.value] }
        def tpmToken = tokens.find { it[1].get('type').asText() == 'systemd-tpm2' }

        then: 'the cleartext token is gone; one systemd-tpm2 token for a new keyslot'
        tokens.size() == 1
        tpmToken != null
        !Sh.ok(['cryptsetup', 'luksDump', part.toString()]).out.contains('ubuntu-fde-cloudimg-key')
        tpmToken[1].get('keyslots')*.asText() == ['1']
        tpmToken[1].get('tpm2-pcrs')*.asInt() == [7]
        meta.get('keyslots').fieldNames().toList() == ['0', '1', '2']

        when: 'the TPM unseals the token blob; base64 of the secret is the keyslot passphrase'
        def unseal = unsealToken(part, tpmToken[0] as int, 'token')
        byte[] secret = Files.readAllBytes(tpm.dir.resolve('token.secret'))
        Files.write(dir.resolve('tpm.pass'), secret.encodeBase64().toString().bytes)

        then:
        unseal.exitCode == 0
        secret.length == 32
        Sh.run(['cryptsetup', 'open', '--test-passphrase', '--key-slot', '1', '--key-file', dir.resolve('tpm.pass').toString(), part.toString()]).exit == 0
        Sh.run(['cryptsetup', 'open', '--test-passphrase', '--key-slot', '2', '--key-file', recovery.toString(), part.toString()]).exit == 0
        Sh.run(['cryptsetup', 'open', '--test-passphrase', '--key-slot', '0', '--key-file', key.toString(), part.toString()]).exit == 0
        Sh.run(['cryptsetup', 'open', '--test-passphrase', '--key-slot', '1', '--key-file', key.toString(), part.toString()]).exit != 0

        when: 'mtools reads the secboot key file and the SRK template back from the ESP; the TPM unseals the key with secboot\'s policy'
        def espKey = dir.resolve('cloudimg-rootfs.sealed-key'), template = dir.resolve('tpm2-srk.tmpl')
        Sh.ok(['mcopy', '-i', "${out}@@${ESP_OFFSET}".toString(), '::/device/fde/cloudimg-rootfs.sealed-key', espKey.toString()])
        Sh.ok(['mcopy', '-i', "${out}@@${ESP_OFFSET}".toString(), '::/tpm2-srk.tmpl', template.toString()])
        def espUnseal = unsealEspKey(espKey, 'esp')
        def sealedData = ByteBuffer.wrap(Files.readAllBytes(tpm.dir.resolve('esp.sealed-data')))
        byte[] unsealedKey = new byte[sealedData.getShort()]; sealedData.get(unsealedKey)
        byte[] authScalar = new byte[sealedData.getShort()]; sealedData.get(authScalar)
        def templateText = Sh.ok(['tpm2_print', '-t', 'TPM2B_PUBLIC', template.toString()]).out

        then: 'secboot sealedData {key, auth private key}: the key is the keyslot 0 passphrase'
        r.out.contains('ESP: wrote device/fde/cloudimg-rootfs.sealed-key')
        Files.readAllBytes(espKey)[0..3] == [0x55, 0x53, 0x4b, 0x24] as List<Byte> // "USK$"
        espUnseal.exitCode == 0
        unsealedKey == Files.readAllBytes(key)
        authScalar.length == 32 && !sealedData.hasRemaining()
        templateText.contains(alg)

        and: 'the SRK template is tpm2_readpublic\'s TPMT_PUBLIC with the unique field (RSA modulus, ECC point) emptied'
        byte[] srk = Files.readAllBytes(srkPub), tmpl = Files.readAllBytes(template)
        (tmpl as List).subList(2, tmpl.length) == (srk as List).subList(2, srk.length - uniqueBytes) + emptyUnique

        when: 'one more PCR 7 event'
        tpm.ok('tpm2_pcrextend', "7:sha256=${hex(sha256('unexpected'))}")
        def refused = unsealToken(part, tpmToken[0] as int, 'again')
        def espRefused = unsealEspKey(espKey, 'esp-again')

        then: 'the policy check fails (TPM_RC_POLICY_FAIL 0x99d); the ESP key\'s PolicyOR finds no branch'
        refused.exitCode != 0
        refused.err.toLowerCase().contains('0x99d')
        espRefused.exitCode != 0
        !Files.exists(tpm.dir.resolve('esp-again.sealed-data'))

        where:
        alg   | uniqueBytes  | emptyUnique
        'rsa' | 2 + 256      | [0, 0]
        'ecc' | 2 + 32 + 2 + 32 | [0, 0, 0, 0]
    }

    def "deploy refuses bad input in one line and leaves no output: #problem"() {
        given:
        def key = dir.resolve('root.key')
        def enc = encryptedDisk('enc.img', key)
        def before = Sh.sha256(enc)
        Path srkPub = tpm.persistSrk('ecc', SRK)
        def predicted = dir.resolve('predicted.json')
        Files.writeString(predicted, JsonOutput.toJson([sha256: ['7': '00' * 32]]))
        Files.writeString(dir.resolve('exists.key'), 'x')
        Files.writeString(dir.resolve('wrong.key'), 'wrong')
        assert Cli.run('uefi', 'config', '--vars', '/usr/share/OVMF/OVMF_VARS_4M.snakeoil.fd', '-o', dir.resolve('uefi-config.json').toString()).exitCode == 0
        def args = ['--srk-pub': srkPub.toString(), '--pcr-values': predicted.toString(), '--key-file': key.toString()]
        change.each { k, v -> if (v == null) args.remove(k) else args[k] = v.startsWith('@') ? dir.resolve(v.substring(1)).toString() : v }
        def out = dir.resolve('out.img')

        when:
        def r = Cli.run(*(['disk', 'deploy', enc.toString(), '-o', out.toString()] + args.collectMany { k, v -> [k, v] }))

        then:
        r.exitCode == 1
        r.err.trim().readLines().size() == 1
        r.err.contains(message.replace('@', dir.toString() + '/'))
        !Files.exists(out)
        Sh.sha256(enc) == before
        Files.list(dir).noneMatch { it.fileName.toString().endsWith('.tmp') }

        where:
        problem                 | change                                      | message
        'no key, no token'      | ['--key-file': null]                        | '@enc.img partition 1: no cleartext key token'
        'wrong key'             | ['--key-file': '@wrong.key']                | '@enc.img partition 1: the passphrase from @wrong.key opens no keyslot'
        'recovery file exists'  | ['--recovery-key-out': '@exists.key']       | '@exists.key: already exists; not overwriting a key file'
        'no prediction'         | ['--pcr-values': null]                      | 'disk deploy: give the PCR values (--pcr-values FILE, as measure vtpm --json writes) or the VM\'s --uefi-config FILE'
        'no UKI in the ESP'     | ['--pcr-values': null, '--uefi-config': '@uefi-config.json'] | '@enc.img: the EFI System partition 15 has no \\EFI\\BOOT\\BOOTX64.EFI'
        'PCR 4 not predicted'   | ['--pcrs': '7,4']                           | '@predicted.json: no predicted value for PCR sha256:4'
    }

    def "deploy --uefi-config without --pcr-values: PCR 7 and 4 predicted from the UKI in the image's ESP and the uefi-config, as measure vtpm predicts them; the TPM holding them unseals"() {
        given: 'an encrypted image whose ESP boots a UKI signed with Debian\'s snakeoil db key, the uefi-config of the snakeoil vars'
        ['systemd-stub', 'sbsign', 'openssl'].each { Repo.requireTool(it) }
        def key = dir.resolve('root.key')
        def enc = encryptedDisk('enc.img', key, 40)
        addCleartextToken(enc, key)
        Path uki = signedUki()
        Sh.ok(['mmd', '-i', "${enc}@@${ESP_OFFSET}".toString(), '::/EFI', '::/EFI/BOOT'])
        Sh.ok(['mcopy', '-i', "${enc}@@${ESP_OFFSET}".toString(), uki.toString(), '::/EFI/BOOT/BOOTX64.EFI'])
        def config = dir.resolve('uefi-config.json')
        assert Cli.run('uefi', 'config', '--vars', '/usr/share/OVMF/OVMF_VARS_4M.snakeoil.fd', '-o', config.toString()).exitCode == 0
        Path srkPub = tpm.persistSrk('ecc', SRK)
        def out = dir.resolve('deployed.img')

        when:
        def r = Cli.run('disk', 'deploy', enc.toString(), '-o', out.toString(), '--srk-pub', srkPub.toString(), '--uefi-config', config.toString(), '--pcrs', '7,4')
        def vtpm = Cli.run('measure', 'vtpm', '--firmware-code', '/usr/share/OVMF/OVMF_CODE_4M.snakeoil.fd', '--firmware-vars', '/usr/share/OVMF/OVMF_VARS_4M.snakeoil.fd',
                '--uki', uki.toString(), '--secure-boot', '--json')
        def predicted = JSON.readValue(vtpm.out, Map)

        then: 'the values are those of measure vtpm from the vars file (VtpmBootSpec (b): equal to a real Secure Boot of this UKI)'
        r.exitCode == 0
        r.out.contains("PCR values predicted from ${enc} ESP \\EFI\\BOOT\\BOOTX64.EFI with ${config} (Secure Boot on)")
        r.out.contains("  sha256:4 ${predicted.sha256['4']}")
        r.out.contains("  sha256:7 ${predicted.sha256['7']}")

        when: 'swtpm replays the predicted PCR 4 and 7 events, then unseals the token'
        predicted.events.findAll { it.index in [4, 7] }.each { tpm.ok('tpm2_pcrextend', "${it.index}:sha256=${it.digests.sha256}") }
        def part = Sh.readOnlyCopy(cutPartition(out, 'deployed-part.img'))
        def meta = JSON.readTree(Sh.ok(['cryptsetup', 'luksDump', '--dump-json-metadata', part.toString()]).out)
        def tpmToken = meta.get('tokens').fields().collect { [it.key as int, it.value] }.find { it[1].get('type').asText() == 'systemd-tpm2' }
        def unseal = unsealToken(part, tpmToken[0] as int, 'token', 'sha256:4,7')

        then:
        tpmToken[1].get('tpm2-pcrs')*.asInt() == [4, 7]
        unseal.exitCode == 0
        Sh.run(['cryptsetup', 'open', '--test-passphrase', '--key-slot', '1', '--key-file', passFile(), part.toString()]).exit == 0

        when: 'an unsigned UKI in the ESP'
        Sh.ok(['mcopy', '-o', '-i', "${enc}@@${ESP_OFFSET}".toString(), dir.resolve('uki.efi').toString(), '::/EFI/BOOT/BOOTX64.EFI'])
        def unsigned = Cli.run('disk', 'deploy', enc.toString(), '-o', dir.resolve('unsigned.img').toString(), '--srk-pub', srkPub.toString(), '--uefi-config', config.toString())

        then: 'Secure Boot would not start it: refused'
        unsigned.exitCode == 1
        unsigned.err.trim().readLines().size() == 1
        !Files.exists(dir.resolve('unsigned.img'))
    }

    /** A UKI (Debian stub and cloud kernel) signed with the snakeoil db key; the unsigned one stays as uki.efi. */
    private Path signedUki() {
        def kernel = dev.sealwright.testkit.Kernels.debian().vmlinuz()
        def uki = dir.resolve('uki.efi')
        Files.write(uki, dev.sealwright.image.uki.UkiBuilder.build(new dev.sealwright.image.uki.UkiBuilder.Parts(
                Files.readAllBytes(Path.of('/usr/lib/systemd/boot/efi/linuxx64.efi.stub')), Files.readAllBytes(kernel), 'rd'.bytes,
                'console=ttyS0', 'test', 'ID=test\n'), 'stub'))
        def key = dir.resolve('snakeoil.key')
        Sh.ok(['openssl', 'rsa', '-in', '/usr/share/ovmf/PkKek-1-snakeoil.key', '-passin', 'pass:snakeoil', '-out', key.toString()])
        def signed = dir.resolve('uki-signed.efi')
        Sh.ok(['sbsign', '--key', key.toString(), '--cert', '/usr/share/ovmf/PkKek-1-snakeoil.pem', '--output', signed.toString(), uki.toString()])
        signed
    }

    /** base64 of the secret unsealToken wrote, as the keyslot passphrase file. */
    private String passFile() {
        def pass = dir.resolve('tpm.pass')
        Files.write(pass, Files.readAllBytes(tpm.dir.resolve('token.secret')).encodeBase64().toString().bytes)
        pass.toString()
    }

    def "deploy --in-place changes the image itself; --json says what it did, valid against docs/schemas/disk-deploy.schema.json"() {
        given:
        def key = dir.resolve('root.key')
        def enc = encryptedDisk('enc.img', key)
        Path srkPub = tpm.persistSrk('ecc', SRK)
        def predicted = dir.resolve('predicted.json')
        Files.writeString(predicted, JsonOutput.toJson([sha256: ['7': '00' * 32]]))

        when:
        def r = Cli.run('disk', 'deploy', enc.toString(), '--in-place', '--srk-pub', srkPub.toString(), '--pcr-values', predicted.toString(),
                '--key-file', key.toString(), '--json')
        def part = Sh.readOnlyCopy(cutPartition(enc, 'inplace-part.img'))
        def doc = new groovy.json.JsonSlurper().parseText(r.out)
        def meta = JSON.readTree(Sh.ok(['cryptsetup', 'luksDump', '--dump-json-metadata', part.toString()]).out)

        then:
        r.exitCode == 0
        Sh.ok(['cryptsetup', 'luksDump', part.toString()]).out.contains('systemd-tpm2')
        JsonSchemas.validate(Repo.path('docs/schemas/disk-deploy.schema.json'), r.out).with { assert it.exit == 0: it.out; true }
        JsonSchemas.validate(Repo.path('docs/schemas/disk-deploy.schema.json'), r.out.replace('"tpm_keyslot"', '"tpmKeyslot"')).exit != 0

        and: 'the keyslot and token it names are those cryptsetup reads; the values sealed to are the prediction'
        meta.get('tokens').get(doc.token_id as String).get('type').asText() == 'systemd-tpm2'
        meta.get('tokens').get(doc.token_id as String).get('keyslots')*.asText() == [doc.tpm_keyslot as String]
        doc.sealed_values == [sha256: ['7': '00' * 32]]
        doc.output == enc.toString()
    }
}
