package dev.sealwright.cli

import groovy.transform.CompileStatic
import org.jline.terminal.TerminalBuilder
import picocli.CommandLine.Command
import picocli.CommandLine.Option

import java.nio.file.Path
import java.util.concurrent.Callable

@CompileStatic
@Command(name = 'repl', mixinStandardHelpOptions = true,
        description = ['Interactive Groovy DSL session (JLine): declare a pipeline, :plan and :run it, :save it as a recipe.'])
class ReplCommand implements Callable<Integer> {
    @Option(names = ['-C', '--workdir'], paramLabel = 'DIR', description = 'working directory (default: current)')
    Path workdir = Path.of('')

    @Override
    Integer call() {
        boolean tty = System.console() != null
        def terminal = TerminalBuilder.builder().system(true).dumb(!tty).build()
        try {
            return new Repl(terminal, workdir, tty).run()
        } finally {
            terminal.close()
        }
    }
}
