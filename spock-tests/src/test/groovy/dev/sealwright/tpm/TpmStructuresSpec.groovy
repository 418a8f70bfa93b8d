package dev.sealwright.tpm

import dev.sealwright.base.RecipeException
import dev.sealwright.testkit.Swtpm
import spock.lang.AutoCleanup
import spock.lang.Shared
import spock.lang.Specification

import java.nio.file.Files
import java.security.SecureRandom

/** One feature group per codec: real tool output decodes and re-encodes to the same bytes; bad input is named. */
class TpmStructuresSpec extends Specification {
    @Shared @AutoCleanup Swtpm tpm = new Swtpm()

    static String hex(byte[] b) { HexFormat.of().formatHex(b) }

    static byte[] unhex(String s) { HexFormat.of().parseHex(s.replace(' ', '')) }

    def "TPM2B_PUBLIC of a #alg SRK from tpm2_readpublic decodes, re-encodes byte for byte, and has the TPM's Name"() {
        given:
        tpm.ok('tpm2_createprimary', '-C', 'o', '-G', alg, '-c', 'primary.ctx')
        tpm.ok('tpm2_readpublic', '-c', 'primary.ctx', '-o', "${alg}.pub", '-n', "${alg}.name")
        tpm.flush()
        byte[] bytes = Files.readAllBytes(tpm.dir.resolve("${alg}.pub"))

        when:
        def pub = TpmPublic.fromSizedBytes(bytes)

        then:
        pub.toSizedBytes() == bytes
        hex(pub.name()) == hex(Files.readAllBytes(tpm.dir.resolve("${alg}.name")))
        pub.type() == type
        pub.nameAlg() == TpmAlg.SHA256
        pub.attributes() == 0x00030072
        pub.authPolicy().length == 0
        pub.parameters().symmetric() == SymDefObject.AES_128_CFB
        check(pub.parameters())

        where:
        alg   | type         | check
        'rsa' | TpmAlg.RSA   | { PublicParameters.Rsa p -> p.keyBits() == 2048 && p.exponent() == 0 && p.modulus().length == 256 && p.scheme() == TpmScheme.NULL }
        'ecc' | TpmAlg.ECC   | { PublicParameters.Ecc p -> p.curveId() == TpmAlg.ECC_NIST_P256 && p.point().x().length == 32 && p.kdf() == TpmScheme.NULL }
    }

    def "TPM2B_PUBLIC of a keyedHash object created by the TPM round-trips with its Name"() {
        given: 'a sealed data object made by tpm2_create (policy and data chosen by the TPM tools)'
        tpm.ok('tpm2_createprimary', '-C', 'o', '-c', 'primary.ctx')
        tpm.flush() // a saved context reloads on each use; without a resource manager only 3 objects fit
        Files.write(tpm.dir.resolve('data.bin'), 'sealed by the TPM'.bytes)
        tpm.ok('tpm2_create', '-C', 'primary.ctx', '-i', 'data.bin', '-u', 'obj.pub', '-r', 'obj.priv')
        tpm.flush()
        tpm.ok('tpm2_load', '-C', 'primary.ctx', '-u', 'obj.pub', '-r', 'obj.priv', '-n', 'obj.name', '-c', 'obj.ctx')
        tpm.flush()
        byte[] bytes = Files.readAllBytes(tpm.dir.resolve('obj.pub'))
        byte[] priv = Files.readAllBytes(tpm.dir.resolve('obj.priv'))

        when:
        def pub = TpmPublic.fromSizedBytes(bytes)

        then:
        pub.type() == TpmAlg.KEYEDHASH
        pub.toSizedBytes() == bytes
        hex(pub.name()) == hex(Files.readAllBytes(tpm.dir.resolve('obj.name')))
        TpmPrivate.fromSizedBytes(priv).toSizedBytes() == priv
    }

