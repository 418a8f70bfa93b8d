package dev.sealwright.cli

import dev.sealwright.testkit.Cli
import dev.sealwright.testkit.JsonSchemas
import dev.sealwright.testkit.Kernels
import dev.sealwright.image.uki.UkiBuilder
import dev.sealwright.disk.Sh
import dev.sealwright.testkit.Repo
import dev.sealwright.testkit.Tmux
import groovy.json.JsonOutput as GroovyJson
import groovy.json.JsonSlurper
import spock.lang.Specification
import spock.lang.TempDir

import java.nio.file.Files
import java.nio.file.Path

/** --json output of the real CLI validated against docs/schemas/ by an independent validator (python3-jsonschema). */
class JsonSchemaSpec extends Specification {
    @TempDir
    Path work

    /** Exit status and output of python3-jsonschema validating DOC against SCHEMA. */
    Map validate(Path schema, String document) { JsonSchemas.validate(schema, document) }

    def "#args --json validates against docs/schemas/#schema, in snake_case; --json=short is the same document on one line"() {
        given:
        Repo.requireTool('/usr/bin/python3')
        def schemaFile = Repo.path("docs/schemas/${schema}")

        when:
        def pretty = Cli.run(*(args + ['--json']))
        def short_ = Cli.run(*(args + ['--json=short']))
        def checked = validate(schemaFile, pretty.out)

        then:
        pretty.exitCode == 0
        assert checked.exit == 0: checked.out
        short_.exitCode == 0
        short_.out.readLines().size() == 1
        new JsonSlurper().parseText(short_.out) == new JsonSlurper().parseText(pretty.out)
        keys(new JsonSlurper().parseText(pretty.out)).every { it ==~ /[a-z0-9]+(_[a-z0-9]+)*/ }

        and: 'the schema is not vacuous: a camelCase key is rejected'
        withCamelKey(new JsonSlurper().parseText(pretty.out)).with { it == null || validate(schemaFile, GroovyJson.toJson(it)).exit != 0 }

        where:
        args                    | schema
        ['steps']               | 'steps.schema.json'
        ['steps', 'extract']    | 'steps.schema.json'
        ['measure', 'profiles'] | 'measure-profiles.schema.json'
        ['doctor']              | 'doctor.schema.json'
    }

