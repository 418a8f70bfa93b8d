package dev.sealwright.image.oci

import dev.sealwright.base.Progress
import dev.sealwright.base.RecipeException
import dev.sealwright.testkit.Repo
import dev.sealwright.tools.Tools
import groovy.json.JsonSlurper
import spock.lang.Specification
import spock.lang.TempDir

import java.nio.file.Files
import java.nio.file.Path

/** Our OCI layout writer and readers against skopeo, the reference implementation of these transports. */
class ImageLoaderSpec extends Specification {
    @TempDir Path tmp

    private static String skopeo(String... args) {
        def p = new ProcessBuilder(['skopeo', '--insecure-policy'] + (args as List)).redirectErrorStream(true).start()
        def out = p.inputStream.text
        assert p.waitFor() == 0: "skopeo ${args.join(' ')}: ${out}"
        out
    }

    private ImageLoader loader() { new ImageLoader(tmp.resolve('work'), new Tools(), {}, Progress.NONE) }

    def "skopeo reads the hello OCI layout we write, with its config"() {
        given:
        Repo.requireTool('skopeo')
        def layout = SampleImages.writeHello(tmp.resolve('hello'), tmp)

        when:
        def cfg = new JsonSlurper().parseText(skopeo('inspect', '--config', "oci:${layout}:latest"))

        then:
        cfg.config.Entrypoint == ['/hello']
        cfg.config.User == 'hello'
        cfg.os == 'linux' && cfg.architecture == 'amd64'

        when: 'written twice the layout has the same bytes'
        def again = SampleImages.writeHello(tmp.resolve('hello2'), tmp)

        then:
        Files.readAllBytes(layout.resolve('index.json')) == Files.readAllBytes(again.resolve('index.json'))
    }

    def "we read a docker-archive and an OCI layout that skopeo wrote, and they give the same tree"() {
        given:
        Repo.requireTool('skopeo')
        Files.createDirectories(tmp.resolve('work'))
        def layout = SampleImages.writeHello(tmp.resolve('hello'), tmp)
        def archive = tmp.resolve('hello.tar')
        skopeo('copy', "oci:${layout}:latest", "docker-archive:${archive}:hello:latest")
        skopeo('copy', "oci:${layout}:latest", "oci:${tmp.resolve('copy')}:v1")

        when:
        def fromArchive = loader().load(ImageReference.parse("docker-archive:${archive}"))
        def fromCopy = loader().load(ImageReference.parse("oci:${tmp.resolve('copy')}:v1"))

        then:
        [fromArchive, fromCopy].every { img ->
            img.config().entrypoint() == ['/hello'] && img.config().user() == 'hello' &&
                    img.tree().entries().keySet() as List == ['etc', 'etc/group', 'etc/passwd', 'hello'] &&
                    img.tree().get('hello').mode() == 0755 &&
                    Files.mismatch(img.tree().get('hello').content(), dev.sealwright.tools.NativeHelpers.path('hello')) == -1L
        }
    }

    def "a layout whose layers skopeo recompressed with zstd reads as the same tree as the gzip one"() {
        given:
        Repo.requireTool('skopeo')
        Files.createDirectories(tmp.resolve('work'))
        def layout = SampleImages.writeHello(tmp.resolve('hello'), tmp)
        skopeo('copy', '--dest-compress', '--dest-compress-format', 'zstd', "oci:${layout}:latest", "oci:${tmp.resolve('zstd')}:v1")
        def index = new JsonSlurper().parse(tmp.resolve('zstd/index.json').toFile())
        def manifest = new JsonSlurper().parse(tmp.resolve("zstd/blobs/sha256/${index.manifests[0].digest.substring(7)}").toFile())

        expect: 'skopeo wrote zstd layers (media type and frame magic)'
        manifest.layers*.mediaType.every { it == 'application/vnd.oci.image.layer.v1.tar+zstd' }
        manifest.layers.every { l ->
            byte[] head = Files.newInputStream(tmp.resolve("zstd/blobs/sha256/${l.digest.substring(7)}")).withCloseable { it.readNBytes(4) }
            head as List == [0x28, 0xb5, 0x2f, 0xfd].collect { (byte) it }
        }

        when:
        def fromZstd = loader().load(ImageReference.parse("oci:${tmp.resolve('zstd')}:v1"))
        def fromGzip = loader().load(ImageReference.parse("oci:${layout}:latest"))

        then:
        fromZstd.tree().entries().keySet() as List == ['etc', 'etc/group', 'etc/passwd', 'hello']
        fromZstd.tree().entries().keySet() == fromGzip.tree().entries().keySet()
        fromZstd.tree().get('hello').mode() == 0755
        Files.mismatch(fromZstd.tree().get('hello').content(), dev.sealwright.tools.NativeHelpers.path('hello')) == -1L
        fromZstd.config().entrypoint() == ['/hello']
    }

    def "a tampered blob, a missing tag and a bad transport are one-line errors"() {
        given:
        Files.createDirectories(tmp.resolve('work'))
        def layout = SampleImages.writeHello(tmp.resolve('hello'), tmp)

        when:
        loader().load(ImageReference.parse("oci:${layout}:nope"))
        then:
        def e1 = thrown(RecipeException)
        e1.message == "${layout}: no manifest tagged 'nope' in index.json".toString()

        when:
        ImageReference.parse('registry:foo')
        then:
        thrown(RecipeException)

        when: 'one byte of the layer blob is flipped'
        def index = new JsonSlurper().parse(layout.resolve('index.json').toFile())
        def manifest = new JsonSlurper().parse(layout.resolve("blobs/sha256/${index.manifests[0].digest.substring(7)}").toFile())
        def blob = layout.resolve("blobs/sha256/${manifest.layers[0].digest.substring(7)}")
        def bytes = Files.readAllBytes(blob)
        bytes[bytes.length - 5] ^= 0x01
        Files.write(blob, bytes)
        loader().load(ImageReference.parse("oci:${layout}"))
        then:
        def e3 = thrown(Exception)
        e3.message.contains('corrupted or tampered') || e3.message.contains('CRC')
    }

    def "docker-daemon: without a docker client is a one-line error naming the package"() {
        given:
        Files.createDirectories(tmp.resolve('work'))
        def noDocker = new Tools().withSearchPath(tmp.toString())

        when:
        new ImageLoader(tmp.resolve('work'), noDocker, {}, Progress.NONE).load(ImageReference.parse('docker-daemon:hello:latest'))

        then:
        def e = thrown(RecipeException)
        e.message.startsWith('docker not found: install the Debian package docker.io')
    }

    def "dir: takes a plain tree as the root, keeping modes and symlinks, with owners 0:0 and no config"() {
        given:
        def root = tmp.resolve('rootfs')
        Files.createDirectories(root.resolve('bin'))
        Files.writeString(root.resolve('bin/tool'), 'x')
        Files.setPosixFilePermissions(root.resolve('bin/tool'), java.nio.file.attribute.PosixFilePermissions.fromString('rwxr-x---'))
        Files.createSymbolicLink(root.resolve('sbin'), Path.of('bin'))

        when:
        def img = loader().load(ImageReference.parse("dir:${root}"))

        then:
        img.tree().entries().keySet() as List == ['bin', 'bin/tool', 'sbin']
        img.tree().get('bin/tool').mode() == 0750
        img.tree().get('bin/tool').uid() == 0
        img.tree().get('sbin').linkTarget() == 'bin'
        img.config().argv().isEmpty()
    }
}
