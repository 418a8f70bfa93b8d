package dev.sealwright.cli;

import dev.sealwright.Sealwright;
import dev.sealwright.base.BadValueException;
import dev.sealwright.base.InputFiles;
import dev.sealwright.base.OneLine;
import dev.sealwright.base.RecipeException;
import dev.sealwright.dsl.ParameterOverrideException;
import dev.sealwright.dsl.RecipeErrors;
import dev.sealwright.dsl.Suggestions;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;

/**
 * {@code sealwright} command line. Exit codes: 0 success, 1 failure (bad recipe, failed step,
 * missing tool), 2 usage error. Errors are one line (plus the recipe line for recipe errors);
 * {@code --debug} adds the stack trace. A {@link RecipeException} message is one line by construction;
 * every other message printed here (usage errors echoing option values, unexpected exceptions) is
 * escaped with {@link OneLine#of} on the way out.
 * <p>
 * Written in Java, as are the verbs that run no recipe and must start fast ({@code measure snp},
 * {@code measure profiles}, {@code --version}): they run on picocli alone and never load Groovy.
 * Every other verb is a Groovy class, named here by its class name and loaded only when it runs
 * (docs/daemon.md, "Start-up without the daemon").
 */
@Command(name = "sealwright", mixinStandardHelpOptions = true, versionProvider = Main.VersionProvider.class,
        description = {"Declare, run and verify confidential-computing (TDX / SEV-SNP) pipelines."},
        footer = {"", "Run a recipe:  sealwright run samples/quickstart.groovy",
                "Explain cache: sealwright plan samples/quickstart.groovy",
                "Warm start:    short verbs run in a resident JVM (docs/daemon.md; SEALWRIGHT_DAEMON=off disables it)"})
public class Main extends GroupCommand {
    public static final int OK = 0, FAILED = 1, USAGE = 2;

    static {
        // picocli loads groovy.lang.Closure whenever it is on the class path, to support closures in
        // annotations; no command here uses them, and the Java verbs must not load Groovy
        System.setProperty("picocli.disable.closures", "true");
    }

    @Option(names = "--debug", description = "show stack traces of errors", scope = CommandLine.ScopeType.INHERIT)
    boolean debug;

    public static void main(String[] args) {
        int code = execute(args);
        // Runtime.exit logs through System.Logger (JDK 17+: "java.lang.Runtime"), and setting up the logging backend costs a
        // fresh JVM several ms; a successful command with no other thread left simply returns (shutdown hooks still run)
        if (code != OK || otherLiveThreads()) System.exit(code);
    }

    /** Whether a non-daemon thread other than this one is alive, which would keep the JVM up after main returns. */
    private static boolean otherLiveThreads() {
        ThreadGroup all = Thread.currentThread().getThreadGroup();
        while (all.getParent() != null) all = all.getParent();
        Thread[] threads = new Thread[all.activeCount() + 8];
        int n = all.enumerate(threads, true);
        for (int i = 0; i < n; i++) {
            if (threads[i] != Thread.currentThread() && !threads[i].isDaemon() && threads[i].isAlive()) return true;
        }
        return n == threads.length;   // more than we could see: do not guess
    }

    /**
     * Top-level verbs in help order, by class name: only the verb being run is loaded (picocli reflects
     * on every command it is given, and a Groovy class brings the Groovy runtime with it).
     */
    public static final Map<String, String> VERBS = verbs(
            "run", "RunCommand", "plan", "PlanCommand", "quickstart", "QuickstartCommand", "steps", "StepsCommand",
            "recipes", "RecipesCommand", "test-recipes", "TestRecipesCommand", "repl", "ReplCommand", "jshell", "JshellCommand",
            "measure", "MeasureCommand", "snp", "SnpCommand", "attest", "AttestCommand", "quote", "QuoteCommand",
            "luks", "LuksCommand", "verity", "VerityCommand", "disk", "DiskCommand",
            "launch", "LaunchCommand", "uki", "UkiCommand", "initramfs", "InitramfsCommand",
            "tpm", "TpmCommand", "uefi", "UefiCommand", "eventlog", "EventlogCommand",
            "vault", "VaultCommand", "enroll", "EnrollCommand", "kbs", "KbsCommand",
            "doctor", "DoctorCommand", "completion", "CompletionCommand", "help", "picocli.CommandLine$HelpCommand");

