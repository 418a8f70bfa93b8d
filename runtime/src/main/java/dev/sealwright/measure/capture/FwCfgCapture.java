package dev.sealwright.measure.capture;

import dev.sealwright.base.RecipeException;
import dev.sealwright.image.kernel.ModuleClosure;
import dev.sealwright.tools.Tools;
import dev.sealwright.vm.MachineTopology;
import dev.sealwright.vm.QemuCommandLine;
import dev.sealwright.vm.QemuVersion;
import dev.sealwright.vm.VmRunDir;
import dev.sealwright.vm.VmSpec;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Boots a VM shape on a host's own QEMU (TCG or KVM, no TEE) with a packed capture initramfs and
 * reads back what OVMF measured from fw_cfg: the init (busybox) loads qemu_fw_cfg and the virtio-net
 * driver (and efivarfs), reads {@code /sys/firmware/qemu_fw_cfg/by_name/etc/{table-loader,acpi/rsdp,acpi/tables}/raw}
 * and the BootOrder/Boot#### variables from efivarfs, and sends them over the shape's own NIC to a
 * QEMU {@code guestfwd} command that writes them to a file: no device is added, so the tables are
 * those of the shape. The devices are placed by launch's own argv ({@link QemuCommandLine} for the
 * {@link MachineTopology}); the disks are blank scratch images.
 */
public final class FwCfgCapture {
    private FwCfgCapture() {}

    /** The guest's address for the guestfwd sink (outside slirp's DHCP range, inside its 10.0.2.0/24). */
    private static final String SINK = "10.0.2.100:9";
    private static final List<String> MODULES = List.of("qemu_fw_cfg", "virtio_net", "efivarfs");
    static final String LOADER = "etc/table-loader", RSDP = "etc/acpi/rsdp", TABLES = "etc/acpi/tables";

    /**
     * @param qemu      qemu-system-x86_64 of the host (or a private prefix's)
     * @param qemuData  extra firmware/ROM directory (-L), or null
     * @param firmware  OVMF: a combined image (-bios) when {@code vars} is null, else the pflash code
     * @param vars      pflash vars template (copied), or null
     * @param machine   machine type, e.g. pc-q35-10.0
     * @param accel     tcg or kvm
     * @param vmlinuz   kernel booted with -kernel
     * @param modules   that kernel's lib/modules/RELEASE (modules.dep, the .ko.xz files)
     * @param busybox   a static busybox
     * @param work      scratch directory (initramfs, disks, dump, QEMU log)
     */
    public record Request(Path qemu, Path qemuData, Path firmware, Path vars, String machine, String accel, int cpus, long memoryMiB,
                          int disks, Path vmlinuz, Path modules, Path busybox, Path work, Duration timeout) {}

    /** What the guest read: fw_cfg files and EFI variables (name → bytes, efivarfs layout: 4 attribute bytes first). */
    public record Result(byte[] tableLoader, byte[] rsdp, byte[] tables, Map<String, byte[]> efiVariables, List<String> argv) {}

