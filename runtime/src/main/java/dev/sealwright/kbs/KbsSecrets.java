package dev.sealwright.kbs;

import dev.sealwright.base.InputFiles;
import com.fasterxml.jackson.databind.JsonNode;
import dev.sealwright.base.Json;
import dev.sealwright.base.RecipeException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The secrets the broker may release: a JSON object mapping resource names to values, as cczoo's
 * ra-server {@code secret.json} ({@code {"luksKey": "..."}}: the UTF-8 bytes of the string), or
 * {@code {"name": {"base64": "..."}}} for binary keys. The file must be mode 0600 (or stricter):
 * a group- or world-readable secrets file is refused before anything is read. Values are never
 * printed; {@link #toString()} lists only names.
 */
public final class KbsSecrets {
    private final Map<String, byte[]> values;

    private KbsSecrets(Map<String, byte[]> values) {
        this.values = values;
    }

    /** A secrets JSON file. */
    public static final InputFiles.Bound FILE_BOUND = new InputFiles.Bound("a secrets file", 1 << 20);

    public static KbsSecrets read(Path file) {
        Set<PosixFilePermission> perms;
        InputFiles.requireFile(file, "secrets file");
        try {
            perms = Files.getPosixFilePermissions(file);
        } catch (java.nio.file.NoSuchFileException e) {
            throw new RecipeException(file + ": no such secrets file");
        } catch (IOException e) {
            throw new RecipeException(file + ": cannot stat: " + e.getMessage());
        }
        var loose = new java.util.HashSet<>(perms);
        loose.removeAll(Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE));
        if (!loose.isEmpty()) {
            throw new RecipeException(file + ": secrets file has mode " + PosixFilePermissions.toString(perms)
                    + "; it must be 0600 (chmod 600 " + file + ")");
        }
        JsonNode root;
        byte[] text = InputFiles.read(file, FILE_BOUND);
        try {
            root = Json.MAPPER.readTree(text);
        } catch (IOException e) {
            // Jackson messages may quote file content: say only where it broke.
            String where = e instanceof com.fasterxml.jackson.core.JsonProcessingException j && j.getLocation() != null
                    ? " at line " + j.getLocation().getLineNr() + ", column " + j.getLocation().getColumnNr() : "";
            throw new RecipeException(file + ": not valid JSON" + where);
        } finally {
            java.util.Arrays.fill(text, (byte) 0);
        }
        if (root == null || !root.isObject() || root.isEmpty()) {
            throw new RecipeException(file + ": secrets must be a non-empty JSON object {\"resource\": \"value\", ...}");
        }
        var values = new LinkedHashMap<String, byte[]>();
        for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
            var e = it.next();
            JsonNode v = e.getValue();
            if (v.isTextual()) {
                values.put(e.getKey(), v.asText().getBytes(StandardCharsets.UTF_8));
            } else if (v.isObject() && v.size() == 1 && v.has("base64") && v.get("base64").isTextual()) {
                try {
                    values.put(e.getKey(), Base64.getDecoder().decode(v.get("base64").asText()));
                } catch (IllegalArgumentException x) {
                    throw new RecipeException(file + ": \"" + e.getKey() + "\".base64 is not valid base64");
                }
            } else {
                throw new RecipeException(file + ": \"" + e.getKey() + "\" must be a string or {\"base64\": \"...\"}");
            }
        }
        return new KbsSecrets(Map.copyOf(values));
    }

    public boolean has(String resource) {
        return values.containsKey(resource);
    }

    /** The secret bytes; callers must not log them. */
    public byte[] value(String resource) {
        byte[] v = values.get(resource);
        return v == null ? null : v.clone();
    }

    public Set<String> names() {
        return values.keySet();
    }

    @Override
    public String toString() {
        return "KbsSecrets" + values.keySet();
    }
}
