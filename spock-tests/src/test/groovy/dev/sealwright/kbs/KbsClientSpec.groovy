package dev.sealwright.kbs

import dev.sealwright.tools.NativeHelpers
import dev.sealwright.testkit.Repo
import spock.lang.AutoCleanup
import spock.lang.Specification
import spock.lang.TempDir

import java.net.InetSocketAddress
import java.nio.file.Files
import java.nio.file.Path
import java.nio.file.attribute.PosixFilePermissions
import java.util.concurrent.TimeUnit

/**
 * The static C kbs-client (guest side) against the Java broker over loopback, with SIMULATED TDX
 * quotes from the SIMULATED quote service: the secret lands in a 0400 file; refusals are reported
 * with the broker's reason; nothing secret is printed.
 */
class KbsClientSpec extends Specification {
    @TempDir
    Path dir
    @AutoCleanup
    KbsFixture kbs

    def setup() {
        kbs = new KbsFixture(dir)
    }

    Map run(String... args) {
        def p = new ProcessBuilder([NativeHelpers.path('kbs-client').toString()] + args.toList()).redirectErrorStream(true).start()
        String out = p.inputStream.text
        assert p.waitFor(120, TimeUnit.SECONDS)
        [exit: p.exitValue(), out: out]
    }

    def "fetches the secret into a 0400 file and prints no secret"() {
        given:
        def out = dir.resolve('run/sealwright/kbs/luks-root')

        when:
        def r = run('--url', kbs.server.url().toString(), '--resource', 'luks-root', '--out', out.toString(),
                '--simulated-quote-url', kbs.quotes.url().toString())

        then:
        r.exit == 0
        r.out == "kbs-client: ok resource=luks-root bytes=${KbsFixture.SECRET.length()} file=${out} (SIMULATED quote)\n".toString()
        Files.readString(out) == KbsFixture.SECRET
        PosixFilePermissions.toString(Files.getPosixFilePermissions(out)) == 'r--------'
        kbs.audit()*.verdict == ['grant']

        when: 'a second fetch must not overwrite the key file'
        def again = run('--url', kbs.server.url().toString(), '--resource', 'luks-root', '--out', out.toString(),
                '--simulated-quote-url', kbs.quotes.url().toString())

        then:
        again.exit == 1
        again.out.contains("${out} exists; refusing to overwrite it")
        Files.readString(out) == KbsFixture.SECRET
    }

    def "the fetched key file unlocks a LUKS2 volume formatted with the broker's secret (cczoo flow, cryptsetup)"() {
        given: 'the host formats a volume with the passphrase it stores in secrets.json'
        def cryptsetup = Repo.requireTool('cryptsetup').toString()
        def image = dir.resolve('rootfs.img')
        Files.write(image, new byte[32 * 1024 * 1024])
        def pass = dir.resolve('host-pass')
        Files.writeString(pass, KbsFixture.SECRET)
        sh(cryptsetup, 'luksFormat', '--batch-mode', '--type', 'luks2', '--pbkdf', 'pbkdf2', '--pbkdf-force-iterations', '1000',
                '--key-file', pass.toString(), image.toString())
        def key = dir.resolve('run/kbs/luks-root')

        when: 'the guest fetches the key from the broker'
        def r = run('--url', kbs.server.url().toString(), '--resource', 'luks-root', '--out', key.toString(),
                '--simulated-quote-url', kbs.quotes.url().toString())

        then: 'cryptsetup accepts it for the volume'
        r.exit == 0
        sh(cryptsetup, 'open', '--test-passphrase', '--key-file', key.toString(), image.toString()) == 0
    }

    static int sh(String... cmd) {
        def p = new ProcessBuilder(cmd).redirectErrorStream(true).start()
        String out = p.inputStream.text
        assert p.waitFor(120, TimeUnit.SECONDS)
        assert p.exitValue() == 0: "${cmd.join(' ')}: ${out}"
        p.exitValue()
    }

    def "a refusal is reported with the broker's reason and leaves no file"() {
        given:
        def out = dir.resolve('key')

        when: 'the resource is unknown'
        def r1 = run('--url', kbs.server.url().toString(), '--resource', 'nope', '--out', out.toString(),
                '--simulated-quote-url', kbs.quotes.url().toString())

        then:
        r1.exit == 1
        r1.out.trim() == 'kbs-client: challenge: refused (404): unknown resource'
        !Files.exists(out)

        when: 'no evidence source is available (no configfs-tsm here, no SIMULATED service named)'
        def r2 = run('--url', kbs.server.url().toString(), '--resource', 'luks-root', '--out', out.toString(),
                '--tsm', dir.resolve('no-tsm').toString())

        then:
        r2.exit == 3
        r2.out.contains('no evidence: configfs-tsm:')
        !Files.exists(out)

        when: 'the broker is not there'
        def r3 = run('--url', 'http://127.0.0.1:1', '--resource', 'luks-root', '--out', out.toString(), '--retries', '0',
                '--simulated-quote-url', kbs.quotes.url().toString())

        then:
        r3.exit == 1
        r3.out.contains('cannot connect to 127.0.0.1:1')
    }

    def "a broker of the retired sealwright-kbs/v1 envelope is named in one line; nothing is decrypted or written"() {
        given: 'a stand-in for a v1 broker: its challenge reply has no "version"'
        def old = com.sun.net.httpserver.HttpServer.create(new InetSocketAddress('127.0.0.1', 0), 0)
        old.createContext('/kbs/v0/challenge') { ex ->
            byte[] body = '{"expires":"2030-01-01T00:00:00Z","nonce":"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=","report_data":"sha512(nonce || tee_pubkey)"}'.bytes
            ex.sendResponseHeaders(200, body.length)
            ex.responseBody.withCloseable { it.write(body) }
        }
        old.start()
        def out = dir.resolve('key')

        when:
        def r = run('--url', "http://127.0.0.1:${old.address.port}".toString(), '--resource', 'luks-root', '--out', out.toString(),
                '--simulated-quote-url', kbs.quotes.url().toString())

        then:
        r.exit == 1
        r.out == 'kbs-client: challenge: the broker\'s reply names no "version" (a broker of the retired sealwright-kbs/v1 envelope?): ' +
                'this kbs-client speaks sealwright-kbs/2\n'
        !Files.exists(out)

        cleanup:
        old?.stop(0)
    }

    def "a TD with DEBUG on is refused: the reason comes back to the guest"() {
        given:
        kbs.close()
        kbs = new KbsFixture(dir, [trust_simulated: true], [:], true)
        def out = dir.resolve('key')

        when:
        def r = run('--url', kbs.server.url().toString(), '--resource', 'luks-root', '--out', out.toString(),
                '--simulated-quote-url', kbs.quotes.url().toString())

        then:
        r.exit == 1
        r.out.trim() == 'kbs-client: attest: refused (403): policy: TD has DEBUG set and debug is not allowed'
        !Files.exists(out)
        kbs.audit().last().reason == 'policy: TD has DEBUG set and debug is not allowed'
    }
}
