package dev.sealwright.engine;

import dev.sealwright.base.Json;
import dev.sealwright.base.Secret;
import dev.sealwright.base.SourceLocation;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import static java.nio.charset.StandardCharsets.UTF_8;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * An evaluated {@link Pipeline} as bytes and back, for the DSL's configuration cache: steps in order
 * with their type names, typed option values and source locations. Option values are what
 * {@link OptionSpec} allows: String, Long, Boolean, a {@link FileRef} or {@link OutputRef}, a
 * {@link Secret}, a {@link RecordOption} (its class, its shape as JSON and its inputs, each a FileRef or
 * OutputRef; decoded by the {@link RecordOption.Decoder} of the step's OptionSpec, only for the class it declares),
 * or a list of these. A secret is written by where it comes from, never by value: a
 * file secret as its path, an environment secret as the variable's name (read again when decoded).
 * A pipeline holding any other value (an inline secret, a value type added later) has no encoding:
 * {@link #encode} returns empty and the caller evaluates the recipe every time.
 */
public final class PipelineCodec {
    private static final int FORMAT = 3;   // 3: a VmSpec shape in its snake_case JSON form; records decoded by their OptionSpec decoder
    private static final byte NULL = 0, STRING = 1, LONG = 2, BOOLEAN = 3, FILE = 4, OUTPUT = 5, SECRET_FILE = 6,
            SECRET_ENV = 7, LIST = 8, INTEGER = 9, RECORD = 10;

    private PipelineCodec() {}

    /** The pipeline's bytes, or empty when one of its values cannot be stored (see the class comment). */
    public static Optional<byte[]> encode(Pipeline pipeline) {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            DataOutputStream out = new DataOutputStream(bytes);
            out.writeInt(FORMAT);
            out.writeUTF(pipeline.name());
            writePath(out, pipeline.recipe());
            List<Step> steps = pipeline.steps();
            out.writeInt(steps.size());
            for (Step s : steps) {
                out.writeUTF(s.name());
                out.writeUTF(s.type().name());
                writePath(out, s.location().file());
                out.writeInt(s.location().line());
                out.writeInt(s.location().column());
                out.writeInt(s.options().size());
                for (Map.Entry<String, Object> e : s.options().entrySet()) {
                    if (e.getValue() instanceof RecordOption r && decoder(s.type(), e.getKey(), r.getClass().getName()) == null) return Optional.empty();
                    out.writeUTF(e.getKey());
                    if (!writeValue(out, e.getValue())) return Optional.empty();
                }
            }
            out.flush();
            return Optional.of(bytes.toByteArray());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The pipeline {@code bytes} encode, validated again as when it was built. Throws (RecipeException,
     * IOException) when they no longer decode: an unknown step type, an unset environment secret, a
     * file input that is gone; the caller then evaluates the recipe, which reports the error at its line.
     */
    public static Pipeline decode(byte[] bytes) throws IOException {
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes));
        if (in.readInt() != FORMAT) throw new IOException("configuration cache entry of another format");
        Pipeline.Builder builder = Pipeline.builder(in.readUTF()).recipe(readPath(in));
        for (int n = in.readInt(); n > 0; n--) {
            String name = in.readUTF();
            StepType type = StepTypes.get(in.readUTF());
            SourceLocation at = new SourceLocation(readPath(in), in.readInt(), in.readInt());
            Map<String, Object> options = new LinkedHashMap<>();
            for (int k = in.readInt(); k > 0; k--) {
                String key = in.readUTF();
                options.put(key, readValue(in, type, key));
            }
            builder.step(new Step(name, type, options, at));
        }
        return builder.build();
    }

    private static boolean writeValue(DataOutputStream out, Object v) throws IOException {
        if (v == null) out.writeByte(NULL);
        else if (v instanceof String s) { out.writeByte(STRING); writeLongUtf(out, s); }
        else if (v instanceof Long l) { out.writeByte(LONG); out.writeLong(l); }
        else if (v instanceof Integer i) { out.writeByte(INTEGER); out.writeInt(i); }
        else if (v instanceof Boolean b) { out.writeByte(BOOLEAN); out.writeBoolean(b); }
        else if (v instanceof FileRef f) { out.writeByte(FILE); writeLongUtf(out, f.path().toString()); }
        else if (v instanceof OutputRef r) { out.writeByte(OUTPUT); out.writeUTF(r.step()); out.writeUTF(r.output()); }
        else if (v instanceof Secret s) {
            if (s.file() != null && s.source().startsWith("file ")) {
                out.writeByte(SECRET_FILE);
                writeLongUtf(out, s.source().substring(5));   // the path as given, which Secret.ofFile shows and normalizes
            } else if (s.file() == null && s.source().startsWith("env ")) {
                out.writeByte(SECRET_ENV);
                out.writeUTF(s.source().substring(4));   // the variable's name; its value is read again on decoding
            } else {
                return false;
            }
        } else if (v instanceof RecordOption r) {
            out.writeByte(RECORD);
            out.writeUTF(r.getClass().getName());
            writeLongUtf(out, Json.pretty(r.shape()));   // in the shape's own order, as plan shows it
            out.writeInt(r.inputs().size());
            for (Map.Entry<String, Input> e : r.inputs().entrySet()) {
                if (!(e.getValue() instanceof FileRef || e.getValue() instanceof OutputRef)) return false;
                out.writeUTF(e.getKey());
                writeValue(out, e.getValue());
            }
        } else if (v instanceof List<?> l) {
            out.writeByte(LIST);
            out.writeInt(l.size());
            for (Object o : l) if (!writeValue(out, o)) return false;
        } else {
            return false;
        }
        return true;
    }

    /** A value of option {@code key} of a step of {@code type}. */
    private static Object readValue(DataInputStream in, StepType type, String key) throws IOException {
        byte tag = in.readByte();
        switch (tag) {
            case NULL: return null;
            case STRING: return readLongUtf(in);
            case LONG: return in.readLong();
            case INTEGER: return in.readInt();
            case BOOLEAN: return in.readBoolean();
            case FILE: return new FileRef(Path.of(readLongUtf(in)));
            case OUTPUT: return new OutputRef(in.readUTF(), in.readUTF());
            case SECRET_FILE: return Secret.ofFile(Path.of(readLongUtf(in)));
            case SECRET_ENV: return Secret.ofEnv(in.readUTF());
            case LIST: {
                int n = in.readInt();
                List<Object> list = new ArrayList<>(n);
                for (int i = 0; i < n; i++) list.add(readValue(in, type, key));
                return list;
            }
            case RECORD: {
                String className = in.readUTF();
                String shape = readLongUtf(in);
                Map<String, Input> inputs = new LinkedHashMap<>();
                for (int n = in.readInt(); n > 0; n--) inputs.put(in.readUTF(), (Input) readValue(in, type, key));
                return readRecord(type, key, className, shape, inputs);   // a RecipeException: the recipe is evaluated again
            }
            default: throw new IOException("configuration cache entry: unknown value tag " + tag);
        }
    }

    /** The decoder option {@code key} of {@code type} declares for the record class {@code className}, or null. */
    private static RecordOption.Decoder<?> decoder(StepType type, String key, String className) {
        for (OptionSpec o : type.options())
            if (o.name().equals(key) && o.decoder() != null && o.type().getName().equals(className)) return o.decoder();
        return null;
    }

    private static Object readRecord(StepType type, String key, String className, String shape, Map<String, Input> inputs) throws IOException {
        RecordOption.Decoder<?> d = decoder(type, key, className);
        if (d == null) throw new IOException("configuration cache entry: " + type.name() + " option " + key + " is not a " + className);
        return d.decode(shape, inputs);
    }

    private static void writePath(DataOutputStream out, Path p) throws IOException {
        writeLongUtf(out, p == null ? "" : p.toString());
    }

    private static Path readPath(DataInputStream in) throws IOException {
        String s = readLongUtf(in);
        return s.isEmpty() ? null : Path.of(s);
    }

    /** writeUTF is limited to 64 KiB; option text (a command line, a cmdline) may be longer. */
    private static void writeLongUtf(DataOutputStream out, String s) throws IOException {
        byte[] b = s.getBytes(UTF_8);
        out.writeInt(b.length);
        out.write(b);
    }

    private static String readLongUtf(DataInputStream in) throws IOException {
        byte[] b = new byte[in.readInt()];
        in.readFully(b);
        return new String(b, UTF_8);
    }
}