    public static Result run(Request r) throws IOException {
        Files.createDirectories(r.work());
        Path initrd = r.work().resolve("capture-initrd.img");
        writeInitramfs(r.busybox(), r.modules(), initrd);
        VmSpec.Builder b = VmSpec.builder().firmware(r.firmware()).kernel(r.vmlinuz()).initrd(initrd).cpus(r.cpus()).memoryMiB(r.memoryMiB())
                .tee("tdx").nics(1).topology(MachineTopology.ubuntu2404Td(r.disks()));
        for (int i = 0; i < r.disks(); i++) {
            Path d = r.work().resolve("disk" + i + ".img");
            Files.write(d, new byte[1 << 20]);
            b.disk(d);
        }
        Path dump = r.work().resolve("fw_cfg.dump");
        Files.deleteIfExists(dump);
        List<String> argv = argv(r, b.build(), dump);
        Path log = r.work().resolve("qemu.log");
        Process p = new ProcessBuilder(argv).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            if (!p.waitFor(r.timeout().toSeconds(), TimeUnit.SECONDS)) {
                Tools.destroyTree(p);
                throw new RecipeException("measure capture: the capture VM did not power off within " + r.timeout().toSeconds() + " s (QEMU log: " + log + ")");
            }
        } catch (InterruptedException e) {
            Tools.destroyTree(p);
            Thread.currentThread().interrupt();
            throw new RecipeException("measure capture: interrupted");
        }
        if (p.exitValue() != 0) throw new RecipeException("measure capture: " + r.qemu() + " exited " + p.exitValue() + ": " + lastLine(log));
        if (!Files.isRegularFile(dump)) throw new RecipeException("measure capture: the guest sent nothing (QEMU log: " + log + ")");
        Map<String, byte[]> records = parse(Files.readAllBytes(dump), dump);
        byte[] loader = records.remove(LOADER), rsdp = records.remove(RSDP), tables = records.remove(TABLES);
        if (loader == null || rsdp == null || tables == null)
            throw new RecipeException("measure capture: " + dump + " lacks " + (loader == null ? LOADER : rsdp == null ? RSDP : TABLES) + " (was qemu_fw_cfg loaded?)");
        Map<String, byte[]> vars = new LinkedHashMap<>();
        records.forEach((k, v) -> vars.put(k.substring(k.indexOf('/') + 1), v));
        return new Result(loader, rsdp, tables, vars, argv);
    }

    /** The argv: launch's -global/-device/-drive placement of the TD topology, with a TCG/KVM machine of the given type and the guestfwd sink. */
    static List<String> argv(Request r, VmSpec spec, Path dump) {
        if (dump.toString().contains(",") || dump.toString().contains(" ")) throw new RecipeException("measure capture: work directory " + r.work() + " must not contain ',' or spaces");
        // only the device placement is taken from launch's argv (the TDX dialect the version picks is dropped with -object/-machine)
        List<String> launch = QemuCommandLine.build(spec, r.qemu().toString(), QemuVersion.parse("10.0.0"), r.accel(), new VmRunDir(r.work()));
        List<String> a = new ArrayList<>(List.of(r.qemu().toString()));
        if (r.qemuData() != null) a.addAll(List.of("-L", r.qemuData().toString()));
        a.addAll(List.of("-machine", spec.topology().machineArg("smm=off").replace("pc-q35-8.2", r.machine()), "-accel", r.accel(),
                "-nodefaults", "-no-user-config", "-display", "none", "-monitor", "none", "-no-reboot"));
        if (r.vars() == null) {
            a.addAll(List.of("-bios", r.firmware().toString()));
        } else {
            a.addAll(List.of("-drive", "if=pflash,format=raw,unit=0,readonly=on,file=" + r.firmware(),
                    "-drive", "if=pflash,format=raw,unit=1,snapshot=on,file=" + r.vars()));
        }
        for (int i = 1; i < launch.size() - 1; i++) {
            String o = launch.get(i), v = launch.get(i + 1);
            if (o.equals("-netdev")) a.addAll(List.of(o, v + ",restrict=on,guestfwd=tcp:" + SINK + "-cmd:dd of=" + dump + " status=none"));
            else if (List.of("-global", "-device", "-drive", "-smp", "-m", "-kernel", "-initrd").contains(o) && !v.startsWith("if=pflash")) a.addAll(List.of(o, v));
            else continue;
            i++;
        }
        a.addAll(List.of("-append", "panic=-1 quiet maxcpus=1"));   // the guest needs no APs; OVMF has built the tables by then
        return a;
    }

    /** Records "NAME SIZE\n" + SIZE bytes, ended by "end 0\n". */
    static Map<String, byte[]> parse(byte[] dump, Path where) {
        Map<String, byte[]> out = new LinkedHashMap<>();
        int at = 0;
        while (true) {
            int nl = at;
            while (nl < dump.length && dump[nl] != '\n') nl++;
            if (nl >= dump.length) throw new RecipeException("measure capture: " + where + " is truncated at byte " + at + " (the guest powered off before QEMU wrote everything?)");
            String[] head = new String(dump, at, nl - at, StandardCharsets.US_ASCII).split(" ");
            if (head.length != 2 || !head[1].matches("\\d{1,9}")) throw new RecipeException("measure capture: " + where + ": bad record header at byte " + at);
            int n = Integer.parseInt(head[1]);
            if (head[0].equals("end")) return out;
            if (nl + 1 + n > dump.length) throw new RecipeException("measure capture: " + where + " is truncated in " + head[0]);
            out.put(head[0], Arrays.copyOfRange(dump, nl + 1, nl + 1 + n));
            at = nl + 1 + n;
        }
    }

    /** busybox, the two drivers and their dependencies (kept xz-compressed: busybox insmod unpacks them), and the init script. */
    static void writeInitramfs(Path busybox, Path modules, Path out) throws IOException {
        List<String> order = ModuleClosure.resolve(modules, MODULES);
        Map<String, Path> files = new LinkedHashMap<>();
        StringBuilder insmod = new StringBuilder();
        for (int i = 0; i < order.size(); i++) {
            Path ko = modules.resolve(order.get(i));
            String name = "m/" + i + "-" + ko.getFileName();
            files.put(name, ko);
            insmod.append("$B insmod /").append(name).append(" 2>/dev/null\n");
        }
        CaptureInitramfs.write(busybox, files, "capture-init", READS.replace("@INSMOD@\n", insmod), out);
    }

    private static final String READS = """
            @INSMOD@
            $B mount -t efivarfs efivarfs /sys/firmware/efi/efivars 2>/dev/null
            $B ifconfig eth0 10.0.2.15 netmask 255.255.255.0 up
            F=/sys/firmware/qemu_fw_cfg/by_name
            : > /out
            for f in etc/table-loader etc/acpi/rsdp etc/acpi/tables; do
              [ -r $F/$f/raw ] && { echo "$f $($B cat $F/$f/size)" >> /out; $B cat $F/$f/raw >> /out; }
            done
            for v in /sys/firmware/efi/efivars/BootOrder-* /sys/firmware/efi/efivars/Boot[0-9A-F][0-9A-F][0-9A-F][0-9A-F]-*; do
              [ -r "$v" ] && { echo "efivar/${v##*/} $($B stat -c %s $v)" >> /out; $B cat $v >> /out; }
            done
            echo "end 0" >> /out
            $B nc 10.0.2.100 9 < /out
            $B sleep 2
            $B poweroff -f
            """;

    private static String lastLine(Path log) {
        try {
            List<String> l = Files.readAllLines(log);
            return l.isEmpty() ? "(no output)" : l.get(l.size() - 1);
        } catch (IOException e) {
            return "(no log)";
        }
    }
}
