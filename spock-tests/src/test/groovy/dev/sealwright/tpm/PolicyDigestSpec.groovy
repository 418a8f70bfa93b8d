package dev.sealwright.tpm

import dev.sealwright.testkit.Swtpm
import spock.lang.AutoCleanup
import spock.lang.Shared
import spock.lang.Specification

import java.nio.file.Files
import java.nio.file.Path
import java.security.KeyPairGenerator
import java.security.interfaces.RSAPublicKey

/** Offline policy digests equal what a real TPM computes in a trial session for the same assertions. */
class PolicyDigestSpec extends Specification {
    @Shared @AutoCleanup Swtpm tpm = new Swtpm()

    static String hex(byte[] b) { HexFormat.of().formatHex(b) }

    byte[] file(String name) { Files.readAllBytes(tpm.dir.resolve(name)) }

    Path write(String name, byte[] data) { Files.write(tpm.dir.resolve(name), data) }

    /** Runs policy commands in a fresh trial session; each gets -S and -L appended; returns the final digest. */
    byte[] trial(List<List<String>> commands) {
        tpm.ok('tpm2_startauthsession', '-S', 'trial.ctx')
        commands.each { cmd -> tpm.ok(*(cmd + ['-S', 'trial.ctx', '-L', 'trial.digest'])) }
        tpm.flush()
        file('trial.digest')
    }

    def "PolicyPCR over #spec matches the TPM's trial session"() {
        given: 'arbitrary PCR values, also given to the TPM as a -f file in selection order'
        def selection = PcrSelection.parse(spec)
        def values = new PcrValues()
        def concatenated = new ByteArrayOutputStream()
        selection.banks().each { bank ->
            bank.pcrs().each { pcr ->
                byte[] v = TpmHash.SHA256.digest("value of ${bank.hash().label()}:${pcr}".bytes)[0..<bank.hash().digestSize] as byte[]
                values.put(bank.hash(), pcr, v)
                concatenated.write(v)
            }
        }
        write('pcrs.bin', concatenated.toByteArray())

        expect:
        hex(new PolicyDigest(TpmHash.SHA256).pcr(selection, values.digest(selection, TpmHash.SHA256)).digest()) ==
                hex(trial([['tpm2_policypcr', '-l', spec, '-f', 'pcrs.bin']]))

        where:
        spec << ['sha256:7', 'sha256:4,7', 'sha256:0,7,11,23', 'sha1:7']
    }

    def "PolicyPCR then PolicyAuthValue matches the TPM"() {
        given:
        def selection = PcrSelection.parse('sha256:7')
        def values = new PcrValues().put(TpmHash.SHA256, 7, new byte[32])
        write('pcr7.bin', new byte[32])

        expect:
        hex(new PolicyDigest(TpmHash.SHA256).pcr(selection, values.digest(selection, TpmHash.SHA256)).authValue().digest()) ==
                hex(trial([['tpm2_policypcr', '-l', 'sha256:7', '-f', 'pcr7.bin'], ['tpm2_policyauthvalue']]))
    }

    def "PolicyAuthorize with an RSA signing key matches the TPM, and the key's Name is the one the TPM computes"() {
        given: 'an RSA key as systemd describes it (exponent 0 for 65537), loaded by the TPM from our TPM2B_PUBLIC'
        def gen = KeyPairGenerator.getInstance('RSA')
        gen.initialize(2048)
        def rsa = (RSAPublicKey) gen.generateKeyPair().public
        def key = TpmKeys.rsaSigningKey(rsa)
        write('signer.pub', key.toSizedBytes())
        tpm.ok('tpm2_loadexternal', '-C', 'o', '-u', 'signer.pub', '-c', 'signer.ctx', '-n', 'signer.name')
        tpm.flush()
        write('approved.bin', new byte[32])

        expect:
        hex(file('signer.name')) == hex(key.name())
        hex(new PolicyDigest(TpmHash.SHA256).authorize(key.name(), new byte[0]).digest()) ==
                hex(trial([['tpm2_policyauthorize', '-i', 'approved.bin', '-n', 'signer.name']]))
    }

    def "PolicyOR of #n branches matches the TPM"() {
        given:
        def branches = (1..n).collect { TpmHash.SHA256.digest("branch ${it}".bytes) }
        branches.eachWithIndex { b, i -> write("branch${i}.digest", b) }
        def list = 'sha256:' + (0..<n).collect { "branch${it}.digest" }.join(',')

        expect:
        hex(new PolicyDigest(TpmHash.SHA256).or(branches).digest()) == hex(trial([['tpm2_policyor', list]]))

        where:
        n << [2, 3, 8]
    }

    def "PolicyOR refuses fewer than 2 or more than 8 branches"() {
        when:
        new PolicyDigest(TpmHash.SHA256).or((1..n).collect { new byte[32] })

        then:
        def e = thrown(IllegalArgumentException)
        e.message.contains('2 to 8 branches')

        where:
        n << [1, 9]
    }
}
