package dev.sealwright.kbs

import dev.sealwright.testkit.Repo
import spock.lang.Shared
import spock.lang.Specification

import javax.crypto.AEADBadTagException
import java.nio.file.Files
import java.nio.file.Path
import java.security.SecureRandom
import java.security.interfaces.ECPrivateKey
import java.util.concurrent.TimeUnit

/**
 * The two HPKE implementations of the key broker side by side: the C one of kbs-client (hpke.h on
 * OpenSSL 3.0 primitives, driven through the test-only native-helpers/test/hpke_tool) seals and the
 * broker's Bouncy Castle one opens, and the other way round, for empty to 16 KiB messages with random
 * info and AAD. The full broker exchange with the static kbs-client is KbsClientSpec.
 */
class HpkeInteropSpec extends Specification {
    static final HexFormat HEX = HexFormat.of()
    static final SecureRandom RANDOM = new SecureRandom()
    @Shared
    Path tool = Repo.path('native-helpers/target/native/test/hpke_tool')

    def setupSpec() {
        assert Files.isExecutable(tool): "${tool} is missing: it is built by the native-helpers module's make check (mvn -pl spock-tests -am verify builds it)"
    }

    static byte[] random(int n) {
        byte[] b = new byte[n]
        RANDOM.nextBytes(b)
        b
    }

    Map run(String... args) {
        def p = new ProcessBuilder([tool.toString()] + args.toList()).start()
        String out = p.inputStream.text
        String err = p.errorStream.text
        assert p.waitFor(60, TimeUnit.SECONDS)
        [exit: p.exitValue(), out: out.trim(), err: err.trim()]
    }

    def "C seals, Java opens: #size bytes"() {
        given:
        def tee = SecretEnvelope.newKeyPair()
        byte[] info = random(40), aad = random(size % 7), pt = random(size)

        when:
        def r = run('seal', HEX.formatHex(SecretEnvelope.encodePoint(tee.public)), HEX.formatHex(info), HEX.formatHex(aad), HEX.formatHex(pt))
        def (enc, ct) = r.out.split(' ').collect { HEX.parseHex(it) }

        then:
        r.exit == 0
        SecretEnvelope.openBase(tee.private, enc, info, aad, ct) == pt

        when: 'one ciphertext bit changed'
        ct[ct.length - 1] ^= 1
        SecretEnvelope.openBase(tee.private, enc, info, aad, ct)

        then:
        thrown(AEADBadTagException)

        where:
        size << [0, 1, 33, 16384] // argv strings are at most 128 KiB: 16 KiB is 32 KiB of hex
    }

    def "Java seals, C opens: #size bytes; other info or a changed byte does not open"() {
        given:
        def tee = SecretEnvelope.newKeyPair()
        String sk = HEX.formatHex(org.bouncycastle.util.BigIntegers.asUnsignedByteArray(32, ((ECPrivateKey) tee.private).s))
        String pk = HEX.formatHex(SecretEnvelope.encodePoint(tee.public))
        byte[] info = random(17), aad = random(size % 5), pt = random(size)
        def env = SecretEnvelope.sealBase(SecretEnvelope.encodePoint(tee.public), info, aad, pt)
        String enc = HEX.formatHex(env.enc()), ct = HEX.formatHex(env.ciphertext())

        expect:
        run('open', sk, pk, enc, HEX.formatHex(info), HEX.formatHex(aad), ct) == [exit: 0, out: HEX.formatHex(pt), err: '']
        run('open', sk, pk, enc, HEX.formatHex(random(17)), HEX.formatHex(aad), ct) == [exit: 1, out: '', err: 'hpke_tool: does not authenticate']
        run('open', sk, pk, enc, HEX.formatHex(info), HEX.formatHex(aad), flip(ct)).exit == 1

        where:
        size << [0, 1, 33, 16384] // argv strings are at most 128 KiB: 16 KiB is 32 KiB of hex
    }

    def "the broker's envelope (info binding protocol, resource and nonce) opens in C with the info layout of kbs.h"() {
        given:
        def tee = SecretEnvelope.newKeyPair()
        String sk = HEX.formatHex(org.bouncycastle.util.BigIntegers.asUnsignedByteArray(32, ((ECPrivateKey) tee.private).s))
        byte[] nonce = random(32)
        def env = SecretEnvelope.seal(SecretEnvelope.encodePoint(tee.public), nonce, 'luks-root', 'the key'.bytes)
        String info = HEX.formatHex('sealwright-kbs/2'.bytes) + '0009' + HEX.formatHex('luks-root'.bytes) + HEX.formatHex(nonce)

        expect:
        run('open', sk, HEX.formatHex(SecretEnvelope.encodePoint(tee.public)), HEX.formatHex(env.enc()), info, '',
                HEX.formatHex(env.ciphertext())).out == HEX.formatHex('the key'.bytes)
    }

    static String flip(String hex) {
        byte[] b = HEX.parseHex(hex)
        b[0] ^= 0x80
        HEX.formatHex(b)
    }
}
