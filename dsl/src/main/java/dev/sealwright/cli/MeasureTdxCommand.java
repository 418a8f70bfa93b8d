package dev.sealwright.cli;

import dev.sealwright.base.AtomicFiles;
import dev.sealwright.measure.capture.CapturedProfile;
import dev.sealwright.measure.tdx.TdxMeasurement;
import dev.sealwright.measure.tdx.TdxPrediction;
import dev.sealwright.measure.tdx.TdxProfile;
import dev.sealwright.vm.VmSpec;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/**
 * {@code sealwright measure tdx}: the VM is described by the launch verb's options ({@link VmOptions}),
 * read into the same {@link VmSpec}, so {@code launch} and {@code measure tdx} with the same flags
 * describe the same VM. A UKI given as {@code --kernel} is a direct UKI boot; {@code --uki} is the
 * launch verb's ESP boot (the GPT of the disk launch writes, or of {@code --boot-disk}).
 * Java, so that it starts without Groovy.
 */
@Command(name = "tdx", mixinStandardHelpOptions = true,
        description = {"Predict MRTD and RTMR0..3 of a QEMU/KVM TD booted with an OVMF/TDVF firmware and a kernel (--kernel K [--initrd I --cmdline S]),",
                "a UKI booted directly (--kernel X.efi) or a UKI booted from the ESP of a GPT disk (--uki X.efi [--boot-disk DISK]).",
                "The VM options are those of sealwright launch. A register whose inputs this build cannot compute is reported as such, never guessed."},
        footerHeading = "%nExamples:%n", footer = {"  sealwright measure tdx --firmware OVMF.fd --kernel vmlinuz --initrd initrd.img --cmdline \"console=ttyS0\" --json", "  sealwright measure tdx --firmware OVMF.fd --uki hello.efi --profile qemu-10 --eventlog predicted.json", "  sealwright measure profiles"})
public class MeasureTdxCommand implements Callable<Integer> {
    @ArgGroup(exclusive = false, heading = "VM options (shared with sealwright launch):%n")
    VmOptions vm = new VmOptions();

    @Option(names = "--disks", paramLabel = "N", description = "virtio data disks of the TD, each behind a PCIe root port as libvirt places them (ACPI tables; with --uki the ESP is an extra first disk, boot index 1)")
    Integer disks;

    @Option(names = "--profile", paramLabel = "P", description = "host stack (default " + TdxMeasurement.DEFAULT_PROFILE + "; see: sealwright measure profiles), or a profile FILE written by measure capture", completionCandidates = TdxProfileNames.class)
    String profile;

    @Option(names = "--secure-boot", paramLabel = "absent|0|1", description = "override the profile's SecureBoot variable measurement")
    String secureBoot;

    @Option(names = "--kernel-patch", paramLabel = "all|linux|none", description = "override which images the host's QEMU patches the header of (a backport of \"only patch linux kernels\")")
    String kernelPatch;

    @Option(names = "--boot-disk", paramLabel = "DISK", description = "with --uki: the disk image it boots from (default: the ESP disk sealwright launch writes for it)")
    Path bootDisk;

    @Option(names = "--acpi", paramLabel = "DIR", description = "directory with the fw_cfg blobs table-loader, rsdp, tables captured from the target (default: built for the profile's QEMU and the VM shape)")
    Path acpi;

    @Option(names = "--stub-version", paramLabel = "N", description = "systemd-stub version of a UKI whose stub carries no .sdmagic")
    Integer stubVersion;

    @Mixin
    JsonOutput json;

    @Option(names = "--eventlog", paramLabel = "OUT.json", description = "write the predicted events (input of eventlog diff)")
    Path eventlog;

    @Mixin
    ForceOption overwrite;

    @Override
    public Integer call() throws IOException {
        overwrite.refuseExisting(eventlog);
        if (vm.kernel == null && vm.uki == null && (vm.initrd != null || vm.cmdline != null)) throw new UsageException("--initrd and --cmdline go with --kernel");
        if (vm.firmware == null) throw new UsageException("measure tdx needs --firmware (the combined OVMF.fd a TD loads)");
        if (acpi != null && profile != null && CapturedProfile.isFile(profile))
            throw new UsageException("--acpi and a captured --profile FILE both give the ACPI tables; pass one");
        TdxMeasurement.Result r = TdxMeasurement.run(new TdxMeasurement.Request(vm.firmware, vm.vars, vm.kernel, vm.initrd, vm.cmdline, vm.uki, bootDisk,
                vm.cpus, vm.memory, vm.tee, profile, secureBoot, kernelPatch, disks, acpi, stubVersion));
        if (eventlog != null) AtomicFiles.write(eventlog, r.json());
        if (json.wanted()) {
            json.print(r.document());       // pretty: the bytes of expected.json (schema docs/schemas/measure-tdx.schema.json)
            return Main.OK;
        }
        TdxProfile p = r.profile();
        TdxPrediction prediction = r.prediction();
        CapturedProfile captured = r.captured();
        System.out.println("profile  " + (captured != null ? p.name() + " with the tables of " + profile + " (" + captured.qemu() + ", " + captured.machine() + ")" : p.name()));
        System.out.println("mrtd     " + prediction.mrtdHex());
        for (int i = 0; i < 4; i++) {
            String v = prediction.rtmrHex(i);
            System.out.println("rtmr" + i + "    " + (v != null && !v.isEmpty() ? v : "not computed: " + String.join("; ", prediction.missing().get(i))));
        }
        return Main.OK;
    }
}
