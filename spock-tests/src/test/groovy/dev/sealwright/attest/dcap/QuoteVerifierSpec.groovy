package dev.sealwright.attest.dcap

import dev.sealwright.base.RecipeException
import dev.sealwright.testkit.Repo
import spock.lang.Specification

import java.nio.file.Files
import java.time.Instant

/**
 * Full DCAP verification of the public samples with their collateral. Expected statuses, advisory
 * IDs, times and PCK values are those of ../shared/fixtures/README.md (E-1, E-2, E-3, E-5, E-6, E-8).
 */
class QuoteVerifierSpec extends Specification {
    static final Instant E1_AT = Instant.parse('2025-07-19T10:00:34Z')
    static final Instant E2_AT = Instant.parse('2026-03-20T10:41:14Z')
    static final Instant E3_AT = Instant.parse('2025-07-19T10:01:17Z')
    static final Instant E5_AT = Instant.parse('2023-07-01T01:00:00Z')

    static Quote quote(String rel) { Quote.readFile(Repo.fixture(rel)) }

    static Collateral collateral(String rel) { Collateral.read(Repo.fixture(rel)) }

    static byte[] raw(String rel) { Files.readAllBytes(Repo.fixture(rel)) }

    def verifier = QuoteVerifier.intel()

    def "E-1 dcap-qvl TDX sample verifies to UpToDate with no advisories at the end of the window minus 1 s"() {
        when:
        def v = verifier.verify(quote('dcap/dcap-qvl/tdx_quote'), collateral('dcap/dcap-qvl/tdx_quote_collateral.json'), E1_AT)

        then:
        v.status() == TcbStatus.UpToDate
        v.advisoryIds() == []
        v.platformStatus() == TcbStatus.UpToDate
        v.tdxModuleStatus() == TcbStatus.UpToDate
        v.qeStatus() == TcbStatus.UpToDate
        Hex.of(v.pck().fmspc()) == 'b0c06f000000'
        Hex.of(v.pck().pceId()) == '0000'
        v.pck().pceSvn() == 11
        v.pck().sgxTcbComponents() as List == [3, 3, 2, 2, 4, 1, 0, 5] + [0] * 8
        v.checks().containsAll(['pck-chain', 'root-ca-crl', 'pck-crl', 'qe-report-signature', 'attestation-key-binding',
                                'quote-signature', 'tcb-info-signature', 'qe-identity-signature', 'qe-identity', 'tcb-level', 'tdx-module'])
    }

    def "E-1 verifies anywhere inside the collateral window and is rejected just outside it"() {
        given:
        def q = quote('dcap/dcap-qvl/tdx_quote')
        def c = collateral('dcap/dcap-qvl/tdx_quote_collateral.json')

        expect:
        verifier.verify(q, c, Instant.parse('2025-06-19T10:32:27Z')).status() == TcbStatus.UpToDate

        when:
        verifier.verify(q, c, at)

        then:
        def e = thrown(QuoteRejectedException)
        e.check() == check

        where:
        at                                       || check
        Instant.parse('2025-06-19T10:32:26Z')    || 'qe-identity'
        Instant.parse('2025-07-19T10:00:36Z')    || 'pck-crl'
        Instant.parse('2053-07-01T00:00:00Z')    || 'pck-chain'
    }

    def "E-3 dcap-qvl SGX sample verifies to ConfigurationAndSWHardeningNeeded with two advisories"() {
        when:
        def v = verifier.verify(quote('dcap/dcap-qvl/sgx_quote'), collateral('dcap/dcap-qvl/sgx_quote_collateral.json'), E3_AT)

        then:
        v.status() == TcbStatus.ConfigurationAndSWHardeningNeeded
        v.advisoryIds() == ['INTEL-SA-00289', 'INTEL-SA-00615']
        v.qeStatus() == TcbStatus.UpToDate
        v.tdxModuleStatus() == null
        Hex.of(v.pck().fmspc()) == '00a067110000'
        v.pck().pceSvn() == 13
        v.pck().sgxTcbComponents() as List == [11, 11, 2, 2, 255, 1, 0, 0] + [0] * 8
    }

    def "E-2 outdated v5 sample: chain, CRLs, signatures and QE pass but no platform TCB level matches"() {
        given:
        def q = quote('dcap/dcap-qvl/tdx_quote_outdated')

        when:
        verifier.verify(q, collateral('dcap/dcap-qvl/tdx_quote_outdated_collateral.json'), E2_AT)

        then:
        def e = thrown(QuoteRejectedException)
        e.check() == 'tcb-level'
        e.message.contains('no matching TCB level')

        and: 'the PCK values E-2 lists'
        def pck = verifier.verifySignatures(q, E2_AT).pck()
        Hex.of(pck.fmspc()) == '90c06f000000'
        pck.pceSvn() == 13
        pck.sgxTcbComponents() as List == [3, 3, 2, 2, 4, 1, 0, 3] + [0] * 8
    }

