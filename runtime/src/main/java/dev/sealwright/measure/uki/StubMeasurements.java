package dev.sealwright.measure.uki;

import dev.sealwright.base.RecipeException;
import dev.sealwright.image.pe.PeFile;
import dev.sealwright.image.pe.PeSection;
import dev.sealwright.measure.event.EventType;
import dev.sealwright.measure.event.HashAlg;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;

/**
 * What booting a UKI measures beyond the UKI image itself, independent of the register file it
 * lands in (TPM PCRs or TDX RTMRs): systemd-stub's PCR 11 section events, the inner kernel that
 * firmware measures when the stub loads it, and the LoadOptions and initrd the stub hands to the
 * kernel (which the Linux EFI stub measures into PCR 9). A section's measured bytes are what the
 * stub sees in memory: VirtualSize bytes, zero-filled past the raw data.
 */
public final class StubMeasurements {
    /** PCR the stub measures UKI sections into (TPM_PCR_INDEX_KERNEL_IMAGE). */
    public static final int PCR_KERNEL_IMAGE = 11;

    /** One measurement: PCR semantics, event type, the bytes hashed, the logged event data, a description. */
    public record Measurement(int pcr, long type, byte[] measured, byte[] eventData, String description) {}

    private StubMeasurements() {}

    /**
     * For each section present, in the stub's canonical order: an EV_IPL event over the section name
     * (ASCII with its NUL), then one over the section data; both log the name as UTF-16LE with NUL.
     */
    public static List<Measurement> sections(PeFile uki, StubVersion v, String source) {
        requireSingleProfile(uki, source);
        List<Measurement> out = new ArrayList<>();
        for (String name : v.measuredSections()) {
            PeSection s = uki.section(name);
            if (s == null) continue;
            byte[] desc = (name + "\0").getBytes(StandardCharsets.UTF_16LE);
            out.add(new Measurement(PCR_KERNEL_IMAGE, EventType.EV_IPL, (name + "\0").getBytes(StandardCharsets.US_ASCII), desc,
                    "systemd-stub section name " + name));
            byte[] data = loaded(uki, s);
            out.add(new Measurement(PCR_KERNEL_IMAGE, EventType.EV_IPL, data, desc,
                    "systemd-stub section " + name + ", " + data.length + " bytes"));
        }
        return out;
    }

    /** The buffer the stub passes to LoadImage for the embedded kernel: the {@code .linux} section as loaded. */
    public static byte[] innerKernel(PeFile uki, String source) {
        return loaded(uki, require(uki, ".linux", source));
    }

    /** The Authenticode digest of {@link #innerKernel}, hashed in place where its bytes are the raw data as they stand. */
    public static byte[] innerKernelDigest(PeFile uki, String source, String algorithm) {
        PeSection s = require(uki, ".linux", source);
        checkZeroExtension(uki, s);
        return PeFile.authenticodeDigest(new byte[0], uki.loadedView(s), algorithm, source);
    }

    /**
     * The kernel's LoadOptions when the UKI is started without options of its own (OVMF direct boot
     * without -append): the {@code .cmdline} text up to its first NUL, as UTF-16LE with a NUL. Returns
     * null when the UKI has no {@code .cmdline}, or when stub versions differ in how they rewrite the
     * text (trailing whitespace or control characters: later stubs trim or replace them).
     */
    public static String commandLine(PeFile uki) {
        PeSection s = uki.section(".cmdline");
        if (s == null) return null;
        byte[] raw = loaded(uki, s);
        int end = 0;
        while (end < raw.length && raw[end] != 0) end++;
        String text = new String(raw, 0, end, StandardCharsets.UTF_8);
        boolean plain = text.chars().allMatch(c -> c >= 0x20 && c != 0x7F) && (text.isEmpty() || !Character.isWhitespace(text.charAt(text.length() - 1)));
        return plain ? text : null;
    }

