package dev.sealwright.image.oci;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.List;

/** The parts of an OCI/Docker image config that decide how the workload runs. */
public record ImageConfig(List<String> entrypoint, List<String> cmd, List<String> env, String workingDir, String user) {
    public static final ImageConfig EMPTY = new ImageConfig(List.of(), List.of(), List.of(), "", "");

    /** Reads the {@code config} object of an image config JSON (absent fields → empty). */
    public static ImageConfig fromJson(JsonNode root) {
        JsonNode c = root.path("config");
        return new ImageConfig(strings(c.path("Entrypoint")), strings(c.path("Cmd")), strings(c.path("Env")),
                c.path("WorkingDir").asText(""), c.path("User").asText(""));
    }

    /** Entrypoint followed by Cmd, as a container runtime would start it. */
    public List<String> argv() {
        List<String> a = new ArrayList<>(entrypoint);
        a.addAll(cmd);
        return a;
    }

    private static List<String> strings(JsonNode n) {
        List<String> out = new ArrayList<>();
        if (n.isArray()) n.forEach(x -> out.add(x.asText()));
        return out;
    }
}
