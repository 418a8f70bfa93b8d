package dev.sealwright.tpm

import dev.sealwright.testkit.Swtpm
import spock.lang.Specification

import java.nio.file.Files
import java.nio.file.Path
import java.security.KeyPair
import java.security.KeyPairGenerator
import java.security.MessageDigest
import java.security.SecureRandom
import java.security.interfaces.RSAPublicKey

/**
 * PolicyAuthorize on a real swtpm: an object sealed offline to "whatever policy key K signs" unseals
 * with a K-signed PolicyPCR for the current PCR values; a policy re-signed with another key, or a
 * K-signed policy for other PCR values, does not.
 */
class AuthorizedPolicySpec extends Specification {
    static final String SRK = '0x81000001'
    Swtpm tpm
    byte[] secret = new byte[32]
    KeyPair signer = rsaKey(), other = rsaKey()

    def setup() { tpm = new Swtpm() }

    def cleanup() { tpm?.close() }

    static KeyPair rsaKey() {
        def gen = KeyPairGenerator.getInstance('RSA')
        gen.initialize(2048)
        gen.generateKeyPair()
    }

    static byte[] sha256(byte[] a, byte[] b) {
        def md = MessageDigest.getInstance('SHA-256')
        md.update(a)
        md.update(b)
        md.digest()
    }

    Path write(String name, byte[] data) { Files.write(tpm.dir.resolve(name), data) }

    /** PolicyPCR for sha256:7 holding {@code pcr7}, computed offline. */
    static byte[] pcrPolicy(byte[] pcr7) {
        def sel = PcrSelection.parse('sha256:7')
        new PolicyDigest(TpmHash.SHA256).pcr(sel, new PcrValues().put(TpmHash.SHA256, 7, pcr7).digest(sel, TpmHash.SHA256)).digest()
    }

    String failedStep

    /** tpm2-tools sequence of fde-vtpm.md 3.3 (signed-policy variant); returns the first failing step (named in failedStep) or the unseal. */
    Swtpm.Result authorizedUnseal(KeyPair verifyWith, byte[] approved, byte[] signature) {
        write('verifier.pub', TpmKeys.rsaSigningKey((RSAPublicKey) verifyWith.public).toSizedBytes())
        write('approved.bin', approved)
        write('approved.sig', signature)
        def steps = [
                ['tpm2_loadexternal', '-C', 'o', '-u', 'verifier.pub', '-c', 'verifier.ctx', '-n', 'verifier.name'],
                ['tpm2_verifysignature', '-c', 'verifier.ctx', '-g', 'sha256', '-m', 'approved.bin', '-f', 'rsassa', '-s', 'approved.sig', '-t', 'verified.tk'],
                ['tpm2_flushcontext', '-t'],
                ['tpm2_startauthsession', '--policy-session', '-S', 'session.ctx'],
                ['tpm2_policypcr', '-S', 'session.ctx', '-l', 'sha256:7'],
                ['tpm2_policyauthorize', '-S', 'session.ctx', '-i', 'approved.bin', '-n', 'verifier.name', '-t', 'verified.tk'],
                ['tpm2_load', '-C', SRK, '-u', 'out/sealed.pub', '-r', 'imported.priv', '-c', 'sealed.ctx'],
                ['tpm2_unseal', '-c', 'sealed.ctx', '-p', 'session:session.ctx', '-o', 'unsealed.bin']]
        Swtpm.Result last = null
        failedStep = null
        for (List<String> step : steps) {
            last = tpm.run(step as String[])
            if (last.exitCode != 0) {
                failedStep = step[0]
                break
            }
        }
        tpm.flush()
        last
    }

    def "a PolicyAuthorize-sealed secret unseals only with a PolicyPCR signed by the authorising key for the current PCR 7"() {
        given: 'an SRK and a blob sealed offline with authPolicy = PolicyAuthorize(Name(signer), empty ref)'
        Path srkPub = tpm.persistSrk('rsa', SRK)
        new SecureRandom().nextBytes(secret)
        byte[] signerName = TpmKeys.rsaSigningKey((RSAPublicKey) signer.public).name()
        byte[] authPolicy = new PolicyDigest(TpmHash.SHA256).authorize(signerName, new byte[0]).digest()
        def blob = OfflineSeal.seal(SealedFiles.readPublic(srkPub), secret, authPolicy, new SecureRandom())
        SealedFiles.write(tpm.dir.resolve('out'), blob, false)
        tpm.ok('tpm2_import', '-C', SRK, '-u', 'out/sealed.pub', '-i', 'out/sealed.dpriv', '-s', 'out/sealed.seed', '-r', 'imported.priv')
        tpm.flush()

        and: 'PCR 7 after one event, predicted in the test'
        byte[] event = MessageDigest.getInstance('SHA-256').digest('EV_SEPARATOR'.bytes)
        byte[] pcr7 = sha256(new byte[32], event)
        tpm.ok('tpm2_pcrextend', "7:sha256=${HexFormat.of().formatHex(event)}")
        byte[] approved = pcrPolicy(pcr7)

        when: 'signed by the authorising key'
        def good = authorizedUnseal(signer, approved, AuthorizedPolicy.signRsa(signer.private, approved, new byte[0]))

        then:
        failedStep == null
        good.exitCode == 0
        Files.readAllBytes(tpm.dir.resolve('unsealed.bin')) == secret

        when: 'the same approved policy re-signed with another key (which the TPM verifies fine)'
        Files.delete(tpm.dir.resolve('unsealed.bin'))
        def resigned = authorizedUnseal(other, approved, AuthorizedPolicy.signRsa(other.private, approved, new byte[0]))

        then: 'the session carries the other key Name, so unseal fails the policy check'
        resigned.exitCode != 0
        failedStep == 'tpm2_unseal'
        resigned.err.toLowerCase().contains('0x99d')
        !Files.exists(tpm.dir.resolve('unsealed.bin'))

        when: 'the authorising key signed a PolicyPCR for other PCR 7 values'
        byte[] stale = pcrPolicy(new byte[32])
        def wrongPcr = authorizedUnseal(signer, stale, AuthorizedPolicy.signRsa(signer.private, stale, new byte[0]))

        then: 'PolicyAuthorize refuses: the session digest is not the approved policy'
        wrongPcr.exitCode != 0
        failedStep == 'tpm2_policyauthorize'
        !Files.exists(tpm.dir.resolve('unsealed.bin'))

        when: 'an approved policy with a signature that is not over it'
        def unsigned = authorizedUnseal(signer, approved, AuthorizedPolicy.signRsa(signer.private, stale, new byte[0]))

        then: 'TPM2_VerifySignature refuses (TPM_RC_SIGNATURE)'
        unsigned.exitCode != 0
        failedStep == 'tpm2_verifysignature'
        !Files.exists(tpm.dir.resolve('unsealed.bin'))
    }
}
