package dev.sealwright.deploy;

import dev.sealwright.base.AtomicFiles;
import dev.sealwright.disk.gpt.GptDisk;
import dev.sealwright.disk.gpt.GptPartition;
import dev.sealwright.disk.vhd.VhdFooter;
import dev.sealwright.disk.gpt.EspFiles;
import dev.sealwright.image.pe.PeFile;
import dev.sealwright.measure.shim.ShimBinary;
import dev.sealwright.measure.vtpm.ShimChain;
import dev.sealwright.base.RecipeException;
import dev.sealwright.measure.event.HashAlg;
import dev.sealwright.measure.vtpm.TpmBootEvents;
import dev.sealwright.measure.vtpm.VtpmInputs;
import dev.sealwright.measure.vtpm.VtpmPrediction;
import dev.sealwright.tools.Tools;
import dev.sealwright.tpm.PcrSelection;
import dev.sealwright.tpm.PcrValues;
import dev.sealwright.tpm.TpmHash;
import dev.sealwright.uefi.UefiConfig;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The PCR values an encrypted image will boot with, predicted from what encrypt-cloud-image's deploy
 * is given: the image itself (the UKI its ESP boots, {@code \EFI\BOOT\BOOTX64.EFI}) and the VM's
 * {@code uefi-config.json} (PK/KEK/db/dbx), with Secure Boot enforced, as {@code measure vtpm
 * --uefi-config --uki --secure-boot} predicts them (VtpmBootSpec checks that against real boots); or, when
 * BOOTX64.EFI is shim, the shim → GRUB → kernel chain on that ESP ({@code measure vtpm --esp-chain}, ShimBootSpec).
 */
public record EspBootPrediction(PcrValues values, VtpmPrediction prediction, String source) {
    static final String BOOT_PATH = "/EFI/BOOT/BOOTX64.EFI";

    /** From the raw or fixed-VHD disk {@code image}, named {@code name} in messages (the user's file, which it may be a converted copy of). */
    public static EspBootPrediction of(Path image, String name, Path uefiConfig, Tools tools) throws IOException {
        UefiConfig vars = UefiConfig.read(uefiConfig);
        EspFiles esp;
        try {
            esp = EspFiles.open(image, name, tools);
        } catch (RecipeException noEsp) {
            throw new RecipeException(noEsp.getMessage() + ", so no boot image to predict PCR 4/7 from (give --pcr-values)");
        }
        byte[] boot = esp.require(BOOT_PATH, "to predict PCR 4/7 from; give --pcr-values");
        String bootName = name + " ESP " + BOOT_PATH.replace('/', '\\');
        boolean shim = ShimBinary.isShim(PeFile.read(boot, bootName), boot);
        VtpmPrediction p = VtpmPrediction.predict(shim
                ? VtpmInputs.shimChain(ShimChain.fromEsp(esp), null, vars, uefiConfig.toString(), null, null, null)
                : new VtpmInputs(boot, bootName, vars, uefiConfig.toString(), true, null, null, null, null));
        PcrValues values = new PcrValues();
        for (int pcr = 0; pcr < VtpmPrediction.PCRS; pcr++)
            for (HashAlg alg : TpmBootEvents.BANKS) {
                String hex = p.pcrHex(pcr, alg);
                if (hex != null) values.put(TpmHash.fromLabel(alg.label()), pcr, java.util.HexFormat.of().parseHex(hex));
            }
        return new EspBootPrediction(values, p, bootName + " with " + uefiConfig + " (Secure Boot on)");
    }

    /** Refuses a selection with a PCR this prediction does not compute, with the reasons. */
    public void requireAll(PcrSelection selection) {
        List<String> problems = new ArrayList<>();
        for (PcrSelection.Bank bank : selection.banks())
            for (int pcr : bank.pcrs())
                if (values.get(bank.hash(), pcr) == null)
                    problems.add("PCR " + pcr + ": " + String.join("; ", prediction.missing().getOrDefault(pcr, List.of("not predicted"))));
        if (!problems.isEmpty())
            throw new RecipeException("disk deploy: cannot predict " + String.join(", ", problems) + " from " + source + "; give --pcr-values");
    }
}
