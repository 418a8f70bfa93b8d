package dev.sealwright.tpm

import dev.sealwright.testkit.Cli
import dev.sealwright.testkit.JsonSchemas
import dev.sealwright.testkit.Repo
import dev.sealwright.testkit.Swtpm
import groovy.json.JsonOutput
import spock.lang.Specification
import spock.lang.Unroll

import java.nio.file.Files
import java.nio.file.Path
import java.nio.file.attribute.PosixFilePermissions
import java.security.MessageDigest
import java.security.SecureRandom

/**
 * `sealwright tpm seal` against a real swtpm + tpm2-tools: the blob sealed offline to predicted PCR
 * values is imported, loaded and unsealed by the TPM after exactly those extends, and refused after one more.
 */
class OfflineSealSpec extends Specification {
    static final String SRK = '0x81000001'
    Swtpm tpm

    def setup() { tpm = new Swtpm() }

    def cleanup() { tpm?.close() }

    static byte[] sha256(byte[] data) { MessageDigest.getInstance('SHA-256').digest(data) }

    static byte[] sha256(byte[] a, byte[] b) {
        def md = MessageDigest.getInstance('SHA-256')
        md.update(a)
        md.update(b)
        md.digest()
    }

    static byte[] bytes(Path p) { Files.readAllBytes(p) }

    static String hex(byte[] b) { HexFormat.of().formatHex(b) }

    /** PCR replay done here in the test, from the event digests the test will extend. */
    static byte[] replay(List<byte[]> digests) {
        byte[] pcr = new byte[32]
        digests.each { pcr = sha256(pcr, it) }
        pcr
    }

    Path writePrediction(Map<Integer, byte[]> values) {
        def f = tpm.dir.resolve('predicted.json')
        Files.writeString(f, JsonOutput.toJson([sha256: values.collectEntries { k, v -> [(k.toString()): hex(v)] }]))
        f
    }

    Path writeSecret(int size) {
        byte[] secret = new byte[size]
        new SecureRandom().nextBytes(secret)
        def f = tpm.dir.resolve("secret-${size}.bin")
        Files.write(f, secret)
        f
    }

    /** import + load (checking the Name the TPM reports) + PolicyPCR session + unseal. */
    Swtpm.Result importLoadUnseal(Path out, String pcrs) {
        tpm.ok('tpm2_import', '-C', SRK, '-u', "${out}/sealed.pub", '-i', "${out}/sealed.dpriv", '-s', "${out}/sealed.seed", '-r', "${out}/imported.priv")
        tpm.flush()
        def load = tpm.ok('tpm2_load', '-C', SRK, '-u', "${out}/sealed.pub", '-r', "${out}/imported.priv", '-c', 'sealed.ctx')
        assert load.out.contains("name: ${hex(SealedFiles.readPublic(out.resolve('sealed.pub')).name())}")
        tpm.ok('tpm2_startauthsession', '--policy-session', '-S', 'session.ctx')
        tpm.ok('tpm2_policypcr', '-S', 'session.ctx', '-l', pcrs)
        def unseal = tpm.run('tpm2_unseal', '-c', 'sealed.ctx', '-p', 'session:session.ctx', '-o', "${out}/unsealed.bin")
        tpm.flush()
        unseal
    }

