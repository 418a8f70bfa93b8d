package dev.sealwright.enroll.quex

import dev.sealwright.testkit.Cli
import groovy.json.JsonSlurper
import spock.lang.Specification
import spock.lang.TempDir

import java.nio.file.Files
import java.nio.file.Path
import java.nio.file.attribute.PosixFilePermissions

/** The vault step: seed and SIMULATED identity made once per workspace, never overwritten, public outputs only. */
class VaultStepSpec extends Specification {
    @TempDir
    Path work

    def "the vault step creates a 0600 seed and identity once; --fresh reuses them; its outputs hold no secret"() {
        given:
        def recipe = work.resolve('vault.groovy')
        Files.writeString(recipe, "pipeline('v') {\n    vault('vault') { }\n}\n")

        when:
        def first = Cli.run('run', recipe.toString(), '-C', work.toString())
        def keep = work.resolve('.sealwright/keep/vault')
        byte[] seed = Files.readAllBytes(keep.resolve('seed.dat'))
        byte[] identity = Files.readAllBytes(keep.resolve('identity.pem'))
        def fresh = Cli.run('run', recipe.toString(), '-C', work.toString(), '--fresh')
        def doc = new JsonSlurper().parse(work.resolve('out/vault/vault.json').toFile())

        then:
        first.exitCode == 0
        first.out.contains('created a vault seed')
        fresh.exitCode == 0
        fresh.out.contains('reusing the vault seed')
        Files.readAllBytes(keep.resolve('seed.dat')) == seed
        Files.readAllBytes(keep.resolve('identity.pem')) == identity
        seed.length == 32
        PosixFilePermissions.toString(Files.getPosixFilePermissions(keep)) == 'rwx------'
        PosixFilePermissions.toString(Files.getPosixFilePermissions(keep.resolve('seed.dat'))) == 'rw-------'
        PosixFilePermissions.toString(Files.getPosixFilePermissions(keep.resolve('identity.pem'))) == 'rw-------'
        doc.mrEnclave == HexFormat.of().formatHex(SimulatedSgxIdentity.mrEnclave())
        doc.seed == keep.resolve('seed.dat').toString()
        Files.readString(work.resolve('out/vault/sim-root.pem')) == SimulatedSgxIdentity.loadFile(keep.resolve('identity.pem')).rootPem()
        !Files.readString(work.resolve('out/vault/vault.json')).contains(HexFormat.of().formatHex(seed))
    }
}
