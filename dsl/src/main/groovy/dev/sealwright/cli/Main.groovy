package dev.sealwright.cli

import dev.sealwright.Sealwright
import dev.sealwright.dsl.ParameterOverrideException
import dev.sealwright.dsl.RecipeErrors
import dev.sealwright.dsl.Suggestions
import dev.sealwright.base.RecipeException
import dev.sealwright.base.BadValueException
import dev.sealwright.base.OneLine
import groovy.transform.CompileStatic
import picocli.CommandLine
import picocli.CommandLine.Command
import picocli.CommandLine.Option

import java.nio.file.AccessDeniedException
import java.nio.file.Path
import java.util.Locale

/**
 * {@code sealwright} command line. Exit codes: 0 success, 1 failure (bad recipe, failed step,
 * missing tool), 2 usage error. Errors are one line (plus the recipe line for recipe errors);
 * {@code --debug} adds the stack trace. A {@link RecipeException} message is one line by construction;
 * every other message printed here (usage errors echoing option values, unexpected exceptions) is
 * escaped with {@link OneLine#of} on the way out.
 */
@CompileStatic
@Command(name = 'sealwright', mixinStandardHelpOptions = true, versionProvider = VersionProvider,
        description = ['Declare, run and verify confidential-computing (TDX / SEV-SNP) pipelines.'],
        footer = ['', 'Run a recipe:  sealwright run samples/quickstart.groovy',
                'Explain cache: sealwright plan samples/quickstart.groovy',
                'Warm start:    short verbs run in a resident JVM (docs/daemon.md; SEALWRIGHT_DAEMON=off disables it)'])
class Main extends GroupCommand {
    static final int OK = 0, FAILED = 1, USAGE = 2

    @Option(names = '--debug', description = 'show stack traces of errors', scope = CommandLine.ScopeType.INHERIT)
    boolean debug

    static void main(String[] args) {
        System.exit(execute(args))
    }

    /** Top-level verbs in help order. Only the verb being run is built (picocli reflects on every command it is given). */
    static final Map<String, Class<?>> VERBS = [
            run: RunCommand, plan: PlanCommand, quickstart: QuickstartCommand, steps: StepsCommand, recipes: RecipesCommand, 'test-recipes': TestRecipesCommand,
            repl: ReplCommand, jshell: JshellCommand,
            measure: MeasureCommand, snp: SnpCommand, attest: AttestCommand, quote: QuoteCommand,
            luks: LuksCommand, verity: VerityCommand, disk: DiskCommand,
            launch: LaunchCommand, uki: UkiCommand, initramfs: InitramfsCommand,
            tpm: TpmCommand, uefi: UefiCommand, eventlog: EventlogCommand,
            vault: VaultCommand, enroll: EnrollCommand, kbs: KbsCommand,
            doctor: DoctorCommand, completion: CompletionCommand, help: CommandLine.HelpCommand,
    ] as LinkedHashMap<String, Class<?>>

    /** The command line for {@code args}: the named verb alone, or every verb when there is none (help, usage errors). */
    static CommandLine commandLine(String... args) {
        def cli = new CommandLine(new Main())
        String verb = args.find { String a -> !a.startsWith('-') }
        if (verb != null && verb != 'help' && VERBS.containsKey(verb)) cli.addSubcommand(verb, VERBS[verb])
        else if (verb == null && args.any { String a -> a in ['-V', '--version'] }) { /* no verb needed */ }
        else VERBS.each { String name, Class<?> type -> cli.addSubcommand(name, type) }
        // relative paths name files in the caller's directory, which is not the JVM's for the CLI daemon
        cli.registerConverter(Path, { String s -> CliContext.path(s) } as CommandLine.ITypeConverter<Path>)
        cli
    }

    static int execute(String... args) {
        def cli = commandLine(args)
        cli.executionExceptionHandler = { Exception e, CommandLine cmd, CommandLine.ParseResult parsed ->
            boolean debug = parsed.matchedOption('--debug') != null || args.contains('--debug')
            int code = report(e, cmd)
            if (debug) e.printStackTrace()
            return code
        } as CommandLine.IExecutionExceptionHandler
        cli.parameterExceptionHandler = { CommandLine.ParameterException e, String[] a ->
            usageError(parseErrorMessage(e), e.commandLine)
        } as CommandLine.IParameterExceptionHandler
        return cli.execute(args)
    }

    /** One line (a recipe error adds its source line) for an error a command threw; returns the exit code. */
    static int report(Exception e, CommandLine cmd) {
        if (e instanceof UsageException || e instanceof ParameterOverrideException) return usageError(e.message, cmd)
        if (e instanceof BadValueException && optionOf((BadValueException) e, cmd) != null) {
            String field = ((BadValueException) e).field()
            return usageError("${optionOf((BadValueException) e, cmd)}: ${e.message.startsWith(field + ': ') ? e.message.substring(field.length() + 2) : e.message}", cmd)
        }
        AccessDeniedException denied = (AccessDeniedException) causes(e).find { it instanceof AccessDeniedException }
        if (denied != null && !e.message?.contains('permission denied')) System.err.println("error: ${OneLine.of(String.valueOf(denied.file))}: permission denied")
        else if (e instanceof RecipeException) System.err.println(RecipeErrors.render((RecipeException) e))
        else System.err.println("error: ${e.getClass().simpleName}${e.message ? ': ' + OneLine.of(e.message) : ''}")
        return FAILED
    }

    /** The verb's option a request field names: {@code --field}, or {@code --kebab-case} of a camelCase field; null when none. */
    private static String optionOf(BadValueException e, CommandLine cmd) {
        for (String name : ['--' + e.field(), '--' + e.field().replaceAll(/([A-Z])/, '-$1').toLowerCase(Locale.ROOT)]) {
            if (cmd.commandSpec.findOption(name) != null) return name
        }
        null
    }

    private static List<Throwable> causes(Throwable e) {
        List<Throwable> chain = []
        for (Throwable t = e; t != null && !chain.contains(t); t = t.cause) chain << t
        chain
    }

    private static int usageError(String message, CommandLine cmd) {
        System.err.println("sealwright: ${OneLine.of(message)}")   // picocli echoes option values
        System.err.println("try: ${cmd.commandSpec.qualifiedName()} --help")
        USAGE
    }

    /** picocli's message, with the nearest verb or option suggested for a mistyped one. */
    private static String parseErrorMessage(CommandLine.ParameterException e) {
        if (!(e instanceof CommandLine.UnmatchedArgumentException)) return e.message
        def unmatched = (CommandLine.UnmatchedArgumentException) e
        CommandLine.Model.CommandSpec spec = e.commandLine.commandSpec
        String first = unmatched.unmatched ? unmatched.unmatched[0] : null
        if (first == null) return e.message
        if (first.startsWith('-')) {
            String name = first.contains('=') ? first.substring(0, first.indexOf('=')) : first
            return "${e.message}${Suggestions.hint(name, spec.optionsMap().keySet())}"
        }
        if (!spec.subcommands().isEmpty() && spec.positionalParameters().isEmpty()) {
            String known = spec.subcommands().keySet().join(', ')
            return "unknown command '${first}' for ${spec.qualifiedName()}${Suggestions.hint(first, spec.subcommands().keySet())} (commands: ${known})"
        }
        e.message
    }

    static class VersionProvider implements CommandLine.IVersionProvider {
        @Override
        String[] getVersion() {
            ["sealwright ${Sealwright.version()}".toString(),
             "Java ${System.getProperty('java.version')}, Groovy ${GroovySystem.version}".toString()] as String[]
        }
    }
}
