package dev.sealwright.cli;

import picocli.CommandLine;

import java.util.Map;

/**
 * A group command whose subcommands are named by class name and loaded only when needed: the one
 * being run, or all of them for help and usage errors. A group mixing Java subcommands with Groovy
 * ones thus runs a Java subcommand without loading Groovy ({@link Main#commandLine}).
 */
public interface LazyGroup {
    /** Subcommand name to class name, in help order. */
    Map<String, String> subcommands();

    /** Adds the subcommand {@code next} to {@code group} when it names one, else all of them. */
    default void addSubcommands(CommandLine group, String next) {
        Map<String, String> subs = subcommands();
        if (next != null && subs.containsKey(next)) group.addSubcommand(next, Main.command(subs.get(next)));
        else subs.forEach((name, type) -> group.addSubcommand(name, Main.command(type)));
    }
}
