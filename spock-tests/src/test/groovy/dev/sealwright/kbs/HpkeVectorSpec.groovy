package dev.sealwright.kbs

import org.bouncycastle.crypto.hpke.HPKE
import spock.lang.Specification

import java.security.AlgorithmParameters
import java.security.KeyFactory
import java.security.spec.ECGenParameterSpec
import java.security.spec.ECParameterSpec
import java.security.spec.ECPrivateKeySpec

/**
 * RFC 9180 published vectors (test resource dev/sealwright/kbs/hpke/vectors.json; its README names
 * the sources) through Bouncy Castle's HPKE as the broker configures it, and through the broker's own
 * {@link SecretEnvelope#openBase}. The C side reads the same file (native-helpers/test/kbs_test.c).
 */
class HpkeVectorSpec extends Specification {
    static final HexFormat HEX = HexFormat.of()
    static final List<Map> VECTORS = new groovy.json.JsonSlurper().parse(
            HpkeVectorSpec.getResource('/dev/sealwright/kbs/hpke/vectors.json')) as List<Map>

    static byte[] h(Object s) { HEX.parseHex(s as String) }

    static privateKey(String hex) {
        def params = AlgorithmParameters.getInstance('EC')
        params.init(new ECGenParameterSpec('secp256r1'))
        KeyFactory.getInstance('EC').generatePrivate(new ECPrivateKeySpec(new BigInteger(hex, 16), params.getParameterSpec(ECParameterSpec)))
    }

    def "the file holds the broker's suite and RFC 9180 A.3.1"() {
        expect:
        VECTORS*.aead_id == [2, 1]
        VECTORS.every { it.mode == 0 && it.kem_id == 16 && it.kdf_id == 1 }
    }

    def "#v.source: Bouncy Castle with the vector's ephemeral key gives its enc and ciphertexts, and opens them"() {
        given:
        def hpke = new HPKE(HPKE.mode_base, HPKE.kem_P256_SHA256, HPKE.kdf_HKDF_SHA256, v.aead_id == 2 ? HPKE.aead_AES_GCM256 : HPKE.aead_AES_GCM128)
        def skR = hpke.deserializePrivateKey(h(v.skRm), h(v.pkRm))
        def skE = hpke.deserializePrivateKey(h(v.skEm), h(v.pkEm))
        def sender = hpke.setupBaseS(hpke.deserializePublicKey(h(v.pkRm)), h(v.info), skE)
        def receiver = hpke.setupBaseR(h(v.enc), skR, h(v.info))
        Map<Integer, Map> bySeq = (v.encryptions as List<Map>).collectEntries { [(it.seq as int): it] }
        int checked = 0

        expect:
        hpke.serializePublicKey(skR.public) == h(v.pkRm)
        sender.encapsulation == h(v.enc)
        (0..bySeq.keySet().max()).each { int seq ->
            def x = bySeq[seq]
            if (x == null) { // advance both contexts by one message
                receiver.open(new byte[0], sender.seal(new byte[0], new byte[0]))
                return
            }
            assert HEX.formatHex(sender.seal(h(x.aad), h(x.pt))) == x.ct
            assert receiver.open(h(x.aad), h(x.ct)) == h(x.pt)
            checked++
        }
        checked == bySeq.size()

        where:
        v << VECTORS
    }

    def "the broker's openBase opens the AES-256-GCM vector's first message and refuses it under other info or AAD"() {
        given:
        def v = VECTORS.find { it.aead_id == 2 }
        def first = (v.encryptions as List<Map>).find { it.seq == 0 }
        def skR = privateKey(v.skRm as String)

        expect:
        SecretEnvelope.openBase(skR, h(v.enc), h(v.info), h(first.aad), h(first.ct)) == h(first.pt)

        when:
        SecretEnvelope.openBase(skR, h(v.enc), h(v.info), h('436f756e742d31'), h(first.ct))

        then:
        thrown(javax.crypto.AEADBadTagException)

        when:
        SecretEnvelope.openBase(skR, h(v.enc), 'other info'.bytes, h(first.aad), h(first.ct))

        then:
        thrown(javax.crypto.AEADBadTagException)
    }
}