    def "#verb --json (real inputs: #inputs) validates against docs/schemas/#schema, in snake_case; --json=short is the same document"() {
        given:
        Repo.requireTool('/usr/bin/python3')
        def schemaFile = Repo.path("docs/schemas/${schema}")

        when: 'each form gets its own outputs (no verb overwrites one)'
        def pretty = Cli.run(*(argsFor(verb, 'p') + ['--json']))
        def short_ = Cli.run(*(argsFor(verb, 's') + ['--json=short']))
        def checked = validate(schemaFile, pretty.out)

        then:
        assert pretty.exitCode == exit: pretty
        assert checked.exit == 0: checked.out + pretty.out
        short_.exitCode == exit
        short_.out.readLines().size() == 1
        keys(new JsonSlurper().parseText(short_.out)) as Set == keys(new JsonSlurper().parseText(pretty.out)) as Set
        validate(schemaFile, short_.out).exit == 0
        keys(new JsonSlurper().parseText(pretty.out)).every { it ==~ SNAKE_CASE }

        and: 'the schema is not vacuous: a camelCase key is rejected'
        withCamelKey(new JsonSlurper().parseText(pretty.out)).with { it == null || validate(schemaFile, GroovyJson.toJson(it)).exit != 0 }

        where:
        verb                | exit | schema                         | inputs
        'recipes list'      | 0    | 'recipes-list.schema.json'     | 'the bundled libraries'
        'recipes show'      | 0    | 'recipes-show.schema.json'     | 'the files library'
        'eventlog diff'     | 1    | 'eventlog-diff.schema.json'    | 'two published TDX logs (dstack, go-eventlog)'
        'eventlog same'     | 0    | 'eventlog-diff.schema.json'    | 'one log against itself'
        'verity format'     | 0    | 'verity-format.schema.json'    | '1 MiB of random data'
        'verity verify'     | 0    | 'verity-verify.schema.json'    | 'the tree veritysetup wrote'
        'verity mismatch'   | 1    | 'verity-verify.schema.json'    | 'a wrong root hash'
        'disk partitions'   | 0    | 'disk-partitions.schema.json'  | 'a GPT sgdisk wrote'
        'disk encrypt'      | 0    | 'disk-encrypt.schema.json'     | 'a GPT sgdisk wrote'
        'luks format'       | 0    | 'luks-format.schema.json'      | 'a 20 MiB file'
        'quote simulate'    | 0    | 'quote-simulate.schema.json'   | 'none'
        'snp simulate'      | 0    | 'snp-simulate.schema.json'     | 'none'
        'quote verify'      | 0    | 'quote-verify.schema.json'     | 'the dcap-qvl TDX quote and its collateral'
        'quote rejected'    | 1    | 'quote-verify.schema.json'     | 'a SIMULATED quote without --trust-simulated'
        'attest snp'        | 0    | 'attest-snp.schema.json'       | 'the virtee/sev Milan report, VCEK and chain'
        'attest simulated'  | 0    | 'attest-snp.schema.json'       | 'a SIMULATED report with --trust-simulated'
        'plan'              | 0    | 'plan.schema.json'             | 'samples/checksummed.groovy'
        'quote show'        | 0    | 'quote-show.schema.json'       | 'the dcap-qvl TDX quote'
        'quote show sgx'    | 0    | 'quote-show.schema.json'       | 'the dcap-qvl SGX quote'
        'uki inspect'       | 0    | 'uki-inspect.schema.json'      | "systemd's linuxx64.efi.stub (systemd-boot-efi)"
        'eventlog show'     | 0    | 'eventlog-show.schema.json'    | 'the dstack TDX event log'
        'eventlog table'    | 0    | 'eventlog-show.schema.json'    | 'the go-eventlog CCEL ACPI table'
        'eventlog replay'   | 0    | 'eventlog-replay.schema.json'  | 'the dstack TDX event log'
        'luks dump'         | 0    | 'luks-dump.schema.json'        | 'a header cryptsetup luksFormat wrote'
        'luks token list'   | 0    | 'luks-token-list.schema.json'  | 'a token cryptsetup token import wrote'
        'measure tdx'       | 0    | 'measure-tdx.schema.json'      | "Debian's OVMF.fd and cloud kernel (the vm section is present)"
        'measure tdx fw'    | 0    | 'measure-tdx.schema.json'      | "Debian's OVMF.fd alone"
        'measure vtpm'      | 0    | 'measure-vtpm.schema.json'     | "Debian's OVMF 4M code and vars, a UKI of systemd's stub and the cloud kernel"
        'measure snp'       | 0    | 'measure-snp.schema.json'      | "sev-snp-measure's AmdSev OVMF fixture with a kernel"
        'snp idblock'       | 0    | 'snp-idblock.schema.json'      | "virtee/sev's test ID and author keys"
    }

