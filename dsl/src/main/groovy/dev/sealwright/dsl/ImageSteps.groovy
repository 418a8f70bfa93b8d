package dev.sealwright.dsl

import dev.sealwright.enroll.quex.SimulatedSgxIdentity
import dev.sealwright.base.RecipeException
import dev.sealwright.engine.StepType
import dev.sealwright.image.oci.ImageReference

/**
 * {@code pack { image 'oci:images/hello'; kernel debian('linux-image-6.12.*-cloud-amd64'); modules 'virtio_net' }}:
 * a container image and a kernel into a reproducible initramfs and UKI.
 */
class PackSpec extends DebianKernelStepSpec {
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
