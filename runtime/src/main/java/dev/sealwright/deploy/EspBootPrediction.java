package dev.sealwright.deploy;

import dev.sealwright.base.AtomicFiles;
import dev.sealwright.disk.gpt.GptDisk;
import dev.sealwright.disk.gpt.GptPartition;
import dev.sealwright.disk.vhd.VhdFooter;
import dev.sealwright.base.RecipeException;
import dev.sealwright.measure.event.HashAlg;
import dev.sealwright.measure.vtpm.TpmBootEvents;
import dev.sealwright.measure.vtpm.VtpmInputs;
import dev.sealwright.measure.vtpm.VtpmPrediction;
import dev.sealwright.tools.ToolResult;
import dev.sealwright.tools.Tools;
import dev.sealwright.tpm.PcrSelection;
import dev.sealwright.tpm.PcrValues;
import dev.sealwright.tpm.TpmHash;
import dev.sealwright.uefi.UefiConfig;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * The PCR values an encrypted image will boot with, predicted from what encrypt-cloud-image's deploy
 * is given: the image itself (the UKI its ESP boots, {@code \EFI\BOOT\BOOTX64.EFI}) and the VM's
 * {@code uefi-config.json} (PK/KEK/db/dbx), with Secure Boot enforced, as {@code measure vtpm
 * --uefi-config --uki --secure-boot} predicts them (VtpmBootSpec checks that against real boots).
 */
public record EspBootPrediction(PcrValues values, VtpmPrediction prediction, String source) {
    static final String BOOT_PATH = "/EFI/BOOT/BOOTX64.EFI";

    public static EspBootPrediction of(Path image, Path uefiConfig, Tools tools) throws IOException {
        UefiConfig vars = UefiConfig.read(uefiConfig);
        GptPartition esp;
        try (FileChannel ch = FileChannel.open(image, StandardOpenOption.READ)) {
            VhdFooter vhd = VhdFooter.readIfPresent(ch, image.toString());
            GptDisk gpt = GptDisk.read(ch, vhd == null ? ch.size() : vhd.currentSize(), image.toString());
            esp = gpt.partitions().stream().filter(p -> p.type().equals(GptPartition.EFI_SYSTEM)).findFirst()
                    .orElseThrow(() -> new RecipeException(image + ": no EFI System partition, so no boot image to predict PCR 4/7 from (give --pcr-values)"));
        }
        byte[] uki;
        Path dir = Files.createTempDirectory("sealwright-esp-boot");
        try {
            Path copy = dir.resolve("BOOTX64.EFI");
            ToolResult r = tools.exec("mcopy", "-n", "-i", image + "@@" + esp.firstLba() * GptDisk.LBA, "::" + BOOT_PATH, copy).allowFailure().run();
            if (r.exitCode() != 0 || !Files.isRegularFile(copy))
                throw new RecipeException(image + ": the EFI System partition " + esp.number() + " has no " + BOOT_PATH.replace('/', '\\')
                        + " (or is not FAT) to predict PCR 4/7 from; give --pcr-values");
            uki = Files.readAllBytes(copy);
        } finally {
            AtomicFiles.deleteTree(dir);
        }
        String name = image + " ESP " + BOOT_PATH.replace('/', '\\');
        VtpmPrediction p = VtpmPrediction.predict(new VtpmInputs(uki, name, vars, uefiConfig.toString(), true, null, null, null, null));
        PcrValues values = new PcrValues();
        for (int pcr = 0; pcr < VtpmPrediction.PCRS; pcr++)
            for (HashAlg alg : TpmBootEvents.BANKS) {
                String hex = p.pcrHex(pcr, alg);
                if (hex != null) values.put(TpmHash.fromLabel(alg.label()), pcr, java.util.HexFormat.of().parseHex(hex));
            }
        return new EspBootPrediction(values, p, name + " with " + uefiConfig + " (Secure Boot on)");
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
