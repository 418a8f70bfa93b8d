package dev.sealwright.attest.dcap

import dev.sealwright.base.RecipeException
import dev.sealwright.testkit.Repo
import spock.lang.Specification

import java.nio.file.Files

/**
 * The DCAP quote codec against the public sample quotes; every expected value is quoted from
 * ../shared/fixtures/README.md (E-1 .. E-8, E-20).
 */
class QuoteSpec extends Specification {
    static final String Z48 = '00' * 48
    static final String Z64 = '00' * 64

    static Quote quote(String rel) { Quote.readFile(Repo.fixture(rel)) }

    def "E-1 dcap-qvl tdx_quote: v4 TD10 fields"() {
        when:
        def q = quote('dcap/dcap-qvl/tdx_quote')
        def td = q.tdBody()

        then:
        q.header().version() == 4
        q.header().attestationKeyType() == 2
        q.header().teeType() == 0x81
        q.bodyType() == Quote.BODY_TD10
        q.trailingBytes() == 70
        q.toBytes().length == 4936
        Hex.of(td.mrTd()) == '91eb2b44d141d4ece09f0c75c2c53d247a3c68edd7fafe8a3520c942a604a407de03ae6dc5f87f27428b2538873118b7'
        Hex.of(td.rtmr0()) == '44c0197b39157fdd7a4dcc44767f9d6b0bb3977c7a8e347b8492f827fe9d9e5c48aca29b220b80b6a540cf994b9bc9c0'
        Hex.of(td.rtmr1()) == '0084452c01668329d4bc06acdf58a7205c26743304509973949e5619bf81a6a7aea8c323c173019b3093d54e579e9378'
        Hex.of(td.rtmr2()) == 'd833feef2cd945148aa38ead2c53e9b7f138190aaaebfc551dccd829fc207aa3ba80b70870d7330733642e01d48c3132'
        Hex.of(td.rtmr3()) == Z48
        Hex.of(td.reportData()) == '9a9d48e7f6799642d3d1b34e1e5e1742d4bb02dd6ddd551862c1211d35c304f9eca3efdbb481601c163cf52493d6e44aed55d51ec39b7e518fadb92c2b523f20'
        Hex.of(td.teeTcbSvn()) == '06010300000000000000000000000000'
        Hex.of(td.mrSeam()) == '5b38e33a6487958b72c3c12a938eaa5e3fd4510c51aeeab58c7d5ecee41d7c436489d6c8e4f92f160b7cad34207b00c1'
        Hex.of(td.mrSignerSeam()) == Z48
        Hex.of(td.tdAttributes()) == '0000001000000000'
        Hex.of(td.xfam()) == 'e702060000000000'
        Hex.of(td.mrConfigId()) == Z48 && Hex.of(td.mrOwner()) == Z48 && Hex.of(td.mrOwnerConfig()) == Z48
        !td.debug()
        Hex.of(q.certification().qeReport().mrSigner()).startsWith('dc9e2a7c')
        Hex.of(q.certification().qeReport().mrSigner()).endsWith('a8c5')
        q.certification().qeReport().isvProdId() == 2
        q.certification().qeReport().isvSvn() == 6
    }

    def "E-1: signature data is 4300 bytes (quote length minus header, body and length field)"() {
        expect:
        quote('dcap/dcap-qvl/tdx_quote').toBytes().length - 48 - 584 - 4 == 4300
    }

    def "E-2 dcap-qvl tdx_quote_outdated: v5 TD15 fields"() {
        when:
        def q = quote('dcap/dcap-qvl/tdx_quote_outdated')
        def td = q.tdBody()

        then:
        q.header().version() == 5
        q.bodyType() == Quote.BODY_TD15
        td.size() == 648
        q.trailingBytes() == 0
        q.toBytes().length == 5006
        q.toBytes().length - 48 - 6 - 648 - 4 == 4300
        Hex.of(td.mrTd()) == '273828c46252fcbdd8ad2dd907130222b03466d52a2911d70c1a5950895d6bd1ae451d382d5a9b1b4c0ed0e5ae9a3dbd'
        (0..3).every { Hex.of(td.rtmr(it)) == Z48 }
        Hex.of(td.reportData()) == 'd2142b643598eb5fae2bc8529dd79a558b29f868ccbb6531cb28dab9dce47728' + '00' * 32
        Hex.of(td.teeTcbSvn()) == '07010300' + '00' * 12
        Hex.of(td.teeTcbSvn2()) == '0d010300' + '00' * 12
        Hex.of(td.mrSeam()) == '49b66faa451d19ebbdbe89371b8daf2b65aa3984ec90110343e9e2eec116af08850fa20e3b1aa9a874d77a65380ee7e6'
        Hex.of(td.tdAttributes()) == '0000001000000000'
        Hex.of(td.xfam()) == 'e718060000000000'
        Hex.of(td.mrServiceTd()) == Z48
        q.certification().qeReport().isvSvn() == 7
    }

