package dev.sealwright.engine;

import dev.sealwright.base.RecipeException;
import dev.sealwright.base.Secret;
import dev.sealwright.base.SourceLocation;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** Load-time checks of one step's options against its type: unknown, missing, mistyped, invalid ({@link OptionSpec#check}), dangling refs. */
final class StepValidator {
    private StepValidator() {}

    static void validate(Step step, Map<String, Step> earlier) {
        StepType type = step.type();
        SourceLocation at = step.location();
        if (!step.name().matches("[A-Za-z][A-Za-z0-9_-]*"))
            throw new RecipeException("step name '" + step.name() + "' must start with a letter and use letters, digits, '_' or '-'", at);
        for (var e : step.options().entrySet()) {
            OptionSpec spec = type.option(e.getKey());
            if (spec == null)
                throw new RecipeException("unknown option '" + e.getKey() + "' for step " + type.name() + " (known: " + known(type) + ")", at);
            checkValue(step, spec, e.getValue(), earlier);
        }
        for (OptionSpec spec : type.options())
            if (spec.required() && !step.options().containsKey(spec.name()))
                throw new RecipeException("step " + step.name() + " (" + type.name() + ") needs option '" + spec.name() + "': " + spec.description(), at);
    }

    private static String known(StepType type) {
        return type.options().stream().map(OptionSpec::name).collect(Collectors.joining(", "));
    }

    private static void checkValue(Step step, OptionSpec spec, Object value, Map<String, Step> earlier) {
        if (spec.list()) {
            if (!(value instanceof List<?> l))
                throw mistyped(step, spec, value);
            for (Object o : l) checkOne(step, spec, o, earlier);
        } else {
            checkOne(step, spec, value, earlier);
        }
    }

    private static void checkOne(Step step, OptionSpec spec, Object v, Map<String, Step> earlier) {
        SourceLocation at = step.location();
        Class<?> t = spec.type();
        boolean ok = v != null && (t.isInstance(v) || (t == Object.class));
        if (!ok && t == Input.class && v instanceof Input) ok = true;
        if (!ok && t == Secret.class && v instanceof OutputRef) ok = true; // a secret the pipeline made (key.decrypt's key)
        if (!ok) throw mistyped(step, spec, v);
        String problem = spec.problem(v);
        if (problem != null)
            throw new RecipeException("option '" + spec.name() + "' of step " + step.name() + " (" + step.type().name() + "): " + problem, at);
        if (v instanceof RecordOption r) {
            OptionSpec file = new OptionSpec(spec.name(), Input.class, false, false, null, spec.description());
            for (Input i : r.inputs().values()) checkOne(step, file, i, earlier);
        } else if (v instanceof OutputRef ref) {
            Step from = earlier.get(ref.step());
            if (from == null)
                throw new RecipeException("option '" + spec.name() + "' of step " + step.name() + " refers to unknown step '" + ref.step() + "'", at);
            OutputSpec out = from.type().output(ref.output());
            if (out == null)
                throw new RecipeException("step " + ref.step() + " (" + from.type().name() + ") has no output '" + ref.output() + "' (outputs: "
                        + from.type().outputs().stream().map(OutputSpec::name).collect(Collectors.joining(", ")) + ")", at);
            if (out.isSecret() && spec.type() != Secret.class)
                throw new RecipeException("option '" + spec.name() + "' of step " + step.name() + " takes a " + spec.typeName() + ", but " + ref.describe()
                        + " is a secret: only a secret option takes it", at);
        } else if (v instanceof FileRef f && !Files.exists(f.path())) {
            throw new RecipeException("option '" + spec.name() + "' of step " + step.name() + ": " + f.path() + " does not exist", at);
        } else if (v instanceof Secret s && s.file() != null && !Files.isReadable(s.file())) {
            throw new RecipeException("secret file " + s.file() + " for option '" + spec.name() + "' of step " + step.name() + " is not readable", at);
        }
    }

    private static RecipeException mistyped(Step step, OptionSpec spec, Object v) {
        String got = v == null ? "nothing" : v instanceof String s ? "'" + s + "'" : v.getClass().getSimpleName();
        return new RecipeException("option '" + spec.name() + "' of step " + step.name() + " must be a " + spec.typeName() + ", got " + got, step.location());
    }
}
