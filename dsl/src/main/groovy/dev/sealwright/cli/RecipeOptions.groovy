package dev.sealwright.cli

import dev.sealwright.dsl.RecipeLoader
import groovy.transform.CompileStatic
import picocli.CommandLine.Option
import picocli.CommandLine.Parameters

import java.nio.file.Path

/** Options shared by commands that read a recipe. */
@CompileStatic
class RecipeOptions {
    @Parameters(index = '0', paramLabel = 'RECIPE', description = 'recipe file (.groovy)')
    Path recipe

    @Option(names = ['-p', '--param'], paramLabel = 'NAME=VALUE', description = 'override a recipe parameter (repeatable)')
    Map<String, String> params = [:]

    @Option(names = '--fresh', description = 'ignore cached results')
    boolean fresh

    @Option(names = ['-C', '--workdir'], paramLabel = 'DIR', description = 'working directory holding .sealwright/ and out/ (default: current)')
    Path workdir = Path.of('')

    RecipeLoader.Recipe load() {
        RecipeLoader.load(recipe, params, workdir)
    }
}