    def "E-3 dcap-qvl sgx_quote: v3 SGX fields"() {
        when:
        def q = quote('dcap/dcap-qvl/sgx_quote')
        def b = q.sgxBody()

        then:
        q.header().version() == 3
        q.header().teeType() == 0
        q.header().qeSvn() == 10
        q.header().pceSvn() == 15
        q.bodyType() == Quote.BODY_SGX
        Hex.of(b.mrEnclave()) == '33d8736db756ed4997e04ba358d27833188f1932ff7b1d156904d3f560452fbb'
        Hex.of(b.mrSigner()) == '815f42f11cf64430c30bab7816ba596a1da0130c3b028b673133a66cf9a3e0e6'
        b.isvProdId() == 0
        b.isvSvn() == 0
        b.attributeFlags() == 0x05
        Hex.of(b.attributes()).substring(16, 18) == 'e7'
        new String(b.reportData(), 0, 13, 'US-ASCII') == 'Hello, world!'
        b.reportData()[13..63].every { it == 0 }
        Hex.of(q.certification().qeReport().mrSigner()).startsWith('8c4f5775')
        Hex.of(q.certification().qeReport().mrSigner()).endsWith('7bff')
        q.certification().qeReport().isvProdId() == 1
        q.certification().qeReport().isvSvn() == 10
    }

    def "E-4 hex quote samples decode (0x-prefixed and with a trailing newline)"() {
        when:
        def a = quote('dcap/dcap-qvl/tdx-quote.hex')
        def b = quote('dcap/dcap-qvl/quote-from-tappd.hex')

        then:
        a.header().version() == 4 && a.trailingBytes() == 70
        Hex.of(a.tdBody().mrTd()) == '7ba9e262ce6979087e34632603f354dd8f8a870f5947d116af8114db6c9d0d74c48bec4280e5b4f4a37025a10905bb29'
        Hex.of(a.tdBody().rtmr0()) == '4574c098915caf3e82057817dbd135c1ed0ee1b39ac300c921479e2f5ebf5726a13ee0c8745ac891b6aee7c4f9664610'
        Hex.of(a.tdBody().rtmr1()) == Z48 && Hex.of(a.tdBody().rtmr2()) == Z48
        Hex.of(a.tdBody().rtmr3()) == '547fcba4630bfb981169a8a1903b79c244933413409dd0387acbd8e3b985bcc9164cf52735cd31f60bf2c5d1220c113f'
        Hex.of(a.reportData()) == '7148f47ef58b475fce69b386e2d6b4c964a9533cc328ea8e544db66612a5174698d006951cefa8fd4450e884300638e567e22f9a012ef5754aa6a9d9564fcd8a'
        b.header().version() == 4
        Hex.of(b.tdBody().mrTd()) == 'c68518a0ebb42136c12b2275164f8c72f25fa9a34392228687ed6e9caeb9c0f1dbd895e9cf475121c029dc47e70e91fd'
        Hex.of(b.tdBody().rtmr0()) == '274c2344116db7c663470693b5ba62b8621eac28cb41d2f816ddf188f9f423f900a1c44d32386fd3c993dc814e62af9d'
        Hex.of(b.tdBody().rtmr1()) == '918fbd97108e05450afa6aca140c6363ab913578b66cc312e3e8542ce5ade455a30c8d9e4d53a5e43d81955f76140279'
        Hex.of(b.tdBody().rtmr2()) == Z48
        Hex.of(b.tdBody().rtmr3()) == 'a2d25bc888a93009af5b70eadb410e9071d18387e4db39aae20fe767f5c4279d95e6519c5d797938a90694599c5bea7a'
        Hex.of(b.reportData()) == '7668c6b4eafb62301c72714ecc7d90ce9a0e04b52dc117720df2047b0a59f1dbd937243eef1410a3cdc524aad66d4554b4f18b54da2fc0608dac40d6dea5f1d4'
    }

