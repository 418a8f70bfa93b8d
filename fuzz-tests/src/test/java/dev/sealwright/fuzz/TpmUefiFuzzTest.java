package dev.sealwright.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.JsonNode;
import dev.sealwright.base.Json;
import dev.sealwright.measure.vtpm.VtpmVariables;
import dev.sealwright.tpm.EccPoint;
import dev.sealwright.tpm.PcrPolicySeal;
import dev.sealwright.tpm.PcrValues;
import dev.sealwright.tpm.PublicParameters;
import dev.sealwright.tpm.SealedFiles;
import dev.sealwright.tpm.SymDefObject;
import dev.sealwright.tpm.SystemdTpm2Token;
import dev.sealwright.tpm.TpmAlg;
import dev.sealwright.tpm.TpmPrivate;
import dev.sealwright.tpm.TpmPublic;
import dev.sealwright.tpm.TpmScheme;
import dev.sealwright.uefi.UefiConfig;
import dev.sealwright.uefi.VariableStore;
import org.bouncycastle.util.BigIntegers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * TPM 2.0 blobs, OVMF variable stores and uefi-config.json: tag 0 = an SRK TPM2B_PUBLIC that
 * {@code tpm seal} seals to; 1 = a PCR values JSON; 2 = a systemd-tpm2 LUKS2 token; 3 = a
 * TPM2B_PRIVATE; 4 = an OVMF variable store ({@code uefi config --vars}, {@code measure vtpm
 * --firmware-vars}); 5 = a uefi-config.json.
 */
class TpmUefiFuzzTest {
    private static final Fuzz.Counter COUNTER = new Fuzz.Counter("tpm-uefi");
    private static final Path OVMF_VARS = Path.of("/usr/share/OVMF/OVMF_VARS.fd");
    private static final byte[] PCR_VALUES = "{\"sha256\": {\"7\": \"0000000000000000000000000000000000000000000000000000000000000000\"}}"
            .getBytes(StandardCharsets.UTF_8);

    static Stream<Arguments> seeds() throws Exception {
        List<byte[]> s = new ArrayList<>();
        // our writers: ECC and RSA storage keys in swtpm's SRK template, a seal to each, its token and blobs
        int srk = TpmPublic.FIXED_TPM | TpmPublic.FIXED_PARENT | TpmPublic.SENSITIVE_DATA_ORIGIN | TpmPublic.USER_WITH_AUTH
                | TpmPublic.NO_DA | TpmPublic.RESTRICTED | TpmPublic.DECRYPT;
        KeyPairGenerator ec = KeyPairGenerator.getInstance("EC");
        ec.initialize(256);
        ECPublicKey e = (ECPublicKey) ec.generateKeyPair().getPublic();
        KeyPairGenerator rsa = KeyPairGenerator.getInstance("RSA");
        rsa.initialize(2048);
        RSAPublicKey r = (RSAPublicKey) rsa.generateKeyPair().getPublic();
        List<TpmPublic> keys = List.of(
                new TpmPublic(TpmAlg.SHA256, srk, new byte[0], new PublicParameters.Ecc(SymDefObject.AES_128_CFB, TpmScheme.NULL,
                        TpmAlg.ECC_NIST_P256, TpmScheme.NULL, new EccPoint(BigIntegers.asUnsignedByteArray(32, e.getW().getAffineX()),
                        BigIntegers.asUnsignedByteArray(32, e.getW().getAffineY())))),
                new TpmPublic(TpmAlg.SHA256, srk, new byte[0], new PublicParameters.Rsa(SymDefObject.AES_128_CFB, TpmScheme.NULL, 2048, 0,
                        BigIntegers.asUnsignedByteArray(256, r.getModulus()))));
        for (TpmPublic k : keys) {
            s.add(Fuzz.tagged(0, k.toSizedBytes()));
            PcrPolicySeal sealed = PcrPolicySeal.seal(Fuzz.scratch("srk.pub", k.toSizedBytes()), "sha256:7",
                    Fuzz.scratch("pcrs.json", PCR_VALUES), "seed".getBytes(StandardCharsets.UTF_8), "secret");
            s.add(Fuzz.tagged(2, Json.pretty(sealed.token(1).toJson()).getBytes(StandardCharsets.UTF_8)));
            s.add(Fuzz.tagged(3, sealed.blob().duplicate().toSizedBytes()));
        }
        s.add(Fuzz.tagged(1, PCR_VALUES));
        if (!java.nio.file.Files.isRegularFile(OVMF_VARS)) throw new IllegalStateException(OVMF_VARS + " missing: install the Debian package ovmf");
        byte[] vars = Fuzz.read(OVMF_VARS);
        s.add(Fuzz.tagged(4, vars));
        s.add(Fuzz.tagged(5, Json.pretty(UefiConfig.fromVariableStore(VariableStore.read(vars, "OVMF_VARS.fd"), false).toJson()).getBytes(StandardCharsets.UTF_8)));
        return Fuzz.seeds(s);
    }

