package dev.sealwright.cli;

import picocli.CommandLine.Command;

import java.util.LinkedHashMap;
import java.util.Map;

/** {@code sealwright measure ...}: predict launch measurements offline; replay and diff event logs. */
@Command(name = "measure", mixinStandardHelpOptions = true,
        description = {"Predict launch measurements offline (TDX MRTD/RTMRs, SEV-SNP launch digest); replay and diff event logs."})
public class MeasureCommand extends GroupCommand implements LazyGroup {
    private static final Map<String, String> SUBCOMMANDS = new LinkedHashMap<>();
    static {
        SUBCOMMANDS.put("tdx", "dev.sealwright.cli.MeasureTdxCommand");
        SUBCOMMANDS.put("snp", "dev.sealwright.cli.MeasureSnpCommand");
        SUBCOMMANDS.put("profiles", "dev.sealwright.cli.MeasureProfilesCommand");
        SUBCOMMANDS.put("vtpm", "dev.sealwright.cli.MeasureVtpmCommand");
        SUBCOMMANDS.put("capture", "dev.sealwright.cli.MeasureCaptureCommand");
        SUBCOMMANDS.put("replay", "dev.sealwright.cli.EventlogReplayCommand");
        SUBCOMMANDS.put("diff", "dev.sealwright.cli.EventlogDiffCommand");
    }

    @Override
    public Map<String, String> subcommands() {
        return SUBCOMMANDS;
    }
}
