package dev.sealwright.engine

import dev.sealwright.testkit.TestSteps
import spock.lang.Specification
import spock.lang.TempDir

import java.nio.file.Files
import java.nio.file.Path
import java.nio.file.attribute.FileTime
import java.security.MessageDigest

class InputResolutionSpec extends Specification {
    @TempDir
    Path dir

    def setup() {
        TestSteps.install()
    }

    static String sha256(byte[] b) {
        'sha256:' + MessageDigest.getInstance('SHA-256').digest(b).encodeHex()
    }

    Step concat(List inputs) {
        new Step('s', StepTypes.get('test.concat'), [inputs: inputs], null)
    }

    def "a file input is its content digest, an upstream output the digest its step recorded"() {
        given:
        def f = dir.resolve('a.txt')
        Files.writeString(f, 'hello')
        def up = new Outputs([out: dir.resolve('x')], [out: 'sha256:up'], [out: 1L], [:])
        def resolution = new InputResolution(new ContentDigests(null))

        when:
        def described = resolution.describe(concat([new FileRef(f), new OutputRef('u', 'out'), new OutputRef('gone', 'out')]), [u: up])

        then:
        described.values()*.digest == [sha256('hello'.bytes), 'sha256:up', null]
        resolution.upstream([u: up], new OutputRef('u', 'out')) == 'sha256:up'
        resolution.upstream([:], new OutputRef('u', 'out')) == null
    }

    def "an input whose size, mtime, ctime and inode are unchanged is not re-read; a touched one is"() {
        given: 'a remembered digest that is not the file content: only a re-read would notice'
        def f = dir.resolve('big.bin')
        Files.writeString(f, 'content')
        Files.setLastModifiedTime(f, FileTime.fromMillis(System.currentTimeMillis() - 60_000))
        def a = Files.readAttributes(f, 'unix:size,lastModifiedTime,ctime,ino')
        def ns = { FileTime t -> t.to(java.util.concurrent.TimeUnit.NANOSECONDS) }
        def stats = dir.resolve('digests.tsv')
        Files.writeString(stats, "${a.size}\t${ns(a.lastModifiedTime)}\t${ns(a.ctime)}\t${a.ino}\tsha256:remembered\t${f.toAbsolutePath().normalize()}\n")

        expect:
        new InputResolution(new ContentDigests(stats)).describe(concat([new FileRef(f)]), [:])['inputs[0]'].digest == 'sha256:remembered'

        when: 'same bytes, new mtime'
        Files.setLastModifiedTime(f, FileTime.fromMillis(System.currentTimeMillis() - 30_000))

        then:
        new InputResolution(new ContentDigests(stats)).describe(concat([new FileRef(f)]), [:])['inputs[0]'].digest == sha256('content'.bytes)
    }

    def "a step that did not run shows its inputs without digests"() {
        expect:
        new InputResolution(new ContentDigests(null)).describe(concat([new OutputRef('u', 'out')]), null) == ['inputs[0]': [source: 'u.out']]
    }
}
