package dev.sealwright.cli

import dev.sealwright.dsl.RecipeLibraries
import dev.sealwright.dsl.RecipeLibrary
import dev.sealwright.engine.StepTypes
import groovy.transform.CompileStatic

/**
 * Values the shell completes for arguments naming things of this build (picocli completion candidates):
 * computed when a completion script or a man page is generated, not when a command is parsed.
 * The TDX profile names are {@link TdxProfileNames} (Java, for the Groovy-free {@code measure tdx}).
 */
@CompileStatic
final class Completions {
    private Completions() {}

    /** Step types, for {@code steps TYPE}. */
    static class StepTypeNames implements Iterable<String> {
        @Override
        Iterator<String> iterator() { StepTypes.all()*.name().iterator() }
    }

    /** Recipe libraries and their recipes (NAME and NAME.RECIPE), for {@code recipes show}. */
    static class RecipeNames implements Iterable<String> {
        @Override
        Iterator<String> iterator() {
            List<String> names = []
            RecipeLibraries.available().each { String lib ->
                names << lib
                RecipeLibraries.byName(lib).recipes.keySet().each { String r -> names << "${lib}.${r}".toString() }
            }
            names.iterator()
        }
    }
}
