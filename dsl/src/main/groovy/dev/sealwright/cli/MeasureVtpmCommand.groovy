package dev.sealwright.cli

import dev.sealwright.base.AtomicFiles
import dev.sealwright.tools.Tools
import dev.sealwright.measure.vtpm.TpmBootEvents
import dev.sealwright.measure.vtpm.VtpmMeasurement
import dev.sealwright.measure.vtpm.VtpmPrediction
import groovy.transform.CompileStatic
import picocli.CommandLine.ArgGroup
import picocli.CommandLine.Command
import picocli.CommandLine.Mixin
import picocli.CommandLine.Option

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

    @Option(names = '--boot-disk', paramLabel = 'DISK', description = 'the boot disk image (raw, fixed or dynamic VHD, qcow2) holding the ESP (its GPT is measured into PCR 5; default: the disk sealwright launch writes for the UKI, unless --reference-log)')
    Path bootDisk

    @Option(names = '--reference-log', paramLabel = 'LOG', description = 'TPM event log captured from the same firmware and VM configuration: its PCR 0 and 1 (and without --boot-disk 5) events are used as they are instead of computed')
    Path referenceLog

    @Option(names = '--profile', paramLabel = 'FILE.json', description = 'a captured vTPM profile (measure capture --vtpm): its PCR 0 and 1 events are used instead of computed ones (for its firmware, vars template, QEMU release, memory, vCPUs and an ESP boot only); everything else is predicted')
    Path profile

    @Option(names = '--qemu-version', paramLabel = 'V', description = 'with --profile: the release of the QEMU that runs the VM, e.g. 7.2.22 (default: that of qemu-system-x86_64 on PATH); it must be the captured one')
    String qemuVersion

    @Option(names = '--memory', paramLabel = 'SIZE', description = 'the VM\'s memory, as for launch (PCR 0: OVMF keeps its memory layout in PEIFV; default: launch\'s, 512M)')
    String memory

    @Option(names = '--cpus', paramLabel = 'N', description = 'the VM\'s vCPUs, as for launch (PCR 0; default: launch\'s, 1)')
    Integer cpus

    @Mixin
    JsonOutput json

    @Option(names = '--eventlog', paramLabel = 'OUT.json', description = 'write the prediction with its events (input of eventlog diff)')
    Path eventlog

    @Mixin
    ForceOption overwrite

    @Override
    Integer call() {
        overwrite.refuseExisting(eventlog)
        if (boot.espChain && bootDisk == null) throw new UsageException('--esp-chain needs --boot-disk DISK (the disk whose ESP holds the chain)')
        if (boot.espChain && !secureBoot) throw new UsageException('--esp-chain: the shim chain is modelled with Secure Boot enforced only; add --secure-boot')
        def r = VtpmMeasurement.run(new VtpmMeasurement.Request(firmwareCode, variables.vars, variables.uefiConfig, boot.uki, boot.espChain,
                secureBoot, bootDisk, referenceLog, profile, memory, cpus, qemuVersion), new Tools())
        if (eventlog != null) AtomicFiles.write(eventlog, r.json())
        if (json.wanted()) {
            json.print(r.document())        // pretty: the bytes of expected.json (schema docs/schemas/measure-vtpm.schema.json)
            return Main.OK
        }
        def prediction = r.prediction()
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
