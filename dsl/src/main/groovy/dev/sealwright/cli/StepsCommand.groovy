package dev.sealwright.cli

import dev.sealwright.dsl.Suggestions
import dev.sealwright.engine.OptionSpec
import dev.sealwright.engine.StepType
import dev.sealwright.engine.StepTypes
import groovy.transform.CompileStatic
import picocli.CommandLine.Command
import picocli.CommandLine.Parameters

import java.util.concurrent.Callable

@CompileStatic
@Command(name = 'steps', mixinStandardHelpOptions = true, description = 'List step types, or show one with its options and outputs.',
        footerHeading = '%nExamples:%n', footer = ['  sealwright steps', '  sealwright steps extract'])
class StepsCommand implements Callable<Integer> {
    @Parameters(index = '0', arity = '0..1', paramLabel = 'TYPE', description = 'step type to describe', completionCandidates = Completions.StepTypeNames)
    String type

    @Override
    Integer call() {
        if (type == null) {
            int w = StepTypes.all()*.name()*.length().max() as int
            StepTypes.all().each { StepType t -> println "  ${t.name().padRight(w)}  ${t.kind().name().toLowerCase().padRight(7)}  ${t.description()}" }
            return Main.OK
        }
        StepType t = StepTypes.all().find { StepType s -> s.name() == type }
        if (t == null) {
            List<String> names = StepTypes.all()*.name()
            throw new UsageException("unknown step type '${type}'${Suggestions.hint(type, names)} (known: ${names.join(', ')})")
        }
        println "${t.name()} (${t.kind().name().toLowerCase()}, version ${t.version()}): ${t.description()}"
        println 'options:'
        t.options().each { OptionSpec o ->
            String req = o.required() ? 'required' : "default ${o.defaultValue()}"
            println "  ${o.name().padRight(10)} ${o.typeName()}, ${req}: ${o.description()}"
        }
        println 'outputs:'
        t.outputs().each { println "  ${it.name().padRight(10)} ${it.kind().name().toLowerCase()}${it.fileName() ? ' ' + it.fileName() : ''}: ${it.description()}" }
        return Main.OK
    }
}
