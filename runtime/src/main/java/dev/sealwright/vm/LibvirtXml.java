package dev.sealwright.vm;

import dev.sealwright.disk.format.DiskFormat;
import dev.sealwright.base.RecipeException;

import java.nio.file.Path;
import java.util.List;

/**
 * The libvirt domain XML equivalent to a {@link VmSpec}, for users who deploy with libvirt (as the
 * Canonical TDX stack does with {@code tdvirsh}). Port forwards have no libvirt element for QEMU
 * user networking, so they are passed through {@code <qemu:commandline>} as the Canonical
 * {@code trust_domain.xml.template} does. TEE elements follow libvirt's formatdomain
 * {@code <launchSecurity type='tdx'|'sev-snp'>}.
 */
public final class LibvirtXml {
    private LibvirtXml() {}

    /**
     * @param name     domain name
     * @param emulator QEMU binary path
     * @param kvm      domain type kvm (else qemu, i.e. TCG)
     * @param espImage ESP disk for UKI boot (written next to the XML by the caller)
     */
    public static String write(VmSpec spec, String name, String emulator, boolean kvm, String espImage) {
        if (spec.tpmState() != null)
            throw new RecipeException("libvirt: tpmState is not supported (libvirt keeps the domain's swtpm state itself); launch with a local QEMU");
        StringBuilder x = new StringBuilder();
        boolean tee = spec.tee() != Tee.NONE;
        boolean qemuArgs = spec.nics() > 0;
        x.append("<domain type='").append(kvm || tee ? "kvm" : "qemu").append("'")
                .append(qemuArgs ? " xmlns:qemu='http://libvirt.org/schemas/domain/qemu/1.0'" : "").append(">\n");
        line(x, 1, "<name>" + esc(name) + "</name>");
        line(x, 1, "<memory unit='MiB'>" + spec.memoryMiB() + "</memory>");
        if (spec.tee() == Tee.TDX) {
            line(x, 1, "<memoryBacking>");
            line(x, 2, "<source type='anonymous'/>");
            line(x, 2, "<access mode='private'/>");
            line(x, 1, "</memoryBacking>");
        } else if (spec.tee() == Tee.SNP) {
            line(x, 1, "<memoryBacking>");
            line(x, 2, "<source type='memfd'/>");
            line(x, 2, "<access mode='shared'/>");
            line(x, 1, "</memoryBacking>");
        }
        line(x, 1, "<vcpu placement='static'>" + spec.cpus() + "</vcpu>");
        line(x, 1, "<os>");
        line(x, 2, "<type arch='x86_64' machine='q35'>hvm</type>");
        if (spec.pflash()) {
            line(x, 2, "<loader readonly='yes' type='pflash'>" + esc(spec.firmware()) + "</loader>");
            line(x, 2, "<nvram template='" + esc(spec.vars()) + "'/>");
        } else {
            line(x, 2, "<loader readonly='yes' type='rom'>" + esc(spec.firmware()) + "</loader>");
        }
        if (spec.boot() == VmSpec.Boot.DIRECT) {
            line(x, 2, "<kernel>" + esc(spec.kernel()) + "</kernel>");
            if (spec.initrd() != null) line(x, 2, "<initrd>" + esc(spec.initrd()) + "</initrd>");
            if (spec.cmdline() != null) line(x, 2, "<cmdline>" + esc(spec.cmdline()) + "</cmdline>");
        } else {
            line(x, 2, "<boot dev='hd'/>");
        }
        line(x, 1, "</os>");
        line(x, 1, "<features>");
        line(x, 2, "<acpi/>");
        line(x, 2, "<apic/>");
        if (spec.tee() == Tee.TDX) line(x, 2, "<ioapic driver='qemu'/>");
        line(x, 1, "</features>");
        if (spec.tee() == Tee.SNP) {
            line(x, 1, "<cpu mode='custom' match='exact' check='none'>");
            line(x, 2, "<model fallback='forbid'>" + esc(spec.snp().cpuModel()) + "</model>");
            line(x, 1, "</cpu>");
        } else if (kvm || tee) {
            line(x, 1, "<cpu mode='host-passthrough'/>");
        }
        if (spec.tee() == Tee.TDX) {
            line(x, 1, "<clock offset='utc'>");
            line(x, 2, "<timer name='hpet' present='no'/>");
            line(x, 1, "</clock>");
        }
        line(x, 1, "<on_poweroff>destroy</on_poweroff>");
        line(x, 1, "<on_reboot>destroy</on_reboot>");
        line(x, 1, "<on_crash>destroy</on_crash>");
        line(x, 1, "<devices>");
        line(x, 2, "<emulator>" + esc(emulator) + "</emulator>");
        char dev = 'a';
        if (spec.boot() == VmSpec.Boot.UKI) disk(x, espImage, "raw", "vd" + dev++, true);
        if (spec.boot() == VmSpec.Boot.DISK) disk(x, spec.bootDisk(), DiskFormat.detect(Path.of(spec.bootDisk())).qemuDriver(), "vd" + dev++, false);
        for (String d : spec.disks()) disk(x, d, d.endsWith(".qcow2") ? "qcow2" : "raw", "vd" + dev++, false);
        line(x, 2, "<serial type='pty'>");
        line(x, 3, "<target port='0'/>");
        line(x, 2, "</serial>");
        line(x, 2, "<console type='pty'>");
        line(x, 3, "<target type='serial' port='0'/>");
        line(x, 2, "</console>");
        if (spec.vtpm()) {
            line(x, 2, "<tpm model='" + spec.tpmDevice().qemuDevice + "'>");
            line(x, 3, "<backend type='emulator' version='2.0'/>");
            line(x, 2, "</tpm>");
        }
        line(x, 1, "</devices>");
        if (spec.tee() == Tee.TDX) tdx(x, spec.tdx());
        if (spec.tee() == Tee.SNP) snp(x, spec);
        if (qemuArgs) {
            line(x, 1, "<qemu:commandline>");
            List<String> argv = QemuCommandLine.build(spec, emulator, new QemuVersion(0, 0, 0), "kvm", new VmRunDir(java.nio.file.Path.of("/")));
            int slot = 0x10; // libvirt fills pcie.0 from slot 1 (root ports) and uses 0x1f: the NICs it does not know get slots of their own
            for (int i = 0; i < argv.size(); i++) {
                boolean nic = argv.get(i).equals("-device") && argv.get(i + 1).startsWith("virtio-net-pci");
                if (argv.get(i).equals("-netdev") || nic) {
                    line(x, 2, "<qemu:arg value='" + esc(argv.get(i)) + "'/>");
                    line(x, 2, "<qemu:arg value='" + esc(argv.get(i + 1) + (nic ? String.format(",bus=pcie.0,addr=0x%x", slot++) : "")) + "'/>");
                }
            }
            line(x, 1, "</qemu:commandline>");
        }
        x.append("</domain>\n");
        return x.toString();
    }

