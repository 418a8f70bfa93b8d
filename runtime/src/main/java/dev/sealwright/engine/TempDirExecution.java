package dev.sealwright.engine;

import dev.sealwright.base.AtomicFiles;
import dev.sealwright.base.RecipeException;
import dev.sealwright.tools.Tools;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Fourth link of the execution chain: runs a step's type in a fresh temp dir ({@code outputs/} and
 * {@code work/}), checks it produced every declared output, describes the files (path, digest, size)
 * and drops {@code work/}. Nothing outside the temp dir is touched except the step's keep dir.
 */
final class TempDirExecution {
    /** A finished execution: {@code dir/outputs} holds the files; {@code described}: name → {path, digest, size}. */
    record Result(Path dir, Map<String, Map<String, Object>> described, Map<String, Object> values) {
        Path outputPath(String name) {
            return dir.resolve("outputs").resolve(String.valueOf(described.get(name).get("path")));
        }
    }

    private final Workspace ws;
    private final SecretMasker masker;
    private final List<RunListener> listeners;
    private final BooleanSupplier cancelled;

    TempDirExecution(Workspace ws, SecretMasker masker, List<RunListener> listeners, BooleanSupplier cancelled) {
        this.ws = ws;
        this.masker = masker;
        this.listeners = listeners;
        this.cancelled = cancelled;
    }

    /**
     * @param upstream  finished steps' outputs by step name
     * @param keepAlive receives the resources the step asked to keep open (services), also when it failed
     */
    Result run(Step s, Function<String, Outputs> upstream, Tools tools, Consumer<List<AutoCloseable>> keepAlive) throws Exception {
        Path tmp = ws.newTempDir(s.name());
        DefaultStepContext ctx = new DefaultStepContext(s, tmp.resolve("outputs"), tmp.resolve("work"), ws.dir().resolve("keep").resolve(s.name()),
                upstream, tools, masker, listeners, cancelled);
        try {
            s.type().execute(ctx);
        } finally {
            keepAlive.accept(ctx.keepAlive);
        }
        if (cancelled.getAsBoolean()) throw new RecipeException("cancelled");
        Map<String, Map<String, Object>> described = describe(s, ctx, ws.secretSalt());
        AtomicFiles.deleteTree(tmp.resolve("work"));
        return new Result(tmp, described, ctx.values);
    }

    private static Map<String, Map<String, Object>> describe(Step s, DefaultStepContext ctx, byte[] secretSalt) throws IOException {
        ContentDigests fresh = new ContentDigests(null);
        Map<String, Map<String, Object>> out = new LinkedHashMap<>();
        for (OutputSpec o : s.type().outputs()) {
            if (!o.isPath()) {
                if (!ctx.values.containsKey(o.name()))
                    throw new RecipeException("step " + s.name() + " (" + s.type().name() + ") did not produce its value output '" + o.name() + "'");
                continue;
            }
            Path p = ctx.output(o.name());
            if (!Files.exists(p))
                throw new RecipeException("step " + s.name() + " (" + s.type().name() + ") did not produce its output '" + o.name() + "' (" + o.fileName() + ")");
            Map<String, Object> d = new LinkedHashMap<>();
            d.put("path", o.fileName());
            if (o.isSecret()) { // owner-only, and only its HMAC is ever recorded
                if (!Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS))
                    throw new RecipeException("step " + s.name() + " (" + s.type().name() + "): its secret output '" + o.name() + "' is not a regular file");
                Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rw-------"));
                d.put("digest", StepKeys.hmac(secretSalt, Files.readAllBytes(p)));
            } else {
                d.put("digest", fresh.of(p));
            }
            d.put("size", Outputs.sizeOf(p));
            out.put(o.name(), d);
        }
        return out;
    }
}
