package dev.sealwright.measure.tdx;

import dev.sealwright.engine.RecipeException;
import dev.sealwright.measure.event.HashAlg;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The Authenticode image hash firmware measures for EV_EFI_BOOT_SERVICES_APPLICATION, as edk2
 * computes it (no padding): headers without CheckSum and the Certificate Table entry, sections
 * sorted by file offset, then trailing data up to the attribute certificates. A minimal internal
 * reader for the measurement only; the pack component owns PE/COFF in general.
 */
final class PeAuthenticode {
    private PeAuthenticode() {}

    static byte[] digest(byte[] pe, String source, HashAlg alg) {
        try {
            return compute(pe, alg);
        } catch (IllegalArgumentException | IndexOutOfBoundsException e) {
            throw new RecipeException(source + ": not a PE/COFF image firmware can load: " + (e.getMessage() == null ? "truncated" : e.getMessage()));
        }
    }

    private static byte[] compute(byte[] pe, HashAlg alg) {
        ByteBuffer b = ByteBuffer.wrap(pe).order(ByteOrder.LITTLE_ENDIAN);
        if (pe.length < 0x40 || b.getShort(0) != 0x5A4D) throw new IllegalArgumentException("no MZ header");
        int peOff = b.getInt(0x3C);
        if (peOff < 0 || peOff + 24 > pe.length || b.getInt(peOff) != 0x00004550) throw new IllegalArgumentException("no PE signature");
        int sections = Short.toUnsignedInt(b.getShort(peOff + 6));
        int optSize = Short.toUnsignedInt(b.getShort(peOff + 20));
        int opt = peOff + 24;
        int magic = Short.toUnsignedInt(b.getShort(opt));
        boolean plus = magic == 0x20B;
        if (!plus && magic != 0x10B) throw new IllegalArgumentException(String.format("optional header magic 0x%x", magic));
        int checksum = opt + 64;
        int sizeOfHeaders = b.getInt(opt + 60);
        int rvaCount = b.getInt(opt + (plus ? 108 : 92));
        int certDir = opt + (plus ? 112 : 96) + 4 * 8;
        if (sizeOfHeaders > pe.length || sizeOfHeaders < certDir) throw new IllegalArgumentException("SizeOfHeaders " + sizeOfHeaders + " is out of range");

        MessageDigest md = alg.newDigest();
        md.update(pe, 0, checksum);
        long certSize = 0;
        if (rvaCount <= 4) {
            md.update(pe, checksum + 4, sizeOfHeaders - checksum - 4);
        } else {
            md.update(pe, checksum + 4, certDir - checksum - 4);
            md.update(pe, certDir + 8, sizeOfHeaders - certDir - 8);
            certSize = Integer.toUnsignedLong(b.getInt(certDir + 4));
        }
        int table = opt + optSize;
        List<long[]> raw = new ArrayList<>();
        for (int i = 0; i < sections; i++) {
            int s = table + 40 * i;
            long size = Integer.toUnsignedLong(b.getInt(s + 16)), ptr = Integer.toUnsignedLong(b.getInt(s + 20));
            if (size == 0) continue;
            if (ptr + size > pe.length) throw new IllegalArgumentException("section " + i + " runs past the end of the file");
            raw.add(new long[] {ptr, size});
        }
        raw.sort(Comparator.comparingLong(r -> r[0]));
        long sum = sizeOfHeaders;
        for (long[] r : raw) {
            md.update(pe, (int) r[0], (int) r[1]);
            sum += r[1];
        }
        if (pe.length > sum) {
            long tail = pe.length - sum - certSize;
            if (tail < 0) throw new IllegalArgumentException("the certificate table is larger than the trailing data");
            md.update(pe, (int) sum, (int) tail);
        }
        return md.digest();
    }
}
