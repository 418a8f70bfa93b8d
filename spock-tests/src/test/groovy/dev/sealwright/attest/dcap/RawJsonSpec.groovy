package dev.sealwright.attest.dcap

import dev.sealwright.base.RecipeException
import dev.sealwright.testkit.Repo
import spock.lang.Specification

import java.nio.file.Files

/** RawJson (Jackson's streaming parser and character offsets): the signed text of a member stays byte-exact; invalid JSON is refused. */
class RawJsonSpec extends Specification {
    def "the member's text is exact: Intel's ECDSA signature over tcbInfo and enclaveIdentity of the published PCS responses verifies"() {
        given:
        String body = Files.readString(Repo.fixture("dcap/go-tdx-guest/${response}"))
        def signer = Pki.pemChain(Files.readAllBytes(Repo.fixture('dcap/go-tdx-guest/tcb_info_issuer_chain.pem')), 'chain')[0]

        when:
        String signed = RawJson.member(body, member, 'r')
        String signature = RawJson.member(body, 'signature', 'r')

        then:
        body.contains(signed)
        signed.startsWith('{') && signed.endsWith('}')
        Pki.verifyRaw(signer.publicKey, signed.getBytes('UTF-8'), Hex.parse(signature[1..-2]))

        where:
        response                          | member
        'sample_tcbinfo_response_v5'      | 'tcbInfo'
        'sample_tcbInfo_response'         | 'tcbInfo'
        'sample_qeIdentity_response'      | 'enclaveIdentity'
    }

    def "whitespace, escapes and nesting inside the value are kept; only top-level members count"() {
        given:
        String json = ' { "x" : {"tcbInfo": 1}, "tcbInfo" :  { "a" : "q\\"}{" , "b":[1, {"c":2}] }\n, "n": -1.5e3, "s":"\\u00e9" }'

        expect:
        RawJson.member(json, 'tcbInfo', 'j') == '{ "a" : "q\\"}{" , "b":[1, {"c":2}] }'
        RawJson.member(json, 'n', 'j') == '-1.5e3'
        RawJson.member(json, 's', 'j') == '"\\u00e9"'
    }

    def "invalid JSON is refused in one line naming the source: #why"() {
        when:
        RawJson.member(json, 'tcbInfo', 'tcb.json')

        then:
        def e = thrown(RecipeException)
        e.message.startsWith("tcb.json: ${message}")
        e.message.readLines().size() == 1

        where:
        why                        | json                                   | message
        'truncated'                | '{"tcbInfo": {"a": 1}'                 | 'invalid JSON'
        'garbage after the object' | '{"tcbInfo": {"a": 1}} x'              | 'invalid JSON'
        'a second value'           | '{"tcbInfo": {"a": 1}} {}'             | 'content after the JSON object'
        'missing comma'            | '{"x": 1 "tcbInfo": {}}'               | 'invalid JSON'
        'not an object'            | '[{"tcbInfo": {}}]'                    | 'not a JSON object'
        'member absent'            | '{"x": {"tcbInfo": {}}}'               | 'JSON member "tcbInfo" not found'
        'unterminated string'      | '{"tcbInfo": "abc'                     | 'invalid JSON'
    }
}
