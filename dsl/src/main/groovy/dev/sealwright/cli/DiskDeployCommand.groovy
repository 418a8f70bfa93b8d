package dev.sealwright.cli

import dev.sealwright.deploy.DeployOptions
import dev.sealwright.deploy.DiskDeployer
import dev.sealwright.disk.format.DiskFormat
import dev.sealwright.disk.luks2.Entropy
import dev.sealwright.base.RecipeException
import dev.sealwright.tools.Tools
import dev.sealwright.uefi.UefiConfig
import groovy.transform.CompileStatic
import picocli.CommandLine
import picocli.CommandLine.Command
import picocli.CommandLine.Mixin
import picocli.CommandLine.Option
import picocli.CommandLine.Parameters

import java.nio.file.Path
import java.util.concurrent.Callable

@CompileStatic
@Command(name = 'deploy', mixinStandardHelpOptions = true,
        description = ['Seal the LUKS2 rootfs of an encrypted disk image to a TPM (encrypt-cloud-image deploy), offline, to the SRK under',
                'the predicted PCR values: a systemd-tpm2 token unlocking a new keyslot, and the keyslot passphrase in secboot\'s sealed key',
                'file ESP/device/fde/cloudimg-rootfs.sealed-key. Cleartext key tokens are removed; optionally a recovery keyslot.',
                'The image may be raw, a fixed or dynamic VHD, or qcow2: -o OUT gets the deployed copy in the input\'s format',
                '(or --output-format) and the input is not modified; --in-place (raw or fixed VHD) changes the input itself.'])
class DiskDeployCommand implements Callable<Integer> {
    @Parameters(index = '0', paramLabel = 'ENCRYPTED.img', description = 'disk image written by disk encrypt: raw, fixed or dynamic VHD, or qcow2 (told apart by their headers)')
    Path input
    @Option(names = ['-o', '--output'], paramLabel = 'OUT', description = 'write the deployed image here (temp file + rename)')
    Path output

    @Mixin
    ForceOption overwrite
    @Option(names = '--in-place', description = 'modify ENCRYPTED.img itself')
    boolean inPlace
    @Option(names = '--srk-pub', required = true, paramLabel = 'FILE', description = 'SRK public area, TPM2B_PUBLIC (tpm2_readpublic -o)')
    Path srkPub
    @Option(names = '--uefi-config', paramLabel = 'FILE', description = 'uefi-config.json (encrypt-cloud-image): without --pcr-values, PCR 7/4 are predicted from it and what the image\'s ESP boots (\\EFI\\BOOT\\BOOTX64.EFI: a UKI, or shim 16.1 -> GRUB 2.06-13 -> kernel), Secure Boot on')
    Path uefiConfig
    @Option(names = '--pcrs', paramLabel = 'LIST', description = 'PCRs to seal to, e.g. 7 or 7,4 (sha256 bank) or sha256:7,4 (default: ${DEFAULT-VALUE})')
    String pcrs = '7'
    @Option(names = '--pcr-values', paramLabel = 'FILE', description = 'predicted PCR values {"sha256": {"7": "<hex>"}} (as measure vtpm --json writes)')
    Path pcrValues
    @Option(names = '--key-file', paramLabel = 'FILE', description = 'passphrase of an existing keyslot (default: the cleartext key token in the header)')
    Path keyFile
    @Option(names = '--recovery-key-out', paramLabel = 'FILE', description = 'add a recovery keyslot; its 16-byte key goes to FILE (0600, never overwritten)')
    Path recoveryKeyOut
    @Option(names = '--partition', paramLabel = 'SEL', description = 'the LUKS2 partition (default: the one with a cleartext key token, or the only one)')
    String partition
    @Option(names = '--no-esp-key', description = 'do not write the secboot sealed key file ESP/device/fde/cloudimg-rootfs.sealed-key (the LUKS2 token only)')
    boolean noEspKey
    @Option(names = '--output-format', paramLabel = 'FORMAT', description = 'format of OUT: raw, vhd-fixed, vhd-dynamic or qcow2 (default: the input\'s)')
    String outputFormat
    @Option(names = '--standard-srk-template', description = 'the SRK uses the TCG standard template: do not write ESP/tpm2-srk.tmpl')
    boolean standardSrkTemplate

    @Mixin
    JsonOutput json

    @Override
    Integer call() {
        if (inPlace == (output != null)) throw new UsageException('disk deploy: give exactly one of -o OUT and --in-place')
        overwrite.refuseExisting(output)
        if (uefiConfig != null) UefiConfig.read(uefiConfig)
        byte[] passphrase = keyFile == null ? null : LuksCommand.readKeyFile(keyFile)
        def o = new DeployOptions(srkPub, pcrs, pcrValues, passphrase, keyFile?.toString(), partition, recoveryKeyOut, !noEspKey, standardSrkTemplate, pcrValues == null ? uefiConfig : null,
                outputFormat == null ? null : DiskFormat.parse(outputFormat, '--output-format'))
        def r = DiskDeployer.deploy(input, inPlace ? null : output, o, new Tools(), Entropy.secure())
        if (passphrase != null) Arrays.fill(passphrase, (byte) 0)
        if (json.wanted()) {        // schema docs/schemas/disk-deploy.schema.json
            Map<String, Map<String, String>> sealed = [:]
            r.sealedValues().each { String bankPcr, String hex ->      // "sha256:7" -> {"sha256": {"7": hex}}, the shape of --pcr-values
                int colon = bankPcr.indexOf(':')
                sealed.computeIfAbsent(bankPcr.substring(0, colon)) { [:] }[bankPcr.substring(colon + 1)] = hex
            }
            json.print([partition       : r.partition(), tpm_keyslot: r.tpmKeyslot(), selection: r.selection(), policy: r.policy().encodeHex().toString(),
                        token_id        : r.tokenId(), unlocked_with: r.passphraseFrom(), removed_tokens: r.removedTokens(), esp_files: r.espFiles(),
                        recovery_keyslot: r.recoveryKeyslot() >= 0 ? r.recoveryKeyslot() : null, recovery_key_file: r.recoveryKeyslot() >= 0 ? recoveryKeyOut?.toString() : null,
                        pcr_values_from : r.pcrValuesFrom(), sealed_values: sealed, output: (inPlace ? input : output).toString()])
            return Main.OK
        }
        println "partition ${r.partition()}: keyslot ${r.tpmKeyslot()} sealed to ${r.selection()} (policy ${r.policy().encodeHex()}), systemd-tpm2 token ${r.tokenId()}; " +
                "unlocked with ${r.passphraseFrom()}"
        if (!r.removedTokens().isEmpty()) println "removed cleartext key token ${r.removedTokens().join(', ')}"
        r.espFiles().each { println "ESP: wrote ${it}" }
        if (r.recoveryKeyslot() >= 0) println "recovery keyslot ${r.recoveryKeyslot()}: key written to ${recoveryKeyOut}"
        println "PCR values ${r.pcrValuesFrom()}:"
        r.sealedValues().each { k, v -> println "  ${k} ${v}" }
        if (uefiConfig != null && pcrValues != null) println "note: ${uefiConfig} was checked; the values come from --pcr-values"
        println "wrote ${inPlace ? input : output}"
        Main.OK
    }
}