    private static void disk(StringBuilder x, String file, String format, String target, boolean readonly) {
        line(x, 2, "<disk type='file' device='disk'>");
        line(x, 3, "<driver name='qemu' type='" + format + "'/>");
        line(x, 3, "<source file='" + esc(file) + "'/>");
        line(x, 3, "<target dev='" + target + "' bus='virtio'/>");
        line(x, 3, readonly ? "<readonly/>" : "<transient/>");   // as -snapshot on a local launch: the guest's writes are discarded
        line(x, 2, "</disk>");
    }

    private static void tdx(StringBuilder x, TdxOptions o) {
        line(x, 1, "<launchSecurity type='tdx'>");
        var qgs = o.socketAddress();
        if (qgs != null) {
            line(x, 2, "<quoteGenerationService>");
            StringBuilder a = new StringBuilder("<SocketAddress");
            qgs.forEach((k, v) -> a.append(' ').append(k).append("='").append(esc(v)).append("'"));
            line(x, 3, a.append("/>").toString());
            line(x, 2, "</quoteGenerationService>");
        }
        line(x, 1, "</launchSecurity>");
    }

    private static void snp(StringBuilder x, VmSpec spec) {
        SnpOptions o = spec.snp();
        boolean hashes = o.kernelHashes() != null ? o.kernelHashes() : spec.boot() == VmSpec.Boot.DIRECT;
        line(x, 1, "<launchSecurity type='sev-snp' kernelHashes='" + (hashes ? "yes" : "no") + "' authorKey='"
                + (o.authorKeyEnabled() ? "yes" : "no") + "'>");
        line(x, 2, "<cbitpos>" + o.cbitpos() + "</cbitpos>");
        line(x, 2, "<reducedPhysBits>" + o.reducedPhysBits() + "</reducedPhysBits>");
        line(x, 2, "<policy>" + String.format("0x%08x", o.policy()) + "</policy>");
        if (o.idBlock() != null) line(x, 2, "<idBlock>" + o.idBlock() + "</idBlock>");
        if (o.idAuth() != null) line(x, 2, "<idAuth>" + o.idAuth() + "</idAuth>");
        if (o.hostData() != null) line(x, 2, "<hostData>" + o.hostData() + "</hostData>");
        line(x, 1, "</launchSecurity>");
    }

    private static void line(StringBuilder x, int indent, String s) {
        x.append("  ".repeat(indent)).append(s).append('\n');
    }

    static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("'", "&apos;").replace("\"", "&quot;");
    }
}
