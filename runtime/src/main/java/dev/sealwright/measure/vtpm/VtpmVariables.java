package dev.sealwright.measure.vtpm;

import dev.sealwright.base.InputFiles;
import dev.sealwright.base.RecipeException;
import dev.sealwright.uefi.UefiConfig;
import dev.sealwright.uefi.VariableStore;
import dev.sealwright.vm.FirmwareDescriptor;

import java.nio.file.Path;
import java.util.Optional;
import java.util.UUID;

/**
 * The Secure Boot variables a prediction measures, read from an OVMF vars file or a uefi-config.json,
 * and the vars file's SecureBootEnable (edk2's switch; null when absent or unknown). From a vars file
 * also its MemoryTypeInformation variable (null when absent), which OVMF's SMM builds read before they
 * measure PEIFV ({@code varsFile} false: a uefi-config.json, which does not say).
 */
public record VtpmVariables(UefiConfig config, byte[] secureBootEnable, String source, boolean varsFile, byte[] memoryTypeInformation) {
    static final UUID SECURE_BOOT_ENABLE_DISABLE = UUID.fromString("f0a30bc7-af08-4556-99c4-001009c93a44");
    static final UUID MEMORY_TYPE_INFORMATION = UUID.fromString("4c19049f-4137-4dd3-9c10-8b97a83ffdfa");

    public static VtpmVariables fromVarsFile(Path vars) {
        byte[] bytes = InputFiles.read(vars, VariableStore.FILE_BOUND);
        VariableStore store = VariableStore.read(bytes, vars.toString());
        byte[] enable = store.find(SECURE_BOOT_ENABLE_DISABLE, "SecureBootEnable").map(VariableStore.Variable::data).orElse(null);
        byte[] memTypes = store.find(MEMORY_TYPE_INFORMATION, "MemoryTypeInformation").map(VariableStore.Variable::data).orElse(null);
        return new VtpmVariables(UefiConfig.fromVariableStore(store, false), enable, vars.toString(), true, memTypes);
    }

    public static VtpmVariables fromUefiConfig(Path json) {
        return new VtpmVariables(UefiConfig.read(json), null, json.toString(), false, null);
    }

    /**
     * Refuses a --secure-boot setting the firmware would not follow: Secure Boot with no PK enrolled
     * (setup mode) or with a firmware whose QEMU descriptor lists no secure-boot feature; and no
     * --secure-boot when a Secure Boot firmware gets an enrolled PK with SecureBootEnable not 0 (edk2
     * then enforces it and measures SecureBoot=1). A firmware without a descriptor is taken as given.
     */
    public void check(Path code, boolean secureBoot) {
        InputFiles.requireFile(code, "firmware file");
        if (secureBoot && config.pk() == null)
            throw new RecipeException(source + ": enrolls no PK (setup mode), so Secure Boot is not enforced; drop --secure-boot");
        Optional<FirmwareDescriptor> d = FirmwareDescriptor.find(code);
        if (d.isEmpty()) return;
        if (secureBoot && !d.get().secureBoot())
            throw new RecipeException(code + ": its QEMU descriptor " + d.get().file() + " lists no secure-boot feature, so Secure Boot cannot be enforced with it");
        if (!secureBoot && enforcedBy(code))
            throw new RecipeException(source + ": enrolls a PK and " + code.getFileName() + " supports Secure Boot, so the firmware enforces it; add --secure-boot");
    }

    /**
     * Whether the firmware {@code code} enforces Secure Boot when it starts from these variables: its QEMU
     * descriptor lists secure-boot, a PK is enrolled and SecureBootEnable is not 0 (false for a firmware
     * without a descriptor).
     */
    public boolean enforcedBy(Path code) {
        boolean disabled = secureBootEnable != null && secureBootEnable.length == 1 && secureBootEnable[0] == 0;
        return config.pk() != null && !disabled && FirmwareDescriptor.find(code).map(FirmwareDescriptor::secureBoot).orElse(false);
    }
}
