package dev.sealwright.samples

import dev.sealwright.testkit.Cli
import groovy.json.JsonSlurper
import spock.lang.Specification
import spock.lang.TempDir

import java.net.http.HttpClient
import java.net.http.HttpRequest
import java.net.http.HttpResponse
import java.nio.file.Files
import java.nio.file.Path

/** The steps the samples added, on bad input: one clear line naming the file or option, exit 1; the JSON-RPC endpoint's error replies. */
class SampleStepErrorsSpec extends Specification {
    @TempDir
    Path work

    private Map fail(String body) {
        def recipe = work.resolve('bad.groovy')
        Files.writeString(recipe, "pipeline('bad') {\n${body}\n}\n")
        def r = Cli.run('run', recipe.toString(), '-C', work.toString())
        [exitCode: r.exitCode, err: r.err, out: r.out]
    }

    def "verity refuses a salt that is not hex when the recipe loads, and data smaller than one block when it runs"() {
        given:
        Files.write(work.resolve('small.img'), new byte[100])
        Files.write(work.resolve('data.img'), new byte[8192])

        expect:
        with(fail("verity { data file('data.img'); salt 'zz' }")) {
            exitCode == 1
            err.readLines()[0] ==~ /bad\.groovy:2:\d+: option 'salt' of verity: salt: not a hex string: zz/
            !(out + err).contains('[verity]')
        }
        with(fail("verity { data file('small.img') }")) {
            exitCode == 1
            (out + err).contains('small.img: smaller than one 4096-byte data block')
        }
    }

    def "snp.idblock names the measurement file that has no digest"() {
        given:
        Files.writeString(work.resolve('m.json'), '{"mode": "snp"}')
        Files.writeString(work.resolve('k.pem'), 'not a key')

        expect:
        with(fail("snpIdBlock { measurement file('m.json'); idKey secret(file: 'k.pem'); authorKey secret(file: 'k.pem') }")) {
            exitCode == 1
            (out + err).contains('m.json has no "digest" (a measure.snp measurement.json)')
        }
    }

    def "disk.image refuses a rootfs that is a file and a size that is not a size"() {
        given:
        Files.writeString(work.resolve('f'), 'x')
        Files.createDirectories(work.resolve('tree'))

        expect:
        with(fail("diskImage { rootfs file('f') }")) {
            exitCode == 1
            (out + err).contains('is not a directory')
        }
        with(fail("diskImage { rootfs file('tree'); size 'big' }")) {
            exitCode == 1
            (out + err).contains("size 'big' is not like 16M")
        }
    }

    def "the test endpoint answers JSON-RPC errors; quotePublish turns a refusal or an unreachable endpoint into one line"() {
        given:
        Files.write(work.resolve('q.dat'), 'quote bytes'.bytes)
        def endpoint = dev.sealwright.attest.publish.JsonRpcTestEndpoint.start(0)
        def http = HttpClient.newHttpClient()
        def post = { String body ->
            new JsonSlurper().parseText(http.send(HttpRequest.newBuilder(URI.create(endpoint.url())).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                    HttpResponse.BodyHandlers.ofString()).body())
        }

        expect: 'error codes of the JSON-RPC 2.0 specification'
        post('{"jsonrpc":"2.0","id":7,"method":"eth_call","params":{}}').error.code == -32601
        post('{"jsonrpc":"2.0","id":7,"method":"sealwright_publishQuote","params":{"quote":"0xzz"}}').error.code == -32602
        post('not json').error.code == -32700
        post('{"jsonrpc":"2.0","id":9,"method":"sealwright_publishQuote","params":{"quote":"0x0102"}}').result.quoteSha256 ==
                'a12871fee210fb8619291eaea194581cbd2531e4b23759d225f6806923f63222'

        and:
        with(fail("quotePublish { endpoint '${endpoint.url()}'; quote file('q.dat'); method 'eth_call' }")) {
            exitCode == 1
            (out + err).contains('refused the quote: method not found: eth_call')
        }
        with(fail("quotePublish { endpoint 'ftp://example.org/'; quote file('q.dat') }")) {
            exitCode == 1
            (out + err).contains("endpoint 'ftp://example.org/' is not an http(s) URL")
        }

        cleanup:
        endpoint?.close()
    }
}
