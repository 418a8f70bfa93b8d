package dev.sealwright.image

import dev.sealwright.disk.Sh
import dev.sealwright.dsl.RecipeLoader
import dev.sealwright.engine.Engine
import dev.sealwright.engine.EngineOptions
import dev.sealwright.engine.RunListener
import dev.sealwright.engine.Step
import dev.sealwright.engine.Workspace
import dev.sealwright.image.oci.SampleImages
import dev.sealwright.testkit.Kernels
import dev.sealwright.testkit.Repo
import groovy.json.JsonSlurper
import spock.lang.Specification
import spock.lang.TempDir

import java.nio.file.Files
import java.nio.file.Path

/**
 * What the pack step reports to the live display (ctx.progress): the OCI layer bytes read, ending at
 * the layer blobs' size on disk, then the file bytes archived, ending at the sum of the regular files'
 * sizes GNU cpio lists in the initramfs it wrote.
 */
class PackProgressSpec extends Specification {
    @TempDir Path tmp

    def "pack reports layer bytes read, then file bytes archived, each ending at its total"() {
        given:
        Repo.requireTool('cpio')
        Kernels.debian()
        SampleImages.writeHello(tmp.resolve('images/hello'), tmp)
        def recipe = tmp.resolve('pack.groovy')
        Files.writeString(recipe, PackSpec.RECIPE)
        List<List> events = Collections.synchronizedList([])
        def listener = new RunListener() {
            @Override
            void stepProgress(Step step, long done, long total, String unit) { events << [step.name(), done, total, unit] }
        }

        when:
        def ws = new Workspace(tmp).open()
        def result
        try {
            result = new Engine(ws, new EngineOptions().listener(listener)).run(RecipeLoader.load(recipe).pipeline)
        } finally {
            ws.close()
        }
        def layout = tmp.resolve('images/hello')
        def manifestDigest = new JsonSlurper().parse(layout.resolve('index.json').toFile()).manifests[0].digest.substring(7)
        long layerBytes = new JsonSlurper().parse(layout.resolve("blobs/sha256/${manifestDigest}").toFile()).layers
                .sum { Files.size(layout.resolve("blobs/sha256/${it.digest.substring(7)}")) } as long
        def initrd = tmp.resolve('out/pack/initramfs.cpio.gz')
        long fileBytes = Sh.ok(['sh', '-c', "gzip -dc '${initrd}' | cpio -tv --quiet".toString()]).out.readLines()
                .findAll { it.startsWith('-') }.sum { it.trim().split(/\s+/)[4] as long } as long
        def totals = events.collect { it[2] as long }.unique()

        then:
        result.ok()
        events.every { it[0] == 'pack' && it[3] == 'bytes' }
        totals == [layerBytes, fileBytes]
        events.findAll { it[2] == layerBytes }.last()[1] == layerBytes
        events.findAll { it[2] == fileBytes }.last()[1] == fileBytes
    }
}
