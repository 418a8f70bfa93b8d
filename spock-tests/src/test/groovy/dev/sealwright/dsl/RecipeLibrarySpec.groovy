package dev.sealwright.dsl

import dev.sealwright.base.RecipeException
import dev.sealwright.testkit.Cli
import spock.lang.Specification
import spock.lang.TempDir

import java.nio.file.Files
import java.nio.file.Path

class RecipeLibrarySpec extends Specification {
    @TempDir
    Path dir

    Path recipe(String text) {
        Files.createDirectories(dir.resolve('site'))
        Files.writeString(dir.resolve('site/a.txt'), 'a')
        def f = dir.resolve('r.groovy')
        Files.writeString(f, text.stripIndent().strip() + '\n')
        f
    }

    String error(String text) {
        try {
            RecipeLoader.load(recipe(text))
        } catch (RecipeException e) {
            return RecipeErrors.render(e).readLines()[0]
        }
        throw new AssertionError('loaded without error')
    }

    def "a shipped library adds its fragment's steps to the calling pipeline, and the result runs"() {
        given:
        def f = recipe('''
            use 'files@1'
            pipeline('lib') {
                def out = files.checksummed(dir: file('site'), title: 'from a library')
                digest('again') { from out.manifest }
            }''')

        when:
        def loaded = RecipeLoader.load(f)
        def run = Cli.run('run', f.toString(), '-C', dir.toString())

        then:
        loaded.pipeline.steps()*.name() == ['archive', 'extract', 'digest', 'manifest', 'again']
        loaded.pipeline.step('again').dependencies() == ['manifest'] as Set
        run.exitCode == 0
        Files.readString(dir.resolve('out/manifest/manifest.json')).contains('"title" : "from a library"')
    }

    def "a local library directory can be used by path"() {
        given:
        Files.createDirectories(dir.resolve('libs/mine'))
        Files.writeString(dir.resolve('libs/mine/library.groovy'), '''
            library 'mine', version: '0.3.1', description: 'local'
            recipe('sums') {
                param 'of', 'what to hash'
                body { args -> digest('mine_sums') { from args.of } }
            }''')

        expect:
        RecipeLoader.load(recipe('''
            use './libs/mine'
            pipeline('p') { mine.sums(of: file('site')) }''')).pipeline.steps()*.name() == ['mine_sums']
    }

    def "unknown libraries, versions, recipes and parameters are clear errors at their line"() {
        expect:
        error("use 'nosuch'\npipeline('p') { }") == "r.groovy:1:1: unknown recipe library 'nosuch' (available: fde, files, kbs, snp, tdx, verity)"
        error("use 'files@2'\npipeline('p') { }") == 'r.groovy:1:1: recipe library files is version 1.0.0; this recipe asks for 2'
        error("use 'files@1'\npipeline('p') {\n  files.packed(dir: file('site'))\n}") == "r.groovy:3:9: recipe library files has no recipe 'packed' (recipes: checksummed)"
        error("use 'files@1'\npipeline('p') {\n  files.checksummed(folder: file('site'))\n}") == 'r.groovy:3:9: recipe files.checksummed has no parameter folder (parameters: dir, title, epoch)'
        error("use 'files@1'\npipeline('p') {\n  files.checksummed(title: 'x')\n}") == "r.groovy:3:9: recipe files.checksummed needs parameter 'dir': directory to publish (file(...) or a directory output of another step)"
        error("use 'files@1'\npipeline('p') {\n  files.checksummed(dir: 'site')\n}") == "r.groovy:3:9: recipe files.checksummed: parameter 'dir' must be a file (directory to publish (file(...) or a directory output of another step)), got String"
        error("use 'fde@1'\npipeline('p') {\n  fde.encrypt(image: file('site'), passphrase: 'DEMO')\n}") == "r.groovy:3:7: recipe fde.encrypt: parameter 'passphrase' must be a secret (the recovery passphrase, keyslot 0), got String"
    }

    def "a recipe must return the outputs it declares, and declare known parameter types"() {
        given:
        Files.createDirectories(dir.resolve('libs/mine'))
        Files.writeString(dir.resolve('libs/mine/library.groovy'), '''
            library 'mine', version: '0.3.1', description: 'local'
            recipe('sums') {
                param 'of', 'what to hash', type: 'file'
                output 'sums', 'SHA256SUMS'
                body { args -> def d = digest('mine_sums') { from args.of }; [list: d.sums] }
            }''')
        Files.createDirectories(dir.resolve('libs/typo'))
        Files.writeString(dir.resolve('libs/typo/library.groovy'), '''
            library 'typo', version: '1.0.0'
            recipe('r') { param 'of', 'x', type: 'path'; body { args -> [:] } }''')

        expect:
        error("use './libs/mine'\npipeline('p') {\n  mine.sums(of: file('site'))\n}").startsWith('r.groovy:3:8: recipe mine.sums (')
        error("use './libs/mine'\npipeline('p') {\n  mine.sums(of: file('site'))\n}").endsWith('must return its declared outputs sums')
        error("use './libs/typo'\npipeline('p') { }").contains("recipe r: parameter of has unknown type 'path' (types: file, secret, string, number, boolean, any)")
    }

    def "recipes list and show document the libraries"() {
        expect:
        with(Cli.run('recipes', 'list')) { exitCode == 0 && out.contains('files@1.0.0') && out.contains('files.checksummed') }
        with(Cli.run('recipes', 'show', 'files.checksummed')) {
            exitCode == 0 && out.contains("dir        file, required: directory to publish") && out.contains('epoch      number, default 0')
        }
        with(Cli.run('recipes', 'show', 'fde.deploy')) {   // parameters, outputs and an example
            exitCode == 0
            out.contains('dbKey      secret, required: the db signing key')
            out.contains('pcrs       string, default 7,4: PCRs the token is sealed to')
            out.readLines().dropWhile { it != 'outputs:' }*.trim()*.tokenize()*.first().subList(1, 5) == ['uki', 'expected', 'image', 'recoveryKey']
            out.contains("example:\n  use 'fde@1'\n  def d = fde.deploy(image: enc.image")
        }
        with(Cli.run('recipes', 'show', 'nosuch')) {   // a name that does not exist is a usage error
            exitCode == 2 && err.contains("unknown recipe library 'nosuch' (available: fde, files, kbs, snp, tdx, verity)")
        }
    }

    def "an IDE descriptor ships on the class path"() {
        expect:
        RecipeLoader.getResource('/dev/sealwright/dsl/sealwright.gdsl').text.contains("delegatesTo(findClass('dev.sealwright.dsl.PipelineSpec'))")
    }
}
