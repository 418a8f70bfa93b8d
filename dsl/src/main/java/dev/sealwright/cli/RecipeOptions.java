package dev.sealwright.cli;

import dev.sealwright.dsl.ConfigurationCache;
import dev.sealwright.dsl.LoadedRecipe;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.lang.reflect.InvocationTargetException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** Options shared by commands that read a recipe. */
public class RecipeOptions {
    @Parameters(index = "0", paramLabel = "RECIPE", description = "recipe file (.groovy)")
    public Path recipe;

    @Option(names = {"-p", "--param"}, paramLabel = "NAME=VALUE", description = "override a recipe parameter (repeatable)")
    public Map<String, String> params = new LinkedHashMap<>();

    @Option(names = "--fresh", description = "ignore cached results (and evaluate the recipe again)")
    public boolean fresh;

    @Option(names = {"-C", "--workdir"}, paramLabel = "DIR", description = "working directory holding .sealwright/ and out/ (default: current)")
    public Path workdir = Path.of("");

    /**
     * The recipe's pipeline: from the configuration cache when nothing its evaluation reads has changed
     * (no Groovy is loaded then), else evaluated by the Groovy {@code RecipeLoader}, which caches it.
     */
    public LoadedRecipe load() {
        if (!fresh) {
            LoadedRecipe cached = ConfigurationCache.lookup(recipe, params, workdir);
            if (cached != null) return cached;
        }
        try {
            return (LoadedRecipe) Main.load("dev.sealwright.dsl.RecipeLoader").getMethod("loadAndCache", Path.class, Map.class, Path.class)
                    .invoke(null, recipe, params, workdir);
        } catch (InvocationTargetException e) {
            if (e.getCause() instanceof RuntimeException r) throw r;
            if (e.getCause() instanceof Error err) throw err;
            throw new IllegalStateException(e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }
}
