package dev.sealwright.image.uki;

import dev.sealwright.base.AtomicFiles;
import dev.sealwright.base.RecipeException;
import dev.sealwright.base.Secret;
import dev.sealwright.engine.Input;
import dev.sealwright.engine.OptionSpec;
import dev.sealwright.engine.OutputSpec;
import dev.sealwright.engine.StepContext;
import dev.sealwright.engine.StepType;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.openssl.jcajce.JceOpenSSLPKCS8DecryptorProviderBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.pkcs.PKCSException;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.util.io.pem.PemObject;

import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * {@code keyDecrypt { key file('enc.key'); passphrase secret(file: 'pass') }}: a passphrase-protected
 * PKCS#8 PEM key ("ENCRYPTED PRIVATE KEY", as {@code openssl pkey -aes256} or Debian's OVMF snakeoil key
 * write it) decrypted with Bouncy Castle into an unencrypted PKCS#8 PEM, the output {@code key}: a 0600
 * file in the workspace (read-only once cached) that a secret option such as {@code ukiSign}'s
 * {@code key} takes directly. The same as {@code openssl pkey -in enc.key -out key.pem}.
 */
public final class KeyDecryptStep implements StepType {
    @Override public String name() { return "key.decrypt"; }
    @Override public int version() { return 2; } // 2: its secret output is recorded by HMAC; entries of 1 hold its SHA-256
    @Override public String description() { return "decrypt a passphrase-protected PKCS#8 PEM key into a 0600 workspace file"; }

    @Override
    public List<OptionSpec> options() {
        return List.of(
                OptionSpec.required("key", Input.class, "the encrypted PEM private key (BEGIN ENCRYPTED PRIVATE KEY)"),
                OptionSpec.required("passphrase", Secret.class, "its passphrase (trailing newline ignored)"));
    }

    @Override
    public List<OutputSpec> outputs() {
        return List.of(OutputSpec.secret("key", "key.pem", "the unencrypted PKCS#8 PEM private key, mode 0600"));
    }

    @Override
    public void execute(StepContext ctx) throws Exception {
        Path in = ctx.path("key");
        Object o;
        try (PEMParser p = new PEMParser(new StringReader(Files.readString(in, StandardCharsets.US_ASCII)))) {
            o = p.readObject();
        } catch (IOException e) {
            throw new RecipeException("key.decrypt: " + in + " is not PEM: " + e.getMessage(), e);
        }
        if (!(o instanceof PKCS8EncryptedPrivateKeyInfo enc))
            throw new RecipeException("key.decrypt: " + in + " is not an encrypted PKCS#8 PEM key (BEGIN ENCRYPTED PRIVATE KEY)");
        Secret pass = ctx.secret("passphrase");
        char[] chars = new String(pass.reveal(), StandardCharsets.UTF_8).stripTrailing().toCharArray();
        byte[] der;
        try {
            der = enc.decryptPrivateKeyInfo(new JceOpenSSLPKCS8DecryptorProviderBuilder()
                    .setProvider(new BouncyCastleProvider()).build(chars)).getEncoded();
        } catch (PKCSException | OperatorCreationException e) {
            throw new RecipeException("key.decrypt: cannot decrypt " + in + " with the passphrase from " + pass.source() + " (wrong passphrase?)");
        } finally {
            java.util.Arrays.fill(chars, '\0');
        }
        StringWriter pem = new StringWriter();
        try (JcaPEMWriter w = new JcaPEMWriter(pem)) {
            w.writeObject(new PemObject("PRIVATE KEY", der));
        }
        AtomicFiles.writeSecret(ctx.output("key"), pem.toString().getBytes(StandardCharsets.US_ASCII), false);
    }
}
