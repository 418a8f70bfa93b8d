package dev.sealwright.enroll.quex

import dev.sealwright.base.RecipeException
import dev.sealwright.testkit.Repo
import spock.lang.Specification
import spock.lang.TempDir

import java.nio.file.Files
import java.nio.file.Path
import java.security.MessageDigest
import java.security.SecureRandom

/**
 * The quex enrollment codecs and crypto against the quex-pack known-answer vector
 * (../shared/fixtures/quex/quex-pack, expected values from its README section E-20 and key_test.c).
 */
class QuexProtocolSpec extends Specification {
    @TempDir
    Path dir

    static final HexFormat HEX = HexFormat.of()
    // E-20: TD ephemeral private key (mbedtls CTR_DRBG with zero entropy, pers "quex_init\0"), and the asserted results
    static final String TD_EPHEMERAL = '3103c6b1e9ebe98c46b1f169e68ee3034733dea1651f7d0400de7fc1c8f09c9c'
    static final String SECRET = '1ce6ca8f269a7b09defe608e1cd92959f752be0c9dd1cd5424e783d8c4f7d1ab'
    static final String TD_PUBLIC = '9f4681953cb9b53e1a6c90f3e64b5f3841aff3376051168a70bc9500fcf495ec079df19bde642a7a5692ca20a80eaad0f023966ea372e7f15ae6020f532d3ee7'

    byte[] fixture(String name) { Files.readAllBytes(Repo.fixture("quex/quex-pack/${name}")) }

    def "the fixture TD report parses with the fields E-20 lists and consistent SHA-384 hashes"() {
        when:
        def r = TdReport.parse(fixture('report.dat'), 'report.dat')

        then:
        HEX.formatHex(r.mrTd()) == '91eb2b44d141d4ece09f0c75c2c53d247a3c68edd7fafe8a3520c942a604a407de03ae6dc5f87f27428b2538873118b7'
        HEX.formatHex(r.rtmr(0)) == 'ae2f7878f398f756d181aebe8c0199d07d55369e1260d6dc358c240af99a22e4f3133d5d3e29e11d6a5ea7c1c348122f'
        HEX.formatHex(r.rtmr(1)) == 'f7962da399c5017b272419e01dbc4e2b37650baece0ccc50afb88d4f65cfe79db261059dd1579ad77efc2f6ddc7ecced'
        HEX.formatHex(r.rtmr(3)) == '00' * 48
        HEX.formatHex(r.attributes()) == '0000001000000000'
        HEX.formatHex(r.xfam()) == 'e702060000000000'
        HEX.formatHex(r.cpuSvn()) == '0202191b03ff00060000000000000000'
        HEX.formatHex(r.reportData()) == 'ff3e3a692b661959174ed321374bdbe040583bd57b2c720d9b1eb5c1426e944386b0edebd9c222a31141a5591a4058e8f59eecb696379c25665e38eaee142acd'
        r.hashesConsistent()
    }

    def "the TD's ephemeral public key is its REPORTDATA, raw X‖Y"() {
        expect:
        QuexCrypto.publicKey(HEX.parseHex(TD_EPHEMERAL)) == TdReport.parse(fixture('report.dat'), 'r').reportData()
    }

    def "the vault response decodes, echoes mask and report, is bound by the vault quote, and decrypts to the known key"() {
        given:
        def msgBytes = fixture('key_msg.dat')
        def quote = fixture('quote.dat')

        when:
        def msg = TdResponseMessage.decode(msgBytes, 'key_msg.dat')
        def secret = QuexCrypto.decrypt(HEX.parseHex(TD_EPHEMERAL), msg)

        then:
        msg.encode() == msgBytes
        KeyRequestMask.decode(msg.mask()) == KeyRequestMask.DEFAULT
        msg.report() == fixture('report.dat')
        // SGX quote v3: ISV report body at 48, its report_data at body offset 320
        Arrays.copyOfRange(quote, 48 + 320, 48 + 352) == MessageDigest.getInstance('SHA-256').digest(msgBytes)
        HEX.formatHex(secret) == SECRET
        HEX.formatHex(QuexCrypto.publicKey(secret)) == TD_PUBLIC
    }

    def "a tampered response or the wrong TD key does not decrypt"() {
        given:
        def bytes = fixture('key_msg.dat')
        bytes[bytes.length - 1] ^= 1

        when:
        QuexCrypto.decrypt(HEX.parseHex(TD_EPHEMERAL), TdResponseMessage.decode(bytes, 'k'))

        then:
        def e = thrown(RecipeException)
        e.message.contains('GCM tag mismatch')

        when:
        QuexCrypto.decrypt(QuexCrypto.newPrivateKey(new SecureRandom()), TdResponseMessage.decode(fixture('key_msg.dat'), 'k'))

        then:
        thrown(RecipeException)
    }

