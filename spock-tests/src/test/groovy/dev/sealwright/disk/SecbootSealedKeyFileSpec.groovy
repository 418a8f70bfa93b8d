package dev.sealwright.disk

import dev.sealwright.deploy.SecbootKeySealer
import dev.sealwright.deploy.SecbootSealedKeyFile
import dev.sealwright.disk.luks2.Entropy
import dev.sealwright.base.RecipeException
import dev.sealwright.tpm.EccPoint
import dev.sealwright.tpm.PcrSelection
import dev.sealwright.tpm.PublicParameters
import dev.sealwright.tpm.SymDefObject
import dev.sealwright.tpm.TpmAlg
import dev.sealwright.tpm.TpmPublic
import dev.sealwright.tpm.TpmScheme
import spock.lang.Specification

import java.nio.ByteBuffer
import java.security.KeyPairGenerator
import java.security.SecureRandom
import java.security.interfaces.ECPublicKey
import java.security.spec.ECGenParameterSpec

/**
 * The secboot sealed key file codec: header layout (secboot keydata_legacy.go), AF stripes, a
 * write/read round trip, and one-line errors. That the TPM accepts what it holds is DiskDeployCliSpec's job.
 */
class SecbootSealedKeyFileSpec extends Specification {
    static TpmPublic eccSrk() {
        def g = KeyPairGenerator.getInstance('EC')
        g.initialize(new ECGenParameterSpec('secp256r1'))
        def w = ((ECPublicKey) g.generateKeyPair().public).w
        // a coordinate as 32 big-endian bytes: BigInteger gives 33 with a sign byte, or fewer when it is small (1 in 256)
        def fixed = { BigInteger v ->
            byte[] b = v.toByteArray(), out = new byte[32]
            int n = Math.min(32, b.length)
            System.arraycopy(b, b.length - n, out, 32 - n, n)
            out
        }
        new TpmPublic(TpmAlg.SHA256, 0x30072, new byte[0], new PublicParameters.Ecc(SymDefObject.AES_128_CFB, TpmScheme.NULL, TpmAlg.ECC_NIST_P256,
                TpmScheme.NULL, new EccPoint(fixed(w.affineX), fixed(w.affineY))))
    }

    def "a sealed key file round-trips and has secboot's header: USK\$, version 2, stripes = 128 KiB / len + 1, SHA-256"() {
        given:
        def f = SecbootKeySealer.seal(eccSrk(), 'sixteen byte key'.bytes, PcrSelection.parse('sha256:7'), new byte[32], new SecureRandom())

        when:
        byte[] bytes = f.toBytes(Entropy.secure())
        def b = ByteBuffer.wrap(bytes)
        int magic = b.getInt(), version = b.getInt(), stripes = b.getInt()
        int hash = Short.toUnsignedInt(b.getShort())
        int size = b.getInt()
        def back = SecbootSealedKeyFile.read(bytes, 'key')

        then:
        magic == 0x55534b24 && version == 2 && hash == 0x000B
        stripes == (128 * 1024).intdiv(f.keyData().length) + 1
        size == f.keyData().length * stripes
        bytes.length == 18 + size
        back.keyData() == f.keyData()
        back.pcrPolicyCounterHandle() == 0x40000007
        back.orData().size() == 1 && back.orData()[0].next() == 0 && back.orData()[0].digests().size() == 2
        back.sealedPublic().attributes() == 0
        back.sealedPublic().authPolicy() == f.sealedPublic().authPolicy()
    }

    def "a damaged file is refused in one line naming it: #damage"() {
        given:
        byte[] good = SecbootKeySealer.seal(eccSrk(), 'k'.bytes, PcrSelection.parse('sha256:7'), new byte[32], new SecureRandom()).toBytes(Entropy.secure())
        byte[] bad = good.clone()
        if (damage == 'magic') bad[0] = 0
        if (damage == 'version') bad[7] = 1
        if (damage == 'truncated') bad = Arrays.copyOf(good, good.length - 1)

        when:
        SecbootSealedKeyFile.read(bad, 'esp/key')

        then:
        def e = thrown(RecipeException)
        e.message.startsWith('esp/key: not a secboot sealed key file: ' + message)
        e.message.readLines().size() == 1

        where:
        damage      | message
        'magic'     | 'magic is 0x00534b24'
        'version'   | 'version 1 is not supported'
        'truncated' | ''
    }
}