    @Unroll
    def "a secret sealed offline to a #alg SRK unseals after the predicted extends and not after one more"() {
        given: 'an SRK persisted on swtpm and its public area as tpm2_readpublic writes it'
        Path srkPub = tpm.persistSrk(alg, SRK)
        def pcr7Events = ['EV_EFI_VARIABLE_DRIVER_CONFIG SecureBoot', 'EV_SEPARATOR'].collect { sha256(it.bytes) }
        def pcr4Events = [sha256('boot application'.bytes)]
        Path prediction = writePrediction([7: replay(pcr7Events), 4: replay(pcr4Events)])
        Path secretFile = writeSecret(32)
        Path out = tpm.dir.resolve("sealed-${alg}")

        when: 'sealing offline'
        def seal = Cli.run('tpm', 'seal', '--srk-pub', srkPub.toString(), '--pcrs', 'sha256:7,4', '--pcr-values', prediction.toString(),
                '--secret-file', secretFile.toString(), '--out', out.toString())

        then:
        seal.exitCode == 0
        !seal.out.contains(hex(bytes(secretFile))) && !seal.out.contains(bytes(secretFile).encodeBase64().toString())
        ['sealed.pub', 'sealed.dpriv', 'sealed.seed'].every {
            PosixFilePermissions.toString(Files.getPosixFilePermissions(out.resolve(it))) == 'rw-------'
        }
        Files.size(out.resolve('sealed.seed')) == seedFileSize

        when: 'tpm seal --json: valid against docs/schemas/tpm-seal.schema.json, public values only'
        def asJson = Cli.run('tpm', 'seal', '--srk-pub', srkPub.toString(), '--pcrs', 'sha256:7,4', '--pcr-values', prediction.toString(),
                '--secret-file', secretFile.toString(), '--out', "${out}-json".toString(), '--json')
        def doc = new groovy.json.JsonSlurper().parseText(asJson.out)

        then: "its SRK name is the one tpm2_readpublic reports; no secret in it"
        asJson.exitCode == 0
        JsonSchemas.validate(Repo.path('docs/schemas/tpm-seal.schema.json'), asJson.out).with { assert it.exit == 0: it.out; true }
        JsonSchemas.validate(Repo.path('docs/schemas/tpm-seal.schema.json'), asJson.out.replace('"srk_name"', '"srkName"')).exit != 0
        tpm.ok('tpm2_readpublic', '-c', SRK).out.contains("name: ${doc.srk_name}")
        doc.selection == 'sha256:4,7'
        !asJson.out.contains(hex(bytes(secretFile))) && !asJson.out.contains(bytes(secretFile).encodeBase64().toString())

        when: 'the TPM measures exactly the predicted events'
        pcr7Events.each { tpm.ok('tpm2_pcrextend', "7:sha256=${hex(it)}") }
        pcr4Events.each { tpm.ok('tpm2_pcrextend', "4:sha256=${hex(it)}") }
        def read = tpm.ok('tpm2_pcrread', 'sha256:4,7').out

        then: 'the prediction is what the TPM holds'
        read.toLowerCase().contains("4 : 0x${hex(replay(pcr4Events))}")
        read.toLowerCase().contains("7 : 0x${hex(replay(pcr7Events))}")

        when:
        def unsealed = importLoadUnseal(out, 'sha256:4,7')

        then: 'the TPM returns the secret'
        unsealed.exitCode == 0
        bytes(out.resolve('unsealed.bin')) == bytes(secretFile)

        when: 'one more event in PCR 7'
        tpm.ok('tpm2_pcrextend', "7:sha256=${hex(sha256('unexpected'.bytes))}")
        def refused = importLoadUnseal(out, 'sha256:4,7')

        then: 'unseal fails the policy check (TPM_RC_POLICY_FAIL 0x99d)'
        refused.exitCode != 0
        refused.err.toLowerCase().contains('0x99d')

        where:
        alg   | seedFileSize
        'rsa' | 2 + 256
        'ecc' | 2 + 68
    }

    def "a 128-byte secret (MAX_SYM_DATA) seals and unseals; 129 bytes are refused with the limit"() {
        given:
        Path srkPub = tpm.persistSrk('ecc', SRK)
        Path prediction = writePrediction([7: new byte[32]])
        Path big = writeSecret(128), tooBig = writeSecret(129)
        Path out = tpm.dir.resolve('sealed-128'), out2 = tpm.dir.resolve('sealed-129')

        when:
        def ok = Cli.run('tpm', 'seal', '--srk-pub', srkPub.toString(), '--pcrs', 'sha256:7', '--pcr-values', prediction.toString(),
                '--secret-file', big.toString(), '--out', out.toString())
        def unsealed = importLoadUnseal(out, 'sha256:7')
        def refused = Cli.run('tpm', 'seal', '--srk-pub', srkPub.toString(), '--pcrs', 'sha256:7', '--pcr-values', prediction.toString(),
                '--secret-file', tooBig.toString(), '--out', out2.toString())

        then:
        ok.exitCode == 0
        unsealed.exitCode == 0
        bytes(out.resolve('unsealed.bin')) == bytes(big)
        refused.exitCode == 1
        refused.err.trim().readLines().size() == 1
        refused.err.contains(tooBig.toString())
        refused.err.contains('129 bytes') && refused.err.contains('at most 128 bytes')
        !Files.exists(out2)
    }

