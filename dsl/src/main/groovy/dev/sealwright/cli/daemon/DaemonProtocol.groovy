package dev.sealwright.cli.daemon

import groovy.transform.CompileStatic

import java.nio.charset.StandardCharsets
import java.nio.file.InvalidPathException
import java.nio.file.Path

/**
 * The CLI daemon's wire format (the C side is native-helpers/src/cli-client/client.h). Integers are
 * big-endian.
 * <pre>
 * request: "SWD2", u8 flags, u32 count, count × (u32 length, UTF-8 bytes): working directory, then the arguments;
 *          flags bit 0: the caller's terminal gets coloured help (the client decides as picocli would there)
 * answer:  frames (u8 type, u32 length, payload): 'O' stdout bytes, 'E' stderr bytes,
 *          'X' exit status (i32; ends the answer), 'N' not served (empty; ends the answer)
 * </pre>
 */
@CompileStatic
final class DaemonProtocol {
    static final byte[] MAGIC = 'SWD2'.getBytes(StandardCharsets.US_ASCII)
    static final int COLOUR = 1
    static final int MAX_ITEMS = 4096
    static final int MAX_ITEM_BYTES = 1 << 20
    static final byte STDOUT = 0x4f, STDERR = 0x45, EXIT = 0x58, NOT_SERVED = 0x4e   // 'O' 'E' 'X' 'N'

    private DaemonProtocol() {}

    static final class Request {
        final Path cwd
        final List<String> args
        /** Help in colour (picocli's ANSI on), as a JVM started on the caller's terminal would print it. */
        final boolean colour

        Request(Path cwd, List<String> args, boolean colour = false) {
            this.cwd = cwd
            this.args = List.copyOf(args)
            this.colour = colour
        }
    }

    /** What a client collected: the output streams and the status; {@code served == false} for an 'N' answer. */
    static final class Answer {
        final byte[] out, err
        final int status
        final boolean served

        Answer(byte[] out, byte[] err, int status, boolean served) {
            this.out = out; this.err = err; this.status = status; this.served = served
        }
    }

    static void writeRequest(DataOutputStream out, Request r) {
        out.write(MAGIC)
        out.writeByte(r.colour ? COLOUR : 0)
        out.writeInt(r.args.size() + 1)
        writeItem(out, r.cwd.toString())
        for (String a : r.args) writeItem(out, a)
        out.flush()
    }

    /** Reads one request; a malformed one is an IOException saying what is wrong. */
    static Request readRequest(DataInputStream input) {
        byte[] magic = new byte[4]
        input.readFully(magic)
        if (!Arrays.equals(magic, MAGIC)) throw new IOException('not a sealwright CLI request (bad magic)')
        int flags = input.readUnsignedByte()
        if ((flags & ~COLOUR) != 0) throw new IOException("unknown request flags 0x${Integer.toHexString(flags)}")
        int count = input.readInt()
        if (count < 1 || count > MAX_ITEMS) throw new IOException("request has ${count} items (1..${MAX_ITEMS})")
        String dir = readItem(input)
        Path cwd
        try {
            cwd = Path.of(dir)
        } catch (InvalidPathException e) {
            throw new IOException("working directory is not a path: ${e.message}")
        }
        if (!cwd.isAbsolute()) throw new IOException("working directory is not absolute: ${dir}")
        List<String> args = []
        for (int i = 1; i < count; i++) args << readItem(input)
        new Request(cwd, args, (flags & COLOUR) != 0)
    }

    static void writeFrame(DataOutputStream out, byte type, byte[] data, int off, int len) {
        out.writeByte(type)
        out.writeInt(len)
        out.write(data, off, len)
    }

    static void writeExit(DataOutputStream out, int status) {
        out.writeByte(EXIT)
        out.writeInt(4)
        out.writeInt(status)
        out.flush()
    }

    static void writeNotServed(DataOutputStream out) {
        out.writeByte(NOT_SERVED)
        out.writeInt(0)
        out.flush()
    }

    /** Reads frames up to the end of the answer, as the C client does. */
    static Answer readAnswer(DataInputStream input) {
        def out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream()
        while (true) {
            byte type = input.readByte()
            int len = input.readInt()
            if (type == EXIT) {
                if (len != 4) throw new IOException("exit frame of ${len} bytes")
                return new Answer(out.toByteArray(), err.toByteArray(), input.readInt(), true)
            }
            if (type == NOT_SERVED) {
                if (len != 0) throw new IOException("not-served frame of ${len} bytes")
                return new Answer(out.toByteArray(), err.toByteArray(), 0, false)
            }
            if (type != STDOUT && type != STDERR) throw new IOException("unknown frame type 0x${Integer.toHexString(type & 0xff)}")
            if (len < 0 || len > (64 << 20)) throw new IOException("frame of ${len} bytes")
            byte[] data = new byte[len]
            input.readFully(data)
            (type == STDOUT ? out : err).write(data)
        }
    }

    private static void writeItem(DataOutputStream out, String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8)
        out.writeInt(b.length)
        out.write(b)
    }

    private static String readItem(DataInputStream input) {
        int len = input.readInt()
        if (len < 0 || len > MAX_ITEM_BYTES) throw new IOException("request item of ${len} bytes (at most ${MAX_ITEM_BYTES})")
        byte[] b = new byte[len]
        input.readFully(b)
        new String(b, StandardCharsets.UTF_8)
    }
}
