package dev.sealwright.deploy;

import dev.sealwright.base.InputFiles;
import dev.sealwright.tpm.PcrSelection;
import dev.sealwright.disk.gpt.GptDisk;
import dev.sealwright.disk.gpt.GptPartition;
import dev.sealwright.disk.luks2.ByteRegion;
import dev.sealwright.disk.luks2.Entropy;
import dev.sealwright.disk.luks2.Luks2Kdf;
import dev.sealwright.disk.luks2.Luks2Volume;
import dev.sealwright.disk.vhd.VhdFooter;
import dev.sealwright.disk.format.DiskFormat;
import dev.sealwright.disk.format.RawDisk;
import dev.sealwright.disk.layout.EncryptPlan;
import dev.sealwright.base.AtomicFiles;
import dev.sealwright.base.RecipeException;
import dev.sealwright.base.BadValueException;
import dev.sealwright.tools.Tools;
import dev.sealwright.tpm.PcrPolicySeal;
import dev.sealwright.tpm.PcrValues;
import dev.sealwright.tpm.TpmFormatException;
import dev.sealwright.tpm.TpmHash;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.security.SecureRandom;
import java.util.List;

/**
 * encrypt-cloud-image's "deploy" for an image made by {@code disk encrypt} (or by encrypt-cloud-image):
 * unlocks the LUKS2 partition with the given passphrase or its cleartext key token, seals a fresh
 * 32-byte secret offline to the SRK under PolicyPCR(predicted values), adds a keyslot whose passphrase
 * is base64(secret) and a {@code systemd-tpm2} token holding the sealed blob (what systemd-cryptenroll
 * --tpm2-device-key writes and systemd-cryptsetup unlocks), removes every cleartext key token, and
 * optionally adds a recovery keyslot for 16 random bytes written 0600 to a new file. The keyslot the
 * passphrase opened is kept; its passphrase is also sealed, in secboot's format, to the ESP file
 * encrypt-cloud-image's boot side (snap-bootstrap) unseals ({@link EspKeyFiles}). The input is copied
 * (temp file + rename) unless deploying in place.
 */
public final class DiskDeployer {
    /** systemd-cryptenroll's keyslot KDF for high-entropy TPM secrets, and encrypt-cloud-image's for recovery keys. */
    static final Luks2Kdf KEYSLOT_KDF = Luks2Kdf.pbkdf2("sha256", 1000, new byte[32]);
    static final int TPM_SECRET_BYTES = 32;
    static final int RECOVERY_KEY_BYTES = 16;
    private static final byte[] LUKS_MAGIC = {'L', 'U', 'K', 'S', (byte) 0xBA, (byte) 0xBE};

    public record Result(int partition, int tpmKeyslot, int tokenId, List<String> removedTokens, int recoveryKeyslot,
                         String passphraseFrom, String selection, byte[] policy, List<String> espFiles, String pcrValuesFrom,
                         java.util.Map<String, String> sealedValues) {}

    private static PcrSelection selection(DeployOptions o) {
        try {
            return PcrSelection.parse(o.pcrSelection());
        } catch (TpmFormatException e) {
            throw new BadValueException("pcrs", "pcrs: " + e.getMessage());
        }
    }

    /** "sha256:7" → hex of each sealed value. */
    private static java.util.Map<String, String> sealedValues(PcrSelection selection, PcrValues values) {
        java.util.Map<String, String> m = new LinkedHashMap<>();
        for (PcrSelection.Bank bank : selection.banks())
            for (int pcr : bank.pcrs()) m.put(bank.hash().label() + ":" + pcr, java.util.HexFormat.of().formatHex(values.get(bank.hash(), pcr)));
        return m;
    }

    private DiskDeployer() {}

