package dev.sealwright.attest.dcap

import dev.sealwright.testkit.Cli
import dev.sealwright.testkit.Repo
import groovy.json.JsonSlurper
import spock.lang.Specification
import spock.lang.TempDir

import java.nio.file.Files
import java.nio.file.Path

/** The {@code quoteVerify} recipe step on fixture E-1: cached, reproducible, failing with the check named. */
class QuoteVerifyStepSpec extends Specification {
    @TempDir
    Path work

    Path recipe(String at, String mrtd) {
        def r = work.resolve('attest.groovy')
        Files.writeString(r, """
pipeline('attest') {
    quoteVerify('tdx') {
        quote      file('${Repo.fixture('dcap/dcap-qvl/tdx_quote')}')
        collateral file('${Repo.fixture('dcap/dcap-qvl/tdx_quote_collateral.json')}')
        at         '${at}'
        policy     file('policy.json')
    }
}
""")
        Files.writeString(work.resolve('policy.json'), """{"mrtd": "${mrtd}"}""")
        r
    }

    static final String E1_MRTD = '91eb2b44d141d4ece09f0c75c2c53d247a3c68edd7fafe8a3520c942a604a407de03ae6dc5f87f27428b2538873118b7'

    def "verifies E-1 to UpToDate, re-run is cached, output identical"() {
        given:
        def r = recipe('2025-07-19T10:00:34Z', E1_MRTD).toString()

        when:
        def first = Cli.run('run', r, '-C', work.toString())
        byte[] out1 = Files.readAllBytes(work.resolve('out/tdx/verification.json'))
        def second = Cli.run('run', r, '-C', work.toString())
        def fresh = Cli.run('run', r, '-C', work.toString(), '--fresh')
        def json = new JsonSlurper().parse(work.resolve('out/tdx/verification.json').toFile())

        then:
        first.exitCode == 0
        second.out.contains('0 executed, 1 cached')
        fresh.exitCode == 0
        Files.readAllBytes(work.resolve('out/tdx/verification.json')) == out1
        json.status == 'UpToDate'
        json.advisory_ids == []
        json.policy_checks.contains('mrtd')
    }

    def "a policy mismatch fails the step naming the check"() {
        when:
        def r = Cli.run('run', recipe('2025-07-19T10:00:34Z', '00' * 48).toString(), '-C', work.toString())

        then:
        r.exitCode == 1
        (r.out + r.err).contains('quote rejected: policy: MRTD is 91eb2b44')
    }
}
