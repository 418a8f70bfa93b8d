package dev.sealwright.base

import spock.lang.Specification
import spock.lang.TempDir

import java.nio.ByteBuffer
import java.nio.channels.FileChannel
import java.nio.file.Files
import java.nio.file.Path

/**
 * BulkDigest: SHA-384 and SHA-512 through the system's libcrypto, checked against coreutils' sha384sum and
 * sha512sum (and FIPS 180-2's published examples), however the input is cut and whatever buffer holds it.
 */
class BulkDigestSpec extends Specification {
    @TempDir Path dir

    def "SHA-384 and SHA-512 go through libcrypto on Debian 12 (libssl3); SHA-256 stays with the JDK"() {
        expect: 'libcrypto.so.3 loads and passes its known-answer check (it is missing only where libssl3 is not installed)'
        BulkDigest.implementation('SHA-384') == 'libcrypto'
        BulkDigest.implementation('SHA-512') == 'libcrypto'
        BulkDigest.implementation('SHA-256') == 'JDK'
        BulkDigest.implementation('SHA-1') == 'JDK'
    }

    def "-Dsealwright.libcrypto=off keeps #alg in the JDK"() {
        given:
        System.setProperty('sealwright.libcrypto', 'off')

        expect:
        BulkDigest.implementation(alg) == 'JDK'
        BulkDigest.of(alg).digest('abc'.bytes) == java.security.MessageDigest.getInstance(alg).digest('abc'.bytes)

        cleanup:
        System.clearProperty('sealwright.libcrypto')

        where:
        alg << ['SHA-384', 'SHA-512']
    }

    def "FIPS 180-2's examples: #alg of #name"() {
        given:
        def md = BulkDigest.of(alg)

        when:
        if (name == 'one million a') { def a = ('a' * 1000).bytes; 1000.times { md.update(a) } }
        else md.update(name.bytes)

        then:
        md.digest().encodeHex().toString() == hex

        where:
        alg       | name            | hex
        'SHA-384' | 'abc'           | 'cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed8086072ba1e7cc2358baeca134c825a7'
        'SHA-384' | 'one million a' | '9d0e1809716474cb086e834e310a4a1ced149e9c00f248527972cec5704c2a5b07b8b3dc38ecc4ebae97ddd87f3d8985'
        'SHA-512' | 'abc'           | 'ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f'
        'SHA-512' | 'one million a' | 'e718483d0ce769644e2e42c7bc15b4638e1f98b13b2044285632a803afa973ebde0ff244877ea60a4cb0432ce577c31beb009c5c2c49aa2e4eadb217ad8cc09b'
    }

    def "#alg of #size bytes fed in random pieces (single bytes, arrays, heap, direct and mapped buffers) is what #tool prints"() {
        given:
        def b = new byte[size]; new Random(size).nextBytes(b)
        def f = dir.resolve("d$size"); Files.write(f, b)
        def mapped = FileChannel.open(f).withCloseable { it.map(FileChannel.MapMode.READ_ONLY, 0, size) }
        def expected = [tool, f.toString()].execute().text.split(' ')[0]
        def cut = new Random(~size)
        def md = BulkDigest.of(alg)

        when: 'the pieces cross the 64 KiB native buffer at odd places'
        md.update(new byte[3], 0, 0)
        int at = 0
        while (at < size) {
            int n = Math.min(size - at, [1, 7, 4096, 65535, 65536, 65537, 200_001][cut.nextInt(7)])
            switch (cut.nextInt(5)) {
                case 0: for (int i = 0; i < n; i++) md.update(b[at + i]); break
                case 1: md.update(b, at, n); break
                case 2: def h = ByteBuffer.wrap(b, at, n); md.update(h); assert !h.hasRemaining(); break
                case 3: def d = ByteBuffer.allocateDirect(n + 5).position(5); d.put(b, at, n).position(5); md.update(d); break
                default: md.update(mapped.slice(at, n))
            }
            at += n
        }

        then:
        md.digest().encodeHex().toString() == expected

        and: 'the digest starts again after digest(), and after reset()'
        md.update(mapped.duplicate())
        md.digest().encodeHex().toString() == expected
        md.update(b, 0, Math.min(size, 10)); md.reset()
        md.update(b)
        md.digest().encodeHex().toString() == expected

        where:
        [alg, size] << [['SHA-384', 'SHA-512'], [0, 1, 127, 128, 65535, 65536, 65537, (3 << 20) + 17]].combinations()
        tool = alg == 'SHA-384' ? 'sha384sum' : 'sha512sum'
    }

    def "digests used on several threads at once do not share state"() {
        given:
        def parts = (0..<4).collect { def x = new byte[(1 << 20) + it]; new Random(it).nextBytes(x); x }
        def pool = java.util.concurrent.Executors.newFixedThreadPool(4)

        when:
        def got = parts.collect { p -> pool.submit({ (0..<5).collect { BulkDigest.of('SHA-384').digest(p).encodeHex().toString() } } as java.util.concurrent.Callable) }*.get()

        then:
        got.withIndex().every { List<String> d, int i -> d.toSet() == [java.security.MessageDigest.getInstance('SHA-384').digest(parts[i]).encodeHex().toString()] as Set }

        cleanup:
        pool?.shutdownNow()
    }

    def "JNA's stub is loaded from the helpers cache (unpacked once, by rename), never extracted to a temp file"() {
        given: 'a JVM with its own cache, home and temp directories; jnidispatch.preserve would keep a temp extraction'
        def cache = Files.createDirectories(dir.resolve('cache')), home = Files.createDirectories(dir.resolve('home'))
        def tmp = Files.createDirectories(dir.resolve('tmp'))
        def main = dir.resolve('Probe.java')
        Files.writeString(main, 'public class Probe { public static void main(String[] a) { System.out.println(dev.sealwright.base.BulkDigest.implementation("SHA-384")); } }')
        def java = Path.of(System.getProperty('java.home'), 'bin', 'java').toString()
        def run = {
            def pb = new ProcessBuilder(java, '-Djnidispatch.preserve=true', "-Djava.io.tmpdir=$tmp", "-Duser.home=$home",
                    '-cp', System.getProperty('java.class.path'), main.toString()).redirectErrorStream(true)
            pb.environment().put('XDG_CACHE_HOME', cache.toString())
            def p = pb.start()
            def out = p.inputStream.text
            assert p.waitFor() == 0: out
            out.trim()
        }

        when:
        def first = run()
        def second = run()

        then:
        first == 'libcrypto'
        second == 'libcrypto'
        def stubs = Files.walk(cache).withCloseable { it.filter { Files.isRegularFile(it) }.toList() }
        stubs.size() == 1
        stubs[0].fileName.toString() == 'libjnidispatch.so'
        stubs[0].parent.parent == cache.resolve('sealwright/helpers')
        stubs[0].parent.fileName.toString() == Files.readAllBytes(stubs[0]).sha256()

        and: 'nothing in the temp or home directories'
        tmp.toFile().list().findAll { !it.startsWith('hsperfdata') } == []
        home.toFile().list() == [] as String[]
    }
}
