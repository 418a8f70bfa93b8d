package dev.sealwright.attest.dcap;

import dev.sealwright.base.RecipeException;

import java.util.Arrays;

/** Bounds-checked little-endian reader over a byte array; errors name the source and the field. */
final class LeReader {
    private final byte[] data;
    private final String source;
    private int pos;
    private final int limit;

    LeReader(byte[] data, String source) {
        this(data, 0, data.length, source);
    }

    LeReader(byte[] data, int offset, int limit, String source) {
        this.data = data;
        this.pos = offset;
        this.limit = limit;
        this.source = source;
    }

    int position() {
        return pos;
    }

    int remaining() {
        return limit - pos;
    }

    byte[] bytes(int n, String field) {
        need(n, field);
        byte[] out = Arrays.copyOfRange(data, pos, pos + n);
        pos += n;
        return out;
    }

    int u16(String field) {
        need(2, field);
        int v = (data[pos] & 0xff) | (data[pos + 1] & 0xff) << 8;
        pos += 2;
        return v;
    }

    long u32(String field) {
        need(4, field);
        long v = (data[pos] & 0xffL) | (data[pos + 1] & 0xffL) << 8 | (data[pos + 2] & 0xffL) << 16
                | (data[pos + 3] & 0xffL) << 24;
        pos += 4;
        return v;
    }

    /** A u32 length that must fit in what is left. */
    int length(String field) {
        long n = u32(field);
        if (n > remaining()) {
            throw fail(field + " is " + n + " bytes but only " + remaining() + " remain");
        }
        return (int) n;
    }

    RecipeException fail(String what) {
        return new RecipeException(source + ": malformed DCAP quote: " + what + " (at byte " + pos + ")");
    }

    private void need(int n, String field) {
        if (n > remaining()) {
            throw fail("truncated in " + field + ": needs " + n + " bytes, " + remaining() + " remain");
        }
    }
}
