package dev.sealwright.cli

import dev.sealwright.engine.Input
import dev.sealwright.engine.RecordOption
import dev.sealwright.engine.Engine
import dev.sealwright.engine.EngineOptions
import dev.sealwright.engine.Plan
import dev.sealwright.base.Secret
import dev.sealwright.engine.Workspace
import groovy.transform.CompileStatic
import picocli.CommandLine.Command
import picocli.CommandLine.Mixin

import java.util.concurrent.Callable

@CompileStatic
@Command(name = 'plan', mixinStandardHelpOptions = true,
        description = ['Show every step, whether it would run or is cached, and for each step that would run, what changed since its last run.'],
        footerHeading = '%nExamples:%n', footer = ['  sealwright plan samples/checksummed.groovy', '  sealwright plan samples/checksummed.groovy -p title=changed --json'])
class PlanCommand implements Callable<Integer> {
    @Mixin
    RecipeOptions recipe

    @Mixin
    JsonOutput json

    @Override
    Integer call() {
        def loaded = recipe.load()
        def ws = new Workspace(recipe.workdir)
        def plan = new Engine(ws, new EngineOptions().fresh(recipe.fresh)).plan(loaded.pipeline)
        if (json.wanted()) json.print(toMap(plan))
        else print(plan)
        return Main.OK
    }

    private static void print(Plan plan) {
        println "pipeline ${plan.pipeline().name()}: ${plan.count(Plan.Action.CACHED)} cached, ${plan.count(Plan.Action.RUN)} to run"
        int width = plan.entries()*.step()*.name()*.length().max() as int
        for (Plan.Entry e : plan.entries()) {
            String status = e.action() == Plan.Action.CACHED ? 'cached' : 'run   '
            String key = e.key() ? e.key().substring(0, 12) : '-'.padRight(12)
            println "  ${status}  ${e.step().name().padRight(width)}  ${e.step().type().name().padRight(10)}  ${key}"
            e.reasons().each { println "          ${' ' * width}  - ${it}" }
        }
    }

    static Map<String, Object> toMap(Plan plan) {
        [pipeline: plan.pipeline().name(),
         steps   : plan.entries().collect { Plan.Entry e ->
             [name   : e.step().name(), type: e.step().type().name(), action: e.action().name().toLowerCase(),
              key    : e.key(), reasons: e.reasons(), depends_on: e.step().dependencies().toList(),
              options: e.step().options().collectEntries { k, v -> [(k): describe(v)] }]
         }] as Map<String, Object>
    }

    private static Object describe(Object v) {
        if (v instanceof List) return ((List) v).collect { describe(it) }
        if (v instanceof Input) return ((Input) v).describe()
        if (v instanceof RecordOption) return [value: ((RecordOption) v).shape(), inputs: ((RecordOption) v).inputs().collectEntries { String k, Input i -> [(k): i.describe()] }]
        if (v instanceof Secret) return v.toString()
        return v
    }
}
