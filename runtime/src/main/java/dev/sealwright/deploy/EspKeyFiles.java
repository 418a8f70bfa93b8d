package dev.sealwright.deploy;

import dev.sealwright.disk.gpt.GptDisk;
import dev.sealwright.disk.gpt.GptPartition;
import dev.sealwright.base.AtomicFiles;
import dev.sealwright.base.RecipeException;
import dev.sealwright.tools.ToolResult;
import dev.sealwright.tools.Tools;
import dev.sealwright.tpm.EccPoint;
import dev.sealwright.tpm.PublicParameters;
import dev.sealwright.tpm.TpmPublic;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The ESP side of encrypt-cloud-image deploy, written into the FAT EFI System Partition of a disk
 * image with mtools: the sealed key at {@code device/fde/cloudimg-rootfs.sealed-key} (secboot format,
 * unsealed by snap-bootstrap at boot) and, unless the SRK uses the standard template, the SRK template
 * {@code tpm2-srk.tmpl} (TPM2B_PUBLIC of the SRK with an empty unique field) that snap-bootstrap
 * provisions the SRK from.
 */
public final class EspKeyFiles {
    public static final String SEALED_KEY = "device/fde/cloudimg-rootfs.sealed-key";
    public static final String SRK_TEMPLATE = "tpm2-srk.tmpl";

    private EspKeyFiles() {}

    public static GptPartition esp(GptDisk gpt, String image) {
        return gpt.partitions().stream().filter(p -> p.type().equals(GptPartition.EFI_SYSTEM)).findFirst()
                .orElseThrow(() -> new RecipeException(image + ": no EFI System partition for the sealed key file (use --no-esp-key to store only the LUKS2 token)"));
    }

    /** SRK public area with the unique field emptied, as tpm2_createprimary's default template has it. */
    public static byte[] srkTemplate(TpmPublic srk) {
        PublicParameters p = srk.parameters();
        PublicParameters empty;
        if (p instanceof PublicParameters.Rsa rsa) empty = new PublicParameters.Rsa(rsa.symmetric(), rsa.scheme(), rsa.keyBits(), rsa.exponent(), new byte[0]);
        else if (p instanceof PublicParameters.Ecc ecc) empty = new PublicParameters.Ecc(ecc.symmetric(), ecc.scheme(), ecc.curveId(), ecc.kdf(), new EccPoint(new byte[0], new byte[0]));
        else throw new RecipeException("the SRK is neither RSA nor ECC");
        return new TpmPublic(srk.nameAlg(), srk.attributes(), srk.authPolicy(), empty).toSizedBytes();
    }

    /** Copies {@code files} (ESP path → bytes, 0600 in a private temp dir on the way) into the ESP of {@code image}. */
    public static void write(Tools tools, Path image, GptPartition esp, java.util.Map<String, byte[]> files) throws IOException {
        String fat = image + "@@" + esp.firstLba() * GptDisk.LBA;
        Path staging = Files.createTempDirectory("sealwright-esp");
        try {
            for (var e : files.entrySet()) {
                String path = e.getKey();
                String dir = "";
                for (String part : path.substring(0, Math.max(0, path.lastIndexOf('/'))).split("/")) {
                    if (part.isEmpty()) continue;
                    dir += "/" + part;
                    ToolResult listed = tools.exec("mdir", "-b", "-i", fat, "::" + dir).allowFailure().run();
                    if (listed.exitCode() != 0) check(tools.exec("mmd", "-i", fat, "::" + dir).allowFailure().run(), image, esp);
                }
                Path local = staging.resolve(path.substring(path.lastIndexOf('/') + 1));
                AtomicFiles.writeSecret(local, e.getValue(), true);
                check(tools.exec("mcopy", "-o", "-i", fat, local, "::/" + path).allowFailure().run(), image, esp);
            }
        } finally {
            AtomicFiles.deleteTree(staging);
        }
    }

    private static void check(ToolResult r, Path image, GptPartition esp) {
        if (r.exitCode() != 0) {
            throw new RecipeException(image + ": cannot write to the EFI System partition " + esp.number() + " (not FAT?): "
                    + r.stderr().lines().filter(l -> !l.isBlank()).findFirst().orElse("mtools exit " + r.exitCode()));
        }
    }
}
