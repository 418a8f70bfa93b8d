package dev.sealwright.cli

import dev.sealwright.base.InputFiles
import dev.sealwright.image.pe.PeFile
import dev.sealwright.base.AtomicFiles
import dev.sealwright.base.Json
import dev.sealwright.base.RecipeException
import dev.sealwright.disk.gpt.EspFiles
import dev.sealwright.measure.vtpm.ShimChain
import dev.sealwright.tools.Tools
import dev.sealwright.measure.event.EventLogFiles
import dev.sealwright.measure.event.LogKind
import dev.sealwright.measure.vtpm.TpmBootEvents
import dev.sealwright.measure.vtpm.VtpmInputs
import dev.sealwright.measure.vtpm.VtpmPrediction
import dev.sealwright.measure.vtpm.VtpmPredictionJson
import dev.sealwright.measure.vtpm.VtpmVariables
import dev.sealwright.uefi.FirmwareBuild
import dev.sealwright.vm.VmSpec
import groovy.transform.CompileStatic
import picocli.CommandLine.ArgGroup
import picocli.CommandLine.Command
import picocli.CommandLine.Mixin
import picocli.CommandLine.Option

import java.nio.charset.StandardCharsets
import java.nio.file.Path
import java.util.concurrent.Callable

@CompileStatic
@Command(name = 'vtpm', mixinStandardHelpOptions = true,
        description = ['Predict the vTPM PCRs 0-15 (sha256 and sha384) of a QEMU + OVMF + swtpm VM booting a systemd-stub UKI, or shim -> GRUB -> kernel, from its ESP.',
                'A PCR whose events this build cannot compute is reported as such, never guessed.'],
        footerHeading = '%nExamples:%n', footer = ['  sealwright measure vtpm --firmware-code /usr/share/OVMF/OVMF_CODE_4M.fd --firmware-vars /usr/share/OVMF/OVMF_VARS_4M.fd --uki hello.efi --json'])
class MeasureVtpmCommand implements Callable<Integer> {
    @Option(names = '--firmware-code', required = true, paramLabel = 'F', description = 'OVMF code file (e.g. /usr/share/OVMF/OVMF_CODE_4M.fd); checked against --secure-boot')
    Path firmwareCode

    static class Variables {
        @Option(names = '--firmware-vars', paramLabel = 'V', description = 'OVMF vars file the VM starts from (PK, KEK, db, dbx)')
        Path vars
        @Option(names = '--uefi-config', paramLabel = 'J', description = 'uefi-config.json (encrypt-cloud-image) with PK, KEK, db, dbx')
        Path uefiConfig
    }

    @ArgGroup(exclusive = true, multiplicity = '1')
    Variables variables

    static class Boot {
        @Option(names = '--uki', paramLabel = 'X.efi', description = 'the UKI booted as \\EFI\\BOOT\\BOOTX64.EFI')
        Path uki
        @Option(names = '--esp-chain', description = 'predict the shim -> GRUB -> kernel chain on the ESP of --boot-disk (shim as \\EFI\\BOOT\\BOOTX64.EFI, grubx64.efi, \\EFI\\debian\\grub.cfg; requires --secure-boot)')
        boolean espChain
    }

    @ArgGroup(exclusive = true, multiplicity = '1')
    Boot boot

    @Option(names = '--secure-boot', description = 'Secure Boot is enforced (SecureBoot=1; the db entry that verifies the UKI is measured)')
    boolean secureBoot

    @Option(names = '--boot-disk', paramLabel = 'DISK', description = 'the boot disk image holding the ESP (its GPT is measured into PCR 5; default: the disk sealwright launch writes for the UKI, unless --reference-log)')
    Path bootDisk

    @Option(names = '--reference-log', paramLabel = 'LOG', description = 'TPM event log captured from the same firmware and VM configuration: its PCR 0 and 1 (and without --boot-disk 5) events are used as they are instead of computed')
    Path referenceLog

    @Option(names = '--memory', paramLabel = 'SIZE', defaultValue = '512M', description = 'the VM\'s memory, as for launch (PCR 0: OVMF keeps its memory layout in PEIFV; default: ${DEFAULT-VALUE})')
    String memory

    @Option(names = '--cpus', paramLabel = 'N', defaultValue = '1', description = 'the VM\'s vCPUs, as for launch (PCR 0; default: ${DEFAULT-VALUE})')
    int cpus

    @Option(names = '--json', description = 'print JSON: sha256 and sha384 PCR values, missing, events')
    boolean json

    @Option(names = '--eventlog', paramLabel = 'OUT.json', description = 'write the prediction with its events (input of eventlog diff)')
    Path eventlog

    @Mixin
    ForceOption overwrite

    @Override
    Integer call() {
        overwrite.refuseExisting(eventlog)
        def vars = variables.vars != null ? VtpmVariables.fromVarsFile(variables.vars) : VtpmVariables.fromUefiConfig(variables.uefiConfig)
        vars.check(firmwareCode, secureBoot)
        def firmware = FirmwareBuild.identify(firmwareCode)
        def ref = referenceLog == null ? null : EventLogFiles.read(referenceLog, LogKind.TPM_EVENT_LOG)
        if (ref != null && ref.kind() != LogKind.TPM_EVENT_LOG) throw new RecipeException("${referenceLog}: is a CC event log, not a TPM event log")
        VtpmInputs inputs
        if (boot.espChain) {
            if (bootDisk == null) throw new UsageException('--esp-chain needs --boot-disk DISK (the disk whose ESP holds the chain)')
            if (!secureBoot) throw new UsageException('--esp-chain: the shim chain is modelled with Secure Boot enforced only; add --secure-boot')
            def chain = ShimChain.fromEsp(EspFiles.open(bootDisk, new Tools()))
            inputs = VtpmInputs.shimChain(chain, vars.config(), vars.source(), VtpmInputs.BootGpt.of(bootDisk, ref, 0, null), ref, referenceLog?.toString())
        } else {
            Path uki = boot.uki
            byte[] ukiBytes = InputFiles.read(uki, PeFile.FILE_BOUND)
            inputs = new VtpmInputs(ukiBytes, uki.toString(), vars.config(), vars.source(), secureBoot,
                    VtpmInputs.BootGpt.of(bootDisk, ref, ukiBytes.length, uki), ref, referenceLog?.toString(), firmware)
        }
        if (cpus < 1 || cpus > 255) throw new UsageException("--cpus ${cpus}: not in 1..255")
        def platform = new VtpmInputs.Platform(InputFiles.read(firmwareCode, FirmwareBuild.FILE_BOUND), firmwareCode.toString(),
                VmSpec.parseMemory(memory) << 20, cpus, vars)
        def prediction = VtpmPrediction.predict(inputs.withPlatform(platform))
        def doc = VtpmPredictionJson.document(prediction)
        if (eventlog != null) AtomicFiles.write(eventlog, Json.pretty(doc).getBytes(StandardCharsets.UTF_8))
        if (json) {
            print Json.pretty(doc)
            return Main.OK
        }
        for (def alg : TpmBootEvents.BANKS) {
            println alg.label()
            for (int i = 0; i < VtpmPrediction.PCRS; i++) {
                def v = prediction.pcrHex(i, alg)
                println "  ${String.valueOf(i).padLeft(2)}  ${v ?: 'not computed: ' + prediction.missing()[i].join('; ')}"
            }
        }
        Main.OK
    }
}
