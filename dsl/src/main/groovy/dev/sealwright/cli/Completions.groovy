package dev.sealwright.cli

import dev.sealwright.dsl.RecipeLibraries
import dev.sealwright.dsl.RecipeLibrary
import dev.sealwright.engine.StepTypes
import dev.sealwright.measure.tdx.TdxProfile
import groovy.transform.CompileStatic

/**
 * Values the shell completes for arguments naming things of this build (picocli completion candidates):
 * computed when a completion script or a man page is generated, not when a command is parsed.
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

    /** TDX host-stack profiles, for {@code measure tdx --profile}. */
    static class ProfileNames implements Iterable<String> {
        @Override
        Iterator<String> iterator() { TdxProfile.ALL*.name().iterator() }
    }
}
