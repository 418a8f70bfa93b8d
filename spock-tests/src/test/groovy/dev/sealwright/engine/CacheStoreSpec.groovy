package dev.sealwright.engine

import dev.sealwright.testkit.TestSteps
import dev.sealwright.tools.Tools
import groovy.json.JsonSlurper
import spock.lang.Specification
import spock.lang.TempDir

import java.nio.file.Files
import java.nio.file.Path

class CacheStoreSpec extends Specification {
    @TempDir
    Path dir

    def "a finished temp dir becomes the read-only entry of its key, recording what made it"() {
        given:
        TestSteps.install()
        def ws = new Workspace(dir).open()
        def s = new Step('hello', StepTypes.get('test.concat'), [text: 'hi'], null)
        def done = new TempDirExecution(ws, new SecretMasker(), [], { false }).run(s, { null }, new Tools(), { })
        def key = StepKey.of([type: 'test.concat@1', 'option text': '"hi"'], [:])

        when:
        def entry = new CacheStore(new Cache(ws)).store(s, key, done, [cat: 'cat (GNU coreutils) 9.1'])
        def meta = new JsonSlurper().parse(entry.dir().resolve('entry.json').toFile())

        then:
        entry.dir() == ws.cacheDir().resolve(key.hash().substring(0, 2)).resolve(key.hash())
        !Files.exists(done.dir())
        Files.readString(entry.outputPath('out')) == 'hi'
        Files.getPosixFilePermissions(entry.outputPath('out')).every { !it.name().endsWith('_WRITE') }
        meta.step == 'hello'
        meta.type == 'test.concat@1'
        meta.key == key.hash()
        meta.tools == [cat: 'cat (GNU coreutils) 9.1']
        meta.outputs.out.path == 'out.txt'

        cleanup:
        ws?.close()
    }
}
