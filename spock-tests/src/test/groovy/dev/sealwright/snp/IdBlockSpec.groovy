package dev.sealwright.snp

import dev.sealwright.base.RecipeException
import dev.sealwright.measure.snp.idblock.IdAuthInfo
import dev.sealwright.measure.snp.idblock.IdBlock
import dev.sealwright.measure.snp.idblock.IdBlockSigner
import dev.sealwright.measure.snp.idblock.P384KeyFile
import dev.sealwright.measure.snp.idblock.SnpPublicKey
import dev.sealwright.testkit.Repo
import org.bouncycastle.crypto.params.ECDomainParameters
import org.bouncycastle.crypto.params.ECPublicKeyParameters
import org.bouncycastle.crypto.signers.ECDSASigner
import org.bouncycastle.jce.ECNamedCurveTable
import spock.lang.Specification
import spock.lang.TempDir

import java.nio.file.Files
import java.nio.file.Path
import java.security.MessageDigest

/** ID block and ID auth against virtee/sev (E-14) and sev-snp-measure (E-18) fixtures. */
class IdBlockSpec extends Specification {
    static final String VIRTEE = 'snp/virtee-sev/idblock/'
    @TempDir Path dir

    static byte[] b64(String s) { Base64.decoder.decode(s) }
    static String b64(byte[] b) { Base64.encoder.encodeToString(b) }

    def "virtee/sev test_id_block_and_key_digests: ID block bytes and PKCS#8 key digests"() {
        when:
        def block = IdBlock.of('a14d638341e5674628fe1e02fbedebe5e5ab4faf1dd72d8966068e615bb99efd13d214b35c231715b38e263dc6059745'.decodeHex(), 0x30000)
        def id = P384KeyFile.read(Repo.fixture(VIRTEE + 'test_id_key.pem'))
        def author = P384KeyFile.read(Repo.fixture(VIRTEE + 'test_auth_key.pem'))

        then:
        b64(block.toBytes()) == 'oU1jg0HlZ0Yo/h4C++3r5eWrT68d1y2JZgaOYVu5nv0T0hSzXCMXFbOOJj3GBZdFAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAABAAAAAAAAAAAAAwAAAAAA'
        b64(SnpPublicKey.of(id.public).digest()) == 'WfssaG36T+9J84M5qndckAUcKNVzg93DuvO160sUlt87DbvcuuX+J2d6ZEggdz/i'
        b64(SnpPublicKey.of(author.public).digest()) == '7tgRafsMteDsNHlPEo/U4MSkb2fGWhrfqB/LJLzAiMJyNpt//D6ytq9qQoShs2xf'
    }

    def "virtee/sev test_auth_block_generation: the auth block rebuilt from the sig files equals test_auth_block.bin"() {
        given:
        def expected = Files.readAllBytes(Repo.fixture(VIRTEE + 'test_auth_block.bin'))
        def id = P384KeyFile.read(Repo.fixture(VIRTEE + 'test_id_key.pem'))
        def author = P384KeyFile.read(Repo.fixture(VIRTEE + 'test_auth_key.pem'))

        when:
        def auth = new IdAuthInfo(1, 1,
                SnpSignature.read(Files.readAllBytes(Repo.fixture(VIRTEE + 'test_id_sig.bin')), 0), SnpPublicKey.of(id.public),
                SnpSignature.read(Files.readAllBytes(Repo.fixture(VIRTEE + 'test_auth_sig.bin')), 0), SnpPublicKey.of(author.public))

        then:
        auth.toBytes() == expected
        IdAuthInfo.read(expected).toBytes() == expected
        IdAuthInfo.read(expected) == auth

        and: 'the fixture signatures verify over the E-14 ID block and the ID key structure'
        def block = IdBlock.of('a14d638341e5674628fe1e02fbedebe5e5ab4faf1dd72d8966068e615bb99efd13d214b35c231715b38e263dc6059745'.decodeHex(), 0x30000)
        IdBlockSigner.verify(block, auth).isEmpty()
        IdBlock.read(block.toBytes()) == block
    }

    def "sev-snp-measure test_id_block: SEC1 keys give the published ID block and key digests"() {
        when:
        def ld = b64('B28FLQi9p6cAqipgjFyqawDrrSl7bWioWkWx5mmlWLZ+G5HShKMB/mPE+gdQRn7t')
        def id = P384KeyFile.read(Repo.fixture('snp/sev-snp-measure/keyfile/id_key_test.pem'))
        def author = P384KeyFile.read(Repo.fixture('snp/sev-snp-measure/keyfile/author_key_test.pem'))

        then:
        b64(IdBlock.of(ld, 0x30000).toBytes()) == 'B28FLQi9p6cAqipgjFyqawDrrSl7bWioWkWx5mmlWLZ+G5HShKMB/mPE+gdQRn7tAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAABAAAAAAAAAAAAAwAAAAAA'
        b64(SnpPublicKey.of(id.public).digest()) == 'hwt+NcU/inLQ0yL3WrKvgmJ5Kq9leWIs5BMcPyHyied8sFYKXjuQs5MuZ07HCcsU'
        b64(SnpPublicKey.of(author.public).digest()) == 'YxEcNLv8Ckk4+aAJvQdJgNgXIyPmFZnJ/TNtqGcySOHcqY0L6PdjdqEGuK/UwKBX'
    }

