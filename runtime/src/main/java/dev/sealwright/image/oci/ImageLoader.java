package dev.sealwright.image.oci;

import dev.sealwright.base.Progress;
import dev.sealwright.base.ProgressInputStream;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sealwright.base.RecipeException;
import dev.sealwright.files.SafeExtractor;
import dev.sealwright.image.oci.FsTree.Node;
import dev.sealwright.tools.ToolFailedException;
import dev.sealwright.tools.Tools;
import com.github.luben.zstd.ZstdInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;

/** Reads a container image from any {@link ImageReference} into a root tree plus its run config. */
public final class ImageLoader {
    /** The flattened image. */
    public record Image(FsTree tree, ImageConfig config) {}

    private static final ObjectMapper JSON = new ObjectMapper();
    private final Path workDir;
    private final Tools tools;
    private final Consumer<String> log;
    private final Progress progress;

    /** {@code progress}: layer bytes read (as stored, compressed) of all the image's layers. */
    public ImageLoader(Path workDir, Tools tools, Consumer<String> log, Progress progress) {
        this.progress = progress;
        this.workDir = workDir;
        this.tools = tools;
        this.log = log;
    }

    public Image load(ImageReference ref) throws IOException {
        Path p = ref.path();
        return switch (ref.transport()) {
            case OCI -> loadOciLayout(p, ref.tag());
            case DOCKER_ARCHIVE -> loadDockerArchive(p);
            case DIR -> new Image(loadDirectory(p), ImageConfig.EMPTY);
            case DOCKER_DAEMON -> loadDockerDaemon(ref.location());
        };
    }

    /** OCI image layout: index.json → (image index →) manifest → config and layers, digests verified. */
    public Image loadOciLayout(Path layout, String tag) throws IOException {
        Path indexFile = layout.resolve("index.json");
        if (!Files.isRegularFile(layout.resolve("oci-layout")) || !Files.isRegularFile(indexFile))
            throw new RecipeException(layout + ": not an OCI image layout (no oci-layout / index.json)");
        JsonNode manifests = JSON.readTree(indexFile.toFile()).path("manifests");
        List<JsonNode> candidates = new ArrayList<>();
        manifests.forEach(m -> {
            String name = m.path("annotations").path("org.opencontainers.image.ref.name").asText(null);
            if (tag == null || tag.equals(name)) candidates.add(m);
        });
        if (candidates.isEmpty()) throw new RecipeException(layout + ": no manifest" + (tag == null ? "" : " tagged '" + tag + "'") + " in index.json");
        if (candidates.size() > 1) throw new RecipeException(layout + ": " + candidates.size() + " manifests in index.json; name one with oci:" + layout + ":TAG");
        JsonNode manifest = resolveManifest(layout, candidates.get(0));
        JsonNode config = JSON.readTree(readBlob(layout, manifest.path("config")));
        FsTree tree = new FsTree();
        LayerApplier applier = new LayerApplier(tree, workDir.resolve("blobs"), log);
        long total = 0, done = 0;
        for (JsonNode layer : manifest.path("layers")) total += layer.path("size").asLong();
        for (JsonNode layer : manifest.path("layers")) {
            String digest = layer.path("digest").asText();
            try (InputStream in = new ProgressInputStream(verifiedBlob(layout, layer), progress, done, total)) {
                applier.apply(decompress(in), layout + " layer " + shortDigest(digest));
            }
            done += layer.path("size").asLong();
        }
        return new Image(tree, ImageConfig.fromJson(config));
    }

    private JsonNode resolveManifest(Path layout, JsonNode descriptor) throws IOException {
        JsonNode m = JSON.readTree(readBlob(layout, descriptor));
        if (!m.has("manifests")) return m;
        for (JsonNode d : m.path("manifests")) {
            JsonNode plat = d.path("platform");
            if ("linux".equals(plat.path("os").asText()) && "amd64".equals(plat.path("architecture").asText())) return resolveManifest(layout, d);
        }
        throw new RecipeException(layout + ": image index has no linux/amd64 manifest");
    }

    private byte[] readBlob(Path layout, JsonNode descriptor) throws IOException {
        try (InputStream in = verifiedBlob(layout, descriptor)) {
            return in.readAllBytes();
        }
    }

    /** A blob stream that fails at end of stream if the content does not match its sha256 digest. */
    private InputStream verifiedBlob(Path layout, JsonNode descriptor) throws IOException {
        final String expected = descriptor.path("digest").asText("");
        String digest = expected;
        if (!digest.matches("sha256:[0-9a-f]{64}")) throw new RecipeException(layout + ": unsupported or malformed digest '" + digest + "'");
        Path blob = layout.resolve("blobs/sha256/" + digest.substring(7));
        if (!Files.isRegularFile(blob)) throw new RecipeException(layout + ": blob " + digest + " is missing");
        MessageDigest md = sha256();
        return new DigestInputStream(Files.newInputStream(blob), md) {
            private boolean checked, closed;
            @Override public int read(byte[] b, int off, int len) throws IOException {
                int n = super.read(b, off, len);
                if (n < 0) check();
                return n;
            }
            @Override public int read() throws IOException {
                int n = super.read();
                if (n < 0) check();
                return n;
            }
            private void check() {
                if (checked) return;
                checked = true;
                String got = HexFormat.of().formatHex(md.digest());
                if (!expected.substring(7).equals(got))
                    throw new RecipeException(layout + ": blob " + expected + " has sha256 " + got + " (corrupted or tampered)");
            }
            @Override public void close() throws IOException {
                if (closed) return;
                closed = true;
                byte[] rest = new byte[8192];
                while (read(rest, 0, rest.length) >= 0) { /* drain so the digest covers the whole blob */ }
                super.close();
            }
        };
    }

