package dev.sealwright.measure.shim;

import dev.sealwright.base.OneLine;
import dev.sealwright.base.RecipeException;
import dev.sealwright.image.pe.PeFile;
import dev.sealwright.image.pe.PeSection;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Set;

/**
 * What shim measures comes from its own sections: {@code .sbat} (the version row), {@code .vendor_cert}
 * (shim's cert_table: u32 authorized size, deauthorized size, authorized offset, deauthorized offset;
 * the authorized part is the DER vendor certificate, the deauthorized part the vendor dbx signature
 * lists) and {@code .sbatlevel} (u32 version 0, then the offsets, relative to byte 4, of the NUL-
 * terminated "previous" and "latest" SbatLevel policies).
 */
public record ShimBinary(String version, String product, byte[] vendorCert, byte[] vendorDbx, String sbatLevelPrevious) {
    /** Upstream shim versions whose measurements a real boot has confirmed (Debian 12's shim-signed 1.51 carries 16.1). */
    public static final Set<String> MODELLED = Set.of("16.1");

    /** True when the PE image is a shim: it has a {@code .vendor_cert} section and an SBAT row for component {@code shim}. */
    public static boolean isShim(PeFile pe, byte[] image) {
        PeSection sbat = pe.section(".sbat");
        if (CoffSections.find(pe, image, ".vendor_cert") == null || sbat == null) return false;
        return Sbat.parse(pe.content(sbat)).stream().anyMatch(r -> r.component().equals("shim"));
    }

    /** Reads and checks a shim; a version or layout this build does not model is refused in one line. */
    public static ShimBinary read(byte[] image, String name) {
        PeFile pe = PeFile.read(image, name);
        if (!isShim(pe, image)) throw new RecipeException(name + ": not a shim (no .vendor_cert section or no shim row in .sbat)");
        Sbat.Row row = Sbat.parse(pe.content(pe.section(".sbat"))).stream()
                .filter(r -> !r.component().equals("sbat") && !r.component().equals("shim") && r.packageName().equals("shim"))
                .findFirst().orElse(null);
        if (row == null) throw new RecipeException(name + ": its .sbat has no vendor row naming the upstream shim version");
        if (!MODELLED.contains(row.version()))
            throw new RecipeException(name + ": shim " + OneLine.of(row.version()) + " (" + OneLine.of(row.component())
                    + ") is not modelled by this build (modelled: shim " + String.join(", ", MODELLED) + ")");
        byte[] vc = pe.content(CoffSections.find(pe, image, ".vendor_cert"));
        if (vc.length < 16) throw new RecipeException(name + ": .vendor_cert is shorter than its 16-byte header");
        ByteBuffer b = ByteBuffer.wrap(vc).order(ByteOrder.LITTLE_ENDIAN);
        long authSize = Integer.toUnsignedLong(b.getInt()), deauthSize = Integer.toUnsignedLong(b.getInt());
        long authOff = Integer.toUnsignedLong(b.getInt()), deauthOff = Integer.toUnsignedLong(b.getInt());
        if (authOff + authSize > vc.length || deauthOff + deauthSize > vc.length)
            throw new RecipeException(name + ": .vendor_cert sizes/offsets point outside the section");
        if (authSize == 0 || deauthSize == 0)
            throw new RecipeException(name + ": a shim without a built-in vendor certificate or vendor dbx is not modelled by this build");
        if ((vc[(int) authOff] & 0xff) != 0x30)
            throw new RecipeException(name + ": its vendor certificate is not a DER certificate (a vendor db signature list is not modelled by this build)");
        byte[] cert = Arrays.copyOfRange(vc, (int) authOff, (int) (authOff + authSize));
        byte[] dbx = Arrays.copyOfRange(vc, (int) deauthOff, (int) (deauthOff + deauthSize));
        return new ShimBinary(row.version(), row.component(), cert, dbx, previousSbatLevel(pe, image, name));
    }

    private static String previousSbatLevel(PeFile pe, byte[] image, String name) {
        PeSection s = CoffSections.find(pe, image, ".sbatlevel");
        if (s == null) throw new RecipeException(name + ": has no .sbatlevel section (shim " + String.join(", ", MODELLED) + " has one)");
        byte[] d = pe.content(s);
        if (d.length < 12) throw new RecipeException(name + ": .sbatlevel is shorter than its 12-byte header");
        ByteBuffer b = ByteBuffer.wrap(d).order(ByteOrder.LITTLE_ENDIAN);
        if (b.getInt() != 0) throw new RecipeException(name + ": .sbatlevel has an unknown version");
        long previous = Integer.toUnsignedLong(b.getInt()) + 4;
        if (previous >= d.length) throw new RecipeException(name + ": .sbatlevel's previous offset lies outside the section");
        int end = (int) previous;
        while (end < d.length && d[end] != 0) end++;
        if (end == d.length) throw new RecipeException(name + ": .sbatlevel's previous policy is not NUL-terminated");
        return new String(d, (int) previous, end - (int) previous, StandardCharsets.US_ASCII);
    }
}