    @MethodSource("seeds")
    @FuzzTest
    void fuzz(byte[] data) throws Exception {
        COUNTER.tick();
        if (data.length == 0) return;
        byte[] body = Fuzz.rest(data);
        switch ((data[0] & 0xff) % 6) {
            case 0 -> Fuzz.expectOneLine(() -> {
                SealedFiles.readPublic(Fuzz.scratch("srk.pub", body)).name();
                PcrPolicySeal.seal(Fuzz.scratch("srk.pub", body), "sha256:7", Fuzz.scratch("pcrs.json", PCR_VALUES),
                        "secret".getBytes(StandardCharsets.UTF_8), "secret");
            });
            case 1 -> Fuzz.expectOneLine(() -> PcrPolicySeal.seal(seedKey(), "sha256:7,11", Fuzz.scratch("pcrs.json", body),
                    "secret".getBytes(StandardCharsets.UTF_8), "secret"));
            case 2 -> {
                JsonNode n;
                try {
                    n = Json.MAPPER.readTree(body);
                } catch (IOException notJson) {
                    return; // the token is JSON inside a LUKS2 header, which the LUKS2 target parses
                }
                if (n != null) Fuzz.expectOneLine(() -> SystemdTpm2Token.fromJson(n).toJson());
            }
            case 3 -> Fuzz.expectOneLine(() -> TpmPrivate.fromSizedBytes(body).toSizedBytes());
            case 4 -> Fuzz.expectOneLine(() -> {
                UefiConfig.fromVariableStore(VariableStore.read(body, "vars.fd"), false).toJson();
                VtpmVariables.fromVarsFile(Fuzz.scratch("vars.fd", body));
            });
            default -> Fuzz.expectOneLine(() -> {
                UefiConfig.read(Fuzz.scratch("uefi-config.json", body)).toJson();
                VtpmVariables.fromUefiConfig(Fuzz.scratch("uefi-config.json", body));
            });
        }
    }

    private static Path srkSeed;

    /** A valid SRK for the PCR-values case. */
    private static Path seedKey() throws Exception {
        if (srkSeed == null) {
            KeyPairGenerator ec = KeyPairGenerator.getInstance("EC");
            ec.initialize(256);
            ECPublicKey e = (ECPublicKey) ec.generateKeyPair().getPublic();
            int srk = TpmPublic.FIXED_TPM | TpmPublic.FIXED_PARENT | TpmPublic.SENSITIVE_DATA_ORIGIN | TpmPublic.USER_WITH_AUTH
                    | TpmPublic.NO_DA | TpmPublic.RESTRICTED | TpmPublic.DECRYPT;
            TpmPublic k = new TpmPublic(TpmAlg.SHA256, srk, new byte[0], new PublicParameters.Ecc(SymDefObject.AES_128_CFB, TpmScheme.NULL,
                    TpmAlg.ECC_NIST_P256, TpmScheme.NULL, new EccPoint(BigIntegers.asUnsignedByteArray(32, e.getW().getAffineX()),
                    BigIntegers.asUnsignedByteArray(32, e.getW().getAffineY()))));
            srkSeed = Fuzz.scratch("seed-srk.pub", k.toSizedBytes());
        }
        return srkSeed;
    }

    @AfterAll
    static void report() {
        COUNTER.report();
    }
}
