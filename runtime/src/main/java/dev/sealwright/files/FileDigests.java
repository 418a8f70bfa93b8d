package dev.sealwright.files;

import dev.sealwright.base.RecipeException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

/** SHA-256 of regular files, and the {@code sha256sum} text format ("hex␠␠path") both ways. */
public final class FileDigests {
    private FileDigests() {}

    public static String sha256Hex(Path file) throws IOException {
        MessageDigest md;
        try {
            md = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        byte[] buf = new byte[1 << 16];
        try (InputStream in = Files.newInputStream(file)) {
            for (int n; (n = in.read(buf)) > 0; ) md.update(buf, 0, n);
        }
        return HexFormat.of().formatHex(md.digest());
    }

    /** Relative path → hex digest for every regular file under dir (symlinks are not followed), sorted by path. */
    public static Map<String, String> ofTree(Path dir) throws IOException {
        Map<String, String> out = new LinkedHashMap<>();
        for (Path p : ReproducibleTar.sortedEntries(dir))
            if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) out.put(dir.relativize(p).toString().replace('\\', '/'), sha256Hex(p));
        return out;
    }

    public static String format(Map<String, String> sums) {
        StringBuilder sb = new StringBuilder();
        sums.forEach((path, hex) -> {
            if (path.contains("\n") || path.contains("\\")) throw new IllegalArgumentException("file name not representable in SHA256SUMS: " + path);
            sb.append(hex).append("  ").append(path).append('\n');
        });
        return sb.toString();
    }

    /** Parses sha256sum output (text or binary mode markers); a malformed line is reported with its number. */
    public static Map<String, String> parse(String text, String source) {
        Map<String, String> out = new LinkedHashMap<>();
        int n = 0;
        for (String line : text.split("\n", -1)) {
            n++;
            if (line.isEmpty()) continue;
            if (line.length() < 67 || !line.substring(0, 64).matches("[0-9a-fA-F]{64}") || line.charAt(64) != ' '
                    || (line.charAt(65) != ' ' && line.charAt(65) != '*'))
                throw new RecipeException(source + ":" + n + ": not a sha256sum line");
            out.put(line.substring(66), line.substring(0, 64).toLowerCase(java.util.Locale.ROOT));
        }
        return out;
    }
}
