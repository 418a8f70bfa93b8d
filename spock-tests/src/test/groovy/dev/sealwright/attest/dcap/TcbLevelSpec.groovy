package dev.sealwright.attest.dcap

import dev.sealwright.base.RecipeException
import dev.sealwright.testkit.Repo
import groovy.json.JsonOutput
import groovy.json.JsonSlurper
import spock.lang.Specification

import java.time.Instant

/**
 * TCB level matching with the TCB-info overrides of dcap-qvl's tests/verify_tcb_override.rs
 * (applied after the signature check there, so here on the parsed TCB info): expected results are
 * those the fixtures README quotes for E-1 and E-2.
 */
class TcbLevelSpec extends Specification {
    static Map collateralJson(String rel) { new JsonSlurper().parse(Repo.fixture(rel).toFile()) as Map }

    static TcbStatus combined(TcbLevelMatcher.Match m, TcbStatus qe) {
        def s = m.platform().status()
        if (m.module() != null) s = s.convergeWith(m.module().status())
        s.convergeWith(qe)
    }

    def "E-1: every level overridden to OutOfDate gives OutOfDate"() {
        given:
        def c = collateralJson('dcap/dcap-qvl/tdx_quote_collateral.json')
        def tcb = new JsonSlurper().parseText(c.tcb_info) as Map
        tcb.tcbLevels.each { it.tcbStatus = 'OutOfDate' }
        def q = Quote.readFile(Repo.fixture('dcap/dcap-qvl/tdx_quote'))
        def at = Instant.parse('2025-07-19T10:00:34Z')
        def pck = QuoteVerifier.intel().verifySignatures(q, at).pck()

        when:
        def m = TcbLevelMatcher.match(q, TcbInfo.parse(JsonOutput.toJson(tcb), 'override'), pck, at)

        then:
        combined(m, TcbStatus.UpToDate) == TcbStatus.OutOfDate
    }

    def "E-1: truncated (8) or over-long (20) component lists are rejected as count mismatches"() {
        given:
        def tcb = new JsonSlurper().parseText(collateralJson('dcap/dcap-qvl/tdx_quote_collateral.json').tcb_info) as Map
        def level = tcb.tcbLevels[0].tcb
        level[key] = count < 16 ? level[key].take(count) : level[key] + [[svn: 0]] * (count - 16)

        when:
        TcbInfo.parse(JsonOutput.toJson(tcb), 'override')

        then:
        def e = thrown(RecipeException)
        e.message.contains(message)

        where:
        key                | count || message
        'sgxtcbcomponents' | 8     || 'SGX component count mismatch'
        'sgxtcbcomponents' | 20    || 'SGX component count mismatch'
        'tdxtcbcomponents' | 8     || 'TDX component count mismatch'
        'tdxtcbcomponents' | 20    || 'TDX component count mismatch'
    }

    def "E-2: with a permissive first level (all SVNs 0, UpToDate) inserted, the outdated v5 sample is UpToDate"() {
        given:
        def c = collateralJson('dcap/dcap-qvl/tdx_quote_outdated_collateral.json')
        def tcb = new JsonSlurper().parseText(c.tcb_info) as Map
        def permissive = [tcb: [sgxtcbcomponents: [[svn: 0]] * 16, pcesvn: 0, tdxtcbcomponents: [[svn: 0]] * 16],
                          tcbDate: '2024-11-13T00:00:00Z', tcbStatus: 'UpToDate']
        tcb.tcbLevels = [permissive] + tcb.tcbLevels
        def q = Quote.readFile(Repo.fixture('dcap/dcap-qvl/tdx_quote_outdated'))
        def at = Instant.parse('2026-03-20T10:41:14Z')
        def pck = QuoteVerifier.intel().verifySignatures(q, at).pck()

        when:
        def m = TcbLevelMatcher.match(q, TcbInfo.parse(JsonOutput.toJson(tcb), 'override'), pck, at)

        then:
        m.platform().status() == TcbStatus.UpToDate
        m.module().status() == TcbStatus.UpToDate
        combined(m, TcbStatus.UpToDate) == TcbStatus.UpToDate
    }
}
