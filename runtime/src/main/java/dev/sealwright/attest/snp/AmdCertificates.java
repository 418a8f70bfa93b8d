package dev.sealwright.attest.snp;

import dev.sealwright.base.InputFiles;
import dev.sealwright.base.RecipeException;

import java.io.ByteArrayInputStream;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * Reading AMD KDS certificates (DER or PEM) and the pinned AMD root keys (ARK): the SHA-256 over the DER
 * of ARK-Milan, ARK-Genoa and ARK-Turin as served by kdsintf.amd.com.
 */
public final class AmdCertificates {
    /** SHA-256 fingerprints of AMD's ARK certificates. */
    public static final Map<String, ProductGeneration> KNOWN_ARKS = Map.of(
            "69d063b45344d26a2e94e1f4210de49ef555308287d4c174445c95639a540bcd", ProductGeneration.MILAN,
            "4c6598d19c18719c5dfd4a7d335f674e5bfe1d8f800cea2cf270c10d103db2f1", ProductGeneration.GENOA,
            "1f084161a44bb6d93778a904877d4819cafa5d05ef4193b2ded9dd9c73dd3f6a", ProductGeneration.TURIN);
    /** RSASSA-PSS, the algorithm of every ARK/ASK/VCEK signature. */
    public static final String RSA_PSS_OID = "1.2.840.113549.1.1.10";

    private AmdCertificates() {}

    /** A VCEK, or the ASK + ARK chain: a few KiB of PEM. */
    public static final InputFiles.Bound FILE_BOUND = new InputFiles.Bound("an AMD certificate file", 256 << 10);

    /** All certificates in a file (PEM with one or more blocks, or a single DER certificate). */
    public static List<X509Certificate> readAll(Path file) {
        byte[] bytes = InputFiles.read(file, FILE_BOUND);
        try {
            CertificateFactory cf = CertificateFactory.getInstance("X.509");
            List<X509Certificate> certs = new ArrayList<>();
            for (var c : cf.generateCertificates(new ByteArrayInputStream(bytes))) certs.add((X509Certificate) c);
            if (certs.isEmpty()) throw new RecipeException(file + ": holds no X.509 certificate");
            return certs;
        } catch (CertificateException e) {
            Throwable root = e;
            while (root.getCause() != null && root.getCause() != root) root = root.getCause();
            String why = root.getMessage() == null ? "unreadable" : root.getMessage().lines().filter(l -> !l.isBlank()).findFirst().orElse("unreadable");
            throw new RecipeException(file + ": not an X.509 certificate (DER or PEM): " + why, e);
        }
    }

    public static X509Certificate readOne(Path file) {
        List<X509Certificate> certs = readAll(file);
        if (certs.size() != 1) throw new RecipeException(file + ": holds " + certs.size() + " certificates, expected one (the VCEK or VLEK)");
        return certs.get(0);
    }

    public static String fingerprint(X509Certificate cert) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(cert.getEncoded()));
        } catch (NoSuchAlgorithmException | java.security.cert.CertificateEncodingException e) {
            throw new IllegalStateException(e);
        }
    }
}
