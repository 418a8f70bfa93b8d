package dev.sealwright.files;

import dev.sealwright.base.AtomicFiles;
import dev.sealwright.engine.Input;
import dev.sealwright.engine.OptionChecks;
import dev.sealwright.engine.OptionSpec;
import dev.sealwright.engine.OutputSpec;
import dev.sealwright.base.RecipeException;
import dev.sealwright.engine.StepContext;
import dev.sealwright.engine.StepType;
import dev.sealwright.tools.ToolResult;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Runs an external program as a cached step: its arguments may be files or other steps' outputs
 * (which become inputs of the key), the program's version enters the key, its stdout is the output.
 * An argument that is exactly {@code {out}} becomes the path of the {@code out} output, a file the
 * program writes (e.g. a tar of a directory it assembled); without it, {@code out} is empty.
 */
public final class ExecStep implements StepType {
    @Override public String name() { return "exec"; }
    @Override public int version() { return 2; }
    @Override public String description() { return "run a program (first word of command) and keep its stdout"; }

    @Override
    public List<OptionSpec> options() {
        return List.of(
                OptionSpec.requiredList("command", Object.class, "program and arguments; files and step outputs allowed"),
                OptionSpec.optional("cwd", Input.class, null, "directory to run in (default: a scratch directory)").checked(OptionChecks.directory()),
                OptionSpec.optional("timeout", Long.class, 600L, "seconds before the program is killed").checked(OptionChecks.range(1, 86400)));
    }

    @Override
    public List<OutputSpec> outputs() {
        return List.of(OutputSpec.file("stdout", "stdout.txt", "what the program printed"),
                OutputSpec.file("out", "out", "the file the program wrote where the argument {out} named (empty without {out})"));
    }

    @Override
    public List<String> tools(Map<String, Object> options) {
        Object cmd = options.get("command");
        if (cmd instanceof List<?> l && !l.isEmpty() && l.get(0) instanceof String s) return List.of(s);
        return List.of();
    }

    @Override
    public void execute(StepContext ctx) throws Exception {
        List<?> cmd = (List<?>) ctx.option("command");
        if (cmd.isEmpty() || !(cmd.get(0) instanceof String program))
            throw new RecipeException("exec: command must start with a program name");
        List<Object> args = new ArrayList<>();
        for (Object a : cmd.subList(1, cmd.size())) {
            if (a instanceof Input in) args.add(ctx.resolve(in));
            else if (OUT.equals(a)) args.add(ctx.output("out"));
            else args.add(String.valueOf(a));
        }
        boolean writesOut = args.contains(ctx.output("out"));
        Path cwd = ctx.path("cwd");
        ToolResult r = ctx.tools().exec(program, args.toArray())
                .cwd(cwd != null ? cwd : ctx.workDir())
                .timeout(Duration.ofSeconds(ctx.number("timeout")))
                .run();
        r.stderr().lines().forEach(ctx::log);
        AtomicFiles.write(ctx.output("stdout"), r.stdout().getBytes(StandardCharsets.UTF_8));
        if (!writesOut) AtomicFiles.write(ctx.output("out"), new byte[0]);
        else if (!Files.isRegularFile(ctx.output("out")))
            throw new RecipeException("exec: " + program + " did not write the file {out} named");
    }

    private static final String OUT = "{out}";

}
