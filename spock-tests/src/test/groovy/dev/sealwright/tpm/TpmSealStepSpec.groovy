package dev.sealwright.tpm

import dev.sealwright.testkit.Cli
import dev.sealwright.testkit.Swtpm
import spock.lang.Specification

import java.nio.file.Files
import java.nio.file.Path
import java.nio.file.attribute.PosixFilePermissions

/** The tpmSeal DSL step: a recipe seals to an SRK, the blob unseals on swtpm, a re-run is cached, the secret is never shown. */
class TpmSealStepSpec extends Specification {
    static final String SRK = '0x81000001'
    Swtpm tpm

    def setup() { tpm = new Swtpm() }

    def cleanup() { tpm?.close() }

    def "a recipe's tpmSeal step writes a blob and token that unseal on the TPM, and is cached on re-run"() {
        given:
        Path work = Files.createDirectories(tpm.dir.resolve('work'))
        Files.copy(tpm.persistSrk('rsa', SRK), work.resolve('srk.pub'))
        Files.writeString(work.resolve('pcrs.json'), '{"sha256": {"7": "' + '00' * 32 + '"}}')
        Files.writeString(work.resolve('disk.key'), 'correct-horse-battery-staple')
        Path recipe = work.resolve('seal.groovy')
        Files.writeString(recipe, """pipeline('seal') {
            tpmSeal('seal') {
                srkPub    file('srk.pub')
                pcrs      'sha256:7'
                pcrValues file('pcrs.json')
                data      secret(file: 'disk.key')
                keyslot   1
            }
        }""")

        when:
        def run = Cli.run('run', recipe.toString(), '-C', work.toString())
        Path out = work.resolve('out/seal/sealed')

        then:
        run.exitCode == 0
        ['sealed.pub', 'sealed.dpriv', 'sealed.seed', 'systemd-tpm2-token.json'].every {
            // owner-only: written 0600, then made read-only by the cache
            PosixFilePermissions.toString(Files.getPosixFilePermissions(out.resolve(it))) ==~ /r[w-]-------/
        }
        !(run.out + run.err).contains('correct-horse')

        when:
        tpm.ok('tpm2_import', '-C', SRK, '-u', "${out}/sealed.pub", '-i', "${out}/sealed.dpriv", '-s', "${out}/sealed.seed", '-r', 'imported.priv')
        tpm.flush()
        tpm.ok('tpm2_load', '-C', SRK, '-u', "${out}/sealed.pub", '-r', 'imported.priv', '-c', 'sealed.ctx')
        def unseal = tpm.ok('tpm2_unseal', '-c', 'sealed.ctx', '-p', 'pcr:sha256:7')
        def token = SystemdTpm2Token.fromJson(dev.sealwright.base.Json.MAPPER.readTree(Files.readAllBytes(out.resolve('systemd-tpm2-token.json'))))

        then:
        unseal.out == 'correct-horse-battery-staple'
        token.keyslots() == [1]
        token.blob() == SystemdTpm2Token.blob(new OfflineSeal.SealedBlob(SealedFiles.readPublic(out.resolve('sealed.pub')),
                TpmPrivate.fromSizedBytes(Files.readAllBytes(out.resolve('sealed.dpriv'))),
                EncryptedSecret.fromSizedBytes(Files.readAllBytes(out.resolve('sealed.seed')))))

        when:
        byte[] before = Files.readAllBytes(out.resolve('sealed.dpriv'))
        def plan = Cli.run('plan', recipe.toString(), '-C', work.toString())
        Cli.run('run', recipe.toString(), '-C', work.toString())

        then: 'same inputs: the cached blob is reused, not re-sealed'
        plan.out.readLines()[0] == 'pipeline seal: 1 cached, 0 to run'
        Files.readAllBytes(out.resolve('sealed.dpriv')) == before
    }
}
