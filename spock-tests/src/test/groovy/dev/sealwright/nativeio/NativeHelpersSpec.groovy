package dev.sealwright.nativeio

import dev.sealwright.base.RecipeException
import dev.sealwright.testkit.Repo
import dev.sealwright.tools.NativeHelpers
import spock.lang.Specification

class NativeHelpersSpec extends Specification {

    def "the build ships the hello helper as a static executable the runtime finds on its own"() {
        when:
        def path = NativeHelpers.path('hello')
        def proc = new ProcessBuilder(path.toString()).redirectErrorStream(true).start()
        def out = proc.inputStream.text
        proc.waitFor()

        then:
        NativeHelpers.available().contains('hello')
        proc.exitValue() == 0
        out.startsWith('hello from sealwright: tee=none kernel=')

        when: 'the file tool classifies it'
        Repo.requireTool('file')
        def file = new ProcessBuilder('file', '-b', path.toString()).start().inputStream.text

        then:
        file.contains('statically linked')
    }

    def "asking for a helper the build lacks names what it has"() {
        when:
        NativeHelpers.path('no-such-helper')

        then:
        def e = thrown(RecipeException)
        e.message.contains("native helper 'no-such-helper' is not in this build")
        e.message.contains('hello')
    }
}