    def "E-5 go-tdx-guest: signatures verify at 2023-07-01, PCK expired in 2053, full check finds no matching TCB level"() {
        given:
        def q = quote('dcap/go-tdx-guest/tdx_prod_quote_SPR_E4.dat')

        when:
        def v = verifier.verifySignatures(q, E5_AT)

        then:
        v.status() == null
        Hex.of(v.pck().fmspc()) == '50806f000000'
        v.pck().pceSvn() == 11
        v.pck().sgxTcbComponents() as List == [3, 3, 2, 2, 2, 1, 0, 2] + [0] * 8

        when:
        verifier.verifySignatures(q, Instant.parse('2053-07-01T01:00:00Z'))

        then:
        def expired = thrown(QuoteRejectedException)
        expired.check() == 'pck-chain'
        expired.message.contains('2029-09-20T13:20:31Z')

        when: 'the separate PCS responses in go-tdx-guest layout'
        verifier.verify(q, collateral('dcap/go-tdx-guest'), E5_AT)

        then:
        def noLevel = thrown(QuoteRejectedException)
        noLevel.check() == 'tcb-level'
        noLevel.message.contains('no matching TCB level')
    }

    def "E-5 the QE report matches the TD_QE identity sample"() {
        given:
        def qe = QeIdentity.parse(collateral('dcap/go-tdx-guest').qeIdentityJson(), 'sample')
        def report = quote('dcap/go-tdx-guest/tdx_prod_quote_SPR_E4.dat').certification().qeReport()

        expect:
        qe.id() == 'TD_QE'
        report.mrSigner() == qe.mrSigner()
        Hex.of(qe.mrSigner()).startsWith('dc9e2a7c')
        report.isvProdId() == qe.isvProdId()
        qe.isvProdId() == 2
    }

    def "E-6 v5 sample: signatures verify at 2026-02-03; v5 TCB info matches platform UpToDate and module TDX_01 UpToDate"() {
        given:
        def q = quote('dcap/go-tdx-guest/quote_v5_sample.dat')
        def v = verifier.verifySignatures(q, Instant.parse('2026-02-03T01:00:00Z'))
        String body = Files.readString(Repo.fixture('dcap/go-tdx-guest/sample_tcbinfo_response_v5'))
        String tcbJson = RawJson.member(body, 'tcbInfo', 'v5')
        byte[] sig = Hex.parse(RawJson.member(body, 'signature', 'v5')[1..-2])
        def signer = Pki.pemChain(raw('dcap/go-tdx-guest/tcb_info_issuer_chain.pem'), 'chain')[0]

        when:
        def tcb = TcbInfo.parse(tcbJson, 'v5')
        def match = TcbLevelMatcher.match(q, tcb, v.pck(), Instant.parse('2026-02-03T01:00:00Z'))

        then:
        Pki.verifyRaw(signer.publicKey, tcbJson.getBytes('UTF-8'), sig)
        Hex.of(v.pck().fmspc()) == '90c06f000000'
        v.pck().pceSvn() == 13
        v.pck().sgxTcbComponents() as List == [4, 4, 2, 2, 4, 1, 0, 5] + [0] * 8
        tcb.tcbEvaluationDataNumber() == 18
        tcb.tdxModuleIdentities()*.id() == ['TDX_03', 'TDX_01']
        match.platform().status() == TcbStatus.UpToDate
        match.module().status() == TcbStatus.UpToDate
    }

    def "E-4 and E-8 samples: PCK chain and all three signatures verify (no collateral shipped)"() {
        when:
        def v = verifier.verifySignatures(quote(rel), at)

        then:
        v.checks() == ['quote-header', 'pck-chain', 'qe-report-signature', 'attestation-key-binding', 'quote-signature']
        Hex.of(v.pck().fmspc()) == fmspc

        where:
        rel                                              | at                                     || fmspc
        'dcap/dcap-qvl/tdx-quote.hex'                    | Instant.parse('2025-01-01T00:00:00Z')  || 'b0c06f000000'
        'dcap/dcap-qvl/quote-from-tappd.hex'             | Instant.parse('2025-01-01T00:00:00Z')  || 'b0c06f000000'
        'tdx/go-tdx-guest/ccel/cos-113-tdx-quote.dat'    | Instant.parse('2025-01-01T00:00:00Z')  || '00806f050000'
    }

    // ---- tampering ----

    static byte[] flip(byte[] b, int offset) {
        byte[] c = b.clone()
        c[offset] = (byte) (c[offset] ^ 0xff)
        c
    }

