package dev.sealwright.vm;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import dev.sealwright.base.RecipeException;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * TDX launch options. {@code quoteGenerationSocket} is where QEMU forwards the guest's GetQuote
 * TDVMCALL: {@code vsock:CID:PORT} (the Canonical stack's QGS default {@code vsock:2:4050}),
 * {@code unix:PATH}, or {@code none}.
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record TdxOptions(String quoteGenerationSocket) {
    public static final TdxOptions DEFAULT = new TdxOptions("vsock:2:4050");

    public TdxOptions {
        if (quoteGenerationSocket == null || quoteGenerationSocket.isBlank()) quoteGenerationSocket = "none";
        socketAddress(quoteGenerationSocket);
    }

    /** QEMU's SocketAddress JSON for the quote-generation-socket property, or null for none. */
    public Map<String, String> socketAddress() {
        return socketAddress(quoteGenerationSocket);
    }

    private static Map<String, String> socketAddress(String s) {
        if (s.equals("none")) return null;
        String[] p = s.split(":", -1);
        Map<String, String> m = new LinkedHashMap<>();
        if (p.length == 3 && p[0].equals("vsock") && p[1].matches("\\d+") && p[2].matches("\\d+")) {
            m.put("type", "vsock");
            m.put("cid", p[1]);
            m.put("port", p[2]);
            return m;
        }
        if (p.length >= 2 && p[0].equals("unix") && !s.substring(5).isBlank()) {
            m.put("type", "unix");
            m.put("path", s.substring(5));
            return m;
        }
        throw new RecipeException("tdx quote-generation socket '" + s + "' is not vsock:CID:PORT, unix:PATH or none");
    }
}
