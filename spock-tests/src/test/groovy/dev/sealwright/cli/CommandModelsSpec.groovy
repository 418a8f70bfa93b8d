package dev.sealwright.cli

import picocli.CommandLine
import spock.lang.Specification

/**
 * The Java verbs' models rebuilt from {@code dev/sealwright/cli/models/} ({@link CommandModels}) behave as picocli's own
 * reading of their annotations, the oracle: the same usage text, and the same values in the same fields after parsing.
 */
class CommandModelsSpec extends Specification {
    private static String usage(CommandLine cli) {
        StringWriter out = new StringWriter()
        cli.usage(new PrintWriter(out), CommandLine.Help.Ansi.OFF)
        out.toString()
    }

    private static CommandLine fromModel(Class<?> type) {
        CommandLine cli = CommandModels.commandLine(type)
        assert cli != null: "no model for ${type.name} in the build (dsl/target/classes/dev/sealwright/cli/models)"
        cli
    }

    def "#type.simpleName: the model prints the usage picocli makes from the annotations"() {
        expect:
        usage(fromModel(type)) == usage(new CommandLine(type))

        where:
        type << CommandModels.CLASSES
    }

    def "within their parents too (inherited --debug, subcommand lists)"() {
        given: 'the annotated tree, as picocli builds it from the classes'
        CommandLine annotated = new CommandLine(Main)
        annotated.addSubcommand('measure', new CommandLine(MeasureCommand))
        ['tdx': MeasureTdxCommand, 'snp': MeasureSnpCommand, 'profiles': MeasureProfilesCommand].each { name, type ->
            annotated.subcommands.measure.addSubcommand(name, new CommandLine(type))
        }

        and: 'the same tree from the models'
        CommandLine rebuilt = fromModel(Main)
        rebuilt.addSubcommand('measure', fromModel(MeasureCommand))
        ['tdx': MeasureTdxCommand, 'snp': MeasureSnpCommand, 'profiles': MeasureProfilesCommand].each { name, type ->
            rebuilt.subcommands.measure.addSubcommand(name, fromModel(type))
        }

        expect:
        usage(rebuilt) == usage(annotated)
        usage(rebuilt.subcommands.measure) == usage(annotated.subcommands.measure)
        ['tdx', 'snp', 'profiles'].every { usage(rebuilt.subcommands.measure.subcommands[it]) == usage(annotated.subcommands.measure.subcommands[it]) }
    }

    def "measure snp: the same fields after parsing, mixin included"() {
        given:
        String[] args = ['--mode', 'snp:svsm', '--ovmf', 'o.fd', '--vcpus', '4', '--vcpu-type', 'EPYC-v4', '--vars-size', '540672',
                         '--guest-features', '0x21', '--json', 'short', '--dump-vmsa', 'd']
        def annotated = new MeasureSnpCommand()
        new CommandLine(annotated).parseArgs(args)
        CommandLine rebuilt = fromModel(MeasureSnpCommand)
        rebuilt.parseArgs(args)
        def model = rebuilt.commandSpec.userObject() as MeasureSnpCommand

        expect:
        [model.mode, model.ovmf, model.vcpus, model.vcpuType, model.varsSize, model.guestFeatures, model.outputFormat, model.json.json, model.dumpVmsa] ==
                [annotated.mode, annotated.ovmf, annotated.vcpus, annotated.vcpuType, annotated.varsSize, annotated.guestFeatures, annotated.outputFormat, annotated.json.json, annotated.dumpVmsa]
        model.outputFormat == 'hex'   // the annotation's defaultValue
        model.json.json == 'short'
    }

    def "measure tdx: the VM group's fields, lists and booleans included"() {
        given:
        String[] args = ['--firmware', 'f.fd', '--kernel', 'k', '--cpus', '2', '--memory', '2G', '--disk', 'a', '--disk', 'b',
                         '--forward', '1:2', '--vtpm', '--profile', 'ubuntu-24.04', '--force', '--json']
        def annotated = new MeasureTdxCommand()
        new CommandLine(annotated).parseArgs(args)
        CommandLine rebuilt = fromModel(MeasureTdxCommand)
        rebuilt.parseArgs(args)
        def model = rebuilt.commandSpec.userObject() as MeasureTdxCommand

        expect:
        [model.vm.firmware, model.vm.kernel, model.vm.cpus, model.vm.memory, model.vm.disks, model.vm.forwards, model.vm.vtpm, model.profile, model.overwrite.force, model.json.json] ==
                [annotated.vm.firmware, annotated.vm.kernel, annotated.vm.cpus, annotated.vm.memory, annotated.vm.disks, annotated.vm.forwards, annotated.vm.vtpm, annotated.profile, annotated.overwrite.force, annotated.json.json]
        model.vm.disks*.toString() == ['a', 'b']
        model.json.json == 'pretty'   // the fallback value
    }
}
