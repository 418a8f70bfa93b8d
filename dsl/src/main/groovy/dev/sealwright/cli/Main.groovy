package dev.sealwright.cli

import dev.sealwright.Sealwright
import dev.sealwright.dsl.RecipeErrors
import dev.sealwright.engine.RecipeException
import groovy.transform.CompileStatic
import picocli.CommandLine
import picocli.CommandLine.Command
import picocli.CommandLine.Option

import java.nio.file.Path

/**
 * {@code sealwright} command line. Exit codes: 0 success, 1 failure (bad recipe, failed step,
 * missing tool), 2 usage error. Errors are one line (plus the recipe line for recipe errors);
 * {@code --debug} adds the stack trace.
 */
@CompileStatic
@Command(name = 'sealwright', mixinStandardHelpOptions = true, versionProvider = VersionProvider,
        description = ['Declare, run and verify confidential-computing (TDX / SEV-SNP) pipelines.'],
        footer = ['', 'Run a recipe:  sealwright run samples/quickstart.groovy',
                'Explain cache: sealwright plan samples/quickstart.groovy',
                'Warm start:    short verbs run in a resident JVM (docs/daemon.md; SEALWRIGHT_DAEMON=off disables it)'])
class Main implements Runnable {
    static final int OK = 0, FAILED = 1, USAGE = 2

    @Option(names = '--debug', description = 'show stack traces of errors', scope = CommandLine.ScopeType.INHERIT)
    boolean debug

    @Override
    void run() {
        CommandLine.usage(this, System.out)
    }

    static void main(String[] args) {
        System.exit(execute(args))
    }

    /** Top-level verbs in help order. Only the verb being run is built (picocli reflects on every command it is given). */
    static final Map<String, Class<?>> VERBS = [
            run: RunCommand, plan: PlanCommand, quickstart: QuickstartCommand, steps: StepsCommand, recipes: RecipesCommand,
            repl: ReplCommand, jshell: JshellCommand,
            measure: MeasureCommand, snp: SnpCommand, attest: AttestCommand, quote: QuoteCommand,
            luks: LuksCommand, verity: VerityCommand, disk: DiskCommand,
            launch: LaunchCommand, uki: UkiCommand, initramfs: InitramfsCommand,
            tpm: TpmCommand, uefi: UefiCommand, eventlog: EventlogCommand,
            vault: VaultCommand, enroll: EnrollCommand, kbs: KbsCommand,
            doctor: DoctorCommand, help: CommandLine.HelpCommand,
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
            if (e instanceof RecipeException) System.err.println(RecipeErrors.render((RecipeException) e))
            else System.err.println("error: ${e.getClass().simpleName}${e.message ? ': ' + e.message : ''}")
            if (debug) e.printStackTrace()
            return e instanceof dev.sealwright.dsl.UnknownParameterException ? USAGE : FAILED
        } as CommandLine.IExecutionExceptionHandler
        cli.parameterExceptionHandler = { CommandLine.ParameterException e, String[] a ->
            System.err.println("sealwright: ${e.message}")
            System.err.println("try: ${e.commandLine.commandSpec.qualifiedName()} --help")
            return USAGE
        } as CommandLine.IParameterExceptionHandler
        return cli.execute(args)
    }

    static class VersionProvider implements CommandLine.IVersionProvider {
        @Override
        String[] getVersion() {
            ["sealwright ${Sealwright.version()}".toString(),
             "Java ${System.getProperty('java.version')}, Groovy ${GroovySystem.version}".toString()] as String[]
        }
    }
}
