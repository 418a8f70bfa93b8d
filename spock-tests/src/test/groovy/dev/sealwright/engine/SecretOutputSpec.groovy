package dev.sealwright.engine

import dev.sealwright.base.RecipeException
import dev.sealwright.engine.observe.JsonRunReport
import dev.sealwright.testkit.TestSteps
import spock.lang.Specification
import spock.lang.TempDir

import java.nio.file.Files
import java.nio.file.Path
import java.nio.file.attribute.PosixFilePermission
import java.security.MessageDigest

/**
 * A secret a step makes (OutputSpec.secret) stays a secret downstream: owner-only on disk although the step wrote
 * it world-readable, only an HMAC of it in the cache entry, the state file and the run report, masked in the logs
 * of the steps that read it (also when its maker is a cache hit), and refused by an option that is not a secret.
 */
class SecretOutputSpec extends Specification {
    static final String KEY = 'generated-key-4f1c9a77e2'

    @TempDir
    Path dir

    /** test.makeSecret: writes a key file with the default (umask) mode, as a careless step would. */
    static class MakeSecret implements StepType {
        String name() { 'test.makeSecret' }
        int version() { 1 }
        String description() { 'writes a generated key (tests)' }
        List<OptionSpec> options() { [OptionSpec.optional('suffix', String, '', 'appended to the key')] }
        List<OutputSpec> outputs() { [OutputSpec.secret('key', 'key.txt', 'the generated key')] }
        void execute(StepContext ctx) { Files.writeString(ctx.output('key'), KEY + ctx.string('suffix')) }
    }

    def setup() {
        TestSteps.install()
        StepTypes.register(new MakeSecret())
    }

    Pipeline pipeline(String text) {
        Pipeline.builder('sec')
                .step('maker', StepTypes.get('test.makeSecret'), [:])
                .step('user', StepTypes.get('test.concat'), [text: text, token: new OutputRef('maker', 'key')])
                .build()
    }

    RunResult run(Pipeline p, List<String> logs, Path report) {
        def ws = new Workspace(dir).open()
        try {
            def listener = new RunListener() {
                void stepLog(Step s, String line) { logs << line }
            }
            return new Engine(ws, new EngineOptions().listener(listener).listener(new JsonRunReport(report))).run(p)
        } finally {
            ws.close()
        }
    }

    static String sha256Hex(String s) { MessageDigest.getInstance('SHA-256').digest(s.bytes).encodeHex().toString() }

    static boolean ownerOnly(Path p) { Files.getPosixFilePermissions(p).every { it in [PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE] } }

    def "the secret is owner-only, recorded only as an HMAC, and masked downstream, on a fresh run and after a cache hit"() {
        given:
        def logs = []
        def report = dir.resolve('run.json')

        when:
        def first = run(pipeline('a'), logs, report)
        def published = dir.resolve('out/maker/key.txt')
        def entries = []
        Files.walk(dir.resolve('.sealwright/cache')).withCloseable { s -> s.filter { it.fileName.toString() == 'entry.json' }.forEach { entries << it } }
        def makerEntry = entries.find { Files.readString(it).contains('test.makeSecret') }
        def stored = Files.readString(makerEntry)

        then:
        first.ok()
        Files.readString(published) == KEY
        ownerOnly(published)
        ownerOnly(makerEntry.resolveSibling('outputs').resolve('key.txt'))
        stored.contains('hmac-sha256:')
        !stored.contains(sha256Hex(KEY))
        !Files.readString(report).contains(sha256Hex(KEY))
        !Files.readString(report).contains(KEY)
        !Files.readString(dir.resolve('.sealwright/state/sec.json')).contains(sha256Hex(KEY))
        logs == ['using token ****']

        when: 'only the user re-runs; the maker is a cache hit and its secret is still masked'
        logs.clear()
        def second = run(pipeline('b'), logs, report)

        then:
        second.ok()
        second.step('maker').status() == StepStatus.CACHED
        second.step('user').status() == StepStatus.EXECUTED
        logs == ['using token ****']
    }

    def "the user's key takes the secret by HMAC: another secret re-runs it, and plan says only 'changed'"() {
        given:
        def logs = []
        run(pipeline('a'), logs, dir.resolve('run.json'))
        def changed = Pipeline.builder('sec')
                .step('maker', StepTypes.get('test.makeSecret'), [suffix: '-2'])
                .step('user', StepTypes.get('test.concat'), [text: 'a', token: new OutputRef('maker', 'key')])
                .build()

        when:
        def plan = new Engine(new Workspace(dir), new EngineOptions()).plan(changed)
        def why = plan.entries().find { it.step().name() == 'user' }

        then:
        why.action() == Plan.Action.RUN
        why.reasons().any { it.contains('maker') || it.contains('secret token') }
        !why.reasons().any { it.contains(KEY) || it.contains(sha256Hex(KEY)) }
    }

    def "an option that is not a secret refuses a secret output when the pipeline is built"() {
        when:
        Pipeline.builder('sec')
                .step('maker', StepTypes.get('test.makeSecret'), [:])
                .step('leak', StepTypes.get('test.concat'), [inputs: [new OutputRef('maker', 'key')]])
                .build()

        then:
        def e = thrown(RecipeException)
        e.message == "option 'inputs' of step leak takes a list of file or step output, but maker.key is a secret: only a secret option takes it"
    }
}
