package dev.sealwright.dsl

import dev.sealwright.engine.FileRef
import dev.sealwright.testkit.Cli
import dev.sealwright.testkit.Repo
import dev.sealwright.vm.LaunchStep
import spock.lang.Specification
import spock.lang.TempDir

import java.nio.file.Files
import java.nio.file.Path
import java.nio.file.attribute.FileTime

/**
 * The configuration cache (docs/engine.md): a recipe's evaluated pipeline is reused while nothing its
 * evaluation reads has changed, and every input that can change evaluation invalidates it. Each key is
 * changed on its own against a control that hits; the fresh-JVM cases read the JVM's class-load log to
 * show that a reused pipeline runs without Groovy and without the recipe's script class.
 */
class ConfigurationCacheSpec extends Specification {
    @TempDir
    Path dir

    Path write(String name, String text) {
        def f = dir.resolve(name)
        Files.createDirectories(f.parent)
        Files.writeString(f, text.stripIndent().strip() + '\n')
        f
    }

    Path recipe(String body = "digest('sums') { from file('data.txt') }") {
        write('data.txt', 'data')
        write('payload/a.txt', 'a')
        write('r.groovy', """
            pipeline('cc') {
                params { title = 'a' }
                ${body}
                manifest { files file('payload'); title params.title }
            }""")
    }

    LoadedRecipe cache(Path f, Map<String, String> params = [:]) {
        RecipeLoader.loadAndCache(f, params, dir)
    }

    LoadedRecipe hit(Path f, Map<String, String> params = [:]) {
        ConfigurationCache.lookup(f, params, dir)
    }

    def "an unchanged recipe is reused: the same steps, types, options and source lines"() {
        given:
        def f = recipe()
        def evaluated = cache(f).pipeline

        when:
        def reused = hit(f).pipeline

        then:
        reused.name() == 'cc'
        reused.recipe() == f
        reused.steps()*.name() == evaluated.steps()*.name()
        reused.steps()*.type() == evaluated.steps()*.type()
        reused.steps()*.options() == evaluated.steps()*.options()
        reused.steps()*.location()*.toString() == evaluated.steps()*.location()*.toString()
        reused.steps()*.location()*.toString() == ['r.groovy:3:5', 'r.groovy:4:5']
    }

    def "every sample is stored, and plans identically (step keys included) from the cache as when evaluated: #sample"() {
        given:
        def work = Files.createDirectories(dir.resolve(sample))
        def recipe = Repo.path("samples/${sample}.groovy")

        when:
        def evaluated = Cli.run('plan', '--json', recipe.toString(), '-C', work.toString())
        def stored = ConfigurationCache.lookup(recipe, [:], work)
        def reused = Cli.run('plan', '--json', recipe.toString(), '-C', work.toString())

        then:
        evaluated.exitCode == 0
        stored != null
        reused.exitCode == 0
        reused.out == evaluated.out

        where:
        sample << ['checksummed', 'quickstart', 'snpguard', 'quex-hello-td', 'mkosi-verity-td', 'cczoo-luks-tdvm',
                   'canonical-fde-vtpm', 'debian-cloud-fde']
    }

    def "a vm { } value is reused as built: the same VmSpec template and file inputs; its firmware gone, the recipe is evaluated again"() {
        given:
        write('f.bin', 'firmware')
        write('k.bin', 'kernel')
        def f = recipe("launch('boot') { firmware file('f.bin'); kernel file('k.bin'); memory '1G'; cpus 2 }")
        def evaluated = cache(f).pipeline

        when:
        def reused = hit(f)?.pipeline

        then:
        reused != null
        reused.steps()*.options() == evaluated.steps()*.options()
        with(reused.steps().find { it.name() == 'boot' }.options().vm as LaunchStep.VmOption) {
            template().memoryMiB() == 1024
            template().cpus() == 2
            files().values()*.class.unique() == [FileRef]
            (files().values()*.path()*.fileName*.toString()) == ['f.bin', 'k.bin']
        }

        when:
        Files.delete(dir.resolve('f.bin'))

        then:
        hit(f) == null
    }

    def "the recipe's text is a key"() {
        given:
        def f = recipe()
        cache(f)

        when:
        Files.writeString(f, Files.readString(f).replace("title = 'a'", "title = 'b'"))

        then:
        hit(f) == null
    }

    def "every -p parameter is a key"() {
        given:
        def f = recipe()
        cache(f, [title: 'x'])

        expect:
        hit(f, [title: 'x']) != null
        hit(f, [title: 'y']) == null
        hit(f) == null
    }

    def "a library's text and the recipes.lock beside the recipe are keys"() {
        given:
        def lib = write('lib/library.groovy', '''
            library 'mine', version: '1.0.0', description: 'test'
            recipe('sums') {
                description 'digest a file'
                param 'file', 'the file', type: 'file'
                output 'sums', 'SHA256SUMS'
                body { args -> [sums: digest { from args.file }.sums] }
            }''')
        write('data.txt', 'data')
        def f = write('r.groovy', """
            use './lib'
            pipeline('cc') { mine.sums(file: file('data.txt')) }""")
        cache(f)

        expect:
        hit(f) != null
        hit(f).libraries.mine.version == '1.0.0'

        when:
        Files.writeString(lib, Files.readString(lib).replace("'digest a file'", "'digests a file'"))

        then:
        hit(f) == null

        when:
        cache(f)
        write('recipes.lock', '# nothing locked\n')

        then:
        hit(f) == null
    }

