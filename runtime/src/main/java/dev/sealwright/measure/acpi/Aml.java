package dev.sealwright.measure.acpi;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * An AML encoder (ACPI 6.5 §20.2) with the encoding choices of QEMU's {@code hw/acpi/aml-build.c}: the
 * shortest integer form ({@code Zero}, {@code One}, byte, word, dword, qword), the shortest PkgLength,
 * names padded with {@code _}, {@code \} and multi-segment paths as QEMU writes them. Every term is a
 * byte array; composite terms concatenate their children.
 */
public final class Aml {
    private Aml() {}

    public static final byte[] NONE = new byte[0];
    public static final byte[] LOCAL0 = {0x60}, LOCAL1 = {0x61}, LOCAL2 = {0x62}, LOCAL3 = {0x63}, LOCAL4 = {0x64}, LOCAL5 = {0x65};
    public static final byte[] ARG0 = {0x68}, ARG1 = {0x69}, ARG2 = {0x6a}, ARG3 = {0x6b}, ARG4 = {0x6c};
    public static final byte[] DEBUG = {0x5b, 0x31};
    public static final byte[] BREAK = {(byte) 0xa5};
    private static final byte[] NULL_TARGET = {0x00};

    /** Concatenates terms. */
    public static byte[] cat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) out.writeBytes(p);
        return out.toByteArray();
    }

    public static byte[] cat(List<byte[]> parts) {
        return cat(parts.toArray(new byte[0][]));
    }

    public static byte[] bytes(int... values) {
        byte[] b = new byte[values.length];
        for (int i = 0; i < values.length; i++) b[i] = (byte) values[i];
        return b;
    }

    /** PkgLength before {@code body}; {@code inclSelf} false for field element bit lengths. */
    static byte[] pkgLength(int length, boolean inclSelf) {
        int n = length + 1 < (1 << 6) ? 1 : length + 2 < (1 << 12) ? 2 : length + 3 < (1 << 20) ? 3 : 4;
        if (inclSelf) length += n;
        if (n == 1) return bytes(length);
        byte[] b = new byte[n];
        b[0] = (byte) (((n - 1) << 6) | (length & 0x0f));
        for (int i = 1; i < n; i++) b[i] = (byte) (length >>> (4 + 8 * (i - 1)));
        return b;
    }

    private static byte[] pkg(byte[] op, byte[] body) {
        return cat(op, pkgLength(body.length, true), body);
    }

    /** A NameString: {@code \} and {@code ^} prefixes, then one, two (DualNamePrefix) or more (MultiNamePrefix) segments. */
    public static byte[] name(String path) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int i = 0;
        while (i < path.length() && (path.charAt(i) == '\\' || path.charAt(i) == '^')) out.write(path.charAt(i++));
        String rest = path.substring(i);
        if (rest.isEmpty()) {
            out.write(0);
            return out.toByteArray();
        }
        String[] segs = rest.split("\\.");
        if (segs.length == 2) out.write(0x2e);
        else if (segs.length > 2) {
            out.write(0x2f);
            out.write(segs.length);
        }
        for (String s : segs) {
            if (s.isEmpty() || s.length() > 4) throw new IllegalArgumentException("AML name segment '" + s + "'");
            out.writeBytes((s + "___".substring(0, 4 - s.length())).getBytes(StandardCharsets.US_ASCII));
        }
        return out.toByteArray();
    }

    /** An integer in its shortest form. */
    public static byte[] integer(long v) {
        if (v == 0) return bytes(0x00);
        if (v == 1) return bytes(0x01);
        if ((v & ~0xffL) == 0) return bytes(0x0a, (int) v);
        if ((v & ~0xffffL) == 0) return le((byte) 0x0b, v, 2);
        if ((v & ~0xffffffffL) == 0) return le((byte) 0x0c, v, 4);
        return le((byte) 0x0e, v, 8);
    }

    private static byte[] le(byte prefix, long v, int n) {
        byte[] b = new byte[n + 1];
        b[0] = prefix;
        for (int i = 0; i < n; i++) b[1 + i] = (byte) (v >>> (8 * i));
        return b;
    }

    public static byte[] string(String s) {
        return cat(bytes(0x0d), s.getBytes(StandardCharsets.US_ASCII), bytes(0));
    }

    /** EISA id as QEMU's aml_eisaid: the compressed 32-bit id, always a DWord. */
    public static byte[] eisaId(String id) {
        int v = ((id.charAt(0) - 0x40) << 26) | ((id.charAt(1) - 0x40) << 21) | ((id.charAt(2) - 0x40) << 16)
                | Integer.parseInt(id.substring(3), 16);
        return le((byte) 0x0c, Integer.reverseBytes(v) & 0xffffffffL, 4);
    }

    public static byte[] scope(String name, byte[]... body) {
        return pkg(bytes(0x10), cat(name(name), cat(body)));
    }

    public static byte[] device(String name, byte[]... body) {
        return pkg(bytes(0x5b, 0x82), cat(name(name), cat(body)));
    }

    public static byte[] method(String name, int args, boolean serialized, byte[]... body) {
        return pkg(bytes(0x14), cat(name(name), bytes(args | (serialized ? 8 : 0)), cat(body)));
    }

    public static byte[] processor(String name, int id, byte[]... body) {
        return pkg(bytes(0x5b, 0x83), cat(name(name), bytes(id, 0, 0, 0, 0, 0), cat(body)));
    }

    public static byte[] nameDecl(String name, byte[] value) {
        return cat(bytes(0x08), name(name), value);
    }

    public static byte[] buffer(byte[] data) {
        return pkg(bytes(0x11), cat(integer(data.length), data));
    }

    /** A Package of {@code count} elements, of which {@code elements} are given (the rest uninitialized). */
    public static byte[] packageOf(int count, byte[]... elements) {
        return pkg(bytes(0x12), cat(bytes(count), cat(elements)));
    }

    public static byte[] ifThen(byte[] predicate, byte[]... body) {
        return pkg(bytes(0xa0), cat(predicate, cat(body)));
    }

    public static byte[] orElse(byte[]... body) {
        return pkg(bytes(0xa1), cat(body));
    }

    public static byte[] whileDo(byte[] predicate, byte[]... body) {
        return pkg(bytes(0xa2), cat(predicate, cat(body)));
    }

    public static byte[] ret(byte[] value) {
        return cat(bytes(0xa4), value);
    }

    public static byte[] store(byte[] value, byte[] target) {
        return cat(bytes(0x70), value, target);
    }

    public static byte[] notify(byte[] object, byte[] value) {
        return cat(bytes(0x86), object, value);
    }

    public static byte[] call(String method, byte[]... args) {
        return cat(name(method), cat(args));
    }

    public static byte[] equal(byte[] a, byte[] b) {
        return cat(bytes(0x93), a, b);
    }

    public static byte[] less(byte[] a, byte[] b) {
        return cat(bytes(0x95), a, b);
    }

    public static byte[] lAnd(byte[] a, byte[] b) {
        return cat(bytes(0x90), a, b);
    }

    public static byte[] lOr(byte[] a, byte[] b) {
        return cat(bytes(0x91), a, b);
    }

    public static byte[] lNot(byte[] a) {
        return cat(bytes(0x92), a);
    }

    /** {@code And(a, b, target)}; target null = no target. */
    public static byte[] and(byte[] a, byte[] b, byte[] target) {
        return cat(bytes(0x7b), a, b, target == null ? NULL_TARGET : target);
    }

    public static byte[] or(byte[] a, byte[] b, byte[] target) {
        return cat(bytes(0x7d), a, b, target == null ? NULL_TARGET : target);
    }

    public static byte[] subtract(byte[] a, byte[] b, byte[] target) {
        return cat(bytes(0x74), a, b, target == null ? NULL_TARGET : target);
    }

    public static byte[] increment(byte[] a) {
        return cat(bytes(0x75), a);
    }

    public static byte[] sizeOf(byte[] a) {
        return cat(bytes(0x87), a);
    }

    public static byte[] derefOf(byte[] a) {
        return cat(bytes(0x83), a);
    }

    public static byte[] index(byte[] a, byte[] i) {
        return cat(bytes(0x88), a, i, NULL_TARGET);
    }

    public static byte[] toHexString(byte[] a, byte[] target) {
        return cat(bytes(0x98), a, target);
    }

    public static byte[] toBuffer(byte[] a, byte[] target) {
        return cat(bytes(0x96), a, target);
    }

    public static byte[] createDWordField(byte[] source, byte[] index, String name) {
        return cat(bytes(0x8a), source, index, name(name));
    }

    public static byte[] acquire(String mutex, int timeout) {
        return cat(bytes(0x5b, 0x23), name(mutex), bytes(timeout, timeout >>> 8));
    }

    public static byte[] release(String mutex) {
        return cat(bytes(0x5b, 0x27), name(mutex));
    }

    public static byte[] mutex(String name, int sync) {
        return cat(bytes(0x5b, 0x01), name(name), bytes(sync));
    }

    public enum RegionSpace { SYSTEM_MEMORY, SYSTEM_IO, PCI_CONFIG }

    public static byte[] operationRegion(String name, RegionSpace space, long offset, long length) {
        return cat(bytes(0x5b, 0x80), name(name), bytes(space.ordinal()), integer(offset), integer(length));
    }

    public enum Access { ANY, BYTE, WORD, DWORD }

    public enum Update { PRESERVE, WRITE_AS_ONES, WRITE_AS_ZEROS }

    /** A Field; elements are {@link #field(String, int)} and {@link #reserved(int)}. */
    public static byte[] fieldList(String region, Access access, Update update, byte[]... elements) {
        return pkg(bytes(0x5b, 0x81), cat(name(region), bytes(access.ordinal() | (update.ordinal() << 5)), cat(elements)));
    }

    public static byte[] field(String name, int bits) {
        return cat(name(name), pkgLength(bits, false));
    }

    public static byte[] reserved(int bits) {
        return cat(bytes(0x00), pkgLength(bits, false));
    }

    /** A UUID as the 16-byte buffer of ToUUID. */
    public static byte[] uuid(String text) {
        String h = text.replace("-", "");
        byte[] b = new byte[16];
        int[] order = {3, 2, 1, 0, 5, 4, 7, 6, 8, 9, 10, 11, 12, 13, 14, 15};
        for (int i = 0; i < 16; i++) b[i] = (byte) Integer.parseInt(h.substring(2 * order[i], 2 * order[i] + 2), 16);
        return buffer(b);
    }
}