    /**
     * The initrd the stub serves the kernel through LoadFile2, which the Linux EFI stub measures into
     * PCR 9 ("Linux initrd"), for an ESP without credentials, system/configuration extensions or addons
     * beside the UKI (what launch writes). Returns null when the stub serves no initrd. Read from
     * systemd's {@code stub.c} and {@code cpio.c}:
     * <ul>
     * <li>252..256 ({@code combine_initrd}): {@code .initrd} as is; when {@code .pcrsig} or {@code .pcrpkey}
     *     is present, {@code .initrd} zero-padded to 4 bytes, then a cpio of
     *     {@code .extra/tpm2-pcr-signature.json}, then one of {@code .extra/tpm2-pcr-public-key.pem}.</li>
     * <li>257 ({@code combine_initrds}): of {@code .ucode}, {@code .initrd} and cpios of {@code .pcrsig},
     *     {@code .pcrpkey}, {@code .osrel} ({@code .extra/os-release}) and {@code .profile}
     *     ({@code .extra/profile}), those present in this order; one is served as is, several are each
     *     zero-padded to 4 bytes and concatenated.</li>
     * </ul>
     * Only call for a version with {@link StubVersion#initrdModelled()}.
     */
    public static byte[] initrd(PeFile uki, StubVersion v) {
        if (!v.initrdModelled()) throw new IllegalArgumentException(v + ": its initrd assembly is not modelled");
        List<byte[]> parts = new ArrayList<>();
        if (v.major() >= 257) addIfSet(parts, uki, ".ucode");
        addIfSet(parts, uki, ".initrd");
        int generatedFrom = parts.size();
        addCpio(parts, uki, ".pcrsig", "tpm2-pcr-signature.json");
        addCpio(parts, uki, ".pcrpkey", "tpm2-pcr-public-key.pem");
        if (v.major() >= 257) {
            addCpio(parts, uki, ".osrel", "os-release");
            addCpio(parts, uki, ".profile", "profile");
        }
        if (parts.isEmpty()) return null;
        if (parts.size() == 1 && (v.major() >= 257 || generatedFrom == 1)) return parts.get(0);
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
            while (out.size() % 4 != 0) out.write(0);   // the generated cpios are multiples of 4 already
        }
        return out.toByteArray();
    }

    private static void addIfSet(List<byte[]> parts, PeFile uki, String name) {
        PeSection s = uki.section(name);
        if (s != null && s.virtualSize() > 0) parts.add(loaded(uki, s));
    }

    private static void addCpio(List<byte[]> parts, PeFile uki, String section, String file) {
        PeSection s = uki.section(section);
        if (s != null && s.virtualSize() > 0) parts.add(StubCpio.literal(".extra", file, loaded(uki, s), 0555, 0444));
    }

    /** {@link #initrd}'s digest and length without copying it, where the stub serves {@code .initrd} as is; else null. */
    public static Digested initrdDigest(PeFile uki, StubVersion v, HashAlg alg) {
        PeSection s = servedInitrd(uki, v);
        if (s == null) return null;
        checkZeroExtension(uki, s);
        MessageDigest md = alg.newBulkDigest();
        uki.digestLoaded(s, md);
        return new Digested(md.digest(), s.virtualSize());
    }

    /** A digest of {@code length} bytes. */
    public record Digested(byte[] digest, long length) {}

    /** The .initrd section when the stub serves it as is (nothing before or after it), else null. */
    private static PeSection servedInitrd(PeFile uki, StubVersion v) {
        PeSection s = uki.section(".initrd");
        if (s == null || s.virtualSize() == 0 || !v.initrdModelled()) return null;
        for (String other : v.major() >= 257 ? List.of(".ucode", ".pcrsig", ".pcrpkey", ".osrel", ".profile") : List.of(".pcrsig", ".pcrpkey")) {
            PeSection o = uki.section(other);
            if (o != null && o.virtualSize() > 0) return null;
        }
        return s;
    }

    /** True for a UKI: a PE image with a {@code .linux} section (and no Linux setup header of its own). */
    public static boolean isUki(byte[] image) {
        return isUki(ByteBuffer.wrap(image));
    }

    /** {@link #isUki(byte[])} of an image in a buffer (a file mapping). */
    public static boolean isUki(ByteBuffer image) {
        if (image.capacity() < 0x40 || image.get(0) != 'M' || image.get(1) != 'Z') return false;
        try {
            return PeFile.layout(image, "image").section(".linux") != null;
        } catch (RecipeException notPe) {
            return false;
        }
    }

    private static void requireSingleProfile(PeFile uki, String source) {
        long profiles = uki.sections().stream().filter(s -> s.name().equals(".profile")).count();
        if (profiles > 1)
            throw new RecipeException(source + ": not implemented in this build: multi-profile UKIs (" + profiles + " .profile sections)");
    }

    private static PeSection require(PeFile uki, String name, String source) {
        PeSection s = uki.section(name);
        if (s == null) throw new RecipeException(source + ": not a UKI: no " + name + " section");
        return s;
    }

    /** Zero-extension beyond a section's file data that a UKI may ask for (ukify writes VirtualSize = data size). */
    static final long MAX_ZERO_EXTENSION = 64L << 20;

    /** VirtualSize bytes: the raw data, cut or zero-extended; a VirtualSize far beyond the data is refused. */
    static byte[] loaded(PeFile uki, PeSection s) {
        checkZeroExtension(uki, s);
        return uki.loaded(s);
    }

    private static void checkZeroExtension(PeFile uki, PeSection s) {
        if (s.virtualSize() > s.sizeOfRawData() + MAX_ZERO_EXTENSION)
            throw new RecipeException(uki.what() + ": UKI section " + s.name() + " has VirtualSize 0x"
                    + Long.toHexString(s.virtualSize()) + ", more than 64 MiB beyond its 0x" + Long.toHexString(s.sizeOfRawData()) + " bytes of file data");
    }
}