    /** Arguments of VERB with its inputs prepared in the work directory; TAG keeps each run's outputs apart. */
    List<String> argsFor(String verb, String tag) {
        def w = { String name -> work.resolve("${tag}-${name}").toString() }
        def ccel = Repo.fixture('eventlog/dstack/ccel.bin').toString()
        switch (verb) {
            case 'recipes list': return ['recipes', 'list']
            case 'recipes show': return ['recipes', 'show', 'files']
            case 'eventlog diff': return ['eventlog', 'diff', ccel, Repo.fixture('eventlog/go-eventlog/cos-113-intel-tdx.bin').toString()]
            case 'eventlog same': return ['eventlog', 'diff', ccel, ccel]
            case 'verity format': return ['verity', 'format', randomFile(w('data'), 1 << 20), w('hash')]
            case 'verity verify':
            case 'verity mismatch':
                String data = randomFile(w('data'), 1 << 20)
                String root = Sh.ok(['veritysetup', 'format', data, w('hash')]).out.find(/Root hash:\s+([0-9a-f]+)/) { all, h -> h }
                return ['verity', 'verify', data, w('hash'), verb == 'verity verify' ? root : '00' * 32]
            case 'disk partitions': return ['disk', 'partitions', gptDisk(w('disk.img'))]
            case 'disk encrypt':
                Files.writeString(work.resolve("${tag}-key"), 'passphrase')
                return ['disk', 'encrypt', gptDisk(w('disk.img')), '-o', w('enc.img'), '--key-file', w('key')]
            case 'luks format':
                Files.writeString(work.resolve("${tag}-key"), 'passphrase')
                return ['luks', 'format', w('luks.img'), '--size', "${20 << 20}".toString(), '--key-file', w('key'), '--pbkdf', 'pbkdf2', '--pbkdf-force-iterations', '1000']
            case 'quote simulate': return ['quote', 'simulate', '--out', w('quote.bin'), '--collateral-out', w('collateral.json')]
            case 'snp simulate': return ['snp', 'simulate', '--out', w('report.bin'), '--vcek-out', w('vcek.pem'), '--chain-out', w('chain.pem')]
            case 'quote verify': return ['quote', 'verify', Repo.fixture('dcap/dcap-qvl/tdx_quote').toString(),
                                         '--collateral', Repo.fixture('dcap/dcap-qvl/tdx_quote_collateral.json').toString(), '--at', '2025-07-19T10:00:34Z']
            case 'quote rejected':
                assert Cli.run(*argsFor('quote simulate', tag)).exitCode == 0
                return ['quote', 'verify', w('quote.bin'), '--collateral', w('collateral.json')]
            case 'attest snp':
                return ['attest', 'snp', Repo.fixture('snp/virtee-sev/report_milan.hex').toString(), '--vcek', Repo.fixture('snp/virtee-sev/vcek_milan.der').toString(),
                        '--chain', Repo.fixture('snp/virtee-sev/cert_chain_milan').toString(), '--at', '2026-06-01T00:00:00Z']
            case 'attest simulated':
                assert Cli.run(*argsFor('snp simulate', tag)).exitCode == 0
                return ['attest', 'snp', w('report.bin'), '--vcek', w('vcek.pem'), '--chain', w('chain.pem'), '--trust-simulated']
            case 'plan': return ['plan', Repo.path('samples/checksummed.groovy').toString(), '-C', w('plan')]
            case 'quote show': return ['quote', 'show', Repo.fixture('dcap/dcap-qvl/tdx_quote').toString()]
            case 'quote show sgx': return ['quote', 'show', Repo.fixture('dcap/dcap-qvl/sgx_quote').toString()]
            case 'uki inspect':
                assert Files.exists(Path.of('/usr/lib/systemd/boot/efi/linuxx64.efi.stub')): 'the systemd-boot-efi package (.ci/packages-test) is required'
                return ['uki', 'inspect', '/usr/lib/systemd/boot/efi/linuxx64.efi.stub']
            case 'eventlog show': return ['eventlog', 'show', ccel]
            case 'eventlog table': return ['eventlog', 'show', Repo.fixture('eventlog/go-eventlog/cos-113-intel-tdx.table.bin').toString()]
            case 'eventlog replay': return ['eventlog', 'replay', ccel]
            case 'luks token list':
                def luks = argsFor('luks dump', tag)[-1]
                Files.writeString(work.resolve("${tag}-token.json"), '{"type":"x-sealwright-test","keyslots":["0"],"note":"imported by cryptsetup"}')
                Sh.ok(['cryptsetup', 'token', 'import', '--token-id', '3', '--json-file', w('token.json'), luks])
                return ['luks', 'token', 'list', luks]
            case 'measure tdx':
                Repo.requireTool('ovmf-combined')
                return ['measure', 'tdx', '--firmware', '/usr/share/ovmf/OVMF.fd', '--kernel', Kernels.debian().vmlinuz().toString(), '--cmdline', 'console=ttyS0']
            case 'measure tdx fw':
                Repo.requireTool('ovmf-combined')
                return ['measure', 'tdx', '--firmware', '/usr/share/ovmf/OVMF.fd']
            case 'measure vtpm':
                Repo.requireTool('systemd-stub')
                def uki = work.resolve("${tag}-uki.efi")
                Files.write(uki, UkiBuilder.build(new UkiBuilder.Parts(Files.readAllBytes(Path.of('/usr/lib/systemd/boot/efi/linuxx64.efi.stub')),
                        Files.readAllBytes(Kernels.debian().vmlinuz()), 'rd'.bytes, 'console=ttyS0', '', 'ID=test\n'), 'stub'))
                return ['measure', 'vtpm', '--firmware-code', '/usr/share/OVMF/OVMF_CODE_4M.fd', '--firmware-vars', '/usr/share/OVMF/OVMF_VARS_4M.fd', '--uki', uki.toString()]
            case 'measure snp':
                return ['measure', 'snp', '--ovmf', Repo.fixture('snp/sev-snp-measure/ovmf_AmdSev_suffix.bin').toString(), '--vcpus', '2', '--vcpu-type', 'EPYC-v4',
                        '--kernel', Kernels.debian().vmlinuz().toString(), '--append', 'console=ttyS0']
            case 'snp idblock':
                return ['snp', 'idblock', '--measurement', '11' * 48, '--id-key', Repo.fixture('snp/virtee-sev/idblock/test_id_key.pem').toString(),
                        '--author-key', Repo.fixture('snp/virtee-sev/idblock/test_auth_key.pem').toString(), '--out-dir', w('idblock')]
            case 'luks dump':
                Files.writeString(work.resolve("${tag}-key"), 'passphrase')
                new RandomAccessFile(w('luks.img'), 'rw').withCloseable { it.setLength(20L << 20) }
                Sh.ok(['cryptsetup', 'luksFormat', '--batch-mode', '--type', 'luks2', '--pbkdf', 'pbkdf2', '--pbkdf-force-iterations', '1000',
                       '--key-file', w('key'), '--label', 'data', w('luks.img')])
                return ['luks', 'dump', w('luks.img')]
        }
        throw new IllegalArgumentException(verb)
    }

