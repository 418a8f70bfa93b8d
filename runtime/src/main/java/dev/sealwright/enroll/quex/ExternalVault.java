package dev.sealwright.enroll.quex;

import dev.sealwright.attest.dcap.Quote;
import dev.sealwright.base.AtomicFiles;
import dev.sealwright.base.RecipeException;
import dev.sealwright.tools.Tools;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * Driver for a vault program with quex-v1-vault's file contract (the real vault runs in SGX): in a
 * fresh private directory it finds {@code seed.dat} (the sealed seed) and {@code key_req.dat} (the
 * TD's 1031-byte request), and must leave {@code key_msg.dat} (1159 bytes) and {@code quote.dat} (the
 * vault's SGX quote whose REPORTDATA[0:32] = SHA-256(key_msg.dat)). The command and its arguments
 * are the caller's (quex's docs describe the flags inconsistently; {@code vault -s} is the usual
 * form). The host never learns the TD key: {@link #derivedKey} is null.
 */
public final class ExternalVault implements QuexClient.Vault {
    private final List<String> command;
    private final Path seed;
    private final Tools tools;
    private final Duration timeout;

    public ExternalVault(List<String> command, Path seed, Tools tools, Duration timeout) {
        if (command.isEmpty()) throw new RecipeException("vault command: empty");
        if (!Files.isRegularFile(seed)) throw new RecipeException(seed + ": no such file (the vault's seed.dat)");
        this.command = List.copyOf(command);
        this.seed = seed;
        this.tools = tools;
        this.timeout = timeout;
    }

    @Override
    public byte[][] answer(TdKeyRequest request) {
        Path dir = null;
        try {
            dir = Files.createTempDirectory("sealwright-vault-", PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            AtomicFiles.writeSecret(dir.resolve("seed.dat"), Files.readAllBytes(seed), false);
            Files.write(dir.resolve("key_req.dat"), request.encode());
            tools.exec(command.get(0), command.subList(1, command.size()).toArray()).cwd(dir).timeout(timeout).run();
            byte[] msg = read(dir.resolve("key_msg.dat"));
            TdResponseMessage.decode(msg, who() + ": key_msg.dat");
            byte[] quoteBytes = read(dir.resolve("quote.dat"));
            Quote quote = Quote.read(quoteBytes, who() + ": quote.dat");
            if (!MessageDigest.isEqual(Arrays.copyOf(quote.reportData(), 32), sha256(msg)))
                throw new RecipeException(who() + ": quote.dat does not commit to key_msg.dat (REPORTDATA[0:32] is not its SHA-256)");
            return new byte[][]{msg, quoteBytes};
        } catch (IOException e) {
            throw new RecipeException(who() + ": " + e.getMessage(), e);
        } finally {
            delete(dir);
        }
    }

    @Override
    public byte[] derivedKey(TdKeyRequest request) {
        return null;
    }

    private String who() {
        return "vault command '" + String.join(" ", command) + "'";
    }

    private byte[] read(Path file) throws IOException {
        try {
            return Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new RecipeException(who() + ": wrote no " + file.getFileName());
        }
    }

    private static byte[] sha256(byte[] b) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(b);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void delete(Path dir) {
        if (dir == null) return;
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // best effort: the directory is private (0700)
        }
    }
}
