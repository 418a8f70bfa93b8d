package dev.sealwright.image.kernel

import dev.sealwright.base.RecipeException
import dev.sealwright.testkit.Kernels
import dev.sealwright.testkit.Repo
import spock.lang.Specification

class DebianKernelSpec extends Specification {

    def "the default kernel is Debian's 6.12 cloud kernel with the TDX guest driver as a module"() {
        when:
        def k = Kernels.debian()

        then:
        k.packageName() ==~ /linux-image-6\.12\.\d+\+deb\d+-cloud-amd64/
        k.release().startsWith('6.12.')
        java.nio.file.Files.size(k.vmlinuz()) > 5_000_000
        ModuleClosure.resolve(k.modulesDir(), ['tdx-guest']).last().endsWith('tdx-guest.ko.xz')
    }

    def "the module closure for #modules matches modprobe --show-depends, in load order"() {
        given:
        def k = Kernels.debian()
        Repo.requireTool('depmod')

        when:
        def ours = ModuleClosure.resolve(k.modulesDir(), modules)
        def expected = modules.collectMany { m ->
            def p = new ProcessBuilder('modprobe', '--show-depends', '-d', k.root().toString(), '-S', k.release(), m).redirectErrorStream(true).start()
            def out = p.inputStream.text
            assert p.waitFor() == 0: out
            out.readLines().findAll { it.startsWith('insmod ') }.collect { k.modulesDir().relativize(java.nio.file.Path.of(it.split(' ')[1])).toString() }
        }.unique()

        then:
        ours == expected

        where:
        modules << [['tdx-guest'], ['virtio_net', 'sev-guest'], ['dm-crypt']]
    }

    def "an unknown module is a one-line error naming it"() {
        when:
        ModuleClosure.resolve(Kernels.debian().modulesDir(), ['no_such_module'])

        then:
        def e = thrown(RecipeException)
        e.message.endsWith("no kernel module named 'no_such_module' in modules.dep or modules.builtin")
    }
}
