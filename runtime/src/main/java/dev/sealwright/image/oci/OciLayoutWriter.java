package dev.sealwright.image.oci;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sealwright.base.AtomicFiles;
import dev.sealwright.files.ReproducibleTar;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * Writes a single-layer linux/amd64 OCI image layout (image-spec v1.1) from a directory tree,
 * reproducibly: the layer is a {@link ReproducibleTar}, JSON is written in a fixed field order.
 * Used to make {@code samples/images/hello} from the static hello helper without any registry.
 */
public final class OciLayoutWriter {
    private static final ObjectMapper JSON = new ObjectMapper();

    private OciLayoutWriter() {}

    public static void write(Path rootfs, ImageConfig config, String tag, Path layout) throws IOException {
        ByteArrayOutputStream layer = new ByteArrayOutputStream();
        ReproducibleTar.writeTarGz(rootfs, 0, layer);
        byte[] layerGz = layer.toByteArray();
        byte[] layerTar;
        try (var in = new GzipCompressorInputStream(new ByteArrayInputStream(layerGz))) {
            layerTar = in.readAllBytes();
        }
        ObjectNode cfg = JSON.createObjectNode();
        cfg.put("architecture", "amd64");
        cfg.put("os", "linux");
        ObjectNode c = cfg.putObject("config");
        strings(c.putArray("Entrypoint"), config.entrypoint());
        if (!config.cmd().isEmpty()) strings(c.putArray("Cmd"), config.cmd());
        strings(c.putArray("Env"), config.env());
        if (!config.workingDir().isEmpty()) c.put("WorkingDir", config.workingDir());
        if (!config.user().isEmpty()) c.put("User", config.user());
        ObjectNode rootfsNode = cfg.putObject("rootfs");
        rootfsNode.put("type", "layers");
        rootfsNode.putArray("diff_ids").add("sha256:" + sha256(layerTar));
        byte[] cfgBytes = JSON.writeValueAsBytes(cfg);

        ObjectNode manifest = JSON.createObjectNode();
        manifest.put("schemaVersion", 2);
        manifest.put("mediaType", "application/vnd.oci.image.manifest.v1+json");
        manifest.set("config", descriptor("application/vnd.oci.image.config.v1+json", cfgBytes));
        manifest.putArray("layers").add(descriptor("application/vnd.oci.image.layer.v1.tar+gzip", layerGz));
        byte[] manifestBytes = JSON.writeValueAsBytes(manifest);

        ObjectNode index = JSON.createObjectNode();
        index.put("schemaVersion", 2);
        index.put("mediaType", "application/vnd.oci.image.index.v1+json");
        ObjectNode md = descriptor("application/vnd.oci.image.manifest.v1+json", manifestBytes);
        md.putObject("annotations").put("org.opencontainers.image.ref.name", tag);
        index.putArray("manifests").add(md);

        Files.createDirectories(layout.resolve("blobs/sha256"));
        for (byte[] blob : List.of(layerGz, cfgBytes, manifestBytes)) AtomicFiles.write(layout.resolve("blobs/sha256/" + sha256(blob)), blob);
        AtomicFiles.write(layout.resolve("oci-layout"), "{\"imageLayoutVersion\":\"1.0.0\"}".getBytes(StandardCharsets.UTF_8));
        AtomicFiles.write(layout.resolve("index.json"), JSON.writeValueAsBytes(index));
    }

    private static ObjectNode descriptor(String mediaType, byte[] content) {
        ObjectNode d = JSON.createObjectNode();
        d.put("mediaType", mediaType);
        d.put("digest", "sha256:" + sha256(content));
        d.put("size", content.length);
        return d;
    }

    private static void strings(ArrayNode a, List<String> values) {
        values.forEach(a::add);
    }

    static String sha256(byte[] b) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