    /**
     * Deploys into {@code out} (a new file, in the input's format unless {@code o.outputFormat()}), or into
     * {@code in} itself when {@code out} is null (raw or fixed VHD only). A dynamic VHD or qcow2 input, or
     * another output format, goes through a raw temp file beside {@code out} ({@link RawDisk}); the input
     * is never modified.
     */
    public static Result deploy(Path in, Path out, DeployOptions o, Tools tools, Entropy entropy) throws IOException {
        DiskFormat format = DiskFormat.detect(in);
        DiskFormat outFormat = o.outputFormat() == null ? format : o.outputFormat();
        if (out == null) {
            if (!format.readInPlace())
                throw new RecipeException(in + ": not implemented in this build: --in-place on a " + format.description() + " (deploy it with -o OUT)");
            if (outFormat != format) throw new RecipeException("disk deploy: --in-place keeps the image's format (" + format.label() + "); give -o OUT for " + outFormat.label());
            return deploy(in, in.toString(), null, o, tools, entropy);
        }
        if (Files.exists(out) && Files.isSameFile(in, out)) throw new RecipeException(out + ": the output is the input; use --in-place");
        if (format == outFormat && format.readInPlace()) return deploy(in, in.toString(), out, o, tools, entropy);
        if (o.recoveryKeyOut() != null && Files.exists(o.recoveryKeyOut())) throw new RecipeException(o.recoveryKeyOut() + ": already exists; not overwriting a key file");
        try (RawDisk raw = RawDisk.convert(in, format, out, tools)) {
            Result r = deploy(raw.path(), in.toString(), null, o, tools, entropy);
            try {
                RawDisk.write(raw.path(), outFormat, out, raw.vhdTimestamp(), EncryptPlan.uuidFrom(entropy.bytes(16)), tools);
            } catch (RuntimeException | IOException e) {
                if (o.recoveryKeyOut() != null) Files.deleteIfExists(o.recoveryKeyOut()); // the image that key opens was not written
                throw e;
            }
            return r;
        }
    }

