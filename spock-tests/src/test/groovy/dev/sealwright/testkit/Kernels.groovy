package dev.sealwright.testkit

import dev.sealwright.image.kernel.DebianKernel
import dev.sealwright.tools.Tools

/** The Debian 6.12 cloud kernel, downloaded once into ~/.cache/sealwright/kernels by the real apt-get. */
class Kernels {
    private static DebianKernel.Unpacked cached

    static synchronized DebianKernel.Unpacked debian() {
        if (cached == null) {
            ['apt-get', 'apt-cache', 'dpkg-deb', 'depmod'].each { Repo.requireTool(it) }
            def dk = new DebianKernel(new Tools(), DebianKernel.defaultCacheRoot(), { println it })
            cached = dk.resolveAndFetch(DebianKernel.DEFAULT_PACKAGE)
        }
        cached
    }
}
