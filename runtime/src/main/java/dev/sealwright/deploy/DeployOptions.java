package dev.sealwright.deploy;

import dev.sealwright.disk.format.DiskFormat;

import java.nio.file.Path;

/**
 * What {@code disk deploy} needs: the SRK public area, the PCR selection (e.g. {@code 7,4} or
 * {@code sha256:7,4}) and the predicted values, the keyslot passphrase (null: read it from the
 * cleartext token), the partition (null: the LUKS2 partition, preferring one with a cleartext token),
 * where to write a new recovery key (null: none), whether to write the secboot sealed key file into
 * the ESP, whether the SRK is the standard one (else its template goes to the ESP too), and the
 * uefi-config.json the values are predicted from when no {@code pcrValues} file is given, and the
 * output's disk format (null: the input's).
 */
public record DeployOptions(Path srkPub, String pcrs, Path pcrValues, byte[] passphrase, String passphraseSource,
                            String partition, Path recoveryKeyOut, boolean espKey, boolean standardSrkTemplate, Path uefiConfig,
                            DiskFormat outputFormat) {
    /** {@code 7,4} means the sha256 bank, as encrypt-cloud-image seals to. */
    public String pcrSelection() {
        return pcrs.contains(":") ? pcrs : "sha256:" + pcrs;
    }
}
