package dev.sealwright.testkit

import java.nio.file.Files
import java.nio.file.Path

/**
 * The newer boot stacks .ci/fetch-stack unpacks (pinned in .ci/stack-pins): QEMU 10.0.2 from
 * bookworm-backports, OVMF 2025.02 from trixie, systemd-stub 254.26 and 257.13. A missing tree
 * fails the test in one line; nothing is skipped.
 */
class Stack {
    static final Path ROOT = Path.of(System.getenv('XDG_CACHE_HOME') ?: System.getProperty('user.home') + '/.cache', 'sealwright', 'stack')
    static final Path QEMU10 = ROOT.resolve('qemu-10.0.2')
    static final Path OVMF2025 = ROOT.resolve('ovmf-2025.02/usr/share/OVMF')

    static Path qemu10Bin() {
        require(QEMU10.resolve('usr/bin/qemu-system-x86_64')).parent
    }

    static Path ovmf2025(String name) {
        require(OVMF2025.resolve(name))
    }

    static Path stub(String version) {
        require(ROOT.resolve("systemd-boot-efi-${version}/usr/lib/systemd/boot/efi/linuxx64.efi.stub"))
    }

    static Path require(Path p) {
        assert Files.isRegularFile(p): "${p} is missing: run .ci/fetch-stack (./sealwright test runs it)"
        p
    }
}
