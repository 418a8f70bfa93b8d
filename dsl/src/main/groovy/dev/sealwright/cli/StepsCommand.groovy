package dev.sealwright.cli

import dev.sealwright.dsl.Suggestions
import dev.sealwright.engine.OptionSpec
import dev.sealwright.engine.StepType
import dev.sealwright.engine.StepTypes
import groovy.transform.CompileStatic
import picocli.CommandLine.Command
import picocli.CommandLine.Mixin
import picocli.CommandLine.Parameters

import java.util.concurrent.Callable

@CompileStatic
@Command(name = 'steps', mixinStandardHelpOptions = true, description = 'List step types, or show one with its options and outputs.',
        footerHeading = '%nExamples:%n', footer = ['  sealwright steps', '  sealwright steps extract'])
class StepsCommand implements Callable<Integer> {
    @Parameters(index = '0', arity = '0..1', paramLabel = 'TYPE', description = 'step type to describe', completionCandidates = Completions.StepTypeNames)
    String type

    @Mixin
    JsonOutput json

    @Override
    Integer call() {
        if (json.wanted()) {
            def types = type == null ? StepTypes.all() as List<StepType> : [find(type)]
            json.print([step_types: types.collect { StepType t -> describe(t) }])
            return Main.OK
        }
        if (type == null) {
            int w = StepTypes.all()*.name()*.length().max() as int
            StepTypes.all().each { StepType t -> println "  ${t.name().padRight(w)}  ${t.kind().name().toLowerCase().padRight(7)}  ${t.description()}" }
            return Main.OK
        }
        StepType t = find(type)
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

    static StepType find(String name) {
        StepType t = StepTypes.all().find { StepType s -> s.name() == name }
        if (t == null) {
            List<String> names = StepTypes.all()*.name()
            throw new UsageException("unknown step type '${name}'${Suggestions.hint(name, names)} (known: ${names.join(', ')})")
        }
        t
    }

    /** One step type as the {@code steps --json} document (docs/schemas/steps.schema.json) has it. */
    static Map<String, Object> describe(StepType t) {
        [name       : t.name(), kind: t.kind().name().toLowerCase(), version: t.version(), description: t.description(),
         options    : t.options().collect { OptionSpec o ->
             [name: o.name(), type: o.typeName(), required: o.required(), 'default': o.required() ? null : o.defaultValue()?.toString(), description: o.description()]
         },
         outputs    : t.outputs().collect { [name: it.name(), kind: it.kind().name().toLowerCase(), file_name: it.fileName(), description: it.description()] }] as Map<String, Object>
    }
}
