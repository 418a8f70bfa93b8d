package dev.sealwright.disk.luks2;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

/** A window of a file: a whole LUKS2 image, or one partition of a disk image. Positions are relative to {@code base}. */
public record ByteRegion(FileChannel channel, long base, long size) {

    public static ByteRegion whole(FileChannel ch) throws IOException {
        return new ByteRegion(ch, 0, ch.size());
    }

    public byte[] read(long pos, int len) throws IOException {
        if (pos < 0 || pos + len > size) throw new IOException("read of " + len + " bytes at " + pos + " is outside the " + size + "-byte region");
        ByteBuffer b = ByteBuffer.allocate(len);
        while (b.hasRemaining()) if (channel.read(b, base + pos + b.position()) < 0) throw new IOException("unexpected end of file at " + (base + pos + b.position()));
        return b.array();
    }

    public void write(long pos, byte[] data, int off, int len) throws IOException {
        if (pos < 0 || pos + len > size) throw new IOException("write of " + len + " bytes at " + pos + " is outside the " + size + "-byte region");
        ByteBuffer b = ByteBuffer.wrap(data, off, len);
        while (b.hasRemaining()) channel.write(b, base + pos + (b.position() - off));
    }

    public void write(long pos, byte[] data) throws IOException {
        write(pos, data, 0, data.length);
    }

    public void zero(long pos, long len) throws IOException {
        byte[] z = new byte[(int) Math.min(len, 1 << 20)];
        for (long done = 0; done < len; ) {
            int n = (int) Math.min(z.length, len - done);
            write(pos + done, z, 0, n);
            done += n;
        }
    }
}
