package dev.sealwright.uefi;

import dev.sealwright.base.InputFiles;
import dev.sealwright.base.RecipeException;

import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;

/**
 * A known OVMF build, identified from the image alone (its SHA-256: the firmware volumes are
 * compressed, so no version string is readable without decompressing them), and the event-layout
 * facts that differ between builds. An unknown image is refused in one line: a prediction for it
 * would rest on a layout nobody checked.
 *
 * @param edk2          edk2 release, e.g. "2025.02"
 * @param debianVersion the Debian ovmf package version the image comes from
 * @param image         file name in that package ({@code .ms}/{@code .snakeoil} code images are the
 *                      {@code .secboot} image; they differ in the vars file only)
 * @param secureBootVariableWithoutEnforcement whether the firmware measures SecureBoot as a 1-byte
 *                      00 when it does not enforce Secure Boot (true), or as an absent variable
 *                      (0 bytes: 2025.02's plain build has no Secure Boot support compiled in).
 *                      Observed in real vTPM boots (StackBootSpec, VtpmBootSpec)
 * @param pcr01         how the build measures PCR 0 and 1, or null where that layout is not modelled
 * @param bootOptions   what its boot manager does that BootOrder/Boot#### depend on (vTPM PCR 1, TDX RTMR0),
 *                      or null where that is not modelled
 */
public record FirmwareBuild(String edk2, String debianVersion, String image, boolean secureBootVariableWithoutEnforcement,
                            OvmfPcr01Layout pcr01, OvmfBootOptions.Layout bootOptions) {
    public static final InputFiles.Bound FILE_BOUND = new InputFiles.Bound("an OVMF firmware image", 64 << 20);
    private static final String BOOKWORM = "2022.11-6+deb12u2", TRIXIE = "2025.02-8+deb13u1";

    /** Bookworm's images all carry the UEFI Shell (both 4M code images and OVMF.fd: its DXEFV holds the Shell's file GUID). */
    private static final OvmfBootOptions.Layout BOOKWORM_BOOT = new OvmfBootOptions.Layout(true);

    /**
     * SHA-256 of the image → build: the 4M pflash code images of Debian bookworm's and trixie's ovmf
     * packages, and bookworm's combined {@code OVMF.fd} (OVMF_VARS.fd ‖ OVMF_CODE.fd, 2 MiB: what a TD
     * loads with -bios; its boot variables were seen in PCR 1 of a real boot in the TD's device shape,
     * its PCR 0 layout was not located).
     */
    static final Map<String, FirmwareBuild> KNOWN = Map.of(
            "b157d97b1f69729514feb7f201d2cbe4957f23ab77920e361fe9f822ba49ca4c", new FirmwareBuild("2022.11", BOOKWORM, "OVMF_CODE_4M.fd", true,
                    bookworm(false), BOOKWORM_BOOT),
            "d50189a486d22af418198226a3a5bcb6ddac775590f6a808bd629474ee034d62", new FirmwareBuild("2022.11", BOOKWORM, "OVMF_CODE_4M.secboot.fd", true,
                    bookworm(true), BOOKWORM_BOOT),
            "7b456907dd0786d415999e801a1ac4637b8ed4d7cf5378cfc6edbe5e574dd773", new FirmwareBuild("2022.11", BOOKWORM, "OVMF.fd", true, null, BOOKWORM_BOOT),
            "624e06de18b4fa535e90db7160d00d3d07d206422b89999bf1e27d920264e4e0", new FirmwareBuild("2025.02", TRIXIE, "OVMF_CODE_4M.fd", false, null, null),
            "1a46295574430cfb7f825ee3e4dc64b052acbef08e310377ed7c64cb757a9dc1", new FirmwareBuild("2025.02", TRIXIE, "OVMF_CODE_4M.secboot.fd", true, null, null),
            "9ee9f2382e0c6aa95c87fed4131f9c1080a084d8ef7bff3d8b89147bf2a34b1b", new FirmwareBuild("2025.02", TRIXIE, "OVMF_CODE_4M.secboot.strictnx.fd", true, null, null));


    /**
     * Debian bookworm's 2022.11 4M code images: empty firmware version string, MEMFD at 0x800000 (PEIFV
     * +0x20000, DXEFV +0x100000), both with the UEFI Shell. The PlatformPei offsets were located by
     * comparing PEIFV in a booted VM's RAM (QEMU pmemsave) with the decompressed volume: 22 bytes differ
     * in the plain image, all inside mPlatformInfoHob and the two fw_cfg flags; the SMM image adds two
     * in mMemoryTypeInformation.
     */
    private static OvmfPcr01Layout bookworm(boolean smm) {
        return new OvmfPcr01Layout("", 0x820000, 0x900000, 0xE0C0, 0xE080, smm);
    }

    /** The build of {@code firmware}, or a one-line refusal naming the file. */
    public static FirmwareBuild identify(Path firmware) {
        FirmwareBuild b = lookup(InputFiles.read(firmware, FILE_BOUND));
        if (b == null) throw new RecipeException(firmware + ": " + UNKNOWN);
        return b;
    }

    /** The build of an image already read, or null when it is none of the known ones. */
    public static FirmwareBuild lookup(byte[] image) {
        return KNOWN.get(sha256(image));
    }

    /** Why an image that {@link #lookup} does not know gets no prediction of what its layout decides. */
    public static final String UNKNOWN = "not a known OVMF build (known: Debian ovmf " + BOOKWORM + " and " + TRIXIE + " images); its event layout is unverified";

    /** One line naming why BootOrder/Boot#### cannot be computed for this build, or null when its boot manager is modelled. */
    public String bootOptionsUnmodelled() {
        return bootOptions != null ? null : "the boot variables (BootOrder, Boot####) of " + this + " are not modelled (modelled: Debian ovmf " + BOOKWORM + " images)";
    }

    /** One line naming why PCR 0/1 cannot be computed for this build, or null when its layout is modelled. */
    public String pcr01Unmodelled() {
        return pcr01 != null ? null : "the PCR 0/1 event layout of " + this + " is not modelled (modelled: Debian ovmf " + BOOKWORM + " 4M images)";
    }

    /** The SecureBoot variable as this firmware measures it into PCR 7: 01 when enforced; else 00, or null for an absent variable. */
    public byte[] secureBootVariable(boolean enforced) {
        if (enforced) return new byte[] {1};
        return secureBootVariableWithoutEnforcement ? new byte[] {0} : null;
    }

    @Override
    public String toString() {
        return "OVMF " + edk2 + " (Debian " + debianVersion + ", " + image + ")";
    }

    private static String sha256(byte[] b) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