    def "TPML_PCR_SELECTION encodes #spec as #expected and decodes back"() {
        when:
        def sel = PcrSelection.parse(spec)

        then:
        hex(sel.toBytes()) == expected.replace(' ', '')
        PcrSelection.fromBytes(unhex(expected)).toString() == spec

        where: 'bytes from the spec (fde-vtpm.md 3.2, verified against tpm2-tools)'
        spec                  | expected
        'sha256:7'            | '00000001 000b 03 800000'
        'sha256:11'           | '00000001 000b 03 000800'
        'sha256:4,7'          | '00000001 000b 03 900000'
        'sha256:7+sha1:0,23'  | '00000002 000b 03 800000 0004 03 010080'
    }

    def "a PCR selection '#spec' is refused with '#message'"() {
        when:
        PcrSelection.parse(spec)

        then:
        def e = thrown(RecipeException)
        e.message.contains(message)

        where:
        spec          | message
        '7'           | 'expected BANK:PCR'
        'sha256:'     | 'expected BANK:PCR'
        'md5:7'       | "unknown PCR bank / hash 'md5'"
        'sha256:x'    | "'x' is not a PCR number"
        'sha256:24'   | 'PCR index 24 out of range'
    }

    def "TPMT_SENSITIVE, TPM2B_PRIVATE, TPM2B_ENCRYPTED_SECRET and TPMS_ECC_POINT round-trip"() {
        given:
        def rnd = new SecureRandom()
        byte[] seed = new byte[32], data = new byte[16], x = new byte[32], y = new byte[32]
        [seed, data, x, y].each { rnd.nextBytes(it) }

        expect:
        def s = new TpmSensitive(TpmAlg.KEYEDHASH, new byte[0], seed, data)
        def back = TpmSensitive.fromSizedBytes(s.toSizedBytes())
        back.sensitiveType() == TpmAlg.KEYEDHASH && back.seedValue() == seed && back.sensitive() == data && back.authValue().length == 0
        s.toSizedBytes().length == 2 + 2 + 2 + 2 + 32 + 2 + 16
        !s.toString().contains(hex(data))

        def dup = TpmPrivate.duplicate(seed, data)
        TpmPrivate.fromSizedBytes(dup.toSizedBytes()).outerHmac() == seed
        TpmPrivate.fromSizedBytes(dup.toSizedBytes()).encryptedSensitive() == data

        def point = new EccPoint(x, y)
        EccPoint.fromBytes(point.toBytes()).x() == x && EccPoint.fromBytes(point.toBytes()).y() == y
        def secret = new EncryptedSecret(point.toBytes())
        EncryptedSecret.fromSizedBytes(secret.toSizedBytes()).secret() == point.toBytes()
        secret.toSizedBytes().length == 70
    }

    def "a damaged SRK public file is refused naming the file and the field"() {
        given:
        def f = tpm.dir.resolve("bad-${name}.pub")
        Files.write(f, unhex(bytes))

        when:
        SealedFiles.readPublic(f)

        then:
        def e = thrown(RecipeException)
        e.message.startsWith("${f}: not a TPM2B_PUBLIC")
        e.message.contains(message)

        where:
        name        | bytes                                         | message
        'empty'     | ''                                            | 'truncated: TPM2B_PUBLIC size'
        'truncated' | '0010 0001 000b'                              | 'truncated: TPM2B_PUBLIC'
        'type'      | '000a 0099 000b 00000000 0000'                | 'unsupported object type 0x0099'
        'trailing'  | '000e 0008 000b 00000000 0000 0010 0000 ff'   | '1 unexpected trailing bytes'
    }

    def "tpm seal refuses a parent that is not a storage key"() {
        given:
        def signer = TpmPublic.fromSizedBytes(unhex('0016 0001 000b 00060040 0000 0010 0010 0800 00000000 0000'))

        when:
        OfflineSeal.seal(signer, new byte[16], new byte[32], new SecureRandom())

        then:
        def e = thrown(TpmFormatException)
        e.message.contains('not those of a storage key')
    }
}
