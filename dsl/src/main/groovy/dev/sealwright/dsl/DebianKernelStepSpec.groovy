package dev.sealwright.dsl

import dev.sealwright.engine.OutputRef
import dev.sealwright.engine.StepType

/**
 * A step whose {@code kernel} option may name a Debian kernel package: {@code kernel debian('linux-image-6.12.*-cloud-amd64')}
 * ({@code pack}, {@code shimCloudImage}).
 */
class DebianKernelStepSpec extends StepSpec {
    DebianKernelStepSpec(StepType type, PipelineSpec p) { super(type, p) }

    /** Declares a {@code kernel} step for a Debian package and returns its directory output. */
    OutputRef debian(String packageGlob) {
        StepHandle h = pipeline.kernel { debian packageGlob }
        (OutputRef) h.kernel
    }
}
