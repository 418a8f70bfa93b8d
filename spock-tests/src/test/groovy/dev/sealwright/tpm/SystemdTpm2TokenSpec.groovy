package dev.sealwright.tpm

import com.fasterxml.jackson.databind.JsonNode
import dev.sealwright.base.Json
import dev.sealwright.testkit.Cli
import dev.sealwright.testkit.Repo
import dev.sealwright.testkit.Swtpm
import spock.lang.Specification

import java.nio.file.Files
import java.nio.file.Path
import java.security.SecureRandom

/**
 * The systemd-tpm2 token written by `tpm seal --luks2-token` is accepted by cryptsetup with systemd's token
 * plugin (which validates systemd-tpm2 tokens on import), reads back from cryptsetup's JSON, and the blob it
 * carries still imports and unseals on the TPM.
 */
class SystemdTpm2TokenSpec extends Specification {
    static final String SRK = '0x81000001'
    Swtpm tpm

    def setup() { tpm = new Swtpm() }

    def cleanup() { tpm?.close() }

    Swtpm.Result sh(String... cmd) { tpm.run(cmd) }

    Path luksImage() {
        Repo.requireTool('cryptsetup')
        Repo.requireTool('cryptsetup-token-systemd-tpm2')
        Path img = tpm.dir.resolve('luks.img')
        Files.write(tpm.dir.resolve('pass'), 'passphrase'.bytes)
        new RandomAccessFile(img.toFile(), 'rw').withCloseable { it.length = 20L << 20 }
        tpm.ok('cryptsetup', 'luksFormat', '-q', '--type', 'luks2', '--pbkdf', 'pbkdf2', '--pbkdf-force-iterations', '1000',
                '--key-file', 'pass', img.toString())
        img
    }

    def "a systemd-tpm2 token for an ECC SRK is accepted by cryptsetup's plugin and its blob unseals on the TPM"() {
        given:
        Path srkPub = tpm.persistSrk('ecc', SRK)
        tpm.ok('tpm2_readpublic', '-c', SRK, '-n', 'srk.name')
        Files.writeString(tpm.dir.resolve('predicted.json'), '{"sha256": {"4": "' + '00' * 32 + '", "7": "' + '00' * 32 + '"}}')
        byte[] secret = new byte[32]
        new SecureRandom().nextBytes(secret)
        Files.write(tpm.dir.resolve('secret.bin'), secret)
        Path img = luksImage()

        when:
        def seal = Cli.run('tpm', 'seal', '--srk-pub', srkPub.toString(), '--pcrs', 'sha256:4,7', '--pcr-values', tpm.dir.resolve('predicted.json').toString(),
                '--secret-file', tpm.dir.resolve('secret.bin').toString(), '--out', tpm.dir.resolve('out').toString(),
                '--luks2-token', tpm.dir.resolve('token.json').toString(), '--keyslot', '0')

        then:
        seal.exitCode == 0

        when: 'cryptsetup imports it through the systemd-tpm2 plugin and dumps it'
        def imported = tpm.run('cryptsetup', 'token', 'import', '--json-file', 'token.json', '--token-id', '0', img.toString())
        def dump = tpm.ok('cryptsetup', 'luksDump', img.toString()).out
        JsonNode metadata = Json.MAPPER.readTree(tpm.ok('cryptsetup', 'luksDump', '--dump-json-metadata', img.toString()).out)
        def token = SystemdTpm2Token.fromJson(metadata.path('tokens').path('0'))
        def written = SystemdTpm2Token.fromJson(Json.MAPPER.readTree(Files.readAllBytes(tpm.dir.resolve('token.json'))))

        then: 'the plugin shows what systemd would use'
        imported.exitCode == 0
        dump.contains('systemd-tpm2')
        dump =~ /tpm2-hash-pcrs:\s+4\+7/
        dump =~ /tpm2-pcr-bank:\s+sha256/
        dump =~ /tpm2-primary-alg:\s+ecc/
        token.keyslots() == [0]
        token.pcrs() == [4, 7]
        token.policyHash() == written.policyHash()
        token.blob() == written.blob()
        Json.canonical(token.toJson()) == Json.canonical(written.toJson())

        and: 'tpm2_srk embeds the SRK Name the TPM reports'
        def srk = new TpmReader(token.srk())
        Integer.toUnsignedLong(srk.u32('handle')) == 0x81000001L
        srk.sized('name', 64) == Files.readAllBytes(tpm.dir.resolve('srk.name'))
        srk.u32('flag') == 1
        TpmPublic.readSized(srk).toSizedBytes() == Files.readAllBytes(srkPub)

        when: 'the blob taken from cryptsetup is imported and unsealed (PCRs 4 and 7 are still zero)'
        def blob = SystemdTpm2Token.parseBlob(token.blob())
        SealedFiles.write(tpm.dir.resolve('from-token'), blob, false)
        tpm.ok('tpm2_import', '-C', SRK, '-u', 'from-token/sealed.pub', '-i', 'from-token/sealed.dpriv', '-s', 'from-token/sealed.seed', '-r', 'imported.priv')
        tpm.flush()
        tpm.ok('tpm2_load', '-C', SRK, '-u', 'from-token/sealed.pub', '-r', 'imported.priv', '-c', 'sealed.ctx')
        def unseal = tpm.run('tpm2_unseal', '-c', 'sealed.ctx', '-p', 'pcr:sha256:4,7', '-o', 'unsealed.bin')

        then:
        unseal.exitCode == 0
        Files.readAllBytes(tpm.dir.resolve('unsealed.bin')) == secret
        blob.sealedPublic().authPolicy() == token.policyHash()
    }

    def "cryptsetup's plugin refuses a token it cannot use, and so does the reader: #problem"() {
        given:
        Path img = luksImage()
        def good = new SystemdTpm2Token([0], new byte[8], [7], TpmHash.SHA256, 'ecc', new byte[32], false, null).toJson()
        def bad = good.deepCopy()
        change(bad)
        Files.writeString(tpm.dir.resolve('bad.json'), Json.pretty(bad))

        when:
        def imported = tpm.run('cryptsetup', 'token', 'import', '--json-file', 'bad.json', img.toString())
        SystemdTpm2Token.fromJson(bad)

        then:
        imported.exitCode != 0
        def e = thrown(TpmFormatException)
        e.message.contains(message)

        where:
        problem            | change                                             | message
        'PCR not a number' | { it.putArray('tpm2-pcrs').add('x') }              | 'tpm2-pcrs entry "x" is not a PCR number'
        'no blob'          | { it.remove('tpm2-blob') }                         | 'tpm2-blob is missing'
        'no policy hash'   | { it.remove('tpm2-policy-hash') }                  | 'tpm2-policy-hash is missing'
        'policy not hex'   | { it.put('tpm2-policy-hash', 'xyz') }              | 'tpm2-policy-hash is not hex'
    }
}
