package dev.sealwright.vm;

import dev.sealwright.disk.format.DiskFormat;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The exact QEMU argv for a {@link VmSpec}. Plain VMs: q35 + OVMF as pflash code + a per-VM copy of
 * the vars (or {@code -bios} for a single-file firmware), accelerated by KVM or TCG. TEE VMs:
 * <ul>
 * <li>TDX, in the dialect of the QEMU version ({@link QemuVersion#tdxDialect()}): {@link TdxDialect#CANONICAL_8_2}
 * (QEMU &lt; 9): {@code -object} tdx-guest JSON with quote-generation-socket,
 * {@code -machine q35,kernel_irqchip=split,confidential-guest-support=tdx,hpet=off}, {@code -bios};
 * {@link TdxDialect#UPSTREAM} (QEMU &gt;= 9): plus {@code -object memory-backend-ram} linked by
 * {@code memory-backend=}; no hpet=off.</li>
 * <li>SNP (upstream QEMU &gt;= 9.1 property names, qapi SevSnpGuestProperties): {@code sev-snp-guest}
 * with policy, cbitpos, reduced-phys-bits, kernel-hashes, id-block/id-auth/author-key-enabled,
 * host-data; memfd memory backend; {@code -bios}.</li>
 * </ul>
 */
public final class QemuCommandLine {
    private static final ObjectMapper COMPACT = new ObjectMapper();

    private QemuCommandLine() {}

    /**
     * @param qemu        program path or name put first in the argv
     * @param version     QEMU version the line is for (selects the TDX dialect)
     * @param accelerator "kvm" or "tcg" for plain VMs; TEE VMs always use kvm
     */
    public static List<String> build(VmSpec spec, String qemu, QemuVersion version, String accelerator, VmRunDir run) {
        List<String> a = new ArrayList<>();
        a.add(qemu);
        add(a, "-nodefaults", "-no-user-config", "-display", "none", "-monitor", "none", "-no-reboot");
        switch (spec.tee()) {
            case NONE -> plain(a, spec, accelerator, run);
            case TDX -> tdx(a, spec, version.tdxDialect());
            case SNP -> snp(a, spec);
        }
        add(a, "-smp", String.valueOf(spec.cpus()), "-m", spec.memoryMiB() + "M");
        if (spec.topology() != null) a.addAll(spec.topology().baseArgs());
        boot(a, spec, run);
        add(a, "-chardev", "file,id=serial0,path=" + run.serialLog(), "-serial", "chardev:serial0");
        add(a, "-qmp", "unix:" + run.qmpSocket() + ",server=on,wait=off");
        if (spec.vtpm()) {
            add(a, "-chardev", "socket,id=chrtpm,path=" + run.tpmSocket(),
                    "-tpmdev", "emulator,id=tpm0,chardev=chrtpm",
                    "-device", spec.tpmDevice().qemuDevice + ",tpmdev=tpm0");
        }
        for (int i = 0; i < spec.disks().size(); i++) {
            String f = spec.disks().get(i);
            String format = f.endsWith(".qcow2") ? "qcow2" : "raw";
            add(a, "-drive", "if=none,id=disk" + i + ",format=" + format + ",snapshot=on,file=" + f,
                    "-device", "virtio-blk-pci,drive=disk" + i + placement(spec, PciDevice.Kind.VIRTIO_BLK, i));
        }
        for (int i = 0; i < spec.nics(); i++) {
            StringBuilder net = new StringBuilder("user,id=net" + i);
            if (i == 0) for (PortForward f : spec.forwards()) net.append(',').append(f.hostfwd());
            add(a, "-netdev", net.toString(), "-device", "virtio-net-pci,netdev=net" + i + placement(spec, PciDevice.Kind.VIRTIO_NET, i));
        }
        return a;
    }

    private static String placement(VmSpec spec, PciDevice.Kind kind, int index) {
        return spec.topology() == null ? "" : spec.topology().placementOf(kind, index);
    }

    /** The -machine value: the topology's type and options when the spec has one, else q35; then the required options. */
    private static String machine(VmSpec spec, String... required) {
        if (spec.topology() != null) return spec.topology().machineArg(required);
        return "q35," + String.join(",", required);
    }

    private static void plain(List<String> a, VmSpec spec, String accelerator, VmRunDir run) {
        // Secure Boot builds of OVMF keep their variables in SMM: QEMU must give it SMM and a secure pflash
        boolean smm = spec.pflash() && FirmwareDescriptor.find(java.nio.file.Path.of(spec.firmware())).map(FirmwareDescriptor::requiresSmm).orElse(false);
        add(a, "-accel", accelerator, "-machine", smm ? "q35,smm=on" : "q35");
        if (smm) add(a, "-global", "driver=cfi.pflash01,property=secure,value=on");
        if (accelerator.equals("kvm")) add(a, "-cpu", "host");
        if (spec.pflash()) {
            add(a, "-drive", "if=pflash,format=raw,unit=0,readonly=on,file=" + spec.firmware(),
                    "-drive", "if=pflash,format=raw,unit=1,file=" + run.varsCopy());
        } else {
            add(a, "-bios", spec.firmware());
        }
    }

    private static void tdx(List<String> a, VmSpec spec, TdxDialect dialect) {
        add(a, "-accel", "kvm", "-cpu", "host");
        Map<String, Object> obj = new LinkedHashMap<>();
        obj.put("qom-type", "tdx-guest");
        obj.put("id", "tdx");
        Map<String, String> qgs = spec.tdx().socketAddress();
        if (qgs != null) obj.put("quote-generation-socket", qgs);
        add(a, "-object", json(obj));
        if (dialect == TdxDialect.CANONICAL_8_2) {
            add(a, "-machine", machine(spec, "kernel_irqchip=split", "confidential-guest-support=tdx", "hpet=off"));
        } else {
            add(a, "-object", "memory-backend-ram,id=mem0,size=" + spec.memoryMiB() + "M",
                    "-machine", machine(spec, "kernel_irqchip=split", "confidential-guest-support=tdx", "memory-backend=mem0"));
        }
        add(a, "-bios", spec.firmware());
    }

    private static void snp(List<String> a, VmSpec spec) {
        SnpOptions o = spec.snp();
        add(a, "-accel", "kvm", "-cpu", o.cpuModel(),
                "-machine", "q35,confidential-guest-support=sev0,memory-backend=ram1",
                "-object", "memory-backend-memfd,id=ram1,size=" + spec.memoryMiB() + "M,share=true,reserve=false");
        StringBuilder g = new StringBuilder("sev-snp-guest,id=sev0");
        g.append(",policy=0x").append(Long.toHexString(o.policy()));
        g.append(",cbitpos=").append(o.cbitpos());
        g.append(",reduced-phys-bits=").append(o.reducedPhysBits());
        boolean hashes = o.kernelHashes() != null ? o.kernelHashes() : spec.boot() == VmSpec.Boot.DIRECT;
        if (hashes) g.append(",kernel-hashes=on");
        if (o.idBlock() != null) g.append(",id-block=").append(o.idBlock());
        if (o.idAuth() != null) g.append(",id-auth=").append(o.idAuth());
        if (o.authorKeyEnabled()) g.append(",author-key-enabled=on");
        if (o.hostData() != null) g.append(",host-data=").append(o.hostData());
        add(a, "-object", g.toString(), "-bios", spec.firmware());
    }

    private static void boot(List<String> a, VmSpec spec, VmRunDir run) {
        if (spec.boot() == VmSpec.Boot.DIRECT) {
            add(a, "-kernel", spec.kernel());
            if (spec.initrd() != null) add(a, "-initrd", spec.initrd());
            if (spec.cmdline() != null) add(a, "-append", spec.cmdline());
        } else if (spec.boot() == VmSpec.Boot.DISK) {
            add(a, "-drive", "if=none,id=boot,format=" + DiskFormat.detect(Path.of(spec.bootDisk())).qemuDriver() + ",snapshot=on,file=" + spec.bootDisk(),
                    "-device", "virtio-blk-pci,drive=boot,bootindex=0");
        } else {
            add(a, "-drive", "if=none,id=esp,format=raw,readonly=on,file=" + run.espImage(),
                    "-device", "virtio-blk-pci,drive=esp,bootindex=0");
        }
    }

    private static String json(Object o) {
        try {
            return COMPACT.writeValueAsString(o);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void add(List<String> a, String... words) {
        a.addAll(List.of(words));
    }

    /** The argv as one shell-pasteable line (single-quoting words that need it). */
    public static String shellLine(List<String> argv) {
        StringBuilder sb = new StringBuilder();
        for (String w : argv) {
            if (sb.length() > 0) sb.append(' ');
            sb.append(w.matches("[A-Za-z0-9_./=:,+@%-]+") ? w : "'" + w.replace("'", "'\\''") + "'");
        }
        return sb.toString();
    }
}
