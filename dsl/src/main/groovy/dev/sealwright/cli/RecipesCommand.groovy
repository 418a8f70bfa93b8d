package dev.sealwright.cli

import dev.sealwright.dsl.RecipeLibraries
import dev.sealwright.dsl.RecipeLibrary
import dev.sealwright.dsl.Suggestions
import groovy.transform.CompileStatic
import picocli.CommandLine.Command
import picocli.CommandLine.Mixin
import picocli.CommandLine.Parameters

import java.util.concurrent.Callable

@CompileStatic
@Command(name = 'recipes', mixinStandardHelpOptions = true, description = 'List recipe libraries, or show one library or recipe.',
        footerHeading = '%nExamples:%n', footer = ['  sealwright recipes list', '  sealwright recipes show NAME', '  sealwright recipes show NAME.RECIPE',
                                                   '  sealwright recipes new acme && sealwright test-recipes acme'],
        subcommands = [RecipesCommand.ListCommand, RecipesCommand.ShowCommand, RecipesNewCommand])
class RecipesCommand implements Callable<Integer> {
    @Override
    Integer call() { new ListCommand().call() }

    @Command(name = 'list', mixinStandardHelpOptions = true, description = 'List the libraries available to `use`, with their recipes.')
    static class ListCommand implements Callable<Integer> {
        @Mixin
        JsonOutput json = new JsonOutput()

        @Override
        Integer call() {
            if (json.wanted()) {
                json.print([libraries: RecipeLibraries.available().collect { String name ->
                    RecipeLibrary lib = RecipeLibraries.byName(name)
                    [name: lib.name, version: lib.version, description: lib.description,
                     recipes: lib.recipes.values().collect { RecipeLibrary.Fragment f -> [name: f.name, description: f.description] }]
                }])
                return Main.OK
            }
            RecipeLibraries.available().each { String name ->
                RecipeLibrary lib = RecipeLibraries.byName(name)
                println "${lib.name}@${lib.version}  ${lib.description}"
                lib.recipes.values().each { RecipeLibrary.Fragment f -> println "  ${lib.name}.${f.name}  ${f.description}" }
            }
            return Main.OK
        }
    }

    @Command(name = 'show', mixinStandardHelpOptions = true, description = 'Show one library (NAME) or recipe (NAME.RECIPE) with its parameters.')
    static class ShowCommand implements Callable<Integer> {
        @Parameters(index = '0', paramLabel = 'NAME[.RECIPE]', description = 'a library, or one of its recipes', completionCandidates = Completions.RecipeNames)
        String name

        @Mixin
        JsonOutput json = new JsonOutput()

        @Override
        Integer call() {
            String libName = name.contains('.') ? name.substring(0, name.indexOf('.')) : name
            RecipeLibrary lib = RecipeLibraries.byName(libName)
            if (lib == null) throw new UsageException("unknown recipe library '${libName}'${Suggestions.hint(libName, RecipeLibraries.available())} (available: ${RecipeLibraries.available().join(', ')})")
            List<String> wanted = name.contains('.') ? [name.substring(name.indexOf('.') + 1)] : lib.recipes.keySet() as List<String>
            List<RecipeLibrary.Fragment> fragments = wanted.collect { String r ->
                RecipeLibrary.Fragment f = lib.recipes[r]
                if (f == null) throw new UsageException("recipe library ${lib.name} has no recipe '${r}'${Suggestions.hint(r, lib.recipes.keySet())} (recipes: ${lib.recipes.keySet().join(', ')})")
                f
            }
            String use = "${lib.name}@${lib.version.tokenize('.')[0]}"
            if (json.wanted()) {
                json.print([name   : lib.name, version: lib.version, description: lib.description, use: use,
                            recipes: fragments.collect { RecipeLibrary.Fragment f ->
                                [name   : f.name, description: f.description,
                                 params : f.params.collect { String p, Map<String, Object> spec ->
                                     [name: p, type: spec.type, required: spec.required, description: spec.description] + (spec.required ? [:] : [default: spec.default])
                                 },
                                 outputs: f.outputs.collect { String o, String d -> [name: o, description: d] },
                                 example: f.example]
                            }])
                return Main.OK
            }
            println "${lib.name}@${lib.version}: ${lib.description}   (use '${use}')"
            fragments.each { RecipeLibrary.Fragment f ->
                println "\n${lib.name}.${f.name}: ${f.description}"
                println 'parameters:'
                f.params.each { String p, Map<String, Object> spec ->
                    println "  ${p.padRight(10)} ${spec.type}, ${spec.required ? 'required' : 'default ' + spec.default}: ${spec.description}"
                }
                if (f.outputs) {
                    println 'outputs:'
                    f.outputs.each { String o, String d -> println "  ${o.padRight(10)} ${d}" }
                }
                if (f.example) println "example:\n  use '${use}'\n  ${f.example}"

            }
            return Main.OK
        }
    }
}
