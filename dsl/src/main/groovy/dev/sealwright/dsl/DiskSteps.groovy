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

/**
 * {@code diskDeploy { image diskEncrypt.image; srkPub file('srk.pub'); pcrValues file('predicted.json') }}:
 * seal the LUKS2 key of an encrypted image to a TPM (systemd-tpm2 token + secboot ESP key file).
 */
class DiskDeploySpec extends StepSpec {
    DiskDeploySpec(StepType type, PipelineSpec p) { super(type, p) }
    /** Disk image with a LUKS2 partition, e.g. a diskEncrypt step's image output: raw, fixed or dynamic VHD, or qcow2. */
    void image(Object file) { set('image', file) }
    /** SRK public area as tpm2_readpublic -o writes it. */
    void srkPub(Object file) { set('srkPub', file) }
    /** Predicted PCR values {"sha256": {"7": "<hex>"}}. */
    void pcrValues(Object file) { set('pcrValues', file) }
    /** Without pcrValues: predict PCR 7/4 from this uefi-config.json and the UKI the image's ESP boots (Secure Boot on). */
    void uefiConfig(Object file) { set('uefiConfig', file) }
    /** 7 (default), 7,4 or sha256:7,4. */
    void pcrs(String pcrs) { set('pcrs', pcrs) }
    /** Passphrase of an existing keyslot; default: the image's cleartext key token. */
    void passphrase(Object secret) { set('passphrase', secret) }
    void partition(String selector) { set('partition', selector) }
    /** Write the secboot sealed key file into the ESP (default true). */
    void espKey(boolean write) { set('espKey', write) }
    /** The SRK uses the TCG standard template: no ESP/tpm2-srk.tmpl. */
    void standardSrkTemplate(boolean standard) { set('standardSrkTemplate', standard) }
    /** The image output's format: raw, vhd-fixed, vhd-dynamic or qcow2 (default: the input image's). */
    void outputFormat(String format) { set('outputFormat', format) }
}

/** {@code verity { data disk.filesystem }}: dm-verity hash tree and root hash (outputs hash, roothash, value rootHash). */
class VeritySpec extends StepSpec {
    VeritySpec(StepType type, PipelineSpec p) { super(type, p) }
    /** The data image: {@code file('rootfs.img')} or another step's output. */
    void data(Object file) { set('data', file) }
    /** Salt as hex, '-' for none; default: SHA-256 of the data (reproducible). */
    void salt(String hex) { set('salt', hex) }
    void uuid(String uuid) { set('uuid', uuid) }
    /** sha256 (default), sha512 or sha1. */
    void hash(String algorithm) { set('hash', algorithm) }
    void dataBlockSize(long bytes) { set('dataBlockSize', bytes) }
    void hashBlockSize(long bytes) { set('hashBlockSize', bytes) }
}

/** {@code diskImage { rootfs file('tree'); size '16M' }}: a raw GPT disk with an ext4 rootfs partition (outputs image, filesystem). */
class DiskImageSpec extends StepSpec {
    DiskImageSpec(StepType type, PipelineSpec p) { super(type, p) }
    /** Directory whose contents become the filesystem. */
    void rootfs(Object dir) { set('rootfs', dir) }
    /** Filesystem size: '16M', '1G' or bytes. */
    void size(String size) { set('size', size) }
    void label(String label) { set('label', label) }
    void uuid(String uuid) { set('uuid', uuid) }
}
