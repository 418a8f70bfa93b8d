package dev.sealwright.attest.dcap;

import dev.sealwright.base.InputFiles;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.Arrays;

/**
 * The pinned trust anchor: Intel SGX Root CA (SHA-256 fingerprint 44A0196B…74D3), shipped as a
 * resource and checked against its fingerprint on load; a different root can be given explicitly.
 */
public final class IntelRootCa {
    public static final String FINGERPRINT = "44a0196b2b99f889b8e149e95b807a350e7424964399e885a7cbb8ccfab674d3";

    private IntelRootCa() {
    }

    public static X509Certificate pinned() {
        try (InputStream in = IntelRootCa.class.getResourceAsStream("IntelSGXRootCA.pem")) {
            X509Certificate root = Pki.pemChain(in.readAllBytes(), "IntelSGXRootCA.pem").get(0);
            if (!Arrays.equals(Pki.sha256(Pki.encoded(root)), Hex.parse(FINGERPRINT))) {
                throw new IllegalStateException("bundled Intel SGX Root CA does not match its pinned fingerprint");
            }
            return root;
        } catch (IOException e) {
            throw new IllegalStateException("bundled Intel SGX Root CA missing", e);
        }
    }

    /** A root certificate file, PEM or DER. */
    public static final InputFiles.Bound FILE_BOUND = new InputFiles.Bound("a root certificate file", 64 << 10);

    /** A root from a PEM or DER file (e.g. {@code --root}). */
    public static X509Certificate fromFile(Path file) {
        return Pki.pemChain(InputFiles.read(file, FILE_BOUND), file.toString()).get(0);
    }
}
