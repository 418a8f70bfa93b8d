package dev.sealwright.kbs

import dev.sealwright.testkit.Cli
import dev.sealwright.testkit.Repo
import spock.lang.Specification
import spock.lang.TempDir

import javax.net.ssl.SSLContext
import javax.net.ssl.TrustManagerFactory
import java.nio.charset.StandardCharsets
import java.nio.file.Files
import java.nio.file.Path
import java.nio.file.attribute.PosixFilePermissions
import java.security.KeyStore
import java.security.cert.CertificateFactory
import java.util.concurrent.TimeUnit

/** {@code sealwright kbs serve}: start-up refusals as one line, and HTTPS with an openssl-made certificate and key. */
class KbsCliSpec extends Specification {
    @TempDir
    Path dir

    def setup() {
        Files.writeString(dir.resolve('policy.json'), groovy.json.JsonOutput.toJson([
                tdx: [collateral: 'collateral.json', trust_simulated: true], resources: ['luks-root': [tee: 'tdx', mrtd: KbsFixture.MRTD]]]))
        Files.writeString(dir.resolve('secrets.json'), '{"luks-root": "' + KbsFixture.SECRET + '"}')
    }

    def "a group-readable secrets file stops kbs serve with one line"() {
        given:
        Files.setPosixFilePermissions(dir.resolve('secrets.json'), PosixFilePermissions.fromString('rw-r-----'))

        when:
        def r = Cli.run('kbs', 'serve', '--policy', dir.resolve('policy.json').toString(), '--secrets', dir.resolve('secrets.json').toString())

        then:
        r.exitCode == 1
        r.err.trim() == "${dir.resolve('secrets.json')}: secrets file has mode rw-r-----; it must be 0600 (chmod 600 ${dir.resolve('secrets.json')})".toString()
    }

    def "a policy naming a missing collateral file stops kbs serve with one line naming it"() {
        given:
        Files.setPosixFilePermissions(dir.resolve('secrets.json'), PosixFilePermissions.fromString('rw-------'))

        when:
        def r = Cli.run('kbs', 'serve', '--policy', dir.resolve('policy.json').toString(), '--secrets', dir.resolve('secrets.json').toString())

        then:
        r.exitCode == 1
        r.err.trim().lines().count() == 1
        r.err.contains(dir.resolve('collateral.json').toString())
    }

    def "kbs serve --store: no key-encryption key is a usage error, a loose KEK file one line"() {
        given:
        Files.setPosixFilePermissions(dir.resolve('secrets.json'), PosixFilePermissions.fromString('rw-------'))
        Files.writeString(dir.resolve('kek'), '33' * 32)
        Files.setPosixFilePermissions(dir.resolve('kek'), PosixFilePermissions.fromString('rw-r--r--'))
        def args = ['kbs', 'serve', '--policy', dir.resolve('policy.json').toString(), '--secrets', dir.resolve('secrets.json').toString(),
                    '--store', "h2:${dir.resolve('state')}".toString()]

        when:
        def noKek = Cli.run(*args)
        def loose = Cli.run(*(args + ['--kek-file', dir.resolve('kek').toString()]))

        then:
        noKek.exitCode == 2
        noKek.err.readLines()[0] == 'sealwright: kbs serve: --store needs a key-encryption key: --kek-file FILE or $SEALWRIGHT_KBS_KEK'
        loose.exitCode == 1
        loose.err.trim() == "${dir.resolve('kek')}: key-encryption key file must be mode 0600 (chmod 600 ${dir.resolve('kek')})".toString()
        !Files.exists(dir.resolve('state.mv.db'))
    }

    def "kbs serve --store refuses a URL carrying a password on argv without echoing it; --store-file reads the URL from a file"() {
        given:
        Files.setPosixFilePermissions(dir.resolve('secrets.json'), PosixFilePermissions.fromString('rw-------'))
        Files.writeString(dir.resolve('kek'), '33' * 32)
        Files.setPosixFilePermissions(dir.resolve('kek'), PosixFilePermissions.fromString('rw-r--r--'))
        Files.writeString(dir.resolve('store.url'), "h2:${dir.resolve('state')}\n".toString())
        def args = ['kbs', 'serve', '--policy', dir.resolve('policy.json').toString(), '--secrets', dir.resolve('secrets.json').toString()]

        when:
        def onArgv = Cli.run(*(args + ['--store', 'jdbc:postgresql://127.0.0.1:1/kbs?user=kbs&password=hunter2-swordfish']))
        def fromFile = Cli.run(*(args + ['--store-file', dir.resolve('store.url').toString(), '--kek-file', dir.resolve('kek').toString()]))

        then:
        onArgv.exitCode == 2
        onArgv.err.readLines()[0] == 'sealwright: kbs serve: --store would put the database password on the command line: give the URL with --store-file FILE ("-" = stdin), or the password in ~/.pgpass'
        !(onArgv.err + onArgv.out).contains('hunter2-swordfish')
        and: 'the URL from the file reached the store: it is the loose KEK that stops it, as with --store'
        fromFile.exitCode == 1
        fromFile.err.trim() == "${dir.resolve('kek')}: key-encryption key file must be mode 0600 (chmod 600 ${dir.resolve('kek')})".toString()
    }

