package dev.sealwright.dsl

import dev.sealwright.engine.StepType

/** {@code diskEncrypt { image file('disk.img'); passphrase secret(file: 'root.key') }}: LUKS2-encrypt the rootfs partition. */
class DiskEncryptSpec extends StepSpec {
    DiskEncryptSpec(StepType type, PipelineSpec p) { super(type, p) }
    /** Raw GPT disk image: {@code file('disk.img')} or another step's output. */
    void image(Object file) { set('image', file) }
    /** Passphrase of keyslot 0: {@code secret(file: 'root.key')}. */
    void passphrase(Object secret) { set('passphrase', secret) }
    /** rootfs (default), esp, a partition UUID or name. */
    void partition(String selector) { set('partition', selector) }
    void label(String label) { set('label', label) }
    void sectorSize(long bytes) { set('sectorSize', bytes) }
    /** Reproducible output: salts and the volume key derive from this secret. */
    void seed(Object secret) { set('seed', secret) }
}
