package dev.sealwright.attest.dcap

import dev.sealwright.testkit.Cli
import dev.sealwright.testkit.Repo
import groovy.json.JsonSlurper
import spock.lang.Specification
import spock.lang.TempDir

import java.nio.file.Files
import java.nio.file.Path

/** {@code sealwright quote show|verify} on the public samples (expected values from ../shared/fixtures/README.md). */
class QuoteCliSpec extends Specification {
    @TempDir
    Path dir

    static String f(String rel) { Repo.fixture(rel).toString() }

    static final String TDX = 'dcap/dcap-qvl/tdx_quote'
    static final String TDX_C = 'dcap/dcap-qvl/tdx_quote_collateral.json'
    static final String E1_AT = '2025-07-19T10:00:34Z'
    static final String E1_MRTD = '91eb2b44d141d4ece09f0c75c2c53d247a3c68edd7fafe8a3520c942a604a407de03ae6dc5f87f27428b2538873118b7'

    def "quote show prints every field by name, text and JSON"() {
        when:
        def text = Cli.run('quote', 'show', f(TDX))
        def json = Cli.run('quote', 'show', f(TDX), '--json')
        def m = new JsonSlurper().parseText(json.out)

        then:
        text.exitCode == 0
        text.out.contains("body.mr_td: ${E1_MRTD}")
        text.out.contains('header.version: 4')
        text.out.contains('signature_data.qe_report.isv_svn: 6')
        json.exitCode == 0
        m.header.version == 4
        m.body_type == 'TD10'
        m.body.mr_td == E1_MRTD
        m.body.rtmr3 == '00' * 48
        m.trailing_bytes == 70
    }

    def "quote verify: E-1 UpToDate and E-3 ConfigurationAndSWHardeningNeeded with advisories, as JSON"() {
        when:
        def r = Cli.run('quote', 'verify', f(quote), '--collateral', f(coll), '--at', at, '--json')
        def m = new JsonSlurper().parseText(r.out)

        then:
        r.exitCode == 0
        m.verified == true
        m.status == status
        m.advisory_ids == advisories

        where:
        quote                     | coll                                   | at                       || status                                | advisories
        TDX                       | TDX_C                                  | E1_AT                    || 'UpToDate'                            | []
        'dcap/dcap-qvl/sgx_quote' | 'dcap/dcap-qvl/sgx_quote_collateral.json' | '1752919277'          || 'ConfigurationAndSWHardeningNeeded'   | ['INTEL-SA-00289', 'INTEL-SA-00615']
    }

    def "quote verify rejects with exit 1 and one line naming the file and the failing check"() {
        when:
        def r = Cli.run(['quote', 'verify', f(TDX), '--collateral', f(TDX_C), '--at', at] + extra as String[])

        then:
        r.exitCode == 1
        r.err.trim().readLines().size() == 1
        r.err.contains(f(TDX))
        r.err.contains("quote rejected: ${check}:")

        where:
        at                       | extra                                                     || check
        '2030-01-01T00:00:00Z'   | []                                                        || 'root-ca-crl'
        E1_AT                    | ['--root', f('snp/virtee-sev/builtin/milan/ark.pem')]     || 'pck-chain'
        E1_AT                    | ['--accept', 'OutOfDate']                                 || 'policy'
        E1_AT                    | ['--mrtd', '00' * 48]                                     || 'policy'
        E1_AT                    | ['--rtmr', '3=' + '11' * 48]                              || 'policy'
        E1_AT                    | ['--report-data', 'abcd']                                 || 'policy'
    }

    def "policy: expected MRTD, RTMRs and REPORTDATA from options or a JSON file pass"() {
        given:
        def policy = dir.resolve('policy.json')
        Files.writeString(policy, """{"tdx": {"mrtd": "${E1_MRTD}", "rtmr3": "${'00' * 48}",
            "rtmr0": "44c0197b39157fdd7a4dcc44767f9d6b0bb3977c7a8e347b8492f827fe9d9e5c48aca29b220b80b6a540cf994b9bc9c0",
            "xfam": "e702060000000000"}}""")

        when:
        def r = Cli.run('quote', 'verify', f(TDX), '--collateral', f(TDX_C), '--at', E1_AT, '--policy', policy.toString(),
                '--report-data', '9a9d48e7f6799642d3d1b34e1e5e1742d4bb02dd6ddd551862c1211d35c304f9eca3efdbb481601c163cf52493d6e44aed55d51ec39b7e518fadb92c2b523f20',
                '--json')
        def m = new JsonSlurper().parseText(r.out)

        then:
        r.exitCode == 0
        m.policy_checks == ['tcb-status', 'debug', 'report-data', 'mrtd', 'rtmr0', 'rtmr3', 'xfam']
    }

    def "go-tdx-guest PCS directory as --collateral; E-5 fails TCB matching"() {
        when:
        def r = Cli.run('quote', 'verify', f('dcap/go-tdx-guest/tdx_prod_quote_SPR_E4.dat'), '--collateral', f('dcap/go-tdx-guest'),
                '--at', '2023-07-01T01:00:00Z')

        then:
        r.exitCode == 1
        r.err.contains('quote rejected: tcb-level: no matching TCB level')
    }

    def "without collateral only signatures and chain are checked, and the output says so"() {
        when:
        def r = Cli.run('quote', 'verify', f('dcap/go-tdx-guest/quote_v5_sample.dat'), '--at', '2026-02-03T01:00:00Z')

        then:
        r.exitCode == 0
        r.out.contains('TCB status not evaluated (no --collateral or --pcs)')
    }

    def "bad input: missing file, not a quote, bad time"() {
        given:
        def junk = dir.resolve('junk.bin')
        Files.write(junk, new byte[100])

        expect:
        with(Cli.run('quote', 'show', junk.toString())) {
            exitCode == 1 && err.contains("${junk}: malformed DCAP quote: unsupported version 0")
        }
        with(Cli.run('quote', 'show', dir.resolve('nope').toString())) {
            exitCode == 1 && err.contains("${dir.resolve('nope')}: no such file (a DCAP quote)")
        }
        with(Cli.run('quote', 'verify', f(TDX), '--at', 'yesterday')) {
            exitCode == 2 && err.contains('--at yesterday: not an ISO-8601 instant')
        }
    }
}
