package dev.sealwright.kbs

import spock.lang.Specification

import javax.crypto.AEADBadTagException
import java.nio.charset.StandardCharsets
import java.security.AlgorithmParameters
import java.security.InvalidKeyException
import java.security.KeyFactory
import java.security.spec.ECGenParameterSpec
import java.security.spec.ECParameterSpec
import java.security.spec.ECPrivateKeySpec

/**
 * The broker's sealed secret (HPKE base mode, docs/kbs.md) against a known answer made with an
 * independent HPKE implementation (pyca/cryptography, native-helpers/test/kbs_vector.py; the C unit
 * test opens the same one), its info layout, and its refusals.
 */
class SecretEnvelopeSpec extends Specification {
    static final HexFormat HEX = HexFormat.of()
    static final String TEE_PRIV = '1f2e3d4c5b6a79881f2e3d4c5b6a79881f2e3d4c5b6a79881f2e3d4c5b6a7988'
    static final String TEE_PUB = '04bd7c73b88b2e9b4ceda62022b2da8be13193a5b56edc26e7df7842e24cd0b5eb0605ada7bda83ac6a2b80d7e314040fa47ff16b83bac85cedb014451bb7ce71a'
    static final byte[] NONCE = HEX.parseHex('000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f')
    static final String REPORTDATA = 'd41ec6b2a7e47550790138e45b3a0b6e609e9a30db375e0fe3999e5ebb1e5f4bb3deaf6ab4658e254e1294c21711b7adbcfb606b52d2319a1ffde18c946a8115'
    static final String INFO = '7365616c7772696768742d6b62732f3200096c756b732d726f6f74000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f'
    static final SecretEnvelope VECTOR = new SecretEnvelope(
            HEX.parseHex('04952619b84e01180bf2b17e0d046ac70ee16922aa85c7521955255dd6b064b3d3e84ce5ec00f9931473c5cb29aced5a7b30d69d7305e97f4e2eaa637d9a4a092f'),
            HEX.parseHex('be01293830cf5153fd1d10e4d9944d306a5467021399318221adfaa55897750847b5b8b3f12831593e7a53f7'))

    static teePrivate() {
        def params = AlgorithmParameters.getInstance('EC')
        params.init(new ECGenParameterSpec('secp256r1'))
        KeyFactory.getInstance('EC').generatePrivate(new ECPrivateKeySpec(new BigInteger(TEE_PRIV, 16), params.getParameterSpec(ECParameterSpec)))
    }

    def "opens the envelope pyca/cryptography's HPKE sealed, with the same info layout, and computes its REPORTDATA"() {
        expect:
        HEX.formatHex(SecretEnvelope.info('luks-root', NONCE)) == INFO
        new String(VECTOR.open(teePrivate(), NONCE, 'luks-root'), StandardCharsets.UTF_8) == 'correct horse battery staple'
        HEX.formatHex(EvidenceVerifier.expectedReportData(NONCE, HEX.parseHex(TEE_PUB))) == REPORTDATA
    }

    def "a different nonce, resource, key or a changed byte does not open it"() {
        when:
        VECTOR.open(key, nonce, resource)

        then:
        thrown(AEADBadTagException)

        where:
        key                                      | nonce                      | resource
        teePrivate()                             | new byte[32]               | 'luks-root'
        teePrivate()                             | NONCE                      | 'luks-roof'
        teePrivate()                             | Arrays.copyOf(NONCE, 31)   | 'luks-root'
        SecretEnvelope.newKeyPair().private      | NONCE                      | 'luks-root'
    }

    def "a changed ciphertext byte is refused; an enc off the curve is named"() {
        when:
        byte[] ct = VECTOR.ciphertext().clone()
        ct[3] ^= 0x80
        new SecretEnvelope(VECTOR.enc(), ct).open(teePrivate(), NONCE, 'luks-root')

        then:
        thrown(AEADBadTagException)

        when:
        byte[] enc = VECTOR.enc().clone()
        enc[10] ^= 1
        new SecretEnvelope(enc, VECTOR.ciphertext()).open(teePrivate(), NONCE, 'luks-root')

        then:
        def e = thrown(InvalidKeyException)
        e.message == 'HPKE enc (the broker\'s ephemeral key): point is not on the P-256 curve'
    }

    def "seal then open round-trips with a fresh ephemeral key each time"() {
        given:
        def tee = SecretEnvelope.newKeyPair()
        def a = SecretEnvelope.seal(SecretEnvelope.encodePoint(tee.public), NONCE, 'r', 'k3y'.bytes)
        def b = SecretEnvelope.seal(SecretEnvelope.encodePoint(tee.public), NONCE, 'r', 'k3y'.bytes)

        expect:
        new String(a.open(tee.private, NONCE, 'r')) == 'k3y'
        a.enc().length == 65 && a.enc()[0] == 4 as byte
        a.ciphertext().length == 3 + 16
        !Arrays.equals(a.enc(), b.enc())
    }

    def "points that are not uncompressed P-256 points are rejected"() {
        when:
        SecretEnvelope.decodePoint(bytes)

        then:
        def e = thrown(IllegalArgumentException)
        e.message.contains(why)

        where:
        bytes                                                                                   | why
        new byte[64]                                                                            | 'not an uncompressed P-256 point'
        HEX.parseHex('02' + TEE_PUB.substring(2))                                               | 'not an uncompressed P-256 point'
        HEX.parseHex(TEE_PUB.substring(0, 128) + (TEE_PUB.substring(128) == '1a' ? '1b' : '1a')) | 'not on the P-256 curve'
    }
}
