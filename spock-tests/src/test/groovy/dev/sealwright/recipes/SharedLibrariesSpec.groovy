package dev.sealwright.recipes

import dev.sealwright.disk.Sh
import dev.sealwright.testkit.Cli
import dev.sealwright.testkit.Repo
import groovy.json.JsonSlurper
import spock.lang.Specification
import spock.lang.TempDir

import java.nio.file.Files
import java.nio.file.Path
import java.security.MessageDigest

/**
 * Sharing a recipe library: a tag in a local git repository (git+file://) and a jar published to a local Maven
 * repository (a directory in Maven's layout, the jar made by the JDK's jar tool) are used from one recipe. The
 * commit recorded in recipes.lock and the run report is what git rev-parse says; the jar's SHA-256 is computed here.
 * A rerun after the tag moved loads the locked commit; without the lock and with both sources gone, the cached
 * copies are used and the run says "offline". No network: Maven Central is left out (sealwright.recipes.central='').
 */
class SharedLibrariesSpec extends Specification {
    @TempDir
    Path dir

    def setup() { System.setProperty('sealwright.recipes.central', '') }

    def cleanup() { System.clearProperty('sealwright.recipes.central') }

    private void git(Path repo, String... args) {
        Sh.ok(['git', '-C', repo.toString(), '-c', 'user.name=spec', '-c', 'user.email=spec@example.org'] + (args as List))
    }

    private static String sha256(byte[] b) { MessageDigest.getInstance('SHA-256').digest(b).encodeHex().toString() }

    /** A library.groovy whose one recipe writes {@code text} through the public exec step. */
    private static String library(String name, String version, String text) {
        """
        library '${name}', version: '${version}', description: 'a shared test library'
        recipe('say') {
            description 'write a line'
            param 'prefix', 'first word of the step names', type: 'string', default: '${name}'
            output 'said', 'the line'
            body { args -> def e = exec("\${args.prefix}-say") { command 'echo', '${text}' }; [said: e.stdout] }
        }
        """.stripIndent()
    }

