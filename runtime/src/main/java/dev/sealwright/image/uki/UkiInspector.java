package dev.sealwright.image.uki;

import dev.sealwright.image.pe.PeFile;
import dev.sealwright.image.pe.PeSection;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** What {@code sealwright uki inspect} reports: sections with sizes and SHA-256, Authenticode digests, text sections. */
public final class UkiInspector {
    public record Section(String name, long virtualAddress, long virtualSize, long sizeOfRawData, String sha256) {}

    public record Report(String file, long size, boolean signed, String authenticodeSha256, String authenticodeSha384,
                         List<Section> sections, Map<String, String> text) {}

    private static final List<String> TEXT_SECTIONS = List.of(".osrel", ".cmdline", ".uname", ".sbat");

    private UkiInspector() {}

    public static Report inspect(byte[] file, String name) {
        PeFile pe = PeFile.read(file, name);
        List<Section> sections = new ArrayList<>();
        Map<String, String> text = new LinkedHashMap<>();
        for (PeSection s : pe.sections()) {
            byte[] content = s.content();
            sections.add(new Section(s.name(), s.virtualAddress(), s.virtualSize(), s.sizeOfRawData(), hex(digest("SHA-256", content))));
            if (TEXT_SECTIONS.contains(s.name())) text.put(s.name(), new String(content, StandardCharsets.UTF_8).replace("\0", "").strip());
        }
        return new Report(name, file.length, pe.certificateTable()[1] != 0,
                hex(PeFile.authenticodeDigest(file, "SHA-256", name)), hex(PeFile.authenticodeDigest(file, "SHA-384", name)),
                sections, text);
    }

    static byte[] digest(String alg, byte[] b) {
        try {
            return MessageDigest.getInstance(alg).digest(b);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static String hex(byte[] b) {
        return HexFormat.of().formatHex(b);
    }
}
