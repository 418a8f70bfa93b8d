package dev.sealwright.dsl

import dev.sealwright.engine.StepType

/**
 * {@code shimCloudImage { kernel debian('linux-image-6.12.*-cloud-amd64'); initrd guest.initramfs; root rootfs.filesystem }}:
 * a GPT disk booting Debian's shim -> GRUB -> the signed kernel (outputs image, shimVersion, grubVersion).
 */
class ShimCloudImageSpec extends DebianKernelStepSpec {
    ShimCloudImageSpec(StepType type, PipelineSpec p) { super(type, p) }
}