    def "the default mask keeps CPUSVN, TCB SVN, attributes, XFAM, MRTD, RTMR0 and RTMR1 and zeroes the rest"() {
        given:
        def report = fixture('report.dat')
        def masked = TdReport.parse(KeyRequestMask.DEFAULT.apply(report).with { it[0] = (byte) 0x81; it }, 'm')

        expect:
        KeyRequestMask.DEFAULT.encode() == HEX.parseHex('04030000c70000')
        masked.cpuSvn() == TdReport.parse(report, 'r').cpuSvn()
        masked.mrTd() == TdReport.parse(report, 'r').mrTd()
        masked.rtmr(1) == TdReport.parse(report, 'r').rtmr(1)
        masked.reportData() == new byte[64]
        masked.rtmr(2) == new byte[48]
        KeyRequestMask.DEFAULT.apply(report)[0] == 0 as byte      // report_type is not kept by the default mask
    }

    def "the software vault answers a request so that only the requesting TD key decrypts it, deterministically per masked report"() {
        given:
        def seed = dir.resolve('seed.dat')
        SoftwareVault.initSeed(seed, false)
        def vault = SoftwareVault.fromSeedFile(seed)
        def tdKey = QuexCrypto.newPrivateKey(new SecureRandom())
        def report = fixture('report.dat')
        System.arraycopy(QuexCrypto.publicKey(tdKey), 0, report, 128, 64)
        def request = TdKeyRequest.decode((HEX.parseHex('04030000c70000').toList() + report.toList()) as byte[], 'req')

        when:
        def secret1 = QuexCrypto.decrypt(tdKey, vault.respond(request))
        def secret2 = QuexCrypto.decrypt(tdKey, TdResponseMessage.decode(vault.respond(request).encode(), 'again'))
        def otherRtmr1 = report.clone()
        otherRtmr1[512 + 256] ^= 1
        def secret3 = vault.derive(TdKeyRequest.decode((HEX.parseHex('04030000c70000').toList() + otherRtmr1.toList()) as byte[], 'x'))

        then:
        secret1 == secret2
        secret1 != secret3
        java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(seed)) == 'rw-------'

        when: 'a seed is never overwritten by accident'
        SoftwareVault.initSeed(seed, false)

        then:
        def e = thrown(RecipeException)
        e.message.endsWith('already exists: a vault seed is never overwritten (its keys would be lost); use --force to replace it')
    }

    def "wrong sizes are refused with the file named"() {
        when:
        TdKeyRequest.decode(new byte[1030], 'key_req.dat')

        then:
        def e = thrown(RecipeException)
        e.message == 'key_req.dat: a quex key request is 1031 bytes, got 1030'
    }

    def "vault init and respond work from the command line and refuse to overwrite a seed"() {
        given:
        def seed = dir.resolve('seed.dat')
        def tdKey = QuexCrypto.newPrivateKey(new SecureRandom())
        def report = fixture('report.dat')
        System.arraycopy(QuexCrypto.publicKey(tdKey), 0, report, 128, 64)
        Files.write(dir.resolve('key_req.dat'), (HEX.parseHex('04030000c70000').toList() + report.toList()) as byte[])

        when:
        def init = dev.sealwright.testkit.Cli.run('vault', 'init', '--seed', seed.toString())
        def again = dev.sealwright.testkit.Cli.run('vault', 'init', '--seed', seed.toString())
        def respond = dev.sealwright.testkit.Cli.run('vault', 'respond', '--seed', seed.toString(), '--request', dir.resolve('key_req.dat').toString(),
                '--out', dir.resolve('key_msg.dat').toString())

        then:
        init.exitCode == 0
        again.exitCode == 1
        again.err.contains('already exists: a vault seed is never overwritten')
        respond.exitCode == 0
        QuexCrypto.decrypt(tdKey, TdResponseMessage.decode(Files.readAllBytes(dir.resolve('key_msg.dat')), 'k')).length == 32

        when: 'with a SIMULATED identity the vault also writes quote.dat, committing to key_msg.dat'
        def withQuote = dev.sealwright.testkit.Cli.run('vault', 'init', '--seed', dir.resolve('seed2.dat').toString(), '--sim-identity', dir.resolve('ident').toString())
        def r2 = dev.sealwright.testkit.Cli.run('vault', 'respond', '--seed', dir.resolve('seed2.dat').toString(), '--request', dir.resolve('key_req.dat').toString(),
                '--out', dir.resolve('key_msg2.dat').toString(), '--quote-out', dir.resolve('quote2.dat').toString(), '--sim-identity', dir.resolve('ident').toString())
        def q = Files.readAllBytes(dir.resolve('quote2.dat'))

        then:
        withQuote.exitCode == 0
        r2.exitCode == 0
        Arrays.copyOfRange(q, 48 + 320, 48 + 352) == MessageDigest.getInstance('SHA-256').digest(Files.readAllBytes(dir.resolve('key_msg2.dat')))
        Arrays.copyOfRange(q, 48 + 64, 48 + 96) == SimulatedSgxIdentity.mrEnclave()
    }
}