    def "a file input that no longer exists invalidates it (the recipe is evaluated again and reports it at its line)"() {
        given:
        def f = recipe()
        cache(f)

        when:
        Files.delete(dir.resolve('data.txt'))

        then:
        hit(f) == null
    }

    def "a recipe whose code may read what the cache does not key is evaluated every time"() {
        given:
        def f = recipe(body)
        write('other.txt', 'x')

        when:
        cache(f)

        then:
        hit(f) == null
        !Files.exists(dir.resolve('.sealwright/configuration')) || Files.list(dir.resolve('.sealwright/configuration')).count() == 0

        where:
        body << ["digest('sums') { from file(System.getenv('HOME') ? 'data.txt' : 'other.txt') }",
                 "digest('sums') { from file(new File('/tmp').exists() ? 'data.txt' : 'other.txt') }",
                 "digest('sums') { from file(file('other.txt').path.toFile().text.trim() == 'x' ? 'data.txt' : 'other.txt') }",
                 "println 'evaluating'; digest('sums') { from file('data.txt') }",
                 "digest('sums') { from file(UUID.randomUUID() ? 'data.txt' : 'other.txt') }"]
    }

    /** Exit code, output and loaded class names of {@code sealwright ARGS} in a fresh JVM. */
    private Map run(Map<String, String> env = [:], List<String> extraClassPath = [], String... args) {
        def target = Repo.path('dsl/target')
        Path log = dir.resolve('classes.log')
        def cp = (["${target}/classes", "${target}/lib/*"] + extraClassPath).join(':')
        def cmd = ['java', "-Xlog:class+load:file=${log}".toString(), '-XX:TieredStopAtLevel=1', "-Dsealwright.home=${Repo.path('.')}".toString(),
                   '-cp', cp, 'dev.sealwright.cli.Main'] + (args as List)
        def pb = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).redirectOutput(dir.resolve('out.txt').toFile())
        pb.environment().remove('SEALWRIGHT_SECRET_TEST')
        pb.environment().putAll(env)
        int code = pb.start().waitFor()
        List<String> loaded = Files.readAllLines(log).collect { String l -> l.replaceFirst(/^.*\[class,load\] (\S+).*$/, '$1') }
        [code: code, out: Files.readString(dir.resolve('out.txt')), loaded: loaded]
    }

    private static List<String> groovy(List<String> classes) {
        classes.findAll { it.startsWith('groovy.') || it.startsWith('org.codehaus.groovy.') || it.startsWith('org.apache.groovy.') || it == 'r' }
    }

    def "a cached re-run in a fresh JVM loads neither Groovy nor the recipe's script class; a changed class path evaluates again"() {
        given:
        def f = recipe()
        def marker = write('marker.jar', 'not a jar, only a class-path entry')

        when: 'the first run evaluates the recipe (the control: Groovy and the script class r are loaded)'
        def first = run([:], [marker.toString()], 'run', f.toString())

        then:
        first.code == 0
        first.out.contains('2 executed, 0 cached')
        first.loaded.contains('r')
        first.loaded.contains('groovy.lang.GroovyObject')

        when: 'the re-run'
        def again = run([:], [marker.toString()], 'run', f.toString())

        then:
        again.code == 0
        again.out.contains('0 executed, 2 cached')
        groovy(again.loaded) == []

        when: 'a class-path entry changes (a new build)'
        Files.setLastModifiedTime(marker, FileTime.fromMillis(Files.getLastModifiedTime(marker).toMillis() - 60_000))
        def rebuilt = run([:], [marker.toString()], 'run', f.toString())

        then:
        rebuilt.code == 0
        rebuilt.out.contains('0 executed, 2 cached')
        rebuilt.loaded.contains('r')
    }

    def "an environment secret is stored by its variable's name, read again on every reuse, and never written"() {
        given:
        def f = recipe("keyDecrypt('k') { key file('data.txt'); passphrase secret(env: 'SEALWRIGHT_SECRET_TEST') }")
        def value = 'swordfish-' + UUID.randomUUID()

        when:
        def first = run([SEALWRIGHT_SECRET_TEST: value], [], 'plan', f.toString())
        def entries = Files.list(dir.resolve('.sealwright/configuration')).toList()

        then:
        first.code == 0
        entries.size() == 1
        !new String(Files.readAllBytes(entries[0]), 'ISO-8859-1').contains(value)
        new String(Files.readAllBytes(entries[0]), 'ISO-8859-1').contains('SEALWRIGHT_SECRET_TEST')

        when: 'the variable is unset: the entry does not decode, the recipe is evaluated and reports it'
        def unset = run([:], [], 'run', f.toString())

        then:
        unset.code == 1
        unset.out.contains('SEALWRIGHT_SECRET_TEST is not set')
        unset.loaded.contains('r')
    }
}
