package dev.sealwright.cli

import groovy.transform.CompileStatic
import picocli.CommandLine.IParameterConsumer
import picocli.CommandLine.IParameterPreprocessor
import picocli.CommandLine.Model.ArgSpec
import picocli.CommandLine.Model.CommandSpec
import picocli.CommandLine.Model.OptionSpec

/**
 * For an option with an optional value from a fixed set ({@code --json[=pretty|short]}): a separate next
 * argument is its value only when it is one of the set, so {@code --json FILE} leaves FILE to the
 * positionals; an attached value ({@code --json=xml}) is always taken, for the option to reject.
 */
@CompileStatic
abstract class KnownValueConsumer implements IParameterConsumer, IParameterPreprocessor {
    private static final ThreadLocal<Boolean> ATTACHED = new ThreadLocal<>()

    abstract List<String> values()

    @Override
    boolean preprocess(Stack<String> args, CommandSpec spec, ArgSpec argSpec, Map<String, Object> info) {
        ATTACHED.set(info.get('separator') == spec.parser().separator())
        false
    }

    @Override
    void consumeParameters(Stack<String> args, ArgSpec argSpec, CommandSpec spec) {
        boolean take = ATTACHED.get() || (!args.isEmpty() && args.peek() in values())
        argSpec.setValue(take ? args.pop() : (argSpec as OptionSpec).fallbackValue())
    }

    static class Json extends KnownValueConsumer {
        @Override List<String> values() { ['pretty', 'short'] }
    }

    static class Progress extends KnownValueConsumer {
        @Override List<String> values() { ['live', 'plain', 'json'] }
    }
}