    def "kbs serve on a busy port says which address is in use, in one line; a bad port or limit is a usage error"() {
        given: 'a valid policy and secrets, and the port taken by another listener'
        Files.setPosixFilePermissions(dir.resolve('secrets.json'), PosixFilePermissions.fromString('rw-------'))
        def quotes = SimulatedQuoteService.start(new InetSocketAddress('127.0.0.1', 0), KbsFixture.hex(KbsFixture.MRTD), KbsFixture.rtmrs(), false)
        quotes.collateral().writeQvlJson(dir.resolve('collateral.json'))
        quotes.close()
        def busy = new ServerSocket(0, 50, InetAddress.getByName('127.0.0.1'))
        def args = ['kbs', 'serve', '--policy', dir.resolve('policy.json').toString(), '--secrets', dir.resolve('secrets.json').toString(),
                    '--audit-log', dir.resolve('audit.log').toString()]

        when:
        def r = Cli.run(*(args + ['--port', "${busy.localPort}".toString()]))

        then:
        r.exitCode == 1
        r.err.trim() == "kbs: cannot listen on 127.0.0.1:${busy.localPort}: Address already in use".toString()

        when:
        def badPort = Cli.run(*(args + ['--port', '70000']))
        def badLimit = Cli.run(*(args + ['--max-connections-per-address', '0']))

        then:
        badPort.exitCode == 2
        badPort.err.readLines()[0] == 'sealwright: kbs serve: --port 70000 is not a TCP port (0-65535)'
        badLimit.exitCode == 2
        badLimit.err.readLines()[0] == 'sealwright: kbs serve: --max-connections-per-address 0 must be at least 1'

        cleanup:
        busy?.close()
    }

    def "kbs serve over HTTPS with an openssl certificate grants to a SIMULATED quote, audit in the log file"() {
        given: 'a SIMULATED quote service (its collateral in the policy) and an EC certificate made by openssl'
        Repo.requireTool('openssl')
        Files.setPosixFilePermissions(dir.resolve('secrets.json'), PosixFilePermissions.fromString('rw-------'))
        def quotes = SimulatedQuoteService.start(new InetSocketAddress('127.0.0.1', 0), KbsFixture.hex(KbsFixture.MRTD), KbsFixture.rtmrs(), false)
        quotes.collateral().writeQvlJson(dir.resolve('collateral.json'))
        def openssl = new ProcessBuilder('openssl', 'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes',
                '-keyout', 'key.pem', '-out', 'cert.pem', '-days', '2', '-subj', '/CN=localhost', '-addext', 'subjectAltName=IP:127.0.0.1')
                .directory(dir.toFile()).redirectErrorStream(true).start()
        assert openssl.waitFor(60, TimeUnit.SECONDS) && openssl.exitValue() == 0
        // --port 0: the kernel chooses and the log says which (a port probed free and released could be taken before the broker binds it)
        def server = Cli.start(dir, 'kbs', 'serve', '--policy', 'policy.json', '--secrets', 'secrets.json', '--port', '0',
                '--tls-cert', 'cert.pem', '--tls-key', 'key.pem', '--audit-log', 'audit.log')

        when:
        def deadline = System.currentTimeMillis() + 120_000
        while (!Files.readString(dir.resolve('cli.log')).contains('kbs: listening on') && server.alive && System.currentTimeMillis() < deadline) sleep(200)
        def log = Files.readString(dir.resolve('cli.log'))
        def listening = log =~ /kbs: listening on https:\/\/127\.0\.0\.1:(\d+) /
        assert listening.find(): "the broker did not say where it listens: ${log}"
        int port = listening.group(1) as int
        def client = new KbsClient(URI.create("https://127.0.0.1:${port}"), trusting(dir.resolve('cert.pem')))
        byte[] secret = client.fetch('luks-root', 'tdx', { rd -> quotes.quote(rd) })

        then:
        log.contains("kbs: listening on https://127.0.0.1:${port} (resources: luks-root; nonce lifetime 60 s)")
        log.contains('SIMULATED: this policy trusts the SIMULATED test root')
        new String(secret, StandardCharsets.UTF_8) == KbsFixture.SECRET
        Files.readAllLines(dir.resolve('audit.log')).size() == 1
        Files.readString(dir.resolve('audit.log')).contains('"verdict":"grant"')

        cleanup:
        server?.destroy()
        server?.waitFor(30, TimeUnit.SECONDS)
        quotes?.close()
    }

    static SSLContext trusting(Path pem) {
        def ks = KeyStore.getInstance('PKCS12')
        ks.load(null, null)
        Files.newInputStream(pem).withCloseable { ks.setCertificateEntry('kbs', CertificateFactory.getInstance('X.509').generateCertificate(it)) }
        def tmf = TrustManagerFactory.getInstance(TrustManagerFactory.defaultAlgorithm)
        tmf.init(ks)
        def ctx = SSLContext.getInstance('TLS')
        ctx.init(null, tmf.trustManagers, null)
        ctx
    }
}
