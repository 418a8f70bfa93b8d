package dev.sealwright.attest.dcap

import com.sun.net.httpserver.HttpExchange
import com.sun.net.httpserver.HttpServer
import dev.sealwright.base.RecipeException
import dev.sealwright.testkit.Cli
import dev.sealwright.testkit.Repo
import groovy.json.JsonSlurper
import spock.lang.Specification

import java.nio.charset.StandardCharsets
import java.time.Instant

/**
 * The PCS/PCCS client, a real java.net.http client against a local HTTP server that serves the
 * E-1 collateral in the PCCS v4 API shape (JSON bodies, URL-encoded issuer-chain headers, DER PCK
 * CRL, hex root CRL).
 */
class PcsClientSpec extends Specification {
    HttpServer server = HttpServer.create(new InetSocketAddress('127.0.0.1', 0), 0)
    List<String> requests = Collections.synchronizedList([])

    def setup() {
        def c = new JsonSlurper().parse(Repo.fixture('dcap/dcap-qvl/tdx_quote_collateral.json').toFile()) as Map<String, String>
        def enc = { String s -> URLEncoder.encode(s, StandardCharsets.UTF_8) }
        serve('/tdx/certification/v4/tcb', '{"tcbInfo":' + c.tcb_info + ',"signature":"' + c.tcb_info_signature + '"}',
                ['TCB-Info-Issuer-Chain': enc(c.tcb_info_issuer_chain)])
        serve('/tdx/certification/v4/qe/identity', '{"enclaveIdentity":' + c.qe_identity + ',"signature":"' + c.qe_identity_signature + '"}',
                ['SGX-Enclave-Identity-Issuer-Chain': enc(c.qe_identity_issuer_chain)])
        serve('/sgx/certification/v4/pckcrl', Hex.parse(c.pck_crl), ['SGX-PCK-CRL-Issuer-Chain': enc(c.pck_crl_issuer_chain)])
        serve('/sgx/certification/v4/rootcacrl', c.root_ca_crl, [:])
        server.start()
    }

    def cleanup() {
        server.stop(0)
    }

    void serve(String path, Object body, Map<String, String> headers) {
        server.createContext(path) { HttpExchange x ->
            requests << x.requestURI.toString()
            byte[] b = body instanceof byte[] ? body : body.toString().getBytes(StandardCharsets.UTF_8)
            headers.each { k, v -> x.responseHeaders.add(k, v) }
            x.sendResponseHeaders(200, b.length)
            x.responseBody.withCloseable { it.write(b) }
        }
    }

    URI base() { URI.create("http://127.0.0.1:${server.address.port}") }

    def "collateral fetched over HTTP verifies E-1 to UpToDate; requests name the quote's FMSPC and CA"() {
        given:
        def q = Quote.readFile(Repo.fixture('dcap/dcap-qvl/tdx_quote'))

        when:
        def c = new PcsClient(base()).fetch(q)
        def v = QuoteVerifier.intel().verify(q, c, Instant.parse('2025-07-19T10:00:34Z'))

        then:
        v.status() == TcbStatus.UpToDate
        requests.contains('/tdx/certification/v4/tcb?fmspc=b0c06f000000')
        requests.contains('/sgx/certification/v4/pckcrl?ca=platform&encoding=der')
    }

    def "CLI --pcs URL, and an HTTP error names the URL"() {
        when:
        def ok = Cli.run('quote', 'verify', Repo.fixture('dcap/dcap-qvl/tdx_quote').toString(), '--pcs', base().toString(),
                '--at', '2025-07-19T10:00:34Z', '--json')
        new PcsClient(base()).fetch(Quote.readFile(Repo.fixture('dcap/dcap-qvl/sgx_quote')))

        then:
        ok.exitCode == 0
        new JsonSlurper().parseText(ok.out).status == 'UpToDate'
        def e = thrown(RecipeException)
        e.message == "collateral GET ${base()}/sgx/certification/v4/tcb?fmspc=00a067110000: HTTP 404".toString()
    }
}
