package dev.sealwright.cli

import dev.sealwright.engine.AtomicFiles
import dev.sealwright.engine.Json
import dev.sealwright.engine.RecipeException
import dev.sealwright.measure.tdx.MemorySize
import dev.sealwright.measure.tdx.TdxInputs
import dev.sealwright.measure.tdx.TdxPrediction
import dev.sealwright.measure.tdx.TdxPredictionJson
import dev.sealwright.measure.tdx.TdxProfile
import groovy.transform.CompileStatic
import picocli.CommandLine.ArgGroup
import picocli.CommandLine.Command
import picocli.CommandLine.Option

import java.nio.charset.StandardCharsets
import java.nio.file.Files
import java.nio.file.NoSuchFileException
import java.nio.file.Path
import java.util.concurrent.Callable

@CompileStatic
@Command(name = 'tdx', mixinStandardHelpOptions = true,
        description = ['Predict MRTD and RTMR0..3 of a QEMU/KVM TD booted with an OVMF/TDVF firmware and a UKI or kernel.',
                'A register whose inputs this build cannot compute is reported as such, never guessed.'])
class MeasureTdxCommand implements Callable<Integer> {
    @Option(names = '--firmware', required = true, paramLabel = 'OVMF.fd', description = 'combined OVMF/TDVF image as the TD loads it')
    Path firmware

    static class Boot {
        @Option(names = '--uki', paramLabel = 'X.efi', description = 'UKI booted directly')
        Path uki
        @Option(names = '--kernel', paramLabel = 'K', description = 'kernel (bzImage) booted directly')
        Path kernel
    }

    @ArgGroup(exclusive = true)
    Boot boot

    @Option(names = '--initrd', paramLabel = 'I', description = 'initrd (with --kernel)')
    Path initrd

    @Option(names = '--cmdline', paramLabel = 'S', description = 'kernel command line (with --kernel)')
    String cmdline

    @Option(names = '--cpus', paramLabel = 'N', description = 'vCPUs (default 1; affects the ACPI tables only)')
    int cpus = 1

    @Option(names = '--memory', paramLabel = 'SIZE', description = 'RAM, e.g. 2G, 2048M (default 2G)')
    String memory = '2G'

    @Option(names = '--disks', paramLabel = 'N', description = 'virtio disks (affects the ACPI tables only)')
    int disks = 0

    @Option(names = '--profile', paramLabel = 'P', description = 'host stack (default qemu-10; see: sealwright measure profiles)')
    String profile = 'qemu-10'

    @Option(names = '--secure-boot', paramLabel = 'absent|0|1', description = 'override the profile\'s SecureBoot variable measurement')
    String secureBoot

    @Option(names = '--acpi', paramLabel = 'DIR', description = 'directory with the fw_cfg blobs table-loader, rsdp, tables captured from the target')
    Path acpi

    @Option(names = '--json', description = 'print JSON: mrtd, rtmr0..rtmr3, missing, events')
    boolean json

    @Option(names = '--eventlog', paramLabel = 'OUT.json', description = 'write the predicted events (input of eventlog diff)')
    Path eventlog

    @Override
    Integer call() {
        if ((initrd != null || cmdline != null) && boot?.kernel == null)
            throw new RecipeException('--initrd and --cmdline go with --kernel (a UKI carries its own)')
        def p = TdxProfile.named(profile)
        if (secureBoot != null) p = p.withSecureBoot(TdxProfile.SecureBootMeasurement.parse(secureBoot))
        def blobs = acpi == null ? null : new TdxInputs.AcpiBlobs(read(acpi.resolve('table-loader')), read(acpi.resolve('rsdp')), read(acpi.resolve('tables')))
        def kernelFile = boot?.uki ?: boot?.kernel
        def inputs = new TdxInputs(read(firmware), firmware.toString(), MemorySize.parse(memory), cpus, blobs,
                kernelFile == null ? null : read(kernelFile), kernelFile?.toString(), boot?.uki != null, initrd == null ? null : read(initrd), cmdline, p, null)
        def prediction = TdxPrediction.predict(inputs)
        def doc = TdxPredictionJson.document(prediction, p)
        if (eventlog != null) AtomicFiles.write(eventlog, Json.pretty(doc).getBytes(StandardCharsets.UTF_8))
        if (json) {
            print Json.pretty(doc)
            return Main.OK
        }
        println "profile  ${p.name()}"
        println "mrtd     ${prediction.mrtdHex()}"
        for (int i = 0; i < 4; i++) {
            def v = prediction.rtmrHex(i)
            println "rtmr${i}    ${v ?: 'not computed: ' + prediction.missing()[i].join('; ')}"
        }
        Main.OK
    }

    static byte[] read(Path file) {
        try {
            Files.readAllBytes(file)
        } catch (NoSuchFileException ignored) {
            throw new RecipeException("${file}: no such file")
        } catch (IOException e) {
            throw new RecipeException("${file}: cannot read: ${e.message}")
        }
    }
}
