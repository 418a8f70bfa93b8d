package dev.sealwright.image.oci;

import dev.sealwright.base.OneLine;
import dev.sealwright.base.RecipeException;
import dev.sealwright.image.oci.FsTree.Node;
import dev.sealwright.image.oci.FsTree.Type;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;

/**
 * Applies one image layer (an uncompressed tar stream) to an {@link FsTree}, following the OCI
 * image-spec layer rules: {@code .wh.NAME} deletes NAME, {@code .wh..wh..opq} empties its directory,
 * later entries replace earlier ones. Hostile entries are refused with the layer and entry named:
 * absolute names, names climbing out with {@code ..}, entries below a symlink (the tree is never
 * resolved through links), hard links to anything but a regular file already in the tree. Device
 * nodes and FIFOs are dropped (the guest's /dev is a devtmpfs) and setuid/setgid/sticky bits are
 * cleared; both are logged. Regular file contents are spilled into {@code blobDir}.
 */
public final class LayerApplier {
    private static final String WHITEOUT = ".wh.";
    private static final String OPAQUE = ".wh..wh..opq";

    private final FsTree tree;
    private final Path blobDir;
    private final Consumer<String> log;

    public LayerApplier(FsTree tree, Path blobDir, Consumer<String> log) {
        this.tree = tree;
        this.blobDir = blobDir;
        this.log = log;
    }

    public void apply(InputStream uncompressedTar, String layerName) throws IOException {
        Files.createDirectories(blobDir);
        try (TarArchiveInputStream tar = new TarArchiveInputStream(new BufferedInputStream(uncompressedTar, 1 << 16))) {
            TarArchiveEntry e;
            while ((e = tar.getNextEntry()) != null) applyEntry(tar, e, layerName);
        } catch (IllegalArgumentException e) { // commons-compress on a malformed header field
            throw new RecipeException(layerName + ": malformed tar layer: " + e.getMessage(), e);
        } catch (IOException e) { // its messages quote header bytes, newlines included
            throw new IOException(layerName + ": " + OneLine.of(e.getMessage()), e);
        }
    }

    private void applyEntry(TarArchiveInputStream tar, TarArchiveEntry e, String layer) throws IOException {
        String path = normalise(e.getName(), layer, e.getName());
        if (path.isEmpty()) return;
        String base = path.substring(path.lastIndexOf('/') + 1);
        String dir = FsTree.parentOf(path);
        String link = tree.symlinkedAncestor(path);
        if (link != null) throw refuse(layer, e.getName(), "parent '" + link + "' is a symlink");
        if (dir != null && tree.contains(dir) && tree.get(dir).type() != Type.DIRECTORY)
            throw refuse(layer, e.getName(), "parent '" + dir + "' is not a directory");
        if (base.equals(OPAQUE)) {
            if (dir == null) tree.removeChildren("");
            else tree.removeChildren(dir);
            return;
        }
        if (base.startsWith(WHITEOUT)) {
            String victim = (dir == null ? "" : dir + "/") + base.substring(WHITEOUT.length());
            tree.remove(victim);
            return;
        }
        int mode = e.getMode() & 07777;
        if ((mode & 07000) != 0) {
            log.accept(layer + ": cleared setuid/setgid/sticky bits of " + path);
            mode &= 0777;
        }
        Node node;
        if (e.isDirectory()) {
            Node old = tree.get(path);
            if (old != null && old.type() != Type.DIRECTORY) tree.remove(path);
            node = Node.directory(mode);
        } else if (e.isSymbolicLink()) {
            tree.remove(path);
            node = Node.symlink(e.getLinkName());
        } else if (e.isLink()) {
            String target = normalise(e.getLinkName(), layer, e.getName());
            Node t = tree.get(target);
            if (t == null || t.type() != Type.FILE)
                throw refuse(layer, e.getName(), "hard link to '" + e.getLinkName() + "', which is not a regular file earlier in the image");
            tree.remove(path);
            node = t;
        } else if (e.isCharacterDevice() || e.isBlockDevice() || e.isFIFO()) {
            log.accept(layer + ": dropped special file " + path + " (device node or FIFO; /dev is a devtmpfs in the guest)");
            return;
        } else if (e.isFile()) {
            tree.remove(path);
            Path blob = Files.createTempFile(blobDir, "layer", ".blob");
            Files.copy(tar, blob, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            node = Node.file(mode, Files.size(blob), blob);
        } else {
            log.accept(layer + ": dropped entry " + path + " of unsupported tar type '" + (char) e.getLinkFlag() + "'");
            return;
        }
        tree.put(path, node.withOwner((int) e.getLongUserId(), (int) e.getLongGroupId()).withMode(node.type() == Type.SYMLINK ? 0777 : mode));
    }

    /** Entry name → tree path without leading "./" or trailing "/"; refuses absolute and escaping names. */
    static String normalise(String name, String layer, String entry) {
        String n = name;
        if (n.startsWith("/")) throw refuse(layer, entry, "absolute path '" + name + "'");
        StringBuilder out = new StringBuilder();
        java.util.ArrayDeque<String> parts = new java.util.ArrayDeque<>();
        for (String part : n.split("/")) {
            if (part.isEmpty() || part.equals(".")) continue;
            if (part.equals("..")) throw refuse(layer, entry, "path '" + name + "' contains '..'");
            parts.add(part);
        }
        for (String p : parts) {
            if (out.length() > 0) out.append('/');
            out.append(p);
        }
        return out.toString();
    }

    private static RecipeException refuse(String layer, String entry, String why) {
        return new RecipeException(layer + ": refusing entry '" + entry + "': " + why);
    }
}
