package dev.sealwright.cli

import dev.sealwright.base.InputFiles
import com.fasterxml.jackson.core.JsonProcessingException
import com.fasterxml.jackson.databind.JsonNode
import com.fasterxml.jackson.databind.ObjectMapper
import com.fasterxml.jackson.databind.node.ObjectNode
import dev.sealwright.disk.luks2.Luks2Volume
import dev.sealwright.base.Json
import dev.sealwright.base.RecipeException
import groovy.transform.CompileStatic
import picocli.CommandLine.Command
import picocli.CommandLine.Mixin
import picocli.CommandLine.Option
import picocli.CommandLine.Parameters

import java.nio.file.Path
import java.util.concurrent.Callable

@CompileStatic
@Command(name = 'token', mixinStandardHelpOptions = true, description = ['LUKS2 JSON tokens (e.g. systemd-tpm2).'],
        subcommands = [Add, Remove, ListTokens])
class LuksTokenCommand extends GroupCommand {

    /** A token lives in the JSON area, at most 4 MiB minus the binary header. */
    static final InputFiles.Bound TOKEN_BOUND = new InputFiles.Bound('a LUKS2 token', 4 << 20)

    @Command(name = 'add', mixinStandardHelpOptions = true, description = ['Add a token from a JSON file ("-" = stdin); systemd-tpm2 tokens are checked for the fields systemd requires.'])
    static class Add implements Callable<Integer> {
        @Parameters(index = '0', paramLabel = 'IMAGE', description = 'LUKS2 image file')
        Path image
        @Option(names = '--json-file', paramLabel = 'FILE', required = true, description = 'the token: a JSON object with "type" and "keyslots" ("-" reads stdin)')
        Path jsonFile
        @Option(names = '--token-id', paramLabel = 'N', description = 'token number (default: lowest free)')
        int id = -1

        @Override
        Integer call() {
            String text = jsonFile.toString() == '-' ? new String(System.in.readAllBytes(), 'UTF-8') : InputFiles.readText(jsonFile, TOKEN_BOUND)
            JsonNode token
            try {
                token = new ObjectMapper().readTree(text)
            } catch (JsonProcessingException e) {
                throw new RecipeException("${jsonFile}: malformed token JSON: ${Json.describe(e)}")
            }
            if (!(token instanceof ObjectNode)) throw new RecipeException("${jsonFile}: a token must be a JSON object")
            Luks2Volume.open(LuksCommand.existingImage(image), true).withCloseable { Luks2Volume v ->
                println "added token ${v.addToken((ObjectNode) token, id)} to ${image}"
            }
            Main.OK
        }
    }

    @Command(name = 'remove', mixinStandardHelpOptions = true, description = ['Remove a token.'])
    static class Remove implements Callable<Integer> {
        @Parameters(index = '0', paramLabel = 'IMAGE', description = 'LUKS2 image file')
        Path image
        @Option(names = '--token-id', paramLabel = 'N', required = true, description = 'token to remove')
        int id

        @Override
        Integer call() {
            Luks2Volume.open(LuksCommand.existingImage(image), true).withCloseable { Luks2Volume v -> v.removeToken(id) }
            println "removed token ${id} from ${image}"
            Main.OK
        }
    }

    @Command(name = 'list', mixinStandardHelpOptions = true, description = ['List tokens (id, type, keyslots), or print them as JSON.'])
    static class ListTokens implements Callable<Integer> {
        @Parameters(index = '0', paramLabel = 'IMAGE', description = 'LUKS2 image file')
        Path image
        @Mixin
        JsonOutput json

        @Override
        Integer call() {
            Luks2Volume.open(LuksCommand.existingImage(image), false).withCloseable { Luks2Volume v ->
                if (json.wanted()) json.print(v.tokens())      // the LUKS2 tokens object as cryptsetup defines it; schema docs/schemas/luks-token-list.schema.json
                else v.tokens().fields().each { Map.Entry<String, JsonNode> e -> println "${e.key}\t${e.value.path('type').asText()}\tkeyslots ${e.value.path('keyslots')}" }
            }
            Main.OK
        }
    }
}
