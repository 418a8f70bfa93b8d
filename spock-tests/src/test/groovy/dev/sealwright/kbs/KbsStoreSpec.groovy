package dev.sealwright.kbs

import dev.sealwright.base.RecipeException
import spock.lang.Specification
import spock.lang.TempDir

import java.nio.charset.StandardCharsets
import java.nio.file.Files
import java.nio.file.Path
import java.nio.file.attribute.PosixFilePermissions
import java.sql.DriverManager
import java.time.Instant

/** The embedded H2 store on its own: state survives a restart, secrets are sealed at rest under a KEK kept out of the database, policy versions. */
class KbsStoreSpec extends Specification {
    @TempDir
    Path dir

    static final byte[] KEK = ('11' * 32).decodeHex(), OTHER_KEK = ('22' * 32).decodeHex()
    static final String SECRET = 'a secret that must never be stored in clear'

    KbsSecrets secrets() {
        Path f = dir.resolve('secrets.json')
        Files.writeString(f, groovy.json.JsonOutput.toJson([root: SECRET]))
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString('rw-------'))
        KbsSecrets.read(f)
    }

    def "a challenge issued before a restart is consumed once after it; the secret opens only under its KEK and is not in the file in clear"() {
        given:
        String spec = "h2:${dir.resolve('broker')}"
        def now = Instant.now()
        byte[] pub = SecretEnvelope.encodePoint(SecretEnvelope.newKeyPair().public)

        when: 'secrets stored and a challenge issued, then the store closed and opened again (a restart)'
        def c
        KbsStore.open(spec, KEK, 'a').withCloseable { s ->
            s.putSecrets(secrets(), now)
            c = s.issue('root', 'tdx', pub, now, now.plusSeconds(60), 10)
        }
        def reopened = KbsStore.open(spec, KEK, 'b')
        def consumed = reopened.consume(c.nonce(), now.plusSeconds(1))
        reopened.consume(c.nonce(), now.plusSeconds(2))

        then:
        consumed.resource() == 'root'
        consumed.teePublicKey() == pub
        def replay = thrown(KbsRefusal)
        replay.status() == 401
        replay.message == 'nonce already used (replay)'
        new String(reopened.secret('root'), StandardCharsets.UTF_8) == SECRET

        when: 'the database file is read as bytes, and the store opened with another KEK'
        reopened.close()
        byte[] file = Files.readAllBytes(dir.resolve('broker.mv.db'))
        def wrongKek = KbsStore.open(spec, OTHER_KEK, 'c')
        wrongKek.secret('root')

        then: 'neither the secret nor the KEK is in the file; the other KEK is refused in one line naming both key ids'
        !new String(file, StandardCharsets.ISO_8859_1).contains(SECRET)
        !new String(file, StandardCharsets.ISO_8859_1).contains(HexFormat.of().formatHex(KEK))
        Collections.indexOfSubList(file as List, KEK as List) < 0
        def e = thrown(RecipeException)
        e.message == "kbs store: the secret of \"root\" is sealed under key-encryption key ${HexFormat.of().formatHex(KbsStore.sha256(KEK), 0, 8)}, not this broker's ${HexFormat.of().formatHex(KbsStore.sha256(OTHER_KEK), 0, 8)}".toString()

        cleanup:
        wrongKek?.close()
    }

    def "an expired nonce is refused as expired, a second time too; an unknown one as unknown"() {
        given:
        def s = KbsStore.open("h2:${dir.resolve('broker')}", KEK, 'a')
        def now = Instant.now()
        def c = s.issue('root', 'tdx', new byte[65], now, now.plusSeconds(30), 10)

        when:
        s.consume(c.nonce(), now.plusSeconds(31))
        then:
        def e1 = thrown(KbsRefusal)
        e1.message == "nonce expired at ${c.expires()}".toString()

        when:
        s.consume(c.nonce(), now.plusSeconds(1))
        then:
        def e2 = thrown(KbsRefusal)
        e2.message == "nonce expired at ${c.expires()}".toString()

        when:
        s.consume(new byte[32], now)
        then:
        def e3 = thrown(KbsRefusal)
        e3.status() == 401
        e3.message == 'unknown nonce (not issued by this broker)'

        when: 'the outstanding-challenge limit'
        s.issue('root', 'tdx', new byte[65], now, now.plusSeconds(30), 1)
        s.issue('root', 'tdx', new byte[65], now, now.plusSeconds(30), 1)
        then:
        def e4 = thrown(KbsRefusal)
        e4.status() == 503

        cleanup:
        s?.close()
    }

    def "policy versions: numbered in order of first use, the last one put in force is in force"() {
        given:
        def s = KbsStore.open("h2:${dir.resolve('broker')}", KEK, 'a')
        def now = Instant.now()

        expect:
        s.policyInForce() == 0
        s.putPolicyInForce('aa' * 32, now) == 1
        s.putPolicyInForce('bb' * 32, now) == 2
        s.policyInForce() == 2
        s.putPolicyInForce('aa' * 32, now) == 1
        s.policyInForce() == 1

        cleanup:
        s?.close()
    }

    def "a --store value that is neither h2:PATH nor a JDBC URL, and an unreachable PostgreSQL, are one line each"() {
        when:
        KbsStore.open('postgres://x', KEK, 'a')
        then:
        def e = thrown(RecipeException)
        e.message == '--store postgres://x: expected h2:PATH or a JDBC URL (jdbc:postgresql://HOST:PORT/DB?user=…)'

        when: 'a loopback port nobody listens on'
        int port = new ServerSocket(0).withCloseable { it.localPort }
        KbsStore.open("jdbc:postgresql://127.0.0.1:${port}/kbs?user=x&password=hunter2", KEK, 'a')
        then:
        def f = thrown(RecipeException)
        f.message.startsWith("kbs store jdbc:postgresql://127.0.0.1:${port}/kbs?…: cannot connect: ".toString())
        !f.message.contains('hunter2')
        f.message.lines().count() == 1
    }
}
