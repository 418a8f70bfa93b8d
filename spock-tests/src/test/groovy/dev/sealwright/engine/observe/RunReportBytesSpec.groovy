package dev.sealwright.engine.observe

import dev.sealwright.testkit.Repo
import groovy.json.JsonSlurper
import spock.lang.Specification
import spock.lang.TempDir

import java.nio.file.Files
import java.nio.file.Path
import java.util.concurrent.TimeUnit

/**
 * Same run, same report bytes — across JVMs, whose Map.of/Set.of iteration order is salted per JVM.
 * Each JVM runs the sample recipe fresh in the same directory; only the fields that are wall-clock
 * times ("started", "duration_ms") are blanked before comparing.
 */
class RunReportBytesSpec extends Specification {
    @TempDir
    Path work

    def "two JVMs running the same recipe write the same run report, byte for byte, apart from times"() {
        when:
        String first = reportOfFreshJvmRun()
        String second = reportOfFreshJvmRun()

        then:
        first.contains('"sha256sum"')          // the report is the full one: tools, steps, outputs
        first.contains('"outputs"') && first.contains('"digest"')
        withoutTimes(first) == withoutTimes(second)

        and: 'the order is the documented one, not a lucky draw of two salts: every object\'s keys sorted'
        unsortedObjects(new JsonSlurper().parseText(first), '') == []
    }

    /** Paths of the objects in {@code node} whose keys are not in sorted order (JsonSlurper keeps the document's order). */
    private static List<String> unsortedObjects(Object node, String at) {
        if (node instanceof Map) {
            List<String> bad = node.keySet() as List == (node.keySet() as List).sort(false) ? [] : [at ?: '/']
            node.each { k, v -> bad += unsortedObjects(v, "${at}/${k}") }
            return bad
        }
        if (node instanceof List) return node.withIndex().collectMany { v, i -> unsortedObjects(v, "${at}/${i}") }
        []
    }

    private String reportOfFreshJvmRun() {
        work.toFile().listFiles().each { it.deleteDir() || it.delete() }
        String java = ProcessHandle.current().info().command().orElse('java')
        Path log = Files.createTempFile('run-report', '.log')
        Process jvm = new ProcessBuilder(java, '-cp', System.getProperty('java.class.path'), 'dev.sealwright.cli.Main',
                'run', Repo.path('samples/checksummed.groovy').toString(), '-C', work.toString(), '--report', work.resolve('run.json').toString())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start()
        try {
            assert jvm.waitFor(120, TimeUnit.SECONDS): "sealwright run did not finish in 120 s"
            assert jvm.exitValue() == 0: "sealwright run failed: ${Files.readString(log)}"
        } finally {
            jvm.destroyForcibly()
            Files.delete(log)
        }
        Files.readString(work.resolve('run.json'))
    }

    private static String withoutTimes(String json) {
        json.replaceAll(/"started" : "[^"]*"/, '"started" : T').replaceAll(/"duration_ms" : \d+/, '"duration_ms" : T')
    }
}
