package dev.sealwright.vm;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sealwright.base.Json;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The QEMU firmware descriptor (docs/interop/firmware.json, shipped by Debian's ovmf in
 * /usr/share/qemu/firmware) that describes a firmware code file: its features, e.g.
 * {@code requires-smm} (the Secure Boot builds: QEMU must enable SMM and secure pflash, as libvirt
 * does) and {@code secure-boot}. A firmware unpacked from a package into a tree of its own
 * ({@code ROOT/usr/share/OVMF/...}, as .ci/fetch-stack does) is described by that tree's
 * {@code ROOT/usr/share/qemu/firmware}, whose executable paths are read under ROOT.
 */
public record FirmwareDescriptor(Path file, Set<String> features) {
    static final List<Path> DIRECTORIES = List.of(Path.of("/etc/qemu/firmware"), Path.of("/usr/share/qemu/firmware"));

    public boolean requiresSmm() {
        return features.contains("requires-smm");
    }

    public boolean secureBoot() {
        return features.contains("secure-boot");
    }

    /** The descriptor whose executable is {@code firmware} (symlinks resolved), if the host has one. */
    public static Optional<FirmwareDescriptor> find(Path firmware) {
        Path target = real(firmware);
        if (target == null) return Optional.empty();
        Path root = Path.of("/");
        int at = target.toString().indexOf("/usr/share/");
        if (at > 0) root = Path.of(target.toString().substring(0, at));
        List<Path> dirs = at > 0 ? List.of(root.resolve("usr/share/qemu/firmware")) : DIRECTORIES;
        for (Path dir : dirs) {
            if (!Files.isDirectory(dir)) continue;
            try (Stream<Path> files = Files.list(dir)) {
                for (Path f : files.filter(p -> p.toString().endsWith(".json")).sorted().toList()) {
                    Optional<FirmwareDescriptor> d = read(f, root, target);
                    if (d.isPresent()) return d;
                }
            } catch (IOException e) {
                return Optional.empty();
            }
        }
        return Optional.empty();
    }

    private static Optional<FirmwareDescriptor> read(Path descriptor, Path tree, Path target) {
        try {
            JsonNode root = Json.MAPPER.readTree(Files.readAllBytes(descriptor));
            String exe = root.path("mapping").path("executable").path("filename").asText(null);
            if (exe == null || !Path.of(exe).isAbsolute() || !target.equals(real(tree.resolve(exe.substring(1))))) return Optional.empty();
            Set<String> features = new HashSet<>();
            root.path("features").forEach(n -> features.add(n.asText()));
            return Optional.of(new FirmwareDescriptor(descriptor, Set.copyOf(features)));
        } catch (IOException | RuntimeException unreadable) {
            return Optional.empty();
        }
    }

    private static Path real(Path p) {
        try {
            return p.toRealPath();
        } catch (IOException e) {
            return null;
        }
    }
}
