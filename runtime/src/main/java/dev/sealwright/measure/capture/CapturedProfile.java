package dev.sealwright.measure.capture;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sealwright.base.InputFiles;
import dev.sealwright.base.Json;
import dev.sealwright.base.RecipeException;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A host stack captured by {@code sealwright measure capture}: the fw_cfg ACPI blobs (and boot
 * variables) a host's own QEMU served for one VM shape, plus the named profile whose other,
 * non-ACPI settings apply. {@code measure tdx --profile FILE} reads it; it predicts only that shape.
 *
 * @param base         the named TDX profile for everything but the ACPI tables
 * @param qemu         the first line of {@code qemu-system-x86_64 --version} on the capture host
 * @param machine      the machine type the tables were captured with
 * @param firmware     SHA-256 of the firmware (code) file the capture VM ran
 * @param efiVariables BootOrder and Boot#### as read from efivarfs (4 attribute bytes, then the data)
 */
public record CapturedProfile(String base, String qemu, String machine, String firmware, int cpus, long memoryMiB, int disks,
                              byte[] tableLoader, byte[] rsdp, byte[] tables, Map<String, byte[]> efiVariables) {
    public static final String FORMAT = "sealwright-captured-profile/1";
    private static final InputFiles.Bound BOUND = new InputFiles.Bound("a captured profile", 4 << 20);

    /** True when a --profile value names a file rather than a built-in profile (it has a '/' or ends in .json). */
    public static boolean isFile(String profile) {
        return profile.contains("/") || profile.endsWith(".json");
    }

    public String toJson() {
        ObjectNode o = Json.MAPPER.createObjectNode();
        o.put("format", FORMAT).put("base", base).put("qemu", qemu).put("machine", machine).put("firmware-sha256", firmware);
        o.putObject("shape").put("cpus", cpus).put("memory-mib", memoryMiB).put("disks", disks).put("nics", 1);
        Base64.Encoder b64 = Base64.getEncoder();
        o.putObject("fw_cfg").put("etc/table-loader", b64.encodeToString(tableLoader)).put("etc/acpi/rsdp", b64.encodeToString(rsdp))
                .put("etc/acpi/tables", b64.encodeToString(tables));
        ObjectNode vars = o.putObject("efi-variables");
        efiVariables.forEach((k, v) -> vars.put(k, b64.encodeToString(v)));
        return Json.pretty(o);
    }

    public static CapturedProfile read(Path file) {
        String src = file.toString();
        JsonNode n = Json.tree(InputFiles.read(file, BOUND), src);
        if (!FORMAT.equals(n.path("format").asText())) throw new RecipeException(src + ": not a captured profile (format is not " + FORMAT + ")");
        JsonNode shape = n.path("shape"), fw = n.path("fw_cfg");
        Map<String, byte[]> vars = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = n.path("efi-variables").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            vars.put(e.getKey(), bytes(e.getValue(), src, "efi-variables." + e.getKey()));
        }
        return new CapturedProfile(text(n, "base", src), text(n, "qemu", src), text(n, "machine", src), text(n, "firmware-sha256", src),
                number(shape, "cpus", src), number(shape, "memory-mib", src), number(shape, "disks", src),
                bytes(fw.path("etc/table-loader"), src, "fw_cfg.etc/table-loader"), bytes(fw.path("etc/acpi/rsdp"), src, "fw_cfg.etc/acpi/rsdp"),
                bytes(fw.path("etc/acpi/tables"), src, "fw_cfg.etc/acpi/tables"), vars);
    }

    /** Refuses, in one line, a VM whose shape differs from the captured one (the tables would not be its tables). */
    public void requireShape(int cpus, long memoryMiB, int disks, String source) {
        if (cpus != this.cpus || memoryMiB != this.memoryMiB || disks != this.disks)
            throw new RecipeException(source + ": tables captured for " + this.cpus + " vCPUs, " + this.memoryMiB + " MiB, " + this.disks
                    + " disks; the VM has " + cpus + " vCPUs, " + memoryMiB + " MiB, " + disks + " disks (capture that shape)");
    }

    private static String text(JsonNode n, String field, String src) {
        JsonNode v = n.path(field);
        if (!v.isTextual()) throw new RecipeException(src + ": missing text field '" + field + "'");
        return v.asText();
    }

    private static int number(JsonNode n, String field, String src) {
        JsonNode v = n.path(field);
        if (!v.canConvertToInt() || v.asInt() < 0) throw new RecipeException(src + ": shape." + field + " must be a non-negative integer");
        return v.asInt();
    }

    private static byte[] bytes(JsonNode v, String src, String field) {
        try {
            if (!v.isTextual()) throw new IllegalArgumentException("missing");
            return Base64.getDecoder().decode(v.asText().getBytes(StandardCharsets.US_ASCII));
        } catch (IllegalArgumentException e) {
            throw new RecipeException(src + ": " + field + " is not base64 (" + e.getMessage() + ")");
        }
    }
}