    def "bad input to tpm seal is refused in one line naming the file: #problem"() {
        given:
        Path srkPub = tpm.persistSrk('ecc', SRK)
        Files.write(tpm.dir.resolve('truncated.pub'), Arrays.copyOf(bytes(srkPub), 40))
        Files.writeString(tpm.dir.resolve('broken.json'), '{"sha256": {"7": ')
        Files.writeString(tpm.dir.resolve('short.json'), '{"sha256": {"7": "abcd"}}')
        Files.write(tpm.dir.resolve('empty.bin'), new byte[0])
        Path prediction = writePrediction([7: new byte[32]])
        writeSecret(16)
        def args = ['--srk-pub': srkPub.toString(), '--pcrs': 'sha256:7', '--pcr-values': prediction.toString(),
                    '--secret-file': tpm.dir.resolve('secret-16.bin').toString(), '--out': tpm.dir.resolve('out').toString()]
        args.putAll(change.collectEntries { k, v -> [(k): v.startsWith('@') ? tpm.dir.resolve(v.substring(1)).toString() : v] })

        when:
        def r = Cli.run(*(['tpm', 'seal'] + args.collectMany { k, v -> [k, v] }))

        then: 'a bad file exits 1 in one line; a bad option value is a usage error (exit 2) naming the option, plus the "try:" line'
        r.exitCode == (message.contains('--pcrs') ? 2 : 1)
        r.err.trim().readLines().size() == (message.contains('--pcrs') ? 2 : 1)
        r.err.readLines()[0].contains(message.startsWith('@') ? tpm.dir.resolve(message.substring(1)).toString() : message)
        r.err.readLines()[0].contains(detail)
        !Files.exists(tpm.dir.resolve('out'))

        where:
        problem               | change                                 | message            | detail
        'truncated SRK'       | ['--srk-pub': '@truncated.pub']        | '@truncated.pub'   | 'not a TPM2B_PUBLIC'
        'missing SRK'         | ['--srk-pub': '@nothing.pub']          | '@nothing.pub'     | 'no such file'
        'PCR not predicted'   | ['--pcrs': 'sha256:4,7']               | '@predicted.json'  | 'no predicted value for PCR sha256:4'
        'broken JSON'         | ['--pcr-values': '@broken.json']       | '@broken.json'     | 'invalid JSON at line 1 column'
        'short PCR value'     | ['--pcr-values': '@short.json']        | '@short.json'      | 'sha256 PCR 7 value has 2 bytes, expected 32'
        'bad selection'       | ['--pcrs': 'sha256:7,x']               | 'sealwright: --pcrs: ' | "'x' is not a PCR number"
        'empty secret'        | ['--secret-file': '@empty.bin']        | '@empty.bin'       | 'is empty; a sealed secret is 1 to 128 bytes'
    }

    def "tpm seal does not replace existing sealed files without --force"() {
        given:
        Path srkPub = tpm.persistSrk('ecc', SRK)
        Path prediction = writePrediction([7: new byte[32]])
        Path secret = writeSecret(16)
        Path out = tpm.dir.resolve('out')
        def args = ['tpm', 'seal', '--srk-pub', srkPub.toString(), '--pcrs', 'sha256:7', '--pcr-values', prediction.toString(),
                    '--secret-file', secret.toString(), '--out', out.toString()]

        when:
        def first = Cli.run(*args)
        byte[] before = bytes(out.resolve('sealed.dpriv'))
        def second = Cli.run(*args)

        then:
        first.exitCode == 0
        second.exitCode == 1
        second.err.contains("${out.resolve('sealed.pub')}: exists; not overwriting (use --force)")
        bytes(out.resolve('sealed.dpriv')) == before

        when:
        def forced = Cli.run(*(args + ['--force']))

        then: 'a fresh seal (new random seed) replaces the old one and still unseals'
        forced.exitCode == 0
        bytes(out.resolve('sealed.dpriv')) != before
        PosixFilePermissions.toString(Files.getPosixFilePermissions(out.resolve('sealed.dpriv'))) == 'rw-------'
        importLoadUnseal(out, 'sha256:7').exitCode == 0
        bytes(out.resolve('unsealed.bin')) == bytes(secret)
    }
}
