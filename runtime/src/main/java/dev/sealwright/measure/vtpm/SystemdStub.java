package dev.sealwright.measure.vtpm;

import dev.sealwright.image.pe.PeFile;
import dev.sealwright.image.pe.PeSection;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the systemd-stub inside a UKI measures, by stub version (read from its {@code .sdmagic}
 * "LoaderInfo" string). Verified against real OVMF + swtpm boots for Debian 12's stub 252: per
 * present section, in this fixed order, PCR 11 gets H(ASCII name ‖ NUL) then H(contents); .pcrsig
 * is never measured; without credentials or sysexts on the ESP nothing goes to PCR 12 or 13.
 */
public record SystemdStub(String loaderInfo, int major) {
    /** Section order of systemd 252 (src/boot/efi/stub.c unified_sections, .pcrsig skipped). */
    static final List<String> SECTIONS_252 = List.of(".linux", ".osrel", ".cmdline", ".initrd", ".splash", ".dtb", ".pcrpkey");
    private static final Pattern VERSION = Pattern.compile("systemd-stub (\\d+)");

    /** The stub of {@code uki}; major 0 when the UKI carries no systemd-stub LoaderInfo. */
    public static SystemdStub of(PeFile uki) {
        PeSection magic = uki.section(".sdmagic");
        String info = magic == null ? "" : new String(magic.content(), StandardCharsets.US_ASCII).replace("\0", "").strip();
        Matcher m = VERSION.matcher(info);
        return new SystemdStub(info, m.find() ? Integer.parseInt(m.group(1)) : 0);
    }

    /** True for the stub versions whose measurements this build reproduces. */
    public boolean supported() {
        return major == 252;
    }

    public String describe() {
        return major == 0 ? "no systemd-stub LoaderInfo (.sdmagic)" : "systemd-stub " + major;
    }

    public List<String> measuredSections() {
        return SECTIONS_252;
    }
}