    /** Deploys the raw or fixed-VHD disk {@code in} (named {@code name} in messages) into {@code out}, or into itself when null. */
    private static Result deploy(Path in, String name, Path out, DeployOptions o, Tools tools, Entropy entropy) throws IOException {
        InputFiles.requireImage(in, "disk image");
        if (o.recoveryKeyOut() != null && Files.exists(o.recoveryKeyOut())) throw new RecipeException(o.recoveryKeyOut() + ": already exists; not overwriting a key file");
        byte[] secret = entropy.bytes(TPM_SECRET_BYTES);
        byte[] tpmPassphrase = Base64.getEncoder().encode(secret);
        PcrValues values;
        String valuesFrom;
        if (o.pcrValues() != null) {
            values = PcrValues.read(o.pcrValues());
            valuesFrom = o.pcrValues().toString();
        } else if (o.uefiConfig() != null) {
            EspBootPrediction p = EspBootPrediction.of(in, name, o.uefiConfig(), tools);
            p.requireAll(selection(o));
            values = p.values();
            valuesFrom = "predicted from " + p.source();
        } else {
            throw new RecipeException("disk deploy: give the PCR values (--pcr-values FILE, as measure vtpm --json writes) or the VM's --uefi-config FILE to predict them from");
        }
        PcrPolicySeal sealed = PcrPolicySeal.seal(o.srkPub(), o.pcrSelection(), values, valuesFrom, secret, "the TPM secret");
        byte[] pcrDigest = values.digest(sealed.selection(), TpmHash.SHA256);

        Path target = in;
        Path tmp = null;
        if (out != null) {
            tmp = AtomicFiles.tempFile(out, ".tmp");
            Files.copy(in, tmp, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            target = tmp;
        }
        boolean wroteRecovery = false;
        byte[] recovery = null;
        try (FileChannel ch = FileChannel.open(target, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            VhdFooter vhd = VhdFooter.readIfPresent(ch, name);
            GptDisk gpt = GptDisk.read(ch, vhd == null ? ch.size() : vhd.currentSize(), name);
            GptPartition part = luksPartition(ch, gpt, name, o.partition());
            String source = name + " partition " + part.number();
            ByteRegion region = new ByteRegion(ch, part.firstLba() * GptDisk.LBA, part.sizeLbas() * GptDisk.LBA);
            try (Luks2Volume v = Luks2Volume.open(region, source, entropy)) {
                List<CleartextKeyToken> cleartext = CleartextKeyToken.find(v.tokens(), source);
                byte[] passphrase = o.passphrase();
                String from = o.passphraseSource();
                if (passphrase == null) {
                    if (cleartext.isEmpty()) {
                        throw new RecipeException(source + ": no cleartext key token (" + CleartextKeyToken.UBUNTU_TYPE + " or " + CleartextKeyToken.CLEARTEXT_TYPE
                                + "); give the keyslot passphrase with --key-file");
                    }
                    passphrase = cleartext.get(0).passphrase();
                    from = "token " + cleartext.get(0).id() + " (" + cleartext.get(0).type() + ")";
                }
                Luks2Volume.Unlocked unlocked;
                try {
                    unlocked = v.unlock(passphrase);
                } catch (RecipeException e) {
                    throw new RecipeException(source + ": the passphrase from " + from + " opens no keyslot");
                }
                int tpmSlot = v.addKeyslot(unlocked.volumeKey(), tpmPassphrase, KEYSLOT_KDF, -1);
                int tokenId = v.addToken(sealed.token(tpmSlot).toJson(), -1);
                List<String> removed = new ArrayList<>();
                for (CleartextKeyToken t : cleartext) {
                    v.removeToken(t.id());
                    removed.add(t.id() + " (" + t.type() + ")");
                }
                int recoverySlot = -1;
                if (o.recoveryKeyOut() != null) {
                    recovery = entropy.bytes(RECOVERY_KEY_BYTES);
                    try {
                        AtomicFiles.writeSecret(o.recoveryKeyOut(), recovery, false);
                    } catch (FileAlreadyExistsException e) {
                        throw new RecipeException(o.recoveryKeyOut() + ": already exists; not overwriting a key file");
                    }
                    wroteRecovery = true;
                    recoverySlot = v.addKeyslot(unlocked.volumeKey(), recovery, KEYSLOT_KDF, -1);
                }
                Arrays.fill(unlocked.volumeKey(), (byte) 0);
                ch.force(true);
                Map<String, byte[]> espFiles = new LinkedHashMap<>();
                if (o.espKey()) {
                    GptPartition esp = EspKeyFiles.esp(gpt, name);
                    SecbootSealedKeyFile keyFile;
                    try {
                        keyFile = SecbootKeySealer.seal(sealed.srk(), passphrase, sealed.selection(), pcrDigest, new SecureRandom());
                    } catch (TpmFormatException e) {
                        throw new RecipeException(source + ": the passphrase from " + from + " is " + passphrase.length + " bytes; the secboot key file seals at most "
                                + SecbootKeySealer.MAX_KEY + " (use --no-esp-key for the token only)");
                    }
                    espFiles.put(EspKeyFiles.SEALED_KEY, keyFile.toBytes(entropy));
                    if (!o.standardSrkTemplate()) espFiles.put(EspKeyFiles.SRK_TEMPLATE, EspKeyFiles.srkTemplate(sealed.srk()));
                    EspKeyFiles.write(tools, target, esp, espFiles);
                }
                if (tmp != null) AtomicFiles.move(tmp, out);
                return new Result(part.number(), tpmSlot, tokenId, removed, recoverySlot, from, sealed.selection().toString(), sealed.policy(),
                        List.copyOf(espFiles.keySet()), valuesFrom, sealedValues(sealed.selection(), values));
            }
        } catch (RuntimeException | IOException e) {
            if (wroteRecovery) Files.deleteIfExists(o.recoveryKeyOut()); // the image that key opens was not written
            throw e;
        } finally {
            Arrays.fill(tpmPassphrase, (byte) 0);
            if (recovery != null) Arrays.fill(recovery, (byte) 0);
            if (tmp != null) Files.deleteIfExists(tmp);
        }
    }

    /** The selected partition, else the LUKS partition with a cleartext key token, else the only LUKS partition. */
    static GptPartition luksPartition(FileChannel ch, GptDisk gpt, String in, String selector) throws IOException {
        if (selector != null) {
            GptPartition p = gpt.find(selector).orElseThrow(() -> new RecipeException(in + ": no partition matches \"" + selector + "\""));
            if (!isLuks(ch, p)) throw new RecipeException(in + ": partition " + p.number() + " is not LUKS2");
            return p;
        }
        List<GptPartition> luks = new ArrayList<>();
        for (GptPartition p : gpt.partitions()) if (isLuks(ch, p)) luks.add(p);
        if (luks.isEmpty()) throw new RecipeException(in + ": no LUKS2 partition (run disk encrypt first)");
        if (luks.size() == 1) return luks.get(0);
        List<GptPartition> withToken = new ArrayList<>();
        for (GptPartition p : luks) {
            ByteRegion r = new ByteRegion(ch, p.firstLba() * GptDisk.LBA, p.sizeLbas() * GptDisk.LBA);
            try (Luks2Volume v = Luks2Volume.open(r, in + " partition " + p.number(), Entropy.secure())) {
                if (!CleartextKeyToken.find(v.tokens(), v.path()).isEmpty()) withToken.add(p);
            }
        }
        if (withToken.size() == 1) return withToken.get(0);
        throw new RecipeException(in + ": " + luks.size() + " LUKS2 partitions; choose one with --partition");
    }

    private static boolean isLuks(FileChannel ch, GptPartition p) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(LUKS_MAGIC.length);
        while (b.hasRemaining() && ch.read(b, p.firstLba() * GptDisk.LBA + b.position()) > 0) { }
        return Arrays.equals(b.array(), LUKS_MAGIC);
    }
}
