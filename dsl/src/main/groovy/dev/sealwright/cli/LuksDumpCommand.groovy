package dev.sealwright.cli

import com.fasterxml.jackson.databind.JsonNode
import com.fasterxml.jackson.databind.node.JsonNodeFactory
import dev.sealwright.disk.luks2.Luks2Volume
import groovy.transform.CompileStatic
import picocli.CommandLine.Command
import picocli.CommandLine.Mixin
import picocli.CommandLine.Parameters

import java.nio.file.Path
import java.util.concurrent.Callable

@CompileStatic
@Command(name = 'dump', mixinStandardHelpOptions = true, description = ['Show a LUKS2 header (validated like cryptsetup; a damaged copy is reported).'])
class LuksDumpCommand implements Callable<Integer> {
    @Parameters(index = '0', paramLabel = 'IMAGE', description = 'image file holding a LUKS2 header')
    Path image

    @Mixin
    JsonOutput json

    @Override
    Integer call() {
        Luks2Volume.open(LuksCommand.existingImage(image), false).withCloseable { Luks2Volume v ->
            def h = v.header()
            if (h.repairNote() != null) System.err.println("warning: ${image}: ${h.repairNote()} (read only; `sealwright luks repair` rewrites both copies)")
            if (json.wanted()) {
                def root = JsonNodeFactory.instance.objectNode()
                root.put('version', 2)
                root.put('uuid', h.uuid())
                root.put('label', h.label())
                root.put('subsystem', h.subsystem())
                root.put('seqid', h.seqid())
                root.put('metadata_size', h.metadataSize())
                root.put('checksum_alg', h.checksumAlgorithm())
                root.set('metadata', h.json())
                json.print(root)
                return
            }
            println "LUKS2 header of ${image}"
            println "  uuid:        ${h.uuid()}"
            println "  label:       ${h.label() ?: '(none)'}"
            println "  subsystem:   ${h.subsystem() ?: '(none)'}"
            println "  seqid:       ${h.seqid()}"
            println "  metadata:    ${h.metadataSize()} bytes, keyslots area ${h.json().get('config').get('keyslots_size').asText()} bytes"
            println 'segments:'
            h.json().get('segments').fields().each { Map.Entry<String, JsonNode> e ->
                def s = e.value
                println "  ${e.key}: ${s.get('type').asText()} offset ${s.get('offset').asText()} size ${s.get('size').asText()} ${s.path('encryption').asText()} sector ${s.path('sector_size').asText()}"
            }
            println 'keyslots:'
            h.json().get('keyslots').fields().each { Map.Entry<String, JsonNode> e ->
                def k = e.value
                def kdf = k.path('kdf')
                def kdfText = kdf.path('type').asText() == 'pbkdf2' ? "pbkdf2-${kdf.path('hash').asText()} ×${kdf.path('iterations').asText()}" :
                        "${kdf.path('type').asText()} t=${kdf.path('time').asText()} m=${kdf.path('memory').asText()}KiB p=${kdf.path('cpus').asText()}"
                println "  ${e.key}: ${k.get('type').asText()} ${k.get('key_size').asInt() * 8}-bit key, ${kdfText}, area ${k.path('area').path('offset').asText()}+${k.path('area').path('size').asText()}"
            }
            println 'tokens:'
            h.json().get('tokens').fields().each { Map.Entry<String, JsonNode> e ->
                println "  ${e.key}: ${e.value.path('type').asText()} keyslots ${e.value.path('keyslots')}"
            }
            println 'digests:'
            h.json().get('digests').fields().each { Map.Entry<String, JsonNode> e ->
                println "  ${e.key}: ${e.value.path('type').asText()}-${e.value.path('hash').asText()} keyslots ${e.value.path('keyslots')} segments ${e.value.path('segments')}"
            }
        }
        return Main.OK
    }
}
