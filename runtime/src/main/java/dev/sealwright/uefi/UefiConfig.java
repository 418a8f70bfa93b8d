package dev.sealwright.uefi;

import dev.sealwright.base.InputFiles;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sealwright.base.Json;
import dev.sealwright.base.RecipeException;
import java.nio.file.Path;
import java.util.Base64;

/**
 * encrypt-cloud-image's uefi-config.json: {"PK", "KEK", "db", "dbx": standard base64 of the raw variable
 * payload (concatenated EFI_SIGNATURE_LISTs, no authentication header), "omitsReadyToBootEvent": bool}.
 * An absent variable is {@code null} (a Go nil []byte).
 */
public record UefiConfig(byte[] pk, byte[] kek, byte[] db, byte[] dbx, boolean omitsReadyToBootEvent) {
    /** PK, KEK (global variable GUID), db and dbx (image security database GUID) from a variable store. */
    public static UefiConfig fromVariableStore(VariableStore store, boolean omitsReadyToBootEvent) {
        return new UefiConfig(data(store, EfiGuid.GLOBAL_VARIABLE, "PK"), data(store, EfiGuid.GLOBAL_VARIABLE, "KEK"),
                data(store, EfiGuid.IMAGE_SECURITY_DATABASE, "db"), data(store, EfiGuid.IMAGE_SECURITY_DATABASE, "dbx"),
                omitsReadyToBootEvent);
    }

    private static byte[] data(VariableStore store, java.util.UUID vendor, String name) {
        return store.find(vendor, name).map(VariableStore.Variable::data).orElse(null);
    }

    public ObjectNode toJson() {
        ObjectNode o = Json.MAPPER.createObjectNode();
        put(o, "PK", pk);
        put(o, "KEK", kek);
        put(o, "db", db);
        put(o, "dbx", dbx);
        o.put("omitsReadyToBootEvent", omitsReadyToBootEvent);
        return o;
    }

    private static void put(ObjectNode o, String field, byte[] value) {
        if (value == null) o.putNull(field);
        else o.put(field, Base64.getEncoder().encodeToString(value));
    }

    /** uefi-config.json: four base64 signature lists (a large dbx is a few hundred KiB). */
    public static final InputFiles.Bound FILE_BOUND = new InputFiles.Bound("a uefi-config.json", 16 << 20);

    public static UefiConfig read(Path file) {
        JsonNode o = Json.tree(InputFiles.read(file, FILE_BOUND), file.toString());
        if (o == null || !o.isObject()) throw new RecipeException(file + ": expected a JSON object with PK, KEK, db, dbx");
        UefiConfig c = new UefiConfig(field(o, "PK", file), field(o, "KEK", file), field(o, "db", file), field(o, "dbx", file),
                o.path("omitsReadyToBootEvent").asBoolean(false));
        for (String name : new String[] {"PK", "KEK", "db", "dbx"}) {
            byte[] v = field(o, name, file);
            if (v != null) SignatureList.readAll(v, file + " " + name);
        }
        return c;
    }

    private static byte[] field(JsonNode o, String name, Path file) {
        JsonNode v = o.get(name);
        if (v == null || v.isNull()) return null;
        try {
            return Base64.getDecoder().decode(v.asText());
        } catch (IllegalArgumentException e) {
            throw new RecipeException(file + ": " + name + " is not base64");
        }
    }
}
