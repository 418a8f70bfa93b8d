package dev.sealwright.kbs

import spock.lang.Specification

import java.nio.charset.StandardCharsets
import java.security.AlgorithmParameters
import java.security.KeyFactory
import java.security.spec.ECGenParameterSpec
import java.security.spec.ECParameterSpec
import java.security.spec.ECPrivateKeySpec

/**
 * The sealed-secret envelope against a known answer computed with an independent implementation
 * (Python `cryptography`, native-helpers/test/kbs_vector.py), and its refusals.
 */
class SecretEnvelopeSpec extends Specification {
    static final HexFormat HEX = HexFormat.of()
    static final String TEE_PRIV = '1f2e3d4c5b6a79881f2e3d4c5b6a79881f2e3d4c5b6a79881f2e3d4c5b6a7988'
    static final String TEE_PUB = '04bd7c73b88b2e9b4ceda62022b2da8be13193a5b56edc26e7df7842e24cd0b5eb0605ada7bda83ac6a2b80d7e314040fa47ff16b83bac85cedb014451bb7ce71a'
    static final byte[] NONCE = HEX.parseHex('000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f')
    static final String REPORTDATA = 'd41ec6b2a7e47550790138e45b3a0b6e609e9a30db375e0fe3999e5ebb1e5f4bb3deaf6ab4658e254e1294c21711b7adbcfb606b52d2319a1ffde18c946a8115'
    static final SecretEnvelope VECTOR = new SecretEnvelope(
            HEX.parseHex('04d8cd12ea5c67f2f8a00c1124893edcfa6754c4d6cede6be13bdf2295c810a97fa5a89d2d2a360c0ca9a4d6c7c9ed4b28d3e199d6627f2e696d689c310a5b0f48'),
            HEX.parseHex('000102030405060708090a0b'),
            HEX.parseHex('85eca5e311afdb726d79a9c44c7d5d955a07d5cd516bfbf6bd36885be8749af9d2729f3f202200f2f22d68e4'))

    static teePrivate() {
        def params = AlgorithmParameters.getInstance('EC')
        params.init(new ECGenParameterSpec('secp256r1'))
        KeyFactory.getInstance('EC').generatePrivate(new ECPrivateKeySpec(new BigInteger(TEE_PRIV, 16), params.getParameterSpec(ECParameterSpec)))
    }

    def "opens the Python-made envelope and computes its REPORTDATA"() {
        expect:
        new String(VECTOR.open(teePrivate(), NONCE, 'luks-root'), StandardCharsets.UTF_8) == 'correct horse battery staple'
        HEX.formatHex(EvidenceVerifier.expectedReportData(NONCE, HEX.parseHex(TEE_PUB))) == REPORTDATA
    }

    def "seal then open round-trips; a different nonce, resource or key cannot open it"() {
        given:
        def tee = SecretEnvelope.newKeyPair()
        def env = SecretEnvelope.seal(SecretEnvelope.encodePoint(tee.public), NONCE, 'r', 'k3y'.bytes)

        expect:
        new String(env.open(tee.private, NONCE, 'r')) == 'k3y'

        when:
        env.open(tee.private, NONCE, 'other')

        then:
        thrown(javax.crypto.AEADBadTagException)

        when:
        env.open(SecretEnvelope.newKeyPair().private, NONCE, 'r')

        then:
        thrown(javax.crypto.AEADBadTagException)
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
