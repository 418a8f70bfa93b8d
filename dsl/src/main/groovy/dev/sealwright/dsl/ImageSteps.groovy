package dev.sealwright.dsl

import dev.sealwright.enroll.quex.SimulatedSgxIdentity
import dev.sealwright.engine.OutputRef
import dev.sealwright.base.RecipeException
import dev.sealwright.engine.StepType
import dev.sealwright.image.oci.ImageReference

/** {@code kernel { debian 'linux-image-6.12.*-cloud-amd64' }}: a Debian kernel package as vmlinuz + modules. */
class KernelSpec extends StepSpec {
    KernelSpec(StepType type, PipelineSpec p) { super(type, p) }
    /** Package name or glob; the newest match apt knows wins. */
    void debian(String packageGlob) { set('debian', packageGlob) }
}

/**
 * {@code pack { image 'oci:images/hello'; kernel debian('linux-image-6.12.*-cloud-amd64'); modules 'virtio_net' }}:
 * a container image and a kernel into a reproducible initramfs and UKI.
 */
class PackSpec extends StepSpec {
    PackSpec(StepType type, PipelineSpec p) { super(type, p) }

    /** {@code oci:DIR[:TAG]}, {@code docker-archive:FILE}, {@code dir:DIR} (relative to the recipe) or {@code docker-daemon:NAME}. */
    void image(String reference) {
        def ref = ImageReference.parse(reference)
        if (ref.transport() == ImageReference.Transport.DOCKER_DAEMON) {
            set('dockerImage', ref.location())
            return
        }
        set('transport', reference.substring(0, reference.indexOf(':')))
        set('image', pipeline.file(ref.location()))
        if (ref.tag() != null) set('tag', ref.tag())
    }

    /** An image given as a step output or file, read with the given transport (oci, docker-archive, dir). */
    void image(Object input, String transport) {
        set('image', input)
        set('transport', transport)
    }

    /** A kernel directory: {@code debian('glob')}, a kernel step, or {@code file('dir')} holding boot/vmlinuz-R and lib/modules/R. */
    void kernel(Object k) {
        if (k instanceof StepHandle && ((StepHandle) k).step.type().name() == 'kernel') k = ((StepHandle) k).kernel
        set('kernel', k)
    }

    /** Declares a {@code kernel} step for a Debian package and returns its directory output. */
    OutputRef debian(String packageGlob) {
        StepHandle h = pipeline.kernel { debian packageGlob }
        (OutputRef) h.kernel
    }

    void modules(String... names) { set('modules', names) }
    /** false: do not pack the TEE guest drivers (configfs, tdx_guest, sev_guest) the kernel has as modules. */
    void teeModules(boolean on) { set('teeModules', on) }
    /** The program and arguments to run, replacing the image's Entrypoint + Cmd (required for dir: images). */
    void command(String... argv) { set('command', argv) }
    void cmdline(String line) { set('cmdline', line) }
    void sourceDateEpoch(long epoch) { set('sourceDateEpoch', epoch) }
    void gzipLevel(long level) { set('gzipLevel', level) }
    void poweroff(boolean off) { set('poweroff', off) }
    /** Programs in the image run as root before the workload (the enrollment seam); each must exit 0. */
    void hooks(String... paths) { set('hooks', paths) }
    void stub(Object efiStub) { set('stub', efiStub) }
    /**
     * quex key enrollment before the workload: {@code enroll { vault v; simulatedTdReport '/dev/vdb' }}
     * (a vault step) or {@code enroll { vaultMrenclave 'hex'; root file('root.pem') }} (a real vault).
     */
    void enroll(@DelegatesTo(value = PackEnrollSpec, strategy = Closure.DELEGATE_FIRST) Closure body) {
        Closure c = (Closure) body.clone()
        c.delegate = new PackEnrollSpec(this)
        c.resolveStrategy = Closure.DELEGATE_FIRST
        c.call()
    }

