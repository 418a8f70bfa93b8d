package dev.sealwright.cli

import dev.sealwright.Sealwright
import dev.sealwright.dsl.RecipeErrors
import dev.sealwright.engine.RecipeException
import groovy.transform.CompileStatic
import picocli.CommandLine
import picocli.CommandLine.Command
import picocli.CommandLine.Option

/**
 * {@code sealwright} command line. Exit codes: 0 success, 1 failure (bad recipe, failed step,
 * missing tool), 2 usage error. Errors are one line (plus the recipe line for recipe errors);
 * {@code --debug} adds the stack trace.
 */
@CompileStatic
@Command(name = 'sealwright', mixinStandardHelpOptions = true, versionProvider = VersionProvider,
        description = ['Declare, run and verify confidential-computing (TDX / SEV-SNP) pipelines.'],
        subcommands = [
                RunCommand, PlanCommand, QuickstartCommand, StepsCommand, RecipesCommand,
                ReplCommand, JshellCommand,
                MeasureCommand,
                SnpCommand,
                AttestCommand,
                QuoteCommand,
                LuksCommand, VerityCommand, DiskCommand,
                LaunchCommand,
                UkiCommand, InitramfsCommand,
                TpmCommand, UefiCommand,
                EventlogCommand,
                VaultCommand, EnrollCommand,
                KbsCommand,
                DoctorCommand, CommandLine.HelpCommand],
        footer = ['', 'Run a recipe:  sealwright run samples/quickstart.groovy',
                'Explain cache: sealwright plan samples/quickstart.groovy'])
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

    static int execute(String... args) {
        def cli = new CommandLine(new Main())
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
