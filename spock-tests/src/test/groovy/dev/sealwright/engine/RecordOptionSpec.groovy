package dev.sealwright.engine

import dev.sealwright.base.RecipeException
import dev.sealwright.tools.Tools
import dev.sealwright.vm.LaunchStep
import dev.sealwright.vm.VmSpec
import spock.lang.Specification
import spock.lang.TempDir

import java.nio.file.Files
import java.nio.file.Path
import java.security.MessageDigest

/**
 * A typed option value with files inside ({@code launch}'s {@code vm}): the engine sees each file as an input of the
 * step (graph edge, cache-key digest, plan record) and keys the rest of the record, which reaches the step whole.
 */
class RecordOptionSpec extends Specification {
    @TempDir
    Path dir

    LaunchStep.VmOption vm(Input kernel, int cpus = 2) {
        Files.writeString(dir.resolve('fw.fd'), 'firmware')
        def template = VmSpec.builder().file('firmware', 'firmware').file('kernel', 'kernel').cpus(cpus).memory('1G').build()
        new LaunchStep.VmOption(template, [firmware: new FileRef(dir.resolve('fw.fd')), kernel: kernel])
    }

    StepKey key(Step s, Map<String, String> upstream = [:]) {
        new StepKeys(new ContentDigests(null), new Tools(), new byte[32]).compute(s, { OutputRef r -> upstream[r.describe()] })
    }

    def "a step output inside the record is a dependency and an input; its digest and the record's shape enter the key"() {
        given:
        def step = new Step('boot', StepTypes.get('launch'), [vm: vm(new OutputRef('uki', 'uki'))], null)

        expect: 'the graph edge and the named inputs'
        step.dependencies() == ['uki'] as Set
        step.inputs()*.key == ['vm.firmware', 'vm.kernel']

        and: 'no key while the upstream output is unknown'
        key(step) == null

        when:
        def k = key(step, ['uki.uki': 'sha256:up'])

        then:
        k.components()['input vm.kernel'] == 'sha256:up'
        k.components()['input vm.firmware'] == 'sha256:' + MessageDigest.getInstance('SHA-256').digest('firmware'.bytes).encodeHex()
        k.components()['option vm'].contains('"cpus":2')
        k.hash() != key(new Step('boot', StepTypes.get('launch'), [vm: vm(new OutputRef('uki', 'uki'), 3)], null), ['uki.uki': 'sha256:up']).hash()
        k.hash() != key(step, ['uki.uki': 'sha256:other']).hash()
    }

    def "the step gets the record with its files resolved, paths absolute"() {
        given:
        Files.writeString(dir.resolve('vmlinuz'), 'k')
        def option = vm(new FileRef(dir.resolve('vmlinuz')))
        def ctx = Stub(StepContext) { resolve(_ as Input) >> { Input i -> ((FileRef) i).path() } }

        when:
        VmSpec spec = option.resolve(ctx)

        then:
        spec.firmware() == dir.resolve('fw.fd').toAbsolutePath().toString()
        spec.kernel() == dir.resolve('vmlinuz').toAbsolutePath().toString()
        spec.cpus() == 2 && spec.memoryMiB() == 1024
        and: 'of a VmSpec with files on disk (Java, jshell): each file is a file input'
        LaunchStep.VmOption.of(spec).inputs().values()*.describe() == [new FileRef(dir.resolve('fw.fd')), new FileRef(dir.resolve('vmlinuz'))]*.describe()
    }

    def "a record option is declared with its decoder, which rebuilds it from its shape and inputs (the configuration cache)"() {
        given:
        def option = vm(new FileRef(dir.resolve('vmlinuz')))
        def spec = StepTypes.get('launch').options().find { it.name() == 'vm' }

        expect: 'launch declares vm with VmOption.decode; the shape as JSON (snake_case) and the inputs give the same record'
        spec.decoder() != null
        spec.decoder().decode(dev.sealwright.base.Json.pretty(option.shape()), option.inputs()) == option
        option.shape().memory_mib == 1024

        when: 'a RecordOption type declared without one'
        OptionSpec.optional('vm', LaunchStep.VmOption, null, 'the VM')

        then:
        def e = thrown(IllegalArgumentException)
        e.message == 'option vm: a VmOption needs a decoder (OptionSpec.record)'

        when: 'a decoder on a type that is not a RecordOption'
        new OptionSpec('x', String, false, false, null, '', null, { s, i -> null } as RecordOption.Decoder)

        then:
        thrown(IllegalArgumentException)
    }

    def "a missing file inside the record is refused when the plan is checked, naming the option"() {
        given:
        def step = new Step('boot', StepTypes.get('launch'), [vm: vm(new FileRef(dir.resolve('no-such-kernel')))], null)

        when:
        StepValidator.validate(step, [:])

        then:
        def e = thrown(RecipeException)
        e.message.contains("option 'vm' of step boot") && e.message.contains('no-such-kernel') && e.message.contains('does not exist')
    }
}
