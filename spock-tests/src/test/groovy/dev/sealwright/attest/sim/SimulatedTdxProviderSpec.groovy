package dev.sealwright.attest.sim

import dev.sealwright.attest.dcap.Collateral
import dev.sealwright.attest.dcap.Hex
import dev.sealwright.attest.dcap.IntelRootCa
import dev.sealwright.attest.dcap.Quote
import dev.sealwright.attest.dcap.QuoteRejectedException
import dev.sealwright.attest.dcap.QuoteVerifier
import dev.sealwright.attest.dcap.TcbStatus
import dev.sealwright.testkit.Cli
import groovy.json.JsonSlurper
import spock.lang.Shared
import spock.lang.Specification
import spock.lang.TempDir

import java.nio.file.Files
import java.nio.file.Path
import java.time.Duration
import java.time.Instant

/**
 * The SIMULATED provider: its quotes go through the same codec and verifier as the Intel samples,
 * are rejected unless the test root is explicitly trusted, and are labelled SIMULATED. Also the
 * place where revocation is exercised (no public sample has a revoked PCK).
 */
class SimulatedTdxProviderSpec extends Specification {
    static final Instant T0 = Instant.parse('2026-01-01T00:00:00Z')
    static final Instant AT = T0 + Duration.ofDays(1)

    @Shared
    def provider = new SimulatedTdxProvider(T0 - Duration.ofDays(1), T0 + Duration.ofDays(365))
    @Shared
    byte[] mrtd = (0..<48).collect { (byte) it } as byte[]
    @Shared
    byte[][] rtmrs = [new byte[48], new byte[48], new byte[48], (1..48).collect { (byte) 0x33 } as byte[]] as byte[][]

    @TempDir
    Path dir

    Quote quote() { provider.quote('nonce'.bytes, mrtd, rtmrs) }

    def trusting = new QuoteVerifier(IntelRootCa.pinned(), true)

    def "a simulated quote round-trips through the codec and verifies only when the test root is trusted"() {
        given:
        def q = quote()
        def c = provider.collateral(T0, T0 + Duration.ofDays(30), [])

        when:
        def parsed = Quote.read(q.toBytes(), 'sim')
        def v = trusting.verify(parsed, c, AT)

        then:
        parsed.toBytes() == q.toBytes()
        parsed.header().version() == 4
        new String(parsed.header().userData(), 'US-ASCII').startsWith('SIMULATED')
        parsed.tdBody().mrTd() == mrtd
        parsed.tdBody().rtmr3() == rtmrs[3]
        new String(parsed.reportData(), 0, 5, 'US-ASCII') == 'nonce'
        v.simulated()
        v.status() == TcbStatus.UpToDate
        v.fields().SIMULATED
        parsed.fields().SIMULATED

        when: 'the default verifier (pinned Intel root only)'
        QuoteVerifier.intel().verify(parsed, c, AT)

        then:
        def e = thrown(QuoteRejectedException)
        e.check() == 'pck-chain'
        e.message.contains('SIMULATED quote')
        e.message.contains('--trust-simulated')
    }

    def "a revoked PCK certificate is rejected by the PCK CRL"() {
        given:
        def c = provider.collateral(T0, T0 + Duration.ofDays(30), [provider.pki().pck])

        when:
        trusting.verify(quote(), c, AT)

        then:
        def e = thrown(QuoteRejectedException)
        e.check() == 'pck-crl'
        e.message.contains('"Intel SGX PCK Certificate" serial')
        e.message.endsWith('is revoked')
    }

    def "collateral of another simulated PKI, or outside its window, is rejected"() {
        given:
        def other = new SimulatedTdxProvider(T0 - Duration.ofDays(1), T0 + Duration.ofDays(365))

        when:
        trusting.verify(quote(), own ? provider.collateral(T0, T0 + Duration.ofDays(30), []) : other.collateral(T0, T0 + Duration.ofDays(30), []), at)

        then:
        def e = thrown(QuoteRejectedException)
        e.check() == check

        where:
        own   | at                        || check
        false | AT                        || 'root-ca-crl'
        true  | T0 + Duration.ofDays(31)  || 'root-ca-crl'
        true  | T0 - Duration.ofDays(2)   || 'pck-chain'
    }

    def "collateral JSON written by writeQvlJson reads back identically"() {
        given:
        def c = provider.collateral(T0, T0 + Duration.ofDays(30), [])
        def file = dir.resolve('c.json')

        when:
        c.writeQvlJson(file)
        def back = Collateral.read(file)

        then:
        back.tcbInfoJson() == c.tcbInfoJson()
        back.qeIdentityJson() == c.qeIdentityJson()
        back.pckCrl() == c.pckCrl()
        back.rootCaCrl() == c.rootCaCrl()
        back.tcbInfoSignature() == c.tcbInfoSignature()
        trusting.verify(quote(), back, AT).status() == TcbStatus.UpToDate
    }

    def "CLI: quote simulate labels its output; verify needs --trust-simulated and then says SIMULATED"() {
        given:
        def q = dir.resolve('q.bin')
        def c = dir.resolve('c.json')

        when:
        def sim = Cli.run('quote', 'simulate', '--out', q.toString(), '--collateral-out', c.toString(),
                '--mrtd', 'ab' * 48, '--report-data', '01', '--at', '2026-01-01T00:00:00Z')
        def plain = Cli.run('quote', 'verify', q.toString(), '--collateral', c.toString(), '--at', '2026-01-02T00:00:00Z')
        def trusted = Cli.run('quote', 'verify', q.toString(), '--collateral', c.toString(), '--at', '2026-01-02T00:00:00Z',
                '--trust-simulated', '--mrtd', 'ab' * 48, '--json')
        def show = Cli.run('quote', 'show', q.toString())

        then:
        sim.exitCode == 0
        sim.out.readLines().every { it.startsWith('SIMULATED') }
        sim.err.startsWith('SIMULATED: ')
        plain.exitCode == 1
        plain.err.contains('quote rejected: pck-chain: SIMULATED quote')
        trusted.exitCode == 0
        new JsonSlurper().parseText(trusted.out).SIMULATED
        new JsonSlurper().parseText(trusted.out).status == 'UpToDate'
        show.out.startsWith('SIMULATED: ')
        Quote.readFile(q).tdBody().mrTd() == Hex.parse('ab' * 48)
    }
}
