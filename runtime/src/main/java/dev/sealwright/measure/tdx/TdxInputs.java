package dev.sealwright.measure.tdx;

/**
 * What a TDX prediction is computed from. {@code acpi} is null when the ACPI blobs are not known;
 * {@code kernel} is a bzImage for direct boot, or a UKI when {@code uki} is true. {@code stubVersion}
 * overrides the systemd-stub version read from the UKI (null: read it from .sdmagic).
 */
public record TdxInputs(byte[] firmware, String firmwareName, long memoryBytes, int cpus, AcpiBlobs acpi,
                        byte[] kernel, String kernelName, boolean uki, byte[] initrd, String cmdline, TdxProfile profile,
                        Integer stubVersion) {

    /** The three fw_cfg files OVMF measures, as captured from the target (raw, before loader patching). */
    public record AcpiBlobs(byte[] tableLoader, byte[] rsdp, byte[] tables) {}
}
