package dev.sealwright.measure.uki;

import dev.sealwright.base.RecipeException;
import dev.sealwright.image.pe.PeFile;
import dev.sealwright.image.pe.PeSection;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The systemd-stub release a UKI is built on, read from its {@code .sdmagic} section
 * ({@code "#### LoaderInfo: systemd-stub 252.39-1~deb12u2 ####"}), and every measurement choice
 * that depends on it. Sources (systemd src/boot/efi): {@code tpm-pcr.h} UnifiedSection (canonical
 * section order), {@code linux.c} (the inner kernel goes through LoadImage from 252 until 258 calls
 * it directly, PR #37372), {@code measure.c} (EFI CC measurement protocol from 256, PR #30996).
 */
public record StubVersion(int major, String text) {
    /**
     * Stub releases whose vTPM measurements (PCR 4, 9, 11, 12, 13) were compared event by event with real
     * boots: 252 (Debian 12; QEMU 7.2 + OVMF 2022.11 and QEMU 10.0 + OVMF 2025.02), 254 (bookworm-backports)
     * and 257 (trixie) on QEMU 10.0 + OVMF 2025.02 (VtpmBootSpec, StubBootSpec, StackBootSpec).
     */
    static final java.util.Set<Integer> VERIFIED_BY_BOOT = java.util.Set.of(252, 254, 257);
    public static final String VERIFIED_BY_BOOT_TEXT = "252, 254 and 257";
    /** The oldest stub whose measurements this build models. */
    public static final int OLDEST_MODELLED = 252;
    private static final Pattern MAGIC = Pattern.compile("LoaderInfo: systemd-stub (\\d{1,6})(?!\\d)([^ \\x00#]*)"); // a longer number is no version

    public StubVersion {
        if (major < 1) throw new RecipeException("systemd-stub version " + major + " is not a version");
    }

    public static StubVersion of(int major) {
        return new StubVersion(major, Integer.toString(major));
    }

    /** The version in the UKI's {@code .sdmagic}, or empty when the stub does not carry one. */
    public static Optional<StubVersion> detect(PeFile uki) {
        PeSection magic = uki.section(".sdmagic");
        if (magic == null) return Optional.empty();
        Matcher m = MAGIC.matcher(new String(uki.content(magic), StandardCharsets.US_ASCII));
        if (!m.find()) return Optional.empty();
        return Optional.of(new StubVersion(Integer.parseInt(m.group(1)), m.group(1) + m.group(2)));
    }

    /** True for a release whose vTPM measurements were compared with real boots ({@link #VERIFIED_BY_BOOT}). */
    public boolean verifiedByBoot() {
        return VERIFIED_BY_BOOT.contains(major);
    }

    /** Since 256 the stub also measures through the EFI CC measurement protocol (PCR 11 → RTMR2); before, TPM only. */
    public boolean measuresToCcRegisters() {
        return major >= 256;
    }

    /**
     * 252..257 start the embedded kernel with LoadImage/StartImage from a memory buffer, so firmware
     * measures it as EV_EFI_BOOT_SERVICES_APPLICATION (PCR 4 → RTMR1); the security override that could
     * skip this is installed only under Secure Boot. 258 calls the kernel directly: no event.
     */
    public boolean kernelThroughLoadImage() {
        return major >= 252 && major < 258;
    }

    /**
     * Whether {@link StubMeasurements#initrd} knows how this stub assembles the initrd it serves: read
     * from the sources of 252, 254 and 257 (253, 255 and 256 take 254's rule; their sources were not
     * read); 258 and later are not modelled.
     */
    public boolean initrdModelled() {
        return major >= OLDEST_MODELLED && major <= 257;
    }

    /** The UKI sections this stub measures into PCR 11, in its canonical order (.pcrsig is never measured). */
    public List<String> measuredSections() {
        List<String> s = new ArrayList<>(List.of(".linux", ".osrel", ".cmdline", ".initrd"));
        if (major >= 257) s.add(".ucode");
        s.addAll(List.of(".splash", ".dtb"));
        if (major >= 253) s.addAll(List.of(".uname", ".sbat"));
        s.add(".pcrpkey");
        if (major >= 257) s.addAll(List.of(".profile", ".dtbauto", ".hwids"));
        if (major >= 258) s.add(".efifw");
        return s;
    }

    @Override
    public String toString() {
        return "systemd-stub " + text;
    }
}