    def "a flipped byte in header, body, signature, attestation key, QE report, QE auth data or PCK chain names the failing check"() {
        given:
        byte[] good = raw('dcap/dcap-qvl/tdx_quote')
        def c = collateral('dcap/dcap-qvl/tdx_quote_collateral.json')

        when:
        verifier.verify(Quote.read(flip(good, offset), 'tampered'), c, E1_AT)

        then:
        def e = thrown(QuoteRejectedException)
        e.check() == check

        where:
        region                  | offset                  || check
        'header user data'      | 30                      || 'quote-signature'
        'body MRTD'             | 184                     || 'quote-signature'
        'body REPORTDATA'       | 600                     || 'quote-signature'
        'quote signature'       | 636 + 10                || 'quote-signature'
        'attestation key'       | 636 + 64 + 5            || 'attestation-key-binding'
        'QE report'             | 636 + 134 + 200         || 'qe-report-signature'
        'QE report signature'   | 636 + 134 + 384 + 3     || 'qe-report-signature'
        'QE auth data'          | 636 + 134 + 448 + 2 + 1 || 'attestation-key-binding'
        'PCK PEM body'          | 636 + 134 + 482 + 6 + 200 || 'pck-chain'
    }

    def "property: every single-byte flip over the signed regions is rejected"() {
        given:
        byte[] good = raw('dcap/dcap-qvl/tdx_quote')
        def c = collateral('dcap/dcap-qvl/tdx_quote_collateral.json')
        // header+body (signed by the AK), quote signature, AK, QE report and its signature, QE auth data
        def offsets = (0..<632) + (636..<(636 + 128)) + ((636 + 134)..<(636 + 134 + 384 + 64 + 2 + 32))
        def accepted = []

        when:
        offsets.each { int off ->
            try {
                verifier.verify(Quote.read(flip(good, off), 'flipped'), c, E1_AT)
                accepted << off
            } catch (RecipeException expected) {
            }
        }

        then:
        offsets.size() == 632 + 128 + 482
        accepted == []
    }

    def "a chain to another root is rejected, and the pinned root can be overridden explicitly"() {
        given:
        def q = quote('dcap/dcap-qvl/tdx_quote')
        def c = collateral('dcap/dcap-qvl/tdx_quote_collateral.json')
        def amd = IntelRootCa.fromFile(Repo.fixture('snp/virtee-sev/builtin/milan/ark.pem'))

        when:
        new QuoteVerifier(amd).verify(q, c, E1_AT)

        then:
        def e = thrown(QuoteRejectedException)
        e.check() == 'pck-chain'
        e.message.contains('is not the trusted root')

        expect: 'the same Intel root given as a DER file works'
        new QuoteVerifier(IntelRootCa.fromFile(Repo.fixture('dcap/dcap-qvl/TrustedRootCA.der'))).verify(q, c, E1_AT).status() == TcbStatus.UpToDate
    }

    def "swapped or tampered collateral is rejected with the failing check"() {
        given:
        def q = quote('dcap/dcap-qvl/tdx_quote')
        def good = collateral('dcap/dcap-qvl/tdx_quote_collateral.json')
        def c = tamper(good, collateral('dcap/dcap-qvl/sgx_quote_collateral.json'))

        when:
        verifier.verify(q, c, E1_AT)

        then:
        def e = thrown(QuoteRejectedException)
        e.check() == check

        where:
        what                         | tamper                                                                                        || check
        'SGX collateral'             | { g, s -> s }                                                                                 || 'pck-crl'
        'SGX TCB info, same sig'     | { g, s -> copy(g, tcbInfoJson: s.tcbInfoJson(), tcbInfoSignature: s.tcbInfoSignature()) }    || 'tcb-info'
        'TCB info text edited'       | { g, s -> copy(g, tcbInfoJson: g.tcbInfoJson().replace('"UpToDate"', '"OutOfDate"')) }      || 'tcb-info-signature'
        'QE identity text edited'    | { g, s -> copy(g, qeIdentityJson: g.qeIdentityJson().replace('"isvprodid":2', '"isvprodid":3')) } || 'qe-identity-signature'
        'SGX QE identity'            | { g, s -> copy(g, qeIdentityJson: s.qeIdentityJson(), qeIdentitySignature: s.qeIdentitySignature()) } || 'qe-identity'
        'root CRL byte flipped'      | { g, s -> copy(g, rootCaCrl: flip(g.rootCaCrl(), 200)) }                                    || 'root-ca-crl'
        'PCK CRL byte flipped'       | { g, s -> copy(g, pckCrl: flip(g.pckCrl(), 300)) }                                          || 'pck-crl'
    }

    static Collateral copy(Map changes, Collateral g) {
        def m = [pckCrlIssuerChain: g.pckCrlIssuerChain(), rootCaCrl: g.rootCaCrl(), pckCrl: g.pckCrl(),
                 tcbInfoIssuerChain: g.tcbInfoIssuerChain(), tcbInfoJson: g.tcbInfoJson(), tcbInfoSignature: g.tcbInfoSignature(),
                 qeIdentityIssuerChain: g.qeIdentityIssuerChain(), qeIdentityJson: g.qeIdentityJson(),
                 qeIdentitySignature: g.qeIdentitySignature(), source: 'tampered'] + changes
        new Collateral(m.pckCrlIssuerChain, m.rootCaCrl, m.pckCrl, m.tcbInfoIssuerChain, m.tcbInfoJson, m.tcbInfoSignature,
                m.qeIdentityIssuerChain, m.qeIdentityJson, m.qeIdentitySignature, m.source)
    }
}
