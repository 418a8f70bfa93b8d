package dev.sealwright.image.oci;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A root filesystem held as a sorted map of relative paths ("bin/sh", no leading slash) to nodes.
 * Layers are applied to it without touching the host filesystem, so hostile names cannot escape;
 * regular file contents live in files on disk (a layer blob spill or the source tree itself).
 */
public final class FsTree {
    public enum Type { DIRECTORY, FILE, SYMLINK, CHAR_DEVICE, BLOCK_DEVICE, FIFO }

    /** One entry. {@code mode} holds permission bits only (07777); {@code content} is set for files. */
    public record Node(Type type, int mode, int uid, int gid, long size, Path content, String linkTarget, int devMajor, int devMinor) {
        public static Node directory(int mode) { return new Node(Type.DIRECTORY, mode, 0, 0, 0, null, null, 0, 0); }
        public static Node file(int mode, long size, Path content) { return new Node(Type.FILE, mode, 0, 0, size, content, null, 0, 0); }
        public static Node symlink(String target) { return new Node(Type.SYMLINK, 0777, 0, 0, target.length(), null, target, 0, 0); }
        public Node withOwner(int u, int g) { return new Node(type, mode, u, g, size, content, linkTarget, devMajor, devMinor); }
        public Node withMode(int m) { return new Node(type, m, uid, gid, size, content, linkTarget, devMajor, devMinor); }
    }

    private final TreeMap<String, Node> nodes = new TreeMap<>();

    public Node get(String path) { return nodes.get(path); }

    public boolean contains(String path) { return nodes.containsKey(path); }

    /** Adds or replaces one entry; missing parent directories are created 0755. */
    public void put(String path, Node node) {
        String parent = parentOf(path);
        if (parent != null && !nodes.containsKey(parent)) put(parent, Node.directory(0755));
        nodes.put(path, node);
    }

    /** Removes the entry and, for a directory, everything below it. */
    public void remove(String path) {
        nodes.remove(path);
        removeChildren(path);
    }

    /** Removes everything below a directory but keeps the directory (an opaque whiteout). */
    public void removeChildren(String dir) {
        String prefix = dir.isEmpty() ? "" : dir + "/";
        if (prefix.isEmpty()) { nodes.clear(); return; }
        nodes.subMap(prefix, true, prefix.substring(0, prefix.length() - 1) + "0", false).clear();
    }

    /** Entries in cpio/kernel order: sorted by path, so every parent precedes its children. */
    public Map<String, Node> entries() {
        return Collections.unmodifiableSortedMap(nodes);
    }

    public int size() { return nodes.size(); }

    /** The longest existing proper ancestor of {@code path} that is a symlink, or null. */
    public String symlinkedAncestor(String path) {
        List<String> ancestors = new ArrayList<>();
        for (String p = parentOf(path); p != null; p = parentOf(p)) ancestors.add(p);
        for (String a : ancestors) {
            Node n = nodes.get(a);
            if (n != null && n.type() == Type.SYMLINK) return a;
        }
        return null;
    }

    /** "a/b/c" → "a/b"; "a" → null. */
    public static String parentOf(String path) {
        int i = path.lastIndexOf('/');
        return i < 0 ? null : path.substring(0, i);
    }
}
