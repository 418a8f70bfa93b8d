package dev.sealwright.attest.dcap;

import dev.sealwright.base.RecipeException;

import java.io.IOException;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;

/**
 * Fetches a quote's collateral from an Intel PCS or a PCCS (v4 API) over HTTP(S): TCB info and QE
 * identity for the quote's TEE, the PCK CRL of the CA that issued its PCK certificate, and the root
 * CA CRL, with the issuer chains from the response headers.
 */
public final class PcsClient {
    static final String INTEL_PCS_HOST = "api.trustedservices.intel.com";
    static final String INTEL_ROOT_CRL = "https://certificates.trustedservices.intel.com/IntelSGXRootCA.der";

    private final URI base;
    private final HttpClient http;

    /** {@code base} such as {@code https://api.trustedservices.intel.com} or {@code https://pccs.local:8081}. */
    public PcsClient(URI base) {
        this(base, HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(20)).followRedirects(HttpClient.Redirect.NORMAL).build());
    }

    PcsClient(URI base, HttpClient http) {
        String s = base.toString();
        this.base = URI.create(s.endsWith("/") ? s.substring(0, s.length() - 1) : s);
        this.http = http;
    }

    public Collateral fetch(Quote quote) {
        List<X509Certificate> chain = Pki.pemChain(quote.certification().certificationData(), "PCK chain in the quote");
        if (chain.size() < 2) {
            throw new RecipeException("PCK chain in the quote has " + chain.size() + " certificate(s); cannot pick the PCK CRL");
        }
        String fmspc = Hex.of(PckExtensions.of(chain.get(0)).fmspc());
        String ca = Pki.commonName(chain.get(1)).contains("Processor") ? "processor" : "platform";
        String tee = quote.isTdx() ? "tdx" : "sgx";
        var tcb = get("/" + tee + "/certification/v4/tcb?fmspc=" + fmspc);
        var qe = get("/" + tee + "/certification/v4/qe/identity");
        var pckCrl = get("/sgx/certification/v4/pckcrl?ca=" + ca + "&encoding=der");
        String src = base.toString();
        byte[] rootCrl = rootCrl();
        String tcbBody = new String(tcb.body(), StandardCharsets.UTF_8);
        String qeBody = new String(qe.body(), StandardCharsets.UTF_8);
        return new Collateral(header(pckCrl, "SGX-PCK-CRL-Issuer-Chain"), rootCrl, pckCrl.body(),
                header(tcb, "TCB-Info-Issuer-Chain"), RawJson.member(tcbBody, "tcbInfo", src), signature(tcbBody, src),
                header(qe, "SGX-Enclave-Identity-Issuer-Chain"), RawJson.member(qeBody, "enclaveIdentity", src),
                signature(qeBody, src), src);
    }

    private byte[] rootCrl() {
        boolean intel = INTEL_PCS_HOST.equals(base.getHost());
        var r = intel ? get(URI.create(INTEL_ROOT_CRL)) : get("/sgx/certification/v4/rootcacrl");
        byte[] body = r.body();
        String text = new String(body, StandardCharsets.ISO_8859_1).strip();
        // PCCS serves the DER as hex text; PCS serves DER.
        return text.matches("[0-9a-fA-F]+") && text.length() % 2 == 0 ? Hex.parse(text) : body;
    }

    private static byte[] signature(String body, String src) {
        String s = RawJson.member(body, "signature", src);
        return Hex.parse(s.substring(1, s.length() - 1));
    }

    private static String header(HttpResponse<byte[]> r, String name) {
        return URLDecoder.decode(r.headers().firstValue(name).orElseThrow(() -> new RecipeException(
                r.uri() + ": response lacks the " + name + " header")), StandardCharsets.UTF_8);
    }

    private HttpResponse<byte[]> get(String pathAndQuery) {
        return get(URI.create(base + pathAndQuery));
    }

    private HttpResponse<byte[]> get(URI uri) {
        try {
            var r = http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(60)).GET().build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            if (r.statusCode() != 200) {
                throw new RecipeException("collateral GET " + uri + ": HTTP " + r.statusCode());
            }
            return r;
        } catch (IOException e) {
            throw new RecipeException("collateral GET " + uri + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RecipeException("collateral GET " + uri + ": interrupted", e);
        }
    }
}