    def "E-5 go-tdx-guest tdx_prod_quote_SPR_E4: v4 fields, 39 trailing bytes, signature data 4299"() {
        when:
        def q = quote('dcap/go-tdx-guest/tdx_prod_quote_SPR_E4.dat')
        def td = q.tdBody()

        then:
        q.header().version() == 4
        q.trailingBytes() == 39
        q.toBytes().length - 48 - 584 - 4 == 4299
        Hex.of(td.mrTd()) == '6363b8043668a3ad953278e10389574d326c6749fb78aa810ecd9336923db86f22fc00b8dcd404bc10d5e119d7215cbb'
        Hex.of(td.rtmr0()) == '2927da70461cd63266f43230cc1849c03ef25ebe490062a801d8fcc80af42976823adf08f833c1e50b51779c6593f32a'
        Hex.of(td.rtmr1()) == '2c700b8ba9b85783f8be9fb9443647bdc0bb3c50747f06297cc6538c25a5f589c4b56d035c59107c6bc5800db2cacb61'
        Hex.of(td.rtmr2()) == '8652f0caaba7e215ea442dc36a4499d8fec3362f3a0b2ca151cbe4b3e6466fe59c7368b3c2287fc7c3bf5c924eb4424e'
        Hex.of(td.rtmr3()) == Z48
        Hex.of(td.reportData()) == '6c62dec1b8191749a31dab490be532a35944dea47caef1f980863993d9899545eb7406a38d1eed313b987a467dacead6f0c87a6d766c66f6f29f8acb281f1113'
        Hex.of(td.teeTcbSvn()) == '03000400' + '00' * 12
        Hex.of(td.mrSeam()) == '2fd279c16164a93dd5bf373d834328d46008c2b693af9ebb865b08b2ced320c9a89b4869a9fab60fbe9d0c5a5363c656'
        Hex.of(td.tdAttributes()) == '0000004000000000'
        Hex.of(td.xfam()) == 'e71a060000000000'
        q.certification().qeReport().isvSvn() == 4
    }

    def "E-6 go-tdx-guest quote_v5_sample: v5 TD15 fields"() {
        when:
        def q = quote('dcap/go-tdx-guest/quote_v5_sample.dat')
        def td = q.tdBody()

        then:
        q.header().version() == 5
        q.bodyType() == Quote.BODY_TD15
        q.trailingBytes() == 0
        q.toBytes().length - 48 - 6 - 648 - 4 == 4300
        Hex.of(td.mrTd()) == '7348651a34b2d2d3462822e3a750ec6110125f36757c78480bbfc69cc0d21fb001a1ced3ee19747dda8f750c3bc8f876'
        Hex.of(td.rtmr0()) == '5c8daf76063a71ac8fcef4067564661fc682ed7944c7a5d21dbbced02f61ceff4ba0678c6aef3bdae8cbc614cec24619'
        Hex.of(td.rtmr1()) == '463acaace1b6e97c76e92e41fe312aa66f3fd4dad60ec7acf169859db0343e3d1e591646795cdc80fbc0ca5f7041d253'
        Hex.of(td.rtmr2()) == '6369b9c9a3b791ebcbdc5a0bb9536cfb57f50df2b393b33c8b29616d3568baa61f4b59dc6092e31ea8764bcbdfc69f20'
        Hex.of(td.rtmr3()) == Z48
        Hex.of(td.reportData()) == '945eaacf5abc1f719d8666a942fda03d1edcb4490277396093dc5a5289ab9f1e094aed63060cd4a4933a4dd537ed1255c9c79ecb3ed82cd1b486233e31c25c3a'
        Hex.of(td.teeTcbSvn()) == '0b010400' + '00' * 12
        Hex.of(td.teeTcbSvn2()) == '0d010400' + '00' * 12
        Hex.of(td.mrSeam()) == '7bf063280e94fb051f5dd7b1fc59ce9aac42bb961df8d44b709c9b0ff87a7b4df648657ba6d1189589feab1d5a3c9a9d'
        Hex.of(td.tdAttributes()) == '0000001000000000'
        Hex.of(td.xfam()) == 'e702060000000000'
        q.certification().qeReport().isvSvn() == 7
    }

