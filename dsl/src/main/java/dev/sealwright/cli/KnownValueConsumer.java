package dev.sealwright.cli;

import picocli.CommandLine.IParameterConsumer;
import picocli.CommandLine.IParameterPreprocessor;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Stack;

/**
 * For an option with an optional value from a fixed set ({@code --json[=pretty|short]}): a separate next
 * argument is its value only when it is one of the set, so {@code --json FILE} leaves FILE to the
 * positionals; an attached value ({@code --json=xml}) is always taken, for the option to reject.
 * Java, as {@link JsonOutput} is, so that {@code measure profiles --json} starts without Groovy.
 */
public abstract class KnownValueConsumer implements IParameterConsumer, IParameterPreprocessor {
    private static final ThreadLocal<Boolean> ATTACHED = new ThreadLocal<>();

    abstract List<String> values();

    @Override
    public boolean preprocess(Stack<String> args, CommandSpec spec, ArgSpec argSpec, Map<String, Object> info) {
        ATTACHED.set(Objects.equals(info.get("separator"), spec.parser().separator()));
        return false;
    }

    @Override
    public void consumeParameters(Stack<String> args, ArgSpec argSpec, CommandSpec spec) {
        boolean take = Boolean.TRUE.equals(ATTACHED.get()) || (!args.isEmpty() && values().contains(args.peek()));
        argSpec.setValue(take ? args.pop() : ((OptionSpec) argSpec).fallbackValue());
    }

    public static class Json extends KnownValueConsumer {
        @Override List<String> values() { return List.of("pretty", "short"); }
    }

    public static class Progress extends KnownValueConsumer {
        @Override List<String> values() { return List.of("live", "plain", "json"); }
    }
}
