package dev.sealwright.dsl;

import dev.sealwright.Sealwright;
import dev.sealwright.base.AtomicFiles;
import dev.sealwright.engine.PipelineCodec;
import dev.sealwright.engine.Workspace;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The configuration cache (after Gradle's): the pipeline a recipe evaluated to, reused without running
 * Groovy while nothing its evaluation could read has changed. One entry per recipe file in
 * {@code .sealwright/configuration/} of the working directory; it is keyed by
 * <ul>
 *   <li>the sealwright build: its version and the size and mtime of every class-path entry;</li>
 *   <li>the recipe's absolute path, the working directory, the JVM's current directory and {@code sealwright.home};</li>
 *   <li>every {@code -p} parameter (hashed into the key);</li>
 *   <li>the SHA-256 of the recipe's text, of the {@code recipes.lock} beside it (or its absence), and of
 *       the text of every library it used;</li>
 *   <li>and, checked again on every reuse as when the pipeline was built, each step's options: every file
 *       input must still exist, every secret file be readable, every environment secret be set.</li>
 * </ul>
 * Evaluation may read nothing else: {@code RecipeInputScan} stores only recipes and libraries whose code
 * calls no method that reads files, the environment, the clock or randomness, names no class, and prints
 * nothing; any other recipe is evaluated every time. Secrets are stored by where they come from (a
 * path, a variable name), never by value.
 */
public final class ConfigurationCache {
    private static final int FORMAT = 1;
    private static final String ABSENT = "absent";

    private ConfigurationCache() {}

    /** The recipe as last evaluated when nothing its evaluation reads has changed, else null. */
    public static LoadedRecipe lookup(Path recipe, Map<String, String> params, Path workdir) {
        Path abs = recipe.toAbsolutePath().normalize();
        Path entry = entry(abs, workdir);
        if (!Files.isRegularFile(entry)) return null;
        try (DataInputStream in = new DataInputStream(Files.newInputStream(entry))) {
            if (in.readInt() != FORMAT || !in.readUTF().equals(key(abs, params, workdir))) return null;
            for (int n = in.readInt(); n > 0; n--) {
                String source = in.readUTF();
                if (!in.readUTF().equals(digest(source))) return null;
            }
            Map<String, Object> libraries = new LinkedHashMap<>();
            for (int n = in.readInt(); n > 0; n--) {
                String name = in.readUTF();
                Map<String, Object> facts = new LinkedHashMap<>();
                for (int k = in.readInt(); k > 0; k--) facts.put(in.readUTF(), in.readUTF());
                libraries.put(name, facts);
            }
            byte[] pipeline = new byte[in.readInt()];
            in.readFully(pipeline);
            return new LoadedRecipe(abs, PipelineCodec.decode(pipeline), Map.of(), libraries);
        } catch (IOException | RuntimeException e) {
            return null;   // unreadable, or no longer valid (a file input gone, an environment secret unset): evaluate
        }
    }

    /**
     * Stores {@code loaded}, just evaluated with {@code params} in {@code workdir}; {@code librarySources}
     * are where the text of each library it used came from (a path or URL). A pipeline with a value the
     * codec cannot store is not stored, and its old entry is removed.
     */
    public static void store(LoadedRecipe loaded, Map<String, String> params, Path workdir, List<String> librarySources) throws IOException {
        Path abs = loaded.file.toAbsolutePath().normalize();
        Path entry = entry(abs, workdir);
        var pipeline = PipelineCodec.encode(loaded.pipeline);
        if (pipeline.isEmpty()) {
            Files.deleteIfExists(entry);
            return;
        }
        List<String> watched = new ArrayList<>();
        watched.add(abs.toString());
        watched.add(abs.resolveSibling("recipes.lock").toString());
        watched.addAll(librarySources);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        out.writeInt(FORMAT);
        out.writeUTF(key(abs, params, workdir));
        out.writeInt(watched.size());
        for (String source : watched) {
            out.writeUTF(source);
            out.writeUTF(digest(source));
        }
        out.writeInt(loaded.libraries.size());
        for (Map.Entry<String, Object> lib : loaded.libraries.entrySet()) {
            out.writeUTF(lib.getKey());
            Map<?, ?> facts = lib.getValue() instanceof Map<?, ?> m ? m : Map.of();
            out.writeInt(facts.size());
            for (Map.Entry<?, ?> f : facts.entrySet()) {
                out.writeUTF(String.valueOf(f.getKey()));
                out.writeUTF(String.valueOf(f.getValue()));
            }
        }
        out.writeInt(pipeline.get().length);
        out.write(pipeline.get());
        out.flush();
        Files.createDirectories(entry.getParent());
        AtomicFiles.write(entry, bytes.toByteArray());
    }

    /** Forgets the recipe's entry (a recipe that cannot be cached any more). */
    public static void forget(Path recipe, Path workdir) throws IOException {
        Files.deleteIfExists(entry(recipe.toAbsolutePath().normalize(), workdir));
    }

    /** The text of a library source: a file path, or a URL (a library inside a jar on the class path). */
    public static byte[] read(String source) throws IOException {
        if (source.startsWith("/")) return Files.readAllBytes(Path.of(source));
        try (InputStream in = new URL(source).openStream()) {
            return in.readAllBytes();
        }
    }

    private static Path entry(Path recipe, Path workdir) {
        return new Workspace(workdir).dir().resolve("configuration").resolve(sha256(recipe.toString().getBytes(StandardCharsets.UTF_8)));
    }

    private static String digest(String source) throws IOException {
        try {
            return sha256(read(source));
        } catch (NoSuchFileException e) {
            return ABSENT;
        }
    }

    /** Everything evaluation depends on that is known before it runs (see the class comment). */
    private static String key(Path recipe, Map<String, String> params, Path workdir) throws IOException {
        StringBuilder k = new StringBuilder("sealwright configuration cache ").append(FORMAT).append('\0');
        k.append(Sealwright.version()).append('\0');
        for (String entry : System.getProperty("java.class.path", "").split(File.pathSeparator)) {
            if (entry.isEmpty()) continue;
            Path p = Path.of(entry);
            k.append(entry);
            try {
                BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class);
                k.append(' ').append(a.size()).append(' ').append(a.lastModifiedTime().toMillis()).append(' ').append(a.fileKey());
            } catch (NoSuchFileException e) {
                k.append(" absent");
            }
            k.append('\0');
        }
        k.append(recipe).append('\0').append(workdir.toAbsolutePath().normalize()).append('\0')
                .append(Path.of("").toAbsolutePath()).append('\0').append(System.getProperty("sealwright.home", "")).append('\0');
        for (Map.Entry<String, String> p : new TreeMap<>(params).entrySet())
            k.append(p.getKey().length()).append(':').append(p.getKey()).append('=').append(p.getValue().length()).append(':').append(p.getValue()).append('\0');
        return sha256(k.toString().getBytes(StandardCharsets.UTF_8));
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
