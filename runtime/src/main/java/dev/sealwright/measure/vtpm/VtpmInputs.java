package dev.sealwright.measure.vtpm;

import dev.sealwright.measure.event.EventLog;
import dev.sealwright.measure.event.UefiGptData;
import dev.sealwright.uefi.FirmwareBuild;
import dev.sealwright.uefi.UefiConfig;

import java.nio.file.Path;

/**
 * What a vTPM PCR prediction needs: the UKI OVMF boots from the ESP, the Secure Boot variables the
 * VM starts with (from its OVMF_VARS file or a uefi-config.json), whether Secure Boot is enforced,
 * optionally the boot disk's GPT (measured into PCR 5) and a TPM event log captured from a boot of
 * the same firmware and VM configuration, whose PCR 0 and 1 events (and PCR 5 ones when no GPT is
 * given) are taken as they are (they cannot be computed from files; see docs). {@code firmware} is the
 * identified OVMF build; it may be null only with {@code secureBoot} (the one layout fact it decides,
 * how SecureBoot is measured when not enforced, is then moot). With {@code shim}, the ESP boots
 * shim → GRUB → kernel instead of a UKI. With {@code platform} (the code image and the VM's shape)
 * and no reference log, PCR 0 and 1 are computed for a firmware whose layout is modelled.
 */
public record VtpmInputs(byte[] uki, String ukiName, UefiConfig variables, String variablesSource, boolean secureBoot,
                         BootGpt bootGpt, EventLog referenceLog, String referenceLogName, FirmwareBuild firmware, ShimChain shim,
                         Platform platform) {

    public VtpmInputs(byte[] uki, String ukiName, UefiConfig variables, String variablesSource, boolean secureBoot,
                      BootGpt bootGpt, EventLog referenceLog, String referenceLogName, FirmwareBuild firmware, ShimChain shim) {
        this(uki, ukiName, variables, variablesSource, secureBoot, bootGpt, referenceLog, referenceLogName, firmware, shim, null);
    }

    /**
     * What PCR 0 and 1 depend on beyond the variables: the OVMF code image, the VM's RAM and vCPUs (QEMU
     * q35, TCG, as {@code sealwright launch} runs it: the ESP disk is the only boot device, at PCI 00:01.0)
     * and the vars file's MemoryTypeInformation.
     */
    public record Platform(byte[] code, String codeName, long memoryBytes, int cpus, VtpmVariables variables) {}

    /** These inputs with {@code platform}. */
    public VtpmInputs withPlatform(Platform p) {
        return new VtpmInputs(uki, ukiName, variables, variablesSource, secureBoot, bootGpt, referenceLog, referenceLogName, firmware, shim, p);
    }

    /** A UKI booted as BOOTX64.EFI. */
    public VtpmInputs(byte[] uki, String ukiName, UefiConfig variables, String variablesSource, boolean secureBoot,
                      BootGpt bootGpt, EventLog referenceLog, String referenceLogName, FirmwareBuild firmware) {
        this(uki, ukiName, variables, variablesSource, secureBoot, bootGpt, referenceLog, referenceLogName, firmware, null);
    }

    /**
     * Shim booted as BOOTX64.EFI, then GRUB and a kernel ({@code uki} is then shim); Secure Boot is enforced.
     * {@code firmware} (may be null) decides PCR 0 and 1 once a platform is given.
     */
    public static VtpmInputs shimChain(ShimChain chain, FirmwareBuild firmware, UefiConfig variables, String variablesSource, BootGpt bootGpt,
                                       EventLog referenceLog, String referenceLogName) {
        return new VtpmInputs(chain.shim(), chain.source() + " shim", variables, variablesSource, true, bootGpt, referenceLog, referenceLogName, firmware, chain);
    }

    /** The boot disk's UEFI_GPT_DATA and what it was read from. */
    public record BootGpt(byte[] data, String source) {
        /**
         * From {@code disk} when given (a raw disk; {@code image} is the file the user named, of which
         * {@code disk} may be a converted copy); else, without a reference log, from the disk {@code sealwright
         * launch} writes for this UKI; else null (PCR 5 comes from the reference log).
         */
        public static BootGpt of(Path disk, Path image, EventLog referenceLog, long ukiSize, Path uki) {
            if (disk != null) return new BootGpt(UefiGptData.read(disk, image.toString()), image.getFileName().toString());
            if (referenceLog != null) return null;
            return new BootGpt(UefiGptData.ofLaunchEsp(ukiSize, uki.toString()), "the ESP disk sealwright launch writes for " + uki.getFileName());
        }
    }
}
