package dev.sealwright.measure.capture;

import dev.sealwright.base.RecipeException;
import dev.sealwright.image.uki.UkiBuilder;
import dev.sealwright.tools.Tools;
import dev.sealwright.vm.HostCapabilities;
import dev.sealwright.vm.VmHandle;
import dev.sealwright.vm.VmSpec;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * Boots the vTPM VM shape {@code sealwright launch --vtpm} boots (OVMF pflash code + a fresh vars copy,
 * an swtpm TPM 2.0, the same {@link VmSpec} and launcher, {@link VmHandle}) with a capture guest, and
 * returns the firmware's TCG2 log as the guest reads it from
 * {@code /sys/kernel/security/tpm0/binary_bios_measurements}: the guest prints it base64 on the serial
 * console between two marker lines and powers off. For an ESP boot the guest is a UKI (systemd-stub,
 * the kernel, the capture initramfs) on the ESP launch writes; for a direct boot the kernel and
 * initramfs are given with -kernel/-initrd. No device is added: what OVMF logged for PCR 0 and 1 is
 * that of the shape.
 */
public final class TpmLogCapture {
    private TpmLogCapture() {}

    static final String BEGIN = "SW-TPMLOG-BEGIN", END = "SW-TPMLOG-END";
    private static final String CMDLINE = "quiet panic=-1";

    /**
     * @param tools   their search path picks qemu-system-x86_64 and swtpm
     * @param esp     boot a UKI from the ESP (else a direct kernel boot)
     * @param stub    systemd-stub, for the ESP boot's UKI
     * @param busybox a static busybox
     */
    public record Request(Tools tools, Path code, Path vars, int cpus, long memoryMiB, boolean esp, Path vmlinuz, Path stub, Path busybox,
                          Path work, Duration timeout) {}

    /** The guest's log (all events) and the QEMU argv it ran under. */
    public record Result(byte[] log, List<String> argv) {}

    public static Result run(Request r) throws IOException, InterruptedException {
        Files.createDirectories(r.work());
        Path initrd = r.work().resolve("tpmlog-initrd.img");
        writeInitramfs(r.busybox(), initrd);
        VmSpec.Builder b = VmSpec.builder().firmware(r.code()).vars(r.vars()).vtpm(true).cpus(r.cpus()).memoryMiB(r.memoryMiB());
        if (r.esp()) {
            Path uki = r.work().resolve("capture.efi");
            Files.write(uki, UkiBuilder.build(new UkiBuilder.Parts(Files.readAllBytes(r.stub()), Files.readAllBytes(r.vmlinuz()), Files.readAllBytes(initrd),
                    CMDLINE, "capture", "ID=sealwright-capture\n"), r.stub().toString()));
            b.uki(uki);
        } else {
            b.kernel(r.vmlinuz()).initrd(initrd).cmdline(CMDLINE);
        }
        VmHandle vm = VmHandle.launch(b.build(), r.tools(), HostCapabilities.detect(r.tools()), r.work().resolve("run"), null);
        try {
            int exit = vm.waitForExit(r.timeout());
            List<String> lines = vm.console().stream().map(String::strip).toList();
            int begin = 0, end = lines.indexOf(END);
            while (begin < lines.size() && !lines.get(begin).endsWith(BEGIN)) begin++;   // OVMF's console escapes may precede it on its line
            if (exit != 0 || end <= begin + 1)
                throw new RecipeException("measure capture --vtpm: the guest printed no TPM log (QEMU exit " + exit + "); last console line: "
                        + (lines.isEmpty() ? "(no output)" : lines.get(lines.size() - 1)));
            return new Result(Base64.getMimeDecoder().decode(String.join("\n", lines.subList(begin + 1, end))), vm.argv());
        } finally {
            vm.close();
        }
    }

    /** busybox and an init that mounts securityfs and prints the TPM log (the Debian kernel has the TPM CRB/TIS drivers built in). */
    static void writeInitramfs(Path busybox, Path out) throws IOException {
        CaptureInitramfs.write(busybox, Map.of(), "tpmlog-init", READS, out);
    }

    private static final String READS = """
            $B mount -t securityfs securityfs /sys/kernel/security
            echo 1 > /proc/sys/kernel/printk
            exec > /dev/ttyS0 2>&1
            echo %s
            $B base64 /sys/kernel/security/tpm0/binary_bios_measurements
            echo %s
            $B poweroff -f
            """.formatted(BEGIN, END);
}
