package dev.sealwright.cli

import groovy.transform.CompileStatic
import jdk.jshell.tool.JavaShellToolBuilder
import picocli.CommandLine.Command
import picocli.CommandLine.Parameters

import java.nio.file.Files
import java.util.concurrent.Callable
import java.util.logging.Level
import java.util.logging.Logger

@CompileStatic
@Command(name = 'jshell', mixinStandardHelpOptions = true,
        description = ['JShell with the sealwright runtime on the class path and its main packages imported (Java API, no Groovy).'])
class JshellCommand implements Callable<Integer> {
    static final List<String> IMPORTS = ['dev.sealwright.*', 'dev.sealwright.base.*', 'dev.sealwright.engine.*', 'dev.sealwright.engine.observe.*',
                                         'dev.sealwright.tools.*', 'dev.sealwright.nativeio.*', 'dev.sealwright.files.*',
                                         'java.nio.file.*']

    private static final Logger PREFS_LOG = Logger.getLogger('java.util.prefs')

    @Parameters(paramLabel = 'ARG', arity = '0..*', description = 'further jshell arguments (e.g. a script file)')
    List<String> args = []

    @Override
    Integer call() {
        // JShell keeps its settings in java.util.prefs, which logs "Created user preferences directory" on a fresh HOME
        PREFS_LOG.level = Level.WARNING
        def startup = Files.createTempFile('sealwright-jshell-', '.jsh')
        try {
            Files.writeString(startup, IMPORTS.collect { "import ${it};" }.join('\n') + '\n')
            List<String> argv = ['--class-path', System.getProperty('java.class.path'),
                                 '--startup', 'DEFAULT', '--startup', startup.toString()] + args
            return JavaShellToolBuilder.builder().start(argv as String[])
        } finally {
            Files.deleteIfExists(startup)
        }
    }
}
