package dev.sealwright.image.cpio;

import dev.sealwright.base.DaemonThreads;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.zip.CRC32;
import java.util.zip.Deflater;

/**
 * One gzip member compressed on several cores, as pigz does: the input is cut into fixed 128 KiB
 * chunks, each deflated independently with the previous 32 KiB as preset dictionary and ended with
 * a sync flush, and the raw deflate pieces are concatenated in order. Chunk boundaries depend only
 * on the input, so the bytes are the same whatever the thread timing. The header carries no name
 * and mtime 0 (as {@code gzip -n}); the trailer holds CRC-32 and length as usual.
 */
public final class ParallelGzipOutputStream extends OutputStream {
    private static final int CHUNK = 128 * 1024;
    private static final int DICT = 32 * 1024;

    private final OutputStream out;
    private final int level;
    private final ExecutorService pool;
    private final int maxInFlight;
    private final ArrayDeque<Future<byte[]>> inFlight = new ArrayDeque<>();
    private final CRC32 crc = new CRC32();
    private byte[] chunk = new byte[CHUNK];
    private int fill;
    private byte[] dictionary;
    private long total;
    private boolean closed;

    public ParallelGzipOutputStream(OutputStream out, int level, int threads) throws IOException {
        this.out = out;
        this.level = level;
        this.pool = Executors.newFixedThreadPool(Math.max(1, threads), DaemonThreads.named("gzip-deflate"));
        this.maxInFlight = Math.max(4, threads * 8);   // 1 MiB of input per core in flight: slack for file reads and scheduling delays
        out.write(new byte[]{0x1f, (byte) 0x8b, 8, 0, 0, 0, 0, 0, (byte) (level == 9 ? 2 : level == 1 ? 4 : 0), 3});
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[]{(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        crc.update(b, off, len);
        total += len;
        while (len > 0) {
            int n = Math.min(len, CHUNK - fill);
            System.arraycopy(b, off, chunk, fill, n);
            fill += n;
            off += n;
            len -= n;
            if (fill == CHUNK) submit(false);
        }
    }

    private void submit(boolean last) throws IOException {
        byte[] input = fill == chunk.length ? chunk : Arrays.copyOf(chunk, fill);
        byte[] dict = dictionary;
        dictionary = input.length >= DICT ? Arrays.copyOfRange(input, input.length - DICT, input.length) : null;
        inFlight.add(pool.submit(() -> deflate(input, dict, last)));
        chunk = new byte[CHUNK];
        fill = 0;
        while (inFlight.size() >= maxInFlight) drainOne();
    }

    private byte[] deflate(byte[] input, byte[] dict, boolean last) {
        Deflater d = new Deflater(level, true);
        try {
            if (dict != null) d.setDictionary(dict);
            d.setInput(input);
            if (last) d.finish();
            java.io.ByteArrayOutputStream o = new java.io.ByteArrayOutputStream(input.length / 2 + 64);
            byte[] buf = new byte[64 * 1024];
            while (true) {
                int n = d.deflate(buf, 0, buf.length, last ? Deflater.NO_FLUSH : Deflater.SYNC_FLUSH);
                o.write(buf, 0, n);
                if (last ? d.finished() : (n < buf.length && d.needsInput())) break;
            }
            return o.toByteArray();
        } finally {
            d.end();
        }
    }

    private void drainOne() throws IOException {
        try {
            out.write(inFlight.removeFirst().get());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("gzip compression interrupted");
        } catch (ExecutionException e) {
            throw new IOException("gzip compression failed", e.getCause());
        }
    }

    @Override
    public void close() throws IOException {
        if (closed) return;
        closed = true;
        try {
            submit(true);
            while (!inFlight.isEmpty()) drainOne();
            long c = crc.getValue();
            out.write(new byte[]{(byte) c, (byte) (c >> 8), (byte) (c >> 16), (byte) (c >> 24),
                    (byte) total, (byte) (total >> 8), (byte) (total >> 16), (byte) (total >> 24)});
            out.flush();
        } finally {
            pool.shutdownNow();
        }
    }
}
