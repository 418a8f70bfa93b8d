package dev.sealwright.cli;

import dev.sealwright.base.AtomicFiles;
import dev.sealwright.base.RecipeException;
import dev.sealwright.measure.snp.ByteValues;
import dev.sealwright.measure.snp.LaunchMeasurement;
import dev.sealwright.measure.snp.SnpMeasurement;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * sev-snp-measure equivalent: {@code sealwright measure snp --ovmf OVMF.fd --vcpus 4 --vcpu-type EPYC-v4 ...}; the options go
 * into {@link SnpMeasurement.Request}, which the measure.snp step builds too (defaults there). Java, so that it starts without Groovy.
 */
@Command(name = "snp", mixinStandardHelpOptions = true,
        description = {"Predict the launch digest of an SEV-SNP (or SEV-ES / SEV) guest, as sev-snp-measure does.",
                "Modes: snp (SHA-384), snp:ovmf-hash (firmware pages only), snp:svsm (Coconut SVSM), seves and sev (SHA-256)."},
        footer = {"", "Example: sealwright measure snp --ovmf OVMF.fd --vcpus 4 --vcpu-type EPYC-v4 --kernel vmlinuz --initrd initrd.img --append \"console=ttyS0\""})
public class MeasureSnpCommand implements Callable<Integer> {
    @Option(names = "--mode", paramLabel = "MODE", description = "snp | snp:ovmf-hash | snp:svsm | seves | sev (default: " + SnpMeasurement.DEFAULT_MODE + ")")
    String mode;

    @Option(names = "--ovmf", required = true, paramLabel = "FILE", description = "the firmware exactly as given to QEMU (-bios); .gz is decompressed")
    Path ovmf;

    @Option(names = "--ovmf-hash", paramLabel = "HEX", description = "precomputed OVMF hash (mode snp) used instead of hashing the firmware pages")
    String ovmfHash;

    @Option(names = "--vcpus", paramLabel = "N", description = "number of boot vCPUs (-smp N; default: 1)")
    Integer vcpus;

    @Option(names = "--vcpu-type", paramLabel = "CPU", description = "QEMU -cpu model, e.g. EPYC-v4, EPYC-Milan, EPYC-Genoa (default: " + SnpMeasurement.DEFAULT_VCPU_TYPE + " where the signature is measured)")
    String vcpuType;

    @Option(names = "--vcpu-sig", paramLabel = "VALUE", description = "vCPU signature (CPUID(1).EAX) instead of --vcpu-type")
    String vcpuSig;

    @Option(names = "--vcpu-family", paramLabel = "N", description = "vCPU family (with --vcpu-model and --vcpu-stepping)")
    Integer vcpuFamily;

    @Option(names = "--vcpu-model", paramLabel = "N", description = "vCPU model, with --vcpu-family (default: 0)")
    Integer vcpuModel;

    @Option(names = "--vcpu-stepping", paramLabel = "N", description = "vCPU stepping, with --vcpu-family (default: 0)")
    Integer vcpuStepping;

    @Option(names = "--vmm-type", paramLabel = "VMM", description = "QEMU | ec2 | ec2-legacy | gce (default: " + SnpMeasurement.DEFAULT_VMM + ")")
    String vmmType;

    @Option(names = "--kernel", paramLabel = "FILE", description = "kernel for measured direct boot (QEMU kernel-hashes=on)")
    Path kernel;

    @Option(names = "--initrd", paramLabel = "FILE", description = "initrd measured with --kernel (QEMU -initrd)")
    Path initrd;

    @Option(names = "--append", paramLabel = "CMDLINE", description = "kernel command line measured with --kernel (QEMU -append)")
    String append;

    @Option(names = "--guest-features", paramLabel = "HEX", description = "VMSA SEV_FEATURES (default 0x1; 0x21 for hosts with debug_swap)")
    String guestFeatures;

    @Option(names = "--host-kernel", paramLabel = "VERSION",
            description = "host kernel version: 6.10 or later (KVM_SEV_INIT2) sets MXCSR/FCW in QEMU VMSAs (default " + SnpMeasurement.DEFAULT_HOST_KERNEL + ")")
    String hostKernel;

    @Option(names = "--svsm", paramLabel = "FILE", description = "Coconut SVSM image (mode snp:svsm)")
    Path svsm;

    @Option(names = "--vars-size", paramLabel = "BYTES", description = "OVMF vars size (mode snp:svsm)")
    Long varsSize;

    @Option(names = "--vars-file", paramLabel = "FILE", description = "OVMF vars file, for its size (mode snp:svsm)")
    Path varsFile;

    @Option(names = "--output-format", paramLabel = "FORMAT", defaultValue = "hex", description = "hex | base64 | json (json adds every stage and VMSA hash; same as --json)")
    String outputFormat;

    @Mixin
    JsonOutput json;

    @Option(names = "--dump-vmsa", paramLabel = "DIR", description = "write the measured VMSA pages as DIR/vmsa<N>.bin")
    Path dumpVmsa;

    @Override
    public Integer call() throws IOException {
        String format = json.wanted() ? "json" : outputFormat;
        if (!List.of("hex", "base64", "json").contains(format)) throw new RecipeException("unknown output format '" + format + "' (known: hex, base64, json)");
        LaunchMeasurement m = SnpMeasurement.run(new SnpMeasurement.Request(mode, ovmf, ovmfHash, vcpus, vcpuType,
                vcpuSig == null ? null : ByteValues.number("--vcpu-sig", vcpuSig), vcpuFamily, vcpuModel, vcpuStepping, vmmType,
                kernel, initrd, append, guestFeatures == null ? null : ByteValues.number("--guest-features", guestFeatures), hostKernel,
                svsm, varsSize, varsFile));
        if (dumpVmsa != null) {
            for (int i = 0; i < m.vmsaPages().size(); i++) AtomicFiles.write(dumpVmsa.resolve("vmsa" + i + ".bin"), m.vmsaPages().get(i));
        }
        if (json.wanted()) json.print(m.toMap());       // schema docs/schemas/measure-snp.schema.json
        else if (format.equals("json")) {
            System.out.write(SnpMeasurement.json(m));
            System.out.flush();
        } else System.out.println(m.format(format));
        return Main.OK;
    }
}
