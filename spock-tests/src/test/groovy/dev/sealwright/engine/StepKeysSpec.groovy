package dev.sealwright.engine

import dev.sealwright.base.Secret
import dev.sealwright.cloud.ShimCloudImageStep
import dev.sealwright.testkit.Repo
import dev.sealwright.testkit.TestSteps
import dev.sealwright.tools.Tools
import spock.lang.Specification
import spock.lang.TempDir

import javax.crypto.Mac
import javax.crypto.spec.SecretKeySpec
import java.nio.file.Files
import java.nio.file.Path
import java.security.MessageDigest

class StepKeysSpec extends Specification {
    @TempDir
    Path dir

    byte[] salt = new byte[32]

    def setup() {
        TestSteps.install()
    }

    StepKey key(Map options, Map<String, String> upstream = [:]) {
        new StepKeys(new ContentDigests(null), new Tools(), salt)
                .compute(new Step('s', StepTypes.get('test.concat'), options, null), { OutputRef r -> upstream[r.describe()] })
    }

    def "components: type, options, input digests and secrets as HMAC-SHA256 under the workspace salt, never their value"() {
        given:
        def f = dir.resolve('in.txt')
        Files.writeString(f, 'data')
        def mac = Mac.getInstance('HmacSHA256')
        mac.init(new SecretKeySpec(salt, 'HmacSHA256'))

        when:
        def k = key([text: 'T', inputs: [new FileRef(f), new OutputRef('u', 'out')], token: Secret.ofValue('test', 'hunter2-swordfish'.bytes)], ['u.out': 'sha256:up'])

        then:
        k.components()['type'] == 'test.concat@1'
        k.components()['option text'] == '"T"'
        k.components()['input inputs[0]'] == 'sha256:' + MessageDigest.getInstance('SHA-256').digest('data'.bytes).encodeHex()
        k.components()['input inputs[1]'] == 'sha256:up'
        k.components()['secret token'] == 'hmac-sha256:' + mac.doFinal('hunter2-swordfish'.bytes).encodeHex()
        !(k.components().toString() + k.display().toString()).contains('hunter2')
    }

    def "an unknown upstream output means no key yet; a changed option is explained old -> new"() {
        expect:
        key([inputs: [new OutputRef('u', 'out')]]) == null

        when:
        def before = key([text: 'a'])
        def after = key([text: 'b'])

        then:
        before.hash() != after.hash()
        StepKeys.explain(new StepState.Previous(before.hash(), before.components(), before.display()), after) == ['option text: "a" -> "b"']
    }

    def "keyFacts enter the key as 'fact NAME': a changed fact changes the key and is explained"() {
        given:
        def type = new FactsStep(version: '1.0')
        def keys = new StepKeys(new ContentDigests(null), new Tools(), salt)

        when:
        def before = keys.compute(new Step('s', type, [:], null), { null })
        type.version = '1.1'
        def after = keys.compute(new Step('s', type, [:], null), { null })

        then:
        before.components()['fact package x'] == '1.0'
        before.hash() != after.hash()
        StepKeys.explain(new StepState.Previous(before.hash(), before.components(), before.display()), after) == ['fact package x: 1.0 -> 1.1']
    }

    def "image.shimCloud keys on the shim-signed and grub-efi-amd64-signed versions apt-cache policy names as candidates"() {
        given:
        Repo.requireTool('apt-cache')
        def candidate = { String pkg -> ('apt-cache policy ' + pkg).execute().text.readLines()*.trim().find { it.startsWith('Candidate:') }?.substring(10)?.trim() }

        expect:
        new ShimCloudImageStep().keyFacts([:], new Tools()) == ['package shim-signed': candidate('shim-signed'), 'package grub-efi-amd64-signed': candidate('grub-efi-amd64-signed')]
        candidate('shim-signed') =~ /16\.1/
    }

    /** A step type whose one key fact is what the test sets. */
    static class FactsStep implements StepType {
        String version
        String name() { 'test.facts' }
        int version() { 1 }
        List<OptionSpec> options() { [] }
        List<OutputSpec> outputs() { [] }
        String description() { 'facts' }
        Map<String, String> keyFacts(Map<String, Object> options, Tools tools) { ['package x': version] }
        void execute(StepContext ctx) {}
    }
}
