package dev.sealwright.measure.event;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.sealwright.base.InputFiles;
import dev.sealwright.base.Json;
import dev.sealwright.base.RecipeException;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/** Reads an event list from a file: binary TCG2/CCEL log, or sealwright JSON (log dump or prediction). */
public final class EventLogFiles {
    private EventLogFiles() {}

    /** A CCEL or TCG2 log (the ACPI LAML of a boot is at most a few MiB) or its JSON form. */
    public static final InputFiles.Bound FILE_BOUND = new InputFiles.Bound("an event log", 16 << 20);

    public static EventLog read(Path file, LogKind kind) {
        byte[] bytes = InputFiles.read(file, FILE_BOUND);
        int i = 0;
        while (i < bytes.length && Character.isWhitespace(bytes[i])) i++;
        if (i < bytes.length && bytes[i] == '{') {
            Map<String, Object> doc;
            try {
                doc = Json.MAPPER.readValue(bytes, new TypeReference<Map<String, Object>>() {});
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new RecipeException(file + ": " + Json.describe(e));
            } catch (IOException e) {
                throw new RecipeException(file + ": cannot read: " + e.getMessage());
            }
            return EventJson.read(doc, file.toString());
        }
        return Tcg2EventLogCodec.read(bytes, file.toString(), kind);
    }
}
