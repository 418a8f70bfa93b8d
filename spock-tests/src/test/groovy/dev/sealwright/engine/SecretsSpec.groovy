package dev.sealwright.engine

import dev.sealwright.base.AtomicFiles
import dev.sealwright.base.Secret
import dev.sealwright.testkit.Cli
import dev.sealwright.testkit.TestSteps
import spock.lang.Specification
import spock.lang.TempDir

import java.nio.file.FileAlreadyExistsException
import java.nio.file.Files
import java.nio.file.Path
import java.nio.file.attribute.PosixFilePermissions

class SecretsSpec extends Specification {
    @TempDir
    Path dir

    def setup() {
        TestSteps.install()
    }

    def "a secret shows only its source in plans, text or JSON, and in run output"() {
        given:
        Files.writeString(dir.resolve('token.txt'), 'hunter2-hunter2-hunter2')
        def recipe = dir.resolve('sec.groovy')
        Files.writeString(recipe, """pipeline('sec') {
            step('test.concat', 'use') { token secret(file: 'token.txt'); text 'x' }
        }""")

        when:
        def planText = Cli.run('plan', recipe.toString(), '-C', dir.toString())
        def planJson = Cli.run('plan', recipe.toString(), '-C', dir.toString(), '--json')
        def run = Cli.run('run', recipe.toString(), '-C', dir.toString(), '--report', dir.resolve('r.json').toString())

        then:
        planText.exitCode == 0
        planJson.out =~ /"token" : "secret\(file \/\S+\/token\.txt\)"/
        run.exitCode == 0
        run.out.contains('[use] using token ****')
        [planText.out, planJson.out, run.out, run.err, Files.readString(dir.resolve('r.json'))].every { !it.contains('hunter2') }
        Files.walk(dir.resolve('.sealwright')).filter { Files.isRegularFile(it) && it.fileName.toString() != 'secret-salt' }
                .noneMatch { Files.readString(it).contains('hunter2') }
    }

    def "secret files are created 0600 and never silently overwritten"() {
        given:
        def f = dir.resolve('keys/seed.bin')

        when:
        AtomicFiles.writeSecret(f, 'first'.bytes, false)

        then:
        PosixFilePermissions.toString(Files.getPosixFilePermissions(f)) == 'rw-------'

        when:
        AtomicFiles.writeSecret(f, 'second'.bytes, false)

        then:
        thrown(FileAlreadyExistsException)
        Files.readString(f) == 'first'

        when: 'overwriting is an explicit choice'
        AtomicFiles.writeSecret(f, 'second'.bytes, true)

        then:
        Files.readString(f) == 'second'
        PosixFilePermissions.toString(Files.getPosixFilePermissions(f)) == 'rw-------'
        Files.list(f.parent).count() == 1
    }

    def "the masker hides text, hex and base64 forms of a secret"() {
        given:
        def m = new SecretMasker()
        m.register(Secret.ofValue('test', 'correct horse'.bytes))
        def hex = 'correct horse'.bytes.encodeHex().toString()

        expect:
        m.mask("pass=correct horse hex=${hex} b64=${'correct horse'.bytes.encodeBase64()}") == 'pass=**** hex=**** b64=****'
        Secret.ofValue('test', 'x'.bytes).toString() == 'secret(test)'
    }
}
