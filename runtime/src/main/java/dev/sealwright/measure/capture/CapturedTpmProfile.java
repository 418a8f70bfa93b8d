package dev.sealwright.measure.capture;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sealwright.base.InputFiles;
import dev.sealwright.base.Json;
import dev.sealwright.base.RecipeException;
import dev.sealwright.measure.event.BootEvent;
import dev.sealwright.measure.event.EventLog;
import dev.sealwright.measure.event.LogKind;
import dev.sealwright.measure.event.Tcg2EventLogCodec;
import dev.sealwright.vm.QemuVersion;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;

/**
 * The firmware's PCR 0 and 1 events of a vTPM VM shape, captured by {@code sealwright measure capture
 * --vtpm} from the guest's TCG2 log (read inside the guest from
 * {@code /sys/kernel/security/tpm0/binary_bios_measurements}), with the shape they hold for.
 * {@code measure vtpm --profile FILE} takes PCR 0 and 1 from it and predicts everything else.
 *
 * @param qemu     the first line of {@code qemu-system-x86_64 --version} on the capture host
 * @param firmware SHA-256 of the OVMF code file the capture VM ran
 * @param vars     SHA-256 of the vars template the capture VM started from (a fresh copy of it): PCR 1's boot
 *                 options and, in SMM builds, PCR 0's MemoryTypeInformation come from it
 * @param boot     {@code esp} (a UKI booted from the ESP launch writes) or {@code direct} (-kernel)
 * @param log      a TCG2 log: the guest log's Spec ID header and its PCR 0 and 1 events, in log order
 */
public record CapturedTpmProfile(String qemu, String firmware, String vars, int cpus, long memoryMiB, String boot, byte[] log) {
    public static final String FORMAT = "sealwright-captured-vtpm/2";
    public static final List<String> BOOTS = List.of("esp", "direct");
    private static final InputFiles.Bound BOUND = new InputFiles.Bound("a captured vTPM profile", 4 << 20);

    /** Keeps only the PCR 0 and 1 events of a guest's TCG2 log (the rest belongs to the capture's own UKI). */
    public static byte[] pcr01(byte[] guestLog, String source) {
        EventLog l = Tcg2EventLogCodec.read(guestLog, source, LogKind.TPM_EVENT_LOG);
        List<BootEvent> kept = l.events().stream().filter(e -> e.index() == 0 || e.index() == 1).toList();
        if (kept.stream().noneMatch(e -> e.index() == 0) || kept.stream().noneMatch(e -> e.index() == 1))
            throw new RecipeException(source + ": the guest's TPM log has no PCR 0 or no PCR 1 events");
        return Tcg2EventLogCodec.write(new EventLog(l.kind(), l.algorithms(), l.header(), kept));
    }

    /** The stored events as a TPM event log. */
    public EventLog eventLog(String source) {
        return Tcg2EventLogCodec.read(log, source + " (log)", LogKind.TPM_EVENT_LOG);
    }

    public String toJson() {
        ObjectNode o = Json.MAPPER.createObjectNode();
        o.put("format", FORMAT).put("qemu", qemu).put("firmware-sha256", firmware).put("vars-sha256", vars);
        o.putObject("shape").put("cpus", cpus).put("memory-mib", memoryMiB).put("boot", boot);
        o.put("pcr01-log", Base64.getEncoder().encodeToString(log));
        return Json.pretty(o);
    }

    /** Reads a profile file; anything but this format is refused in one line. */
    public static CapturedTpmProfile read(Path file) {
        String src = file.toString();
        JsonNode n = Json.tree(InputFiles.read(file, BOUND), src);
        if (!FORMAT.equals(n.path("format").asText()))
            throw new RecipeException(src + ": not a captured vTPM profile (format is not " + FORMAT + "; write one with measure capture --vtpm"
                    + (n.path("format").asText().equals("sealwright-captured-vtpm/1") ? ": version 1 did not record the vars template" : "") + ")");
        JsonNode shape = n.path("shape");
        String boot = shape.path("boot").asText();
        if (!BOOTS.contains(boot)) throw new RecipeException(src + ": shape.boot must be esp or direct, not '" + boot + "'");
        JsonNode cpus = shape.path("cpus"), mem = shape.path("memory-mib"), qemu = n.path("qemu"), fw = n.path("firmware-sha256"), vars = n.path("vars-sha256"),
                log = n.path("pcr01-log");
        if (!cpus.canConvertToInt() || cpus.asInt() < 1 || !mem.canConvertToLong() || mem.asLong() < 1)
            throw new RecipeException(src + ": shape.cpus and shape.memory-mib must be positive integers");
        if (!qemu.isTextual() || !isSha256(fw) || !isSha256(vars) || !log.isTextual())
            throw new RecipeException(src + ": needs text fields qemu, firmware-sha256 and vars-sha256 (64 hex digits each) and pcr01-log");
        try {
            QemuVersion.parse(qemu.asText());
        } catch (RecipeException e) {
            throw new RecipeException(src + ": qemu: " + e.getMessage());
        }
        byte[] bytes;
        try {
            bytes = Base64.getDecoder().decode(log.asText().getBytes(StandardCharsets.US_ASCII));
        } catch (IllegalArgumentException e) {
            throw new RecipeException(src + ": pcr01-log is not base64 (" + e.getMessage() + ")");
        }
        return new CapturedTpmProfile(qemu.asText(), fw.asText(), vars.asText(), cpus.asInt(), mem.asLong(), boot, bytes);
    }

    private static boolean isSha256(JsonNode n) {
        return n.isTextual() && n.asText().matches("[0-9a-f]{64}");
    }

    /**
     * Refuses, in one line, a VM whose PCR 0/1 would differ from the captured ones: another firmware code,
     * shape or boot, another vars template, or another QEMU release (compared as major.minor.micro: PCR 0
     * holds what QEMU offers the firmware, e.g. S3, and the memory map).
     */
    public void requireShape(String firmwareSha256, String varsSha256, String varsName, QemuVersion qemuVersion, int cpus, long memoryMiB, String boot,
                             String source) {
        if (!firmwareSha256.equals(firmware) || cpus != this.cpus || memoryMiB != this.memoryMiB || !boot.equals(this.boot))
            throw new RecipeException(source + ": PCR 0/1 captured for firmware " + firmware.substring(0, 12) + ", " + this.cpus + " vCPUs, " + this.memoryMiB
                    + " MiB, " + this.boot + " boot; the VM has firmware " + firmwareSha256.substring(0, 12) + ", " + cpus + " vCPUs, " + memoryMiB + " MiB, "
                    + boot + " boot (capture that shape)");
        if (!varsSha256.equals(vars))
            throw new RecipeException(source + ": PCR 0/1 captured with the vars template " + vars.substring(0, 12) + "; the VM starts from " + varsName
                    + " (" + varsSha256.substring(0, 12) + ") (capture with that template)");
        QemuVersion captured = QemuVersion.parse(qemu);
        if (captured.compareTo(qemuVersion) != 0)
            throw new RecipeException(source + ": PCR 0/1 captured on QEMU " + captured + " (" + qemu + "); the VM's QEMU is " + qemuVersion
                    + " (capture on that QEMU, or give its version with --qemu-version)");
    }
}