    static String randomFile(String path, int size) {
        byte[] b = new byte[size]
        new Random(7).nextBytes(b)
        Files.write(Path.of(path), b)
        path
    }

    /** A cloud-image-like 64 MiB disk written by sgdisk: BIOS boot, ESP, and the rootfs last. */
    static String gptDisk(String path) {
        new RandomAccessFile(path, 'rw').withCloseable { it.setLength(64L << 20) }
        Sh.ok(['sgdisk', '-o', '-n', '14:2048:+4M', '-t', '14:ef02', '-n', '15:0:+16M', '-t', '15:ef00', '-n', '1:0:0', '-t', '1:8300', '-c', '1:cloudimg-rootfs', path])
        path
    }

    def "disk encrypt --progress: json lines valid against docs/schemas/progress.schema.json ending at 100%, plain lines; nothing unless asked when not on a terminal"() {
        given:
        Repo.requireTool('/usr/bin/python3')
        def schemaFile = Repo.path('docs/schemas/progress.schema.json')

        when:
        def asJson = Cli.run(*(argsFor('disk encrypt', 'j') + ['--progress=json']))
        def plain = Cli.run(*(argsFor('disk encrypt', 'p') + ['--progress=plain']))
        def unasked = Cli.run(*argsFor('disk encrypt', 'n'))
        def lines = asJson.err.readLines().findAll { it.startsWith('{') }
        def last = new JsonSlurper().parseText(lines.last())

        then:
        asJson.exitCode == 0 && plain.exitCode == 0 && unasked.exitCode == 0
        !lines.isEmpty()
        lines.every { String line -> validate(schemaFile, line).with { assert it.exit == 0: it.out + line; true } }
        last.operation == 'disk encrypt' && last.done == true && last.percent == 100 && last.bytes == last.total
        last.total == (131038L - 43008 + 1) * 512       // the rootfs partition sgdisk made: LBA 43008..131038
        plain.err.readLines().last() ==~ /disk encrypt: 100% \(43\.0 of 43\.0 MiB\), [0-9.]+ MiB\/s, ETA 0:00/
        unasked.err.isEmpty()

        and: 'a camelCase key or a percent over 100 is rejected: the schema is not vacuous'
        validate(schemaFile, lines.last().replace('"rate_bytes_per_s"', '"rateBytesPerS"')).exit != 0
        validate(schemaFile, lines.last().replace('"percent":100', '"percent":101')).exit != 0
    }