    def "signatures we generate verify with Bouncy Castle's ECDSA and with openssl"() {
        given:
        def id = P384KeyFile.read(Repo.fixture(VIRTEE + 'test_id_key.pem'))
        def author = P384KeyFile.read(Repo.fixture('snp/sev-snp-measure/keyfile/author_key_test.pem'))
        def block = new IdBlock(new byte[48].collect { 7 as byte } as byte[], new byte[16], (1..16) as byte[], 1, 3, 0x30000)

        when:
        def auth = IdBlockSigner.sign(block, id, author)
        def bytes = auth.toBytes()

        then: 'layout: algorithms, keys at 0x240/0x880'
        bytes.length == 4096
        bytes[0] == 1 && bytes[4] == 1
        bytes[0x240..<0x644] as byte[] == SnpPublicKey.of(id.public).toBytes()
        bytes[0x880..<0xC84] as byte[] == SnpPublicKey.of(author.public).toBytes()

        and: 'Bouncy Castle lightweight ECDSA (independent of JCE) accepts both signatures'
        bcVerify(SnpPublicKey.of(id.public), block.toBytes(), auth.idBlockSig())
        bcVerify(SnpPublicKey.of(author.public), SnpPublicKey.of(id.public).toBytes(), auth.idKeySig())
        !bcVerify(SnpPublicKey.of(author.public), block.toBytes(), auth.idBlockSig())

        and: 'openssl dgst -verify accepts the ID block signature'
        opensslVerify(id.public, block.toBytes(), auth.idBlockSig())
        !opensslVerify(id.public, IdBlock.of(new byte[48], 0x30000).toBytes(), auth.idBlockSig())

        when: 'a signature byte is flipped'
        def tampered = bytes.clone()
        tampered[0x40 + 5] ^= 0x01

        then:
        IdBlockSigner.verify(block, IdAuthInfo.read(tampered)) == ['the ID block signature does not verify under the ID key']
    }

    def "bad keys give one line naming the file"() {
        given:
        def rsa = dir.resolve('rsa.pem')
        def p256 = dir.resolve('p256.pem')
        def junk = dir.resolve('junk.pem')
        run('openssl', 'genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:1024', '-out', rsa.toString())
        run('openssl', 'genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', p256.toString())
        Files.writeString(junk, 'hello\n')

        expect:
        message { P384KeyFile.read(rsa) } == "${rsa}: a RSA key; SNP needs an ECDSA P-384 key"
        message { P384KeyFile.read(p256) } == "${p256}: an EC key on a 256-bit curve; SNP needs P-384 (secp384r1)"
        message { P384KeyFile.read(junk) } == "${junk}: no PEM private key found (expected PKCS#8 \"PRIVATE KEY\" or SEC1 \"EC PRIVATE KEY\")"
    }

    def "a key openssl generates as SEC1 with EC PARAMETERS (SNPGuard's format) loads"() {
        given:
        def key = dir.resolve('sec1.pem')
        run('openssl', 'ecparam', '-name', 'secp384r1', '-genkey', '-out', key.toString())

        expect:
        Files.readString(key).contains('BEGIN EC PARAMETERS')
        SnpPublicKey.of(P384KeyFile.read(key).public).toBytes().length == 0x404
    }

    static String message(Closure c) {
        try {
            c.call()
        } catch (RecipeException e) {
            return e.message
        }
        return 'no exception'
    }

    static boolean bcVerify(SnpPublicKey key, byte[] msg, SnpSignature sig) {
        def spec = ECNamedCurveTable.getParameterSpec('secp384r1')
        def dom = new ECDomainParameters(spec.curve, spec.g, spec.n, spec.h)
        def signer = new ECDSASigner()
        signer.init(false, new ECPublicKeyParameters(spec.curve.createPoint(key.x(), key.y()), dom))
        signer.verifySignature(MessageDigest.getInstance('SHA-384').digest(msg), sig.r(), sig.s())
    }

    boolean opensslVerify(java.security.PublicKey pub, byte[] msg, SnpSignature sig) {
        Repo.requireTool('openssl')
        def pubPem = dir.resolve('pub.pem')
        Files.writeString(pubPem, "-----BEGIN PUBLIC KEY-----\n${Base64.mimeEncoder.encodeToString(pub.encoded)}\n-----END PUBLIC KEY-----\n")
        def msgFile = dir.resolve('msg.bin')
        Files.write(msgFile, msg)
        def der = new org.bouncycastle.asn1.DERSequence([new org.bouncycastle.asn1.ASN1Integer(sig.r()), new org.bouncycastle.asn1.ASN1Integer(sig.s())] as org.bouncycastle.asn1.ASN1Encodable[]).encoded
        def sigFile = dir.resolve('sig.der')
        Files.write(sigFile, der)
        def p = new ProcessBuilder('openssl', 'dgst', '-sha384', '-verify', pubPem.toString(), '-signature', sigFile.toString(), msgFile.toString())
                .redirectErrorStream(true).start()
        p.inputStream.text
        p.waitFor() == 0
    }

    static void run(String... cmd) {
        Repo.requireTool(cmd[0])
        def p = new ProcessBuilder(cmd).redirectErrorStream(true).start()
        def out = p.inputStream.text
        assert p.waitFor() == 0: out
    }
}
