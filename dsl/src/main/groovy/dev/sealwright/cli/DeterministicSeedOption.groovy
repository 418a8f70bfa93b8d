package dev.sealwright.cli

import dev.sealwright.disk.luks2.Entropy
import picocli.CommandLine.Option

import java.nio.file.Path

/**
 * Reproducible LUKS2 output for test images: the seed is a secret (it predicts the volume key), so it
 * is read from a file or stdin, never taken on argv. The old {@code --deterministic-seed TEXT} is
 * refused with one line naming the new option; it stays declared only for that refusal.
 */
class DeterministicSeedOption {
    static final String REFUSAL = '--deterministic-seed TEXT would put a secret on the command line: use --deterministic-seed-file FILE ("-" = stdin)'

    @Option(names = '--deterministic-seed-file', paramLabel = 'FILE',
            description = 'derive salts, keys and AF stripes from the whole content of FILE ("-" = stdin): same inputs → same bytes. For reproducible test images only: the volume key is predictable.')
    Path seedFile

    @Option(names = '--deterministic-seed', paramLabel = 'TEXT', hidden = true)
    String refusedSeed

    /** Entropy from the seed file, or secure randomness without one. */
    Entropy entropy() {
        if (refusedSeed != null) throw new UsageException(REFUSAL)
        seedFile == null ? Entropy.secure() : Entropy.deterministic(LuksCommand.readKeyFile(seedFile))
    }
}
