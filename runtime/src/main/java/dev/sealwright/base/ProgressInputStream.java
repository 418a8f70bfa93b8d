package dev.sealwright.base;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * Reports the bytes read through it to a {@link Progress}, every MiB and at the end of the stream:
 * {@code offset} plus the bytes read, of {@code total} (several streams can share one total, each
 * starting where the one before ended).
 */
public final class ProgressInputStream extends FilterInputStream {
    private final Progress progress;
    private final long offset, total;
    private long count, lastReport;

    public ProgressInputStream(InputStream in, Progress progress, long offset, long total) {
        super(in);
        this.progress = progress;
        this.offset = offset;
        this.total = total;
    }

    @Override
    public int read() throws IOException {
        int b = super.read();
        if (b >= 0) advance(1, false);
        else advance(0, true);
        return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        int n = super.read(b, off, len);
        advance(Math.max(n, 0), n < 0);
        return n;
    }

    private void advance(long n, boolean end) {
        count += n;
        if (count - lastReport >= (1 << 20) || (end && count != lastReport)) {
            lastReport = count;
            progress.update(offset + count, total);
        }
    }
}
