package dev.sealwright.measure.vtpm;

import dev.sealwright.engine.RecipeException;
import dev.sealwright.uefi.UefiConfig;
import dev.sealwright.uefi.VariableStore;
import dev.sealwright.vm.FirmwareDescriptor;

import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The Secure Boot variables a prediction measures, read from an OVMF vars file or a uefi-config.json. */
public final class VtpmVariables {
    private VtpmVariables() {}

    public static UefiConfig fromVarsFile(Path vars) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(vars);
        } catch (NoSuchFileException e) {
            throw new RecipeException(vars + ": no such file");
        } catch (IOException e) {
            throw new RecipeException(vars + ": cannot read: " + e.getMessage());
        }
        return UefiConfig.fromVariableStore(VariableStore.read(bytes, vars.toString()), false);
    }

    public static UefiConfig fromUefiConfig(Path json) {
        if (!Files.isRegularFile(json)) throw new RecipeException(json + ": no such file");
        return UefiConfig.read(json);
    }

    /**
     * Refuses --secure-boot for a firmware whose QEMU descriptor says it has no Secure Boot (the
     * firmware would then measure SecureBoot=0). Firmware without a descriptor is taken as given.
     */
    public static void checkFirmware(Path code, boolean secureBoot) {
        if (!Files.isRegularFile(code)) throw new RecipeException(code + ": no such firmware file");
        FirmwareDescriptor.find(code).ifPresent(d -> {
            if (secureBoot && !d.secureBoot())
                throw new RecipeException(code + ": its QEMU descriptor " + d.file() + " lists no secure-boot feature, so Secure Boot cannot be enforced with it");
        });
    }
}
