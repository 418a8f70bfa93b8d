package dev.sealwright.enroll.quex;

import dev.sealwright.base.RecipeException;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.function.Consumer;

/**
 * Host side of the quex exchange: connect to the TD's agent, read its key request, let a vault
 * answer, send the response and the vault quote on the same connection (the TD never replies).
 */
public final class QuexClient {
    /**
     * What the host learns: the TD's request and the public key of the key it was given (never the
     * key); both null when an external vault answered (only the vault and the TD know the key).
     */
    public record Enrollment(TdKeyRequest request, byte[] tdPublicKey, String keySha256) {
        public String tdPublicKeyHex() {
            return tdPublicKey == null ? null : HexFormat.of().formatHex(tdPublicKey);
        }
    }

    /** Answers a request: the response message and the vault's quote committing to it. */
    public interface Vault {
        byte[][] answer(TdKeyRequest request);

        /** The TD key handed out for a request (software vault only; a real vault never reveals it). */
        byte[] derivedKey(TdKeyRequest request);
    }

    /** The software vault with its SIMULATED SGX identity: quote REPORTDATA = SHA-256(response) ‖ 0³². */
    public static Vault software(SoftwareVault vault, SimulatedSgxIdentity identity) {
        return new Vault() {
            public byte[][] answer(TdKeyRequest request) {
                byte[] msg = vault.respond(request).encode();
                byte[] reportData = new byte[64];
                System.arraycopy(sha256(msg), 0, reportData, 0, 32);
                return new byte[][]{msg, identity.quote(reportData)};
            }

            public byte[] derivedKey(TdKeyRequest request) {
                return vault.derive(request);
            }
        };
    }

    public static Enrollment enroll(String host, int port, Vault vault, int timeoutMillis) {
        return enroll(host, port, vault, timeoutMillis, request -> { });
    }

    /**
     * As {@link #enroll(String, int, Vault, int)}, but {@code check} sees the TD's request first; when it
     * throws, the connection is closed without an answer (the TD keeps waiting for another vault).
     */
    public static Enrollment enroll(String host, int port, Vault vault, int timeoutMillis, Consumer<TdKeyRequest> check) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(host, port), timeoutMillis);
            s.setSoTimeout(timeoutMillis);
            byte[] req = new byte[TdKeyRequest.SIZE];
            new DataInputStream(s.getInputStream()).readFully(req);
            TdKeyRequest request = TdKeyRequest.decode(req, host + ":" + port);
            check.accept(request);
            byte[][] answer = vault.answer(request);
            OutputStream out = s.getOutputStream();
            out.write(answer[0]);
            out.write(answer[1]);
            out.flush();
            s.shutdownOutput();
            byte[] key = vault.derivedKey(request);
            if (key == null) return new Enrollment(request, null, null);
            return new Enrollment(request, QuexCrypto.publicKey(key), HexFormat.of().formatHex(sha256(key)));
        } catch (EOFException e) {
            throw new RecipeException(host + ":" + port + ": the TD closed the connection before sending a full key request");
        } catch (IOException e) {
            throw new RecipeException(host + ":" + port + ": " + e.getMessage());
        }
    }

    static byte[] sha256(byte[] b) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(b);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
