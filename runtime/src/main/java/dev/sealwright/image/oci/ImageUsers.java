package dev.sealwright.image.oci;

import dev.sealwright.base.RecipeException;

import java.io.IOException;
import java.nio.file.Files;

/** Resolves an image config {@code User} ("name", "uid", "name:group", "uid:gid") against the image's /etc/passwd and /etc/group. */
public final class ImageUsers {
    private ImageUsers() {}

    /** {uid, gid}; empty user → root. */
    public static int[] resolve(FsTree tree, String user, String image) throws IOException {
        if (user == null || user.isEmpty()) return new int[]{0, 0};
        String[] parts = user.split(":", 2);
        String u = parts[0];
        int uid, gid;
        String[] pw = u.matches("\\d+") ? lookup(tree, "etc/passwd", 2, u) : lookup(tree, "etc/passwd", 0, u);
        if (u.matches("\\d+")) {
            uid = Integer.parseInt(u);
            gid = pw != null ? Integer.parseInt(pw[3]) : 0;
        } else {
            if (pw == null) throw new RecipeException(image + ": User '" + user + "' is not in the image's /etc/passwd");
            uid = Integer.parseInt(pw[2]);
            gid = Integer.parseInt(pw[3]);
        }
        if (parts.length == 2) {
            String g = parts[1];
            if (g.matches("\\d+")) gid = Integer.parseInt(g);
            else {
                String[] gr = lookup(tree, "etc/group", 0, g);
                if (gr == null) throw new RecipeException(image + ": group '" + g + "' of User '" + user + "' is not in the image's /etc/group");
                gid = Integer.parseInt(gr[2]);
            }
        }
        return new int[]{uid, gid};
    }

    private static String[] lookup(FsTree tree, String file, int field, String value) throws IOException {
        FsTree.Node n = tree.get(file);
        if (n == null || n.type() != FsTree.Type.FILE) return null;
        for (String line : Files.readAllLines(n.content())) {
            String[] f = line.split(":", -1);
            if (f.length > Math.max(field, 3) && f[field].equals(value)) return f;
        }
        return null;
    }
}
