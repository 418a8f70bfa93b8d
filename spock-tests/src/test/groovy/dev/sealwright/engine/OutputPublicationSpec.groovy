package dev.sealwright.engine

import dev.sealwright.base.RecipeException
import dev.sealwright.base.Secret
import dev.sealwright.testkit.TestSteps
import spock.lang.Specification
import spock.lang.TempDir

import java.nio.file.Files
import java.nio.file.Path

class OutputPublicationSpec extends Specification {
    @TempDir
    Path dir

    def setup() {
        TestSteps.install()
    }

    def "a cached output is published as out/<step>/<file>, a hard link to the cache copy, and recorded there"() {
        given:
        def entryDir = Files.createDirectories(dir.resolve('cache/ab/abcd/outputs')).parent
        Files.writeString(entryDir.resolve('outputs/out.txt'), 'hi')
        def entry = new Cache.Entry(entryDir, [out: [path: 'out.txt', digest: 'sha256:hi', size: 2]], [:])
        def s = new Step('hello', StepTypes.get('test.concat'), [:], null)
        def pub = new OutputPublication(dir.resolve('out'), new SecretMasker())

        when:
        def o = pub.fromEntry(s, entry)
        pub.fromEntry(s, entry)   // again: already in place
        def r = pub.record(s, StepStatus.CACHED, null, 0, [:], o, [:], null, null)

        then:
        Files.isSameFile(dir.resolve('out/hello/out.txt'), entryDir.resolve('outputs/out.txt'))
        o.digest('out') == 'sha256:hi'
        r.outputs().out.path() == dir.resolve('out/hello/out.txt')
        r.outputs().out.size() == 2
    }

    def "a failure is recorded as one line with every registered secret masked"() {
        given:
        def masker = new SecretMasker()
        masker.register(Secret.ofValue('test', 'hunter2-swordfish'.bytes))
        def s = new Step('leaky', StepTypes.get('test.concat'), [:], null)

        when:
        def r = new OutputPublication(dir.resolve('out'), masker)
                .failed(s, null, 0, [:], [:], new RecipeException('bad token hunter2-swordfish'), false)

        then:
        r.status() == StepStatus.FAILED
        r.error() == 'bad token ****'
    }
}