    private static Map<String, String> verbs(String... nameAndClass) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < nameAndClass.length; i += 2) {
            String type = nameAndClass[i + 1];
            m.put(nameAndClass[i], type.contains(".") ? type : "dev.sealwright.cli." + type);
        }
        return Collections.unmodifiableMap(m);
    }

    /** The command line of the verb class named {@code className}, from its {@link CommandModels model} when it has one, else the class for picocli to reflect on. */
    static Object command(String className) {
        Class<?> type = load(className);
        CommandLine model = CommandModels.commandLine(type);
        return model != null ? model : type;
    }

    /** The verb class named {@code className}, loaded now. */
    static Class<?> load(String className) {
        try {
            return Class.forName(className, true, Main.class.getClassLoader());
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException("verb class missing from this build: " + className, e);
        }
    }

    /** The command line for {@code args}: the named verb alone, or every verb when there is none (completion, man pages). */
    public static CommandLine commandLine(String... args) {
        return commandLine(false, args);
    }

    /**
     * {@code usageOnly}: where no verb is named (bare {@code sealwright}, {@code --help}, {@code help}, a
     * mistyped verb), the verbs are only listed, from the {@link VerbIndex} written at build time, and
     * none is loaded; {@code help VERB} loads that verb alone.
     */
    private static CommandLine commandLine(boolean usageOnly, String... args) {
        CommandLine model = CommandModels.commandLine(Main.class);
        CommandLine cli = model != null ? model : new CommandLine(new Main());   // none during the build, before the models are written
        List<String> words = new ArrayList<>();
        boolean helpBeforeSubcommand = false;   // "measure --help snp" prints measure's usage, with every subcommand
        for (String a : args) {
            if (!a.startsWith("-")) words.add(a);
            else if (words.size() == 1 && (a.equals("-h") || a.equals("--help"))) helpBeforeSubcommand = true;
        }
        String verb = words.isEmpty() ? null : words.get(0);
        if (verb != null && !verb.equals("help") && VERBS.containsKey(verb)) {
            cli.addSubcommand(verb, command(VERBS.get(verb)));
            String next = words.size() > 1 && !helpBeforeSubcommand ? words.get(1) : null;
            CommandLine group = cli.getSubcommands().get(verb);
            if (group.getCommand() instanceof LazyGroup) ((LazyGroup) group.getCommand()).addSubcommands(group, next);
        } else if (verb == null && Arrays.stream(args).anyMatch(a -> a.equals("-V") || a.equals("--version"))) {
            // no verb needed
        } else {
            List<CommandSpec> index = usageOnly ? VerbIndex.read() : null;
            String named = "help".equals(verb) && words.size() > 1 ? words.get(1) : null;
            if (index == null) VERBS.keySet().forEach(name -> addVerb(cli, name));
            else for (CommandSpec listed : index) {
                if (listed.name().equals(named) || listed.name().equals("help")) addVerb(cli, listed.name());
                else cli.addSubcommand(listed.name(), new CommandLine(listed));
            }
        }
        // relative paths name files in the caller's directory, which is not the JVM's for the CLI daemon
        cli.registerConverter(Path.class, CliContext::path);
        // and its terminal decides the help's colour (set after the subcommands: it is copied to those present)
        Boolean colour = CliContext.colour();
        if (colour != null) cli.setColorScheme(CommandLine.Help.defaultColorScheme(colour ? CommandLine.Help.Ansi.ON : CommandLine.Help.Ansi.OFF));
        return cli;
    }

    private static void addVerb(CommandLine cli, String name) {
        cli.addSubcommand(name, command(VERBS.get(name)));
        CommandLine sub = cli.getSubcommands().get(name);
        if (sub.getCommand() instanceof LazyGroup) ((LazyGroup) sub.getCommand()).addSubcommands(sub, null);
    }

    public static int execute(String... args) {
        CommandLine cli = commandLine(true, args);
        cli.setExecutionExceptionHandler((e, cmd, parsed) -> {
            boolean debug = parsed.matchedOption("--debug") != null || Arrays.asList(args).contains("--debug");
            int code = report(e, cmd);
            if (debug) e.printStackTrace();
            return code;
        });
        cli.setParameterExceptionHandler((e, a) -> usageError(parseErrorMessage(e), e.getCommandLine()));
        try {
            return cli.execute(args);
        } catch (InternalError e) {
            if (!InputFiles.isMappedReadFault(e)) throw e;
            // a mapped input cut while read, thrown by the JVM after the read (in compiled code), past the catch that names the file
            System.err.println("error: an input file was truncated while it was read; run again once it is complete");
            if (Arrays.asList(args).contains("--debug")) e.printStackTrace();
            return FAILED;
        }
    }

    /** One line (a recipe error adds its source line) for an error a command threw; returns the exit code. */
    public static int report(Exception e, CommandLine cmd) {
        if (e instanceof UsageException || e instanceof ParameterOverrideException) return usageError(e.getMessage(), cmd);
        String option = e instanceof BadValueException ? optionOf((BadValueException) e, cmd) : null;
        if (option != null) {
            String field = ((BadValueException) e).field();
            String message = e.getMessage();
            return usageError(option + ": " + (message.startsWith(field + ": ") ? message.substring(field.length() + 2) : message), cmd);
        }
        AccessDeniedException denied = null;
        for (Throwable t : causes(e)) {
            if (t instanceof AccessDeniedException) { denied = (AccessDeniedException) t; break; }
        }
        if (denied != null && (e.getMessage() == null || !e.getMessage().contains("permission denied")))
            System.err.println("error: " + OneLine.of(String.valueOf(denied.getFile())) + ": permission denied");
        else if (e instanceof RecipeException) System.err.println(RecipeErrors.render((RecipeException) e));
        else {
            String message = e.getMessage();
            System.err.println("error: " + e.getClass().getSimpleName() + (message != null && !message.isEmpty() ? ": " + OneLine.of(message) : ""));
        }
        return FAILED;
    }

    /** The verb's option a request field names: {@code --field}, or {@code --kebab-case} of a camelCase field; null when none. */
    private static String optionOf(BadValueException e, CommandLine cmd) {
        for (String name : List.of("--" + e.field(), "--" + e.field().replaceAll("([A-Z])", "-$1").toLowerCase(Locale.ROOT))) {
            if (cmd.getCommandSpec().findOption(name) != null) return name;
        }
        return null;
    }

    private static List<Throwable> causes(Throwable e) {
        List<Throwable> chain = new ArrayList<>();
        for (Throwable t = e; t != null && !chain.contains(t); t = t.getCause()) chain.add(t);
        return chain;
    }

    private static int usageError(String message, CommandLine cmd) {
        System.err.println("sealwright: " + OneLine.of(message));   // picocli echoes option values
        System.err.println("try: " + cmd.getCommandSpec().qualifiedName() + " --help");
        return USAGE;
    }

    /** picocli's message, with the nearest verb or option suggested for a mistyped one. */
    private static String parseErrorMessage(CommandLine.ParameterException e) {
        if (!(e instanceof CommandLine.UnmatchedArgumentException)) return e.getMessage();
        CommandLine.UnmatchedArgumentException unmatched = (CommandLine.UnmatchedArgumentException) e;
        CommandSpec spec = e.getCommandLine().getCommandSpec();
        String first = unmatched.getUnmatched().isEmpty() ? null : unmatched.getUnmatched().get(0);
        if (first == null) return e.getMessage();
        if (first.startsWith("-")) {
            String name = first.contains("=") ? first.substring(0, first.indexOf('=')) : first;
            return e.getMessage() + Suggestions.hint(name, spec.optionsMap().keySet());
        }
        if (!spec.subcommands().isEmpty() && spec.positionalParameters().isEmpty()) {
            String known = String.join(", ", spec.subcommands().keySet());
            return "unknown command '" + first + "' for " + spec.qualifiedName() + Suggestions.hint(first, spec.subcommands().keySet()) + " (commands: " + known + ")";
        }
        return e.getMessage();
    }

    /** The sealwright, Java and Groovy versions; Groovy's is read from its jar, so that printing it does not load Groovy. */
    public static class VersionProvider implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"sealwright " + Sealwright.version(),
                    "Java " + System.getProperty("java.version") + ", Groovy " + groovyVersion()};
        }

        private static String groovyVersion() {
            try (InputStream in = Main.class.getClassLoader().getResourceAsStream("META-INF/groovy-release-info.properties")) {
                Properties p = new Properties();
                if (in != null) p.load(in);
                return p.getProperty("ImplementationVersion", "unknown");
            } catch (IOException e) {
                return "unknown";
            }
        }
    }
}
