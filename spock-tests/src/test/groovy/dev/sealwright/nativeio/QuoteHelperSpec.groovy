package dev.sealwright.nativeio

import dev.sealwright.base.RecipeException
import dev.sealwright.testkit.Repo
import dev.sealwright.tools.NativeHelpers
import dev.sealwright.tools.Tools
import spock.lang.Specification
import spock.lang.TempDir

import java.nio.file.Files
import java.nio.file.Path

/**
 * The Java bridge running the real static {@code quote} helper on a machine without a TEE: every
 * failure says which interfaces were tried and why (the success path against a fake configfs-tsm
 * kernel is covered by the helper's C unit test, test/quote_test.c).
 */
class QuoteHelperSpec extends Specification {
    @TempDir
    Path dir

    def helper = new QuoteHelper(new Tools())

    def "the helper is in the build and static"() {
        when:
        def path = NativeHelpers.path('quote')
        Repo.requireTool('file')
        def file = new ProcessBuilder('file', '-b', path.toString()).start().inputStream.text

        then:
        NativeHelpers.available().contains('quote')
        file.contains('statically linked')
    }

    def "no configfs-tsm and no device: exit 3 naming both interfaces"() {
        when:
        helper.tsmRoot(dir.resolve('tsm')).device(dir.resolve('tdx_guest')).tdx(new byte[64])

        then:
        def e = thrown(RecipeException)
        e.message.contains('no TEE interface available')
        e.message.contains("configfs-tsm: ${dir.resolve('tsm')}: No such file or directory")
        e.message.contains("tdx_guest: cannot open ${dir.resolve('tdx_guest')}")
    }

    def "a device that does not answer the ioctl: the ioctl named"() {
        given:
        def dev = Files.createFile(dir.resolve('sev-guest'))

        when:
        helper.tsmRoot(dir.resolve('tsm')).device(dev).snp(new byte[64])

        then:
        def e = thrown(RecipeException)
        e.message.contains('request failed')
        e.message.contains('ioctl SNP_GET_REPORT')
    }

    def "a configfs-tsm root that does not create report attributes: the missing attribute named, directory removed"() {
        given:
        def root = Files.createDirectory(dir.resolve('report'))

        when:
        helper.tsmRoot(root).tdx(new byte[64])

        then:
        def e = thrown(RecipeException)
        e.message.contains('configfs-tsm: cannot read')
        e.message.contains('/provider')
        Files.list(root).count() == 0
    }

    def "report data must be 64 bytes"() {
        when:
        helper.tdx(new byte[63])

        then:
        def e = thrown(RecipeException)
        e.message == 'report data must be 64 bytes, got 63'
    }
}