    def "E-8 COS quote zero-padded to 8000 bytes: padding ignored, REPORTDATA equals nonce.dat"() {
        when:
        def q = quote('tdx/go-tdx-guest/ccel/cos-113-tdx-quote.dat')
        def td = q.tdBody()

        then:
        q.header().version() == 4
        q.trailingBytes() == 3065
        q.toBytes().length - 48 - 584 - 4 == 4299
        td.reportData() == Files.readAllBytes(Repo.fixture('tdx/go-tdx-guest/ccel/nonce.dat'))
        Hex.of(td.reportData()) == Z64
        Hex.of(td.teeTcbSvn()).startsWith('04010700')
        Hex.of(td.mrSeam()) == 'ffc97a88587660fb04e1f7c851300c96ae0b5a463ac46d035d16c2d9f36d0ed1d23775bcbd27deb219e3a3cc28023895'
        Hex.of(td.tdAttributes()) == '0000001000000000'
        Hex.of(td.xfam()) == 'e700060000000000'
        Hex.of(td.mrTd()) == 'dae67181d3d65e073ad8f95b7907d5e927bfe9761c9ff3e9b89734a45d8954dba41394c7717cb2735396c1d04231f94a'
        Hex.of(td.rtmr0()) == '3fa2f61f395b7f5feefb4ec2df61297f109ad8abcd6410c1b7df60f21f37b19297fc35e544039c7e1edece752afd17f6'
        Hex.of(td.rtmr1()) == 'f62dbc072bd5d3f3438b7b35c39a727f5aea2ffc2473f43723953f530daf62504f0a7944aa62c41a86e8a878c2b122c1'
        Hex.of(td.rtmr2()) == '4969684dc87381fc3b3134176c8d8806eaf0a901859f5f70cfae8d17714b46c10a8de219048c9fc09f11f381a6fbe7c1'
        Hex.of(td.rtmr3()) == Z48
        q.certification().qeReport().isvSvn() == 6
    }

    def "every sample quote writes back to exactly its used bytes (codec symmetry)"() {
        given:
        byte[] raw = Quote.decodeHexText(Files.readAllBytes(Repo.fixture(rel)))

        when:
        def q = Quote.read(raw, rel)
        byte[] written = q.toBytes()

        then:
        written.length + q.trailingBytes() == raw.length
        written == Arrays.copyOf(raw, written.length)
        Quote.read(written, 'rewritten').toBytes() == written
        Quote.read(written, 'rewritten').trailingBytes() == 0

        where:
        rel << ['dcap/dcap-qvl/tdx_quote', 'dcap/dcap-qvl/tdx_quote_outdated', 'dcap/dcap-qvl/sgx_quote',
                'dcap/dcap-qvl/tdx-quote.hex', 'dcap/dcap-qvl/quote-from-tappd.hex',
                'dcap/go-tdx-guest/tdx_prod_quote_SPR_E4.dat', 'dcap/go-tdx-guest/quote_v5_sample.dat',
                'tdx/go-tdx-guest/ccel/cos-113-tdx-quote.dat', 'quex/quex-pack/quote.dat']
    }

    def "truncated or malformed quotes are rejected with one line naming the file and the field"() {
        given:
        byte[] raw = Files.readAllBytes(Repo.fixture('dcap/dcap-qvl/tdx_quote'))
        byte[] bad = Arrays.copyOf(raw, length)
        if (offset >= 0) bad[offset] = (byte) value

        when:
        Quote.read(bad, 'q.bin')

        then:
        def e = thrown(RecipeException)
        e.message.startsWith('q.bin: malformed DCAP quote: ')
        e.message.contains(expected)
        !e.message.contains('\n')

        where:
        length | offset     | value || expected
        40     | -1         | 0     || 'truncated in header.user_data'
        600    | -1         | 0     || 'truncated in td_report'
        5006   | 0          | 7     || 'unsupported version 7'
        5006   | 2          | 3     || 'attestation key type 3'
        5006   | 4          | 0x42  || 'unknown TEE type 0x00000042'
        5006   | 632 + 3    | 0x7f  || 'signature_data_len is'
        5006   | 636 + 128  | 5     || 'certification data type 5'
    }
}