    def "a git tag and a Maven jar used from one recipe are locked by commit and SHA-256, reproduced after the tag moves, and served from the cache offline"() {
        given: 'a git repository with acme 1.2.0 tagged v1.2'
        Repo.requireTool('git')
        Repo.requireTool('jar')
        def repo = Files.createDirectories(dir.resolve('acme.git'))
        Sh.ok(['git', 'init', '--quiet', repo.toString()])
        Files.writeString(repo.resolve('library.groovy'), library('acme', '1.2.0', 'acme one'))
        git(repo, 'add', 'library.groovy')
        git(repo, 'commit', '--quiet', '-m', 'acme 1.2.0')
        git(repo, 'tag', 'v1.2')
        String tagged = Sh.ok(['git', '-C', repo.toString(), 'rev-parse', 'v1.2^{commit}']).out.trim()

        and: 'org.example:tee-recipes:1.2.0 published to a directory in Maven layout, holding library tee'
        def src = Files.createDirectories(dir.resolve('jar-src/sealwright/recipes/tee'))
        Files.writeString(src.resolve('library.groovy'), library('tee', '1.2.0', 'tee one'))
        Files.writeString(dir.resolve('jar-src/sealwright/recipes/INDEX'), 'tee\n')
        def m2 = Files.createDirectories(dir.resolve('m2/org/example/tee-recipes/1.2.0'))
        def jar = m2.resolve('tee-recipes-1.2.0.jar')
        Sh.ok(['jar', '--create', '--file', jar.toString(), '-C', dir.resolve('jar-src').toString(), 'sealwright'])
        Files.writeString(m2.resolve('tee-recipes-1.2.0.pom'), '<project><modelVersion>4.0.0</modelVersion><groupId>org.example</groupId>' +
                '<artifactId>tee-recipes</artifactId><version>1.2.0</version></project>\n')

        and: 'a recipe using both'
        def recipe = dir.resolve('shared.groovy')
        Files.writeString(recipe, """
            use 'git+file://${repo}@v1.2'
            use 'org.example:tee-recipes:1.2.0', repository: 'm2'
            pipeline('shared') {
                acme.say()
                tee.say()
            }
        """.stripIndent())
        def ws = dir.resolve('ws')

        when:
        def first = Cli.run('run', recipe.toString(), '-C', ws.toString(), '--report', dir.resolve('run1.json').toString())
        def lock = new JsonSlurper().parse(dir.resolve('recipes.lock').toFile()).libraries
        def report = new JsonSlurper().parse(dir.resolve('run1.json').toFile())

        then: 'both ran; the lock holds the tag\'s commit (git rev-parse) and the jar\'s SHA-256; the run report pins them too'
        first.exitCode == 0
        Files.readString(ws.resolve('out/acme-say/stdout.txt')).trim() == 'acme one'
        Files.readString(ws.resolve('out/tee-say/stdout.txt')).trim() == 'tee one'
        lock["git+file://${repo}@v1.2".toString()] == [commit: tagged, name: 'acme', version: '1.2.0']
        lock['org.example:tee-recipes:1.2.0'] == [name: 'tee', sha256: sha256(Files.readAllBytes(jar)), version: '1.2.0']
        report.libraries.acme.commit == tagged
        report.libraries.tee.sha256 == sha256(Files.readAllBytes(jar))
        Files.isRegularFile(ws.resolve('.sealwright/recipes/maven/org/example/tee-recipes/1.2.0/tee-recipes-1.2.0.jar'))

        when: 'the tag is moved to a commit that says something else; the rerun keeps the locked commit'
        Files.writeString(repo.resolve('library.groovy'), library('acme', '1.2.1', 'acme moved'))
        git(repo, 'commit', '--quiet', '-am', 'acme 1.2.1')
        git(repo, 'tag', '-f', 'v1.2')
        def lockBefore = Files.readString(dir.resolve('recipes.lock'))
        def rerun = Cli.run('run', recipe.toString(), '-C', ws.toString(), '--report', dir.resolve('run2.json').toString())

        then:
        rerun.exitCode == 0
        Files.readString(dir.resolve('recipes.lock')) == lockBefore
        new JsonSlurper().parse(dir.resolve('run2.json').toFile()).libraries.acme.commit == tagged
        Files.readString(ws.resolve('out/acme-say/stdout.txt')).trim() == 'acme one'

        when: 'the jar in the repository changes: the locked SHA-256 no longer matches and the cached copy is gone'
        Files.delete(ws.resolve('.sealwright/recipes/maven/org/example/tee-recipes/1.2.0/tee-recipes-1.2.0.jar'))
        Files.writeString(src.resolve('library.groovy'), library('tee', '1.2.0', 'tee changed'))
        Sh.ok(['jar', '--create', '--file', jar.toString(), '-C', dir.resolve('jar-src').toString(), 'sealwright'])
        def changed = Cli.run('run', recipe.toString(), '-C', ws.toString())

        then: 'one line at the use, naming both digests'
        changed.exitCode != 0
        (changed.out + changed.err).contains('shared.groovy:3')
        (changed.out + changed.err).contains("recipes.lock pins sha256 ${lock['org.example:tee-recipes:1.2.0'].sha256}")
        !(changed.out + changed.err).contains('Exception')

        when: 'no lock, and both sources gone: the cached clone and the cached jar are used, and the run says so'
        Files.delete(dir.resolve('recipes.lock'))
        Files.copy(jar, dir.resolve('tee.jar'))
        Sh.ok(['mkdir', '-p', ws.resolve('.sealwright/recipes/maven/org/example/tee-recipes/1.2.0').toString()])
        Files.copy(jar, ws.resolve('.sealwright/recipes/maven/org/example/tee-recipes/1.2.0/tee-recipes-1.2.0.jar'))
        repo.toFile().deleteDir()
        dir.resolve('m2').toFile().deleteDir()
        def offline = Cli.run('run', recipe.toString(), '-C', ws.toString())

        then:
        offline.exitCode == 0
        offline.err.contains("recipe library git+file://${repo}@v1.2: offline")
        offline.err.contains('recipe library org.example:tee-recipes:1.2.0: offline (no repository answered), using the cached jar')
        new JsonSlurper().parse(dir.resolve('recipes.lock').toFile()).libraries.keySet() == ["git+file://${repo}@v1.2".toString(), 'org.example:tee-recipes:1.2.0'] as Set
    }

    def "the tag's version is checked: a library declaring 1.2.0 is not v2.0; an unknown option of use is one line"() {
        given:
        def repo = Files.createDirectories(dir.resolve('acme.git'))
        Sh.ok(['git', 'init', '--quiet', repo.toString()])
        Files.writeString(repo.resolve('library.groovy'), library('acme', '1.2.0', 'acme'))
        git(repo, 'add', 'library.groovy')
        git(repo, 'commit', '--quiet', '-m', 'acme')
        git(repo, 'tag', 'v2.0')
        def recipe = dir.resolve('v2.groovy')
        Files.writeString(recipe, "use 'git+file://${repo}@v2.0'\npipeline('v2') { acme.say() }\n")
        def typo = dir.resolve('typo.groovy')
        Files.writeString(typo, "use 'org.example:tee-recipes:1.2.0', repo: 'm2'\npipeline('t') { }\n")

        when:
        def r = Cli.run('run', recipe.toString(), '-C', dir.resolve('ws').toString())
        def t = Cli.run('run', typo.toString(), '-C', dir.resolve('ws').toString())

        then:
        r.exitCode != 0
        (r.out + r.err).contains("v2.groovy:1")
        (r.out + r.err).contains("recipe library git+file://${repo}@v2.0: it declares acme version 1.2.0, not 2.0")
        !Files.exists(dir.resolve('recipes.lock'))
        t.exitCode != 0
        (t.out + t.err).contains('use: unknown option repo (options: repository, library)')
    }
}
