package dev.sealwright.uefi;

import dev.sealwright.base.InputFiles;
import dev.sealwright.base.RecipeException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * Builds a {@link UefiConfig} from a directory of certificates, one sub-directory per variable:
 *
 * <pre>
 * DIR/owner                 default owner GUID for every list (optional)
 * DIR/PK/ DIR/KEK/ DIR/db/ DIR/dbx/
 *     owner                 owner GUID for this variable (optional, overrides DIR/owner)
 *     NAME.pem|.crt|.cer    X.509 certificate(s), PEM or DER; each certificate becomes its own
 *     NAME.der                EFI_SIGNATURE_LIST (as cert-to-efi-sig-list -g OWNER writes it)
 *     NAME.sha256           SHA-256 hashes, one hex value a line: one EFI_CERT_SHA256 list
 *     NAME.esl              a ready signature list, used as is
 *     NAME.ext.owner        owner GUID for NAME.ext only
 * </pre>
 *
 * Files are taken in name order ("order matters when combining the EFI signature lists");
 * a missing or empty sub-directory is an absent variable. Without sub-directories, the flat layout of
 * encrypt-cloud-image's {@code create-uefi-config -i DIR} is read instead: {@code PK.esl},
 * {@code KEK-*.esl}, {@code db-*.esl}, {@code dbx-*.esl}, each group sorted by name and concatenated.
 */
public final class UefiCertDirectory {
    static final List<String> VARIABLES = List.of("PK", "KEK", "db", "dbx");

    private UefiCertDirectory() {}

    public static UefiConfig read(Path dir, boolean omitsReadyToBootEvent) {
        InputFiles.requireDirectory(dir, "certificate directory");
        boolean perVariable = VARIABLES.stream().anyMatch(v -> Files.isDirectory(dir.resolve(v)));
        byte[][] payloads = new byte[4][];
        for (int i = 0; i < 4; i++) {
            String var = VARIABLES.get(i);
            payloads[i] = perVariable ? variable(dir, var) : flatEsl(dir, var);
        }
        if (!perVariable && payloads[0] == null && payloads[1] == null && payloads[2] == null && payloads[3] == null) {
            throw new RecipeException(dir + ": no PK/, KEK/, db/, dbx/ sub-directories and no PK.esl, KEK-*.esl, db-*.esl, dbx-*.esl files");
        }
        return new UefiConfig(payloads[0], payloads[1], payloads[2], payloads[3], omitsReadyToBootEvent);
    }

    private static byte[] variable(Path dir, String var) {
        Path sub = dir.resolve(var);
        if (!Files.isDirectory(sub)) return null;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Path f : list(sub)) {
            String name = f.getFileName().toString();
            String ext = name.contains(".") ? name.substring(name.lastIndexOf('.') + 1).toLowerCase(Locale.ROOT) : "";
            switch (ext) {
                case "pem", "crt", "cer", "der" -> {
                    UUID owner = owner(dir, sub, f);
                    for (X509Certificate c : certificates(f)) {
                        try {
                            out.writeBytes(SignatureList.x509(owner, c.getEncoded()).toBytes());
                        } catch (CertificateException e) {
                            throw new RecipeException(f + ": cannot encode the certificate: " + e.getMessage());
                        }
                    }
                }
                case "sha256" -> out.writeBytes(sha256List(f, owner(dir, sub, f)).toBytes());
                case "esl" -> out.writeBytes(esl(f));
                case "owner" -> { }
                default -> {
                    if (!name.equals("owner")) {
                        throw new RecipeException(f + ": unknown file type (expected .pem, .crt, .cer, .der, .sha256, .esl or an owner file)");
                    }
                }
            }
        }
        return out.size() == 0 ? null : out.toByteArray();
    }

    private static byte[] flatEsl(Path dir, String var) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Path f : list(dir)) {
            String name = f.getFileName().toString();
            boolean match = var.equals("PK") ? name.equals("PK.esl") : name.startsWith(var + "-") && name.endsWith(".esl");
            if (match) out.writeBytes(esl(f));
        }
        return out.size() == 0 ? null : out.toByteArray();
    }

    private static byte[] esl(Path f) {
        byte[] b = read(f);
        SignatureList.readAll(b, f.toString());
        return b;
    }

    /** The owner of {@code f}: {@code f.owner}, else {@code VAR/owner}, else {@code DIR/owner}. */
    static UUID owner(Path dir, Path sub, Path f) {
        for (Path candidate : new Path[] {f.resolveSibling(f.getFileName() + ".owner"), sub.resolve("owner"), dir.resolve("owner")}) {
            if (Files.isRegularFile(candidate)) {
                String text = new String(read(candidate), StandardCharsets.UTF_8).trim();
                try {
                    if (text.length() != 36) throw new IllegalArgumentException();
                    return UUID.fromString(text);
                } catch (IllegalArgumentException e) {
                    throw new RecipeException(candidate + ": not a GUID (expected e.g. 77fa9abd-0359-4d32-bd60-28f4e78f784b)");
                }
            }
        }
        throw new RecipeException(f + ": no owner GUID: put one in " + f.getFileName() + ".owner, " + sub.resolve("owner") + " or " + dir.resolve("owner"));
    }

    static List<X509Certificate> certificates(Path f) {
        byte[] bytes = read(f);
        Collection<? extends java.security.cert.Certificate> certs;
        try {
            certs = CertificateFactory.getInstance("X.509").generateCertificates(new ByteArrayInputStream(bytes));
        } catch (CertificateException e) {
            throw new RecipeException(f + ": not an X.509 certificate (PEM or DER): " + firstLine(e.getMessage()));
        }
        if (certs.isEmpty()) throw new RecipeException(f + ": not an X.509 certificate (PEM or DER): no certificate found");
        List<X509Certificate> out = new ArrayList<>();
        for (java.security.cert.Certificate c : certs) out.add((X509Certificate) c);
        return out;
    }

    private static SignatureList sha256List(Path f, UUID owner) {
        List<SignatureList.Entry> entries = new ArrayList<>();
        int line = 0;
        for (String l : new String(read(f), StandardCharsets.UTF_8).split("\n")) {
            line++;
            String hex = l.trim();
            if (hex.isEmpty() || hex.startsWith("#")) continue;
            byte[] h;
            try {
                h = HexFormat.of().parseHex(hex.toLowerCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new RecipeException(f + ": line " + line + " is not a hex SHA-256 hash");
            }
            if (h.length != 32) throw new RecipeException(f + ": line " + line + " has " + h.length + " bytes, a SHA-256 hash has 32");
            entries.add(new SignatureList.Entry(owner, h));
        }
        if (entries.isEmpty()) throw new RecipeException(f + ": no SHA-256 hashes (one hex value a line)");
        return new SignatureList(EfiGuid.CERT_SHA256, new byte[0], entries);
    }

    private static List<Path> list(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(Files::isRegularFile).sorted((a, b) -> a.getFileName().toString().compareTo(b.getFileName().toString())).toList();
        } catch (IOException e) {
            throw new RecipeException(dir + ": cannot list: " + e.getMessage());
        }
    }

    /** A certificate, hash list or ESL. */
    static final InputFiles.Bound FILE_BOUND = new InputFiles.Bound("a certificate or signature list file", 16 << 20);

    private static byte[] read(Path f) {
        return InputFiles.read(f, FILE_BOUND);
    }

    private static String firstLine(String s) {
        return s == null ? "unreadable" : s.lines().findFirst().orElse("unreadable");
    }
}