    /** Secure Boot: sign the UKI with {@code secret(file: 'db.key')} and the matching PEM certificate. */
    void sign(Map<String, Object> keyAndCert) {
        if (keyAndCert.keySet() != ['key', 'cert'] as Set) throw new RecipeException("sign takes key: and cert:, e.g. sign key: secret(file: 'db.key'), cert: file('db.crt')", pipeline.locator.here('sign'))
        set('signingKey', keyAndCert.key)
        set('signingCert', keyAndCert.cert)
    }
}

/** The {@code enroll { }} block of {@code pack}: the enroll-agent hook and what it pins. */
class PackEnrollSpec {
    private final PackSpec pack

    PackEnrollSpec(PackSpec pack) { this.pack = pack }

    /** A software vault step: pins its SIMULATED SGX root and MRENCLAVE. */
    void vault(StepHandle v) {
        if (v.step.type().name() != 'vault.init') throw new RecipeException("enroll: vault takes a vault step, got ${v}", pack.pipeline.locator.here('vault'))
        pack.set('enrollRoot', v.root)
        pack.set('enrollVaultMrenclave', HexFormat.of().formatHex(SimulatedSgxIdentity.mrEnclave()))
    }
    /** MRENCLAVE (hex) of the vault the TD trusts (quex-v1-vault: its published value). */
    void vaultMrenclave(String hex) { pack.set('enrollVaultMrenclave', hex) }
    /** PEM root the vault's quote must chain to (Intel SGX Root CA for a real vault). */
    void root(Object pem) { pack.set('enrollRoot', pem) }
    void mask(String hex) { pack.set('enrollMask', hex) }
    /** Non-TD guests only: the guest path of a SIMULATED TD report template (e.g. a disk '/dev/vdb'). */
    void simulatedTdReport(String guestPath) { pack.set('enrollSimulatedTdReport', guestPath) }
    /** false: the key only as the 0400 file /run/sealwright/secret, not as TD_SECRET_KEY. */
    void secretEnv(boolean on) { pack.set('enrollSecretEnv', on) }
}

/** {@code uki { kernel k; initrd image.initramfs; cmdline 'console=ttyS0'; roothash v.roothash }}: a UKI with roothash= on its command line. */
class UkiSpec extends StepSpec {
    UkiSpec(StepType type, PipelineSpec p) { super(type, p) }
    /** A kernel directory: a kernel step or {@code file('dir')} with boot/vmlinuz-R. */
    void kernel(Object k) {
        if (k instanceof StepHandle && ((StepHandle) k).step.type().name() == 'kernel') k = ((StepHandle) k).kernel
        set('kernel', k)
    }
    void initrd(Object file) { set('initrd', file) }
    void cmdline(String line) { set('cmdline', line) }
    /** roothash.txt of a verity step: appends roothash=<hex> to the command line. */
    void roothash(Object file) { set('roothash', file) }
    void osRelease(String text) { set('osRelease', text) }
    void stub(Object efiStub) { set('stub', efiStub) }
}

/** {@code ukiSign { uki image.uki; key secret(file: 'db.key'); cert file('db.pem') }}: a UKI signed for Secure Boot by sbsign. */
class UkiSignSpec extends StepSpec {
    UkiSignSpec(StepType type, PipelineSpec p) { super(type, p) }
    /** The UKI to sign: a pack or uki step's {@code uki}, or {@code file('x.efi')}. */
    void uki(Object file) { set('uki', file) }
    /** An unencrypted PEM private key: {@code secret(file: 'db.key')}, or a keyDecrypt step's {@code key}. */
    void key(Object secret) { set('key', secret) }
    /** The key's PEM X.509 certificate (the one enrolled in db). */
    void cert(Object file) { set('cert', file) }
}

/** {@code keyDecrypt('db-key') { key file('enc.key'); passphrase secret(file: 'pass') }}: output {@code key}, 0600. */
class KeyDecryptSpec extends StepSpec {
    KeyDecryptSpec(StepType type, PipelineSpec p) { super(type, p) }
    /** The encrypted PKCS#8 PEM key (BEGIN ENCRYPTED PRIVATE KEY). */
    void key(Object file) { set('key', file) }
    /** Its passphrase: {@code secret(file: ...)} or {@code secret(env: ...)}. */
    void passphrase(Object secret) { set('passphrase', secret) }
}