    def "#verb --progress: json lines valid against docs/schemas/progress.schema.json ending at done=true with bytes = #what; plain lines end at 100%"() {
        given:
        Repo.requireTool('/usr/bin/python3')
        def schemaFile = Repo.path('docs/schemas/progress.schema.json')

        when:
        def asJson = Cli.run(*(progressArgs(verb, 'j') + ['--progress=json']))
        def plain = Cli.run(*(progressArgs(verb, 'p') + ['--progress=plain']))
        def lines = asJson.err.readLines().findAll { it.startsWith('{') }
        def last = new JsonSlurper().parseText(lines.last())

        then:
        assert asJson.exitCode == 0: asJson
        assert plain.exitCode == 0: plain
        lines.size() >= 1
        lines.every { String line -> validate(schemaFile, line).with { assert it.exit == 0: it.out + line; true } }
        last.operation == operation && last.done == true && last.percent == 100 && last.bytes == last.total
        last.total == total
        plain.err.readLines().last() ==~ /${java.util.regex.Pattern.quote(operation)}: 100% \(${mib}.*/

        where:
        verb                   | operation       | total                        | mib                   | what
        'verity format'        | 'verity format' | 24L << 20                    | '24\\.0 of 24\\.0 MiB' | 'the data hashed (24 MiB)'
        'initramfs'            | 'initramfs'     | 3 * (5L << 20) + 11          | '15\\.0 of 15\\.0 MiB' | 'the file content archived (3 x 5 MiB + 11)'
        'disk encrypt inplace' | 'disk encrypt'  | (131038L - 43008 + 1) * 512  | '43\\.0 of 43\\.0 MiB' | 'the rootfs partition sgdisk made, encrypted in place'
    }

    /** A long-work command on fresh inputs; TAG keeps each run's files apart. */
    List<String> progressArgs(String verb, String tag) {
        def w = { String name -> work.resolve("${tag}-${name}").toString() }
        switch (verb) {
            case 'verity format': return ['verity', 'format', randomFile(w('data'), 24 << 20), w('hash')]
            case 'initramfs':
                def root = Files.createDirectories(work.resolve("${tag}-root/etc"))
                (1..3).each { randomFile(root.resolveSibling("f${it}").toString(), 5 << 20) }
                Files.writeString(root.resolve('hostname'), 'sealwright\n')      // 11 bytes
                return ['initramfs', root.parent.toString(), '-o', w('initrd.cpio.gz'), '--level', '1']
            case 'disk encrypt inplace':
                Files.writeString(work.resolve("${tag}-key"), 'passphrase')
                return ['disk', 'encrypt', gptDisk(w('disk.img')), '--in-place', '--key-file', w('key')]
        }
        throw new IllegalArgumentException(verb)
    }

    def "disk encrypt on a terminal (tmux pty) shows live progress without being asked; TERM=dumb falls back to plain lines"() {
        given:
        Files.writeString(work.resolve('key'), 'passphrase')
        def disk = gptDisk(work.resolve('disk.img').toString())

        when: 'the shell stays on after the CLI ends (a pane that dies at once can lose its first lines)'
        def stay = { List<String> cli -> ['sh', '-c', '"$@" && echo "exit=ok"; sleep 60', 'sh'] + cli }
        def live = new Tmux(work, stay(Tmux.sealwright('disk', 'encrypt', disk, '-o', 'live.img', '--key-file', 'key')))
        def dumb = new Tmux(work, stay(Tmux.sealwright('disk', 'encrypt', disk, '-o', 'dumb.img', '--key-file', 'key', '--progress')), [TERM: 'dumb'])
        def liveScreen = live.waitFor('exit=ok', 120)
        def dumbScreen = dumb.waitFor('exit=ok', 120)

        then:
        liveScreen.readLines().any { it ==~ /disk encrypt: 100% \(43\.0 of 43\.0 MiB\), [0-9.]+ MiB\/s, ETA 0:00/ }
        liveScreen.readLines().count { it.startsWith('disk encrypt:') } == 1      // rewritten in place, not a line each time
        liveScreen.contains('encrypted partition 1')
        dumbScreen.readLines().any { it ==~ /disk encrypt: 100% \(43\.0 of 43\.0 MiB\).*/ }

        cleanup:
        live?.close()
        dumb?.close()
    }

    def "--json takes pretty or short only (usage error otherwise)"() {
        expect:
        with(Cli.run('steps', '--json=xml')) { exitCode == 2 && err.startsWith('sealwright: --json=xml: expected pretty or short') }
    }

    def "--json and --progress before a positional take no value from it; a separate pretty|short or live|plain|json is theirs"() {
        given:
        def stub = '/usr/lib/systemd/boot/efi/linuxx64.efi.stub'
        def data = randomFile(work.resolve('data').toString(), 1 << 20)

        expect:
        with(Cli.run('uki', 'inspect', '--json', stub)) { exitCode == 0 && out.readLines().size() > 1 && new JsonSlurper().parseText(out).file == stub }
        with(Cli.run('uki', 'inspect', '--json', 'short', stub)) { exitCode == 0 && out.readLines().size() == 1 }
        with(Cli.run('verity', 'format', '--progress', 'json', data, work.resolve('hash').toString())) {
            exitCode == 0 && new JsonSlurper().parseText(err.readLines().findAll { it.startsWith('{') }.last()).done == true
        }
        with(Cli.run('verity', 'format', '--progress', data, work.resolve('hash2').toString())) { exitCode == 0 && out.contains('Root hash:') }
    }

    /** A copy of JSON whose first snake_case key (depth first) is camelCase; null when it has none. */
    static Object withCamelKey(Object json) {
        if (json instanceof Map) {
            Map m = (Map) json
            def key = m.keySet().find { (it as String).contains('_') }
            if (key != null) return m.collectEntries { k, v -> [(k == key ? (k as String).replaceAll(/_([a-z0-9])/) { all, c -> c.toUpperCase() } : k): v] }
            for (def e : m.entrySet()) {
                def changed = withCamelKey(e.value)
                if (changed != null) return m.collectEntries { k, v -> [(k): k == e.key ? changed : v] }
            }
        } else if (json instanceof List) {
            List l = (List) json
            for (int i = 0; i < l.size(); i++) {
                def changed = withCamelKey(l[i])
                if (changed != null) { def copy = new ArrayList(l); copy[i] = changed; return copy }
            }
        }
        null
    }

    /** snake_case; SIMULATED is the project's label for simulated evidence, in capitals on purpose. */
    static final java.util.regex.Pattern SNAKE_CASE = ~/[a-z0-9]+(_[a-z0-9]+)*|SIMULATED/

    static List<String> keys(Object json) {
        json instanceof Map ? ((Map) json).collectMany { k, v -> [k as String] + keys(v) } :
                json instanceof List ? ((List) json).collectMany { keys(it) } : []
    }
}