    /** docker save / docker-archive tarball: manifest.json → Config and Layers inside the tar. */
    public Image loadDockerArchive(Path archive) throws IOException {
        if (!Files.isRegularFile(archive)) throw new RecipeException(archive + ": docker-archive file not found");
        Path dir = Files.createTempDirectory(workDir, "docker-archive");
        try (InputStream in = Files.newInputStream(archive)) {
            new SafeExtractor(dir, archive.getFileName().toString(), log).extractTar(in);
        }
        Path manifestFile = dir.resolve("manifest.json");
        if (!Files.isRegularFile(manifestFile)) throw new RecipeException(archive + ": not a docker-archive (no manifest.json)");
        JsonNode manifests = JSON.readTree(manifestFile.toFile());
        if (!manifests.isArray() || manifests.size() != 1)
            throw new RecipeException(archive + ": docker-archive must hold exactly one image, found " + manifests.size());
        JsonNode m = manifests.get(0);
        JsonNode config = JSON.readTree(inside(dir, archive, m.path("Config").asText()).toFile());
        FsTree tree = new FsTree();
        LayerApplier applier = new LayerApplier(tree, workDir.resolve("blobs"), log);
        long total = 0, done = 0;
        for (JsonNode l : m.path("Layers")) total += Files.size(inside(dir, archive, l.asText()));
        for (JsonNode l : m.path("Layers")) {
            Path layer = inside(dir, archive, l.asText());
            try (InputStream in = new ProgressInputStream(Files.newInputStream(layer), progress, done, total)) {
                applier.apply(decompress(in), archive + " layer " + l.asText());
            }
            done += Files.size(layer);
        }
        return new Image(tree, ImageConfig.fromJson(config));
    }

    private static Path inside(Path dir, Path archive, String name) {
        Path p = dir.resolve(name).normalize();
        if (name.isEmpty() || !p.startsWith(dir) || !Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS))
            throw new RecipeException(archive + ": manifest.json names '" + name + "', which is not a file in the archive");
        return p;
    }

    private Image loadDockerDaemon(String name) throws IOException {
        Path tar = workDir.resolve("docker-save.tar");
        try {
            tools.exec("docker", "save", "-o", tar, name).run();
        } catch (ToolFailedException e) {
            throw new RecipeException("docker-daemon:" + name + ": docker save failed (is a Docker engine running and does it have this image?): " + e.getMessage(), e);
        }
        return loadDockerArchive(tar);
    }

    /** A plain directory as the root filesystem: owners 0:0, special files dropped, modes kept. */
    public FsTree loadDirectory(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) throw new RecipeException(dir + ": dir: image is not a directory");
        FsTree tree = new FsTree();
        List<Path> all;
        try (Stream<Path> s = Files.walk(dir)) {
            all = s.filter(p -> !p.equals(dir)).sorted().toList();
        }
        for (Path p : all) {
            String rel = dir.relativize(p).toString();
            PosixFileAttributes a = Files.readAttributes(p, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            int mode = permBits(a) ;
            if (a.isSymbolicLink()) tree.put(rel, Node.symlink(Files.readSymbolicLink(p).toString()));
            else if (a.isDirectory()) tree.put(rel, Node.directory(mode));
            else if (a.isRegularFile()) tree.put(rel, Node.file(mode, a.size(), p));
            else log.accept(dir + ": dropped special file " + rel);
        }
        return tree;
    }

    private static int permBits(PosixFileAttributes a) {
        int m = 0;
        for (PosixFilePermission p : a.permissions()) m |= 1 << (8 - p.ordinal());
        return m;
    }

    /** gzip or zstd (zstd-jni, every frame) by magic, otherwise plain tar. */
    static InputStream decompress(InputStream raw) throws IOException {
        BufferedInputStream in = new BufferedInputStream(raw, 1 << 16);
        in.mark(4);
        byte[] magic = in.readNBytes(4);
        in.reset();
        if (magic.length >= 2 && (magic[0] & 0xff) == 0x1f && (magic[1] & 0xff) == 0x8b) return new GzipCompressorInputStream(in, true);
        if (magic.length == 4 && (magic[0] & 0xff) == 0x28 && (magic[1] & 0xff) == 0xb5 && (magic[2] & 0xff) == 0x2f && (magic[3] & 0xff) == 0xfd)
            return new ZstdInputStream(in);
        return in;
    }

    private static String shortDigest(String d) {
        return d.length() > 19 ? d.substring(0, 19) : d;
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
