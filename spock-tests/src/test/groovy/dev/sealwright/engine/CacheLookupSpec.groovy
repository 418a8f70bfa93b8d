package dev.sealwright.engine

import dev.sealwright.testkit.TestSteps
import spock.lang.Specification
import spock.lang.TempDir

import java.nio.file.Files
import java.nio.file.Path

class CacheLookupSpec extends Specification {
    @TempDir
    Path dir

    Cache cache
    StepKey key = StepKey.of([type: 'test.concat@1'], [type: 'test.concat@1'])

    def setup() {
        TestSteps.install()
        cache = new Cache(new Workspace(dir).open())
        def tmp = Files.createDirectories(dir.resolve('entry-tmp/outputs'))
        Files.writeString(tmp.resolve('out.txt'), 'x')
        cache.store(key.hash(), tmp.parent, [out: [path: 'out.txt', digest: 'sha256:x', size: 1]], [:], [:])
    }

    def "a complete entry is found, unless --fresh"() {
        expect:
        new CacheLookup(cache, false).find(key, StepTypes.get('test.concat')).get().digest('out') == 'sha256:x'
        new CacheLookup(cache, true).find(key, StepTypes.get('test.concat')).isEmpty()
    }

    def "an entry missing a declared output, or never stored, is a miss"() {
        given:
        def other = StepKey.of([type: 'test.concat@2'], [type: 'test.concat@2'])
        def stored = cache.entryDir(key.hash()).resolve('outputs/out.txt')
        stored.toFile().setWritable(true)
        Files.delete(stored)

        expect:
        new CacheLookup(cache, false).find(key, StepTypes.get('test.concat')).isEmpty()
        new CacheLookup(cache, false).find(other, StepTypes.get('test.concat')).isEmpty()
    }
}
