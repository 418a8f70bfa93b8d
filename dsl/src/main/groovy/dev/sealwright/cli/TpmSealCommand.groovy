package dev.sealwright.cli

import dev.sealwright.base.InputFiles
import dev.sealwright.tpm.OfflineSeal
import dev.sealwright.base.RecipeException
import dev.sealwright.tpm.PcrPolicySeal
import dev.sealwright.tpm.SealedFiles
import groovy.transform.CompileStatic
import picocli.CommandLine.Command
import picocli.CommandLine.Mixin
import picocli.CommandLine.Option

import java.nio.file.Path
import java.util.concurrent.Callable

@CompileStatic
@Command(name = 'seal', mixinStandardHelpOptions = true,
        description = ['Seal a secret offline to predicted PCR values, for a TPM whose SRK public area is known.',
                'Writes sealed.pub, sealed.dpriv and sealed.seed (0600), the files tpm2_import -u/-i/-s take.'],
        footer = ['', 'On the TPM: tpm2_import -C SRK -u sealed.pub -i sealed.dpriv -s sealed.seed -r sealed.priv;',
                '  tpm2_load -C SRK -u sealed.pub -r sealed.priv -c sealed.ctx; tpm2_unseal -c sealed.ctx -p pcr:sha256:7'])
class TpmSealCommand implements Callable<Integer> {
    @Option(names = '--srk-pub', required = true, paramLabel = 'FILE', description = 'SRK public area, TPM2B_PUBLIC (tpm2_readpublic -o)')
    Path srkPub

    @Option(names = '--pcrs', required = true, paramLabel = 'BANK:PCR[,PCR]', description = 'PCRs the policy binds, e.g. sha256:7,4')
    String pcrs

    @Option(names = '--pcr-values', required = true, paramLabel = 'FILE', description = 'predicted PCR values, {"sha256": {"7": "<hex>"}}')
    Path pcrValues

    @Option(names = '--secret-file', required = true, paramLabel = 'FILE', description = 'the secret to seal (1..128 bytes, MAX_SYM_DATA)')
    Path secretFile

    @Option(names = '--out', required = true, paramLabel = 'DIR', description = 'directory for sealed.pub, sealed.dpriv, sealed.seed')
    Path out

    @Option(names = '--force', description = 'replace existing sealed files in --out')
    boolean force

    @Option(names = '--luks2-token', paramLabel = 'FILE',
            description = ['also write the blob as a systemd-tpm2 LUKS2 token (JSON for cryptsetup token import);',
                    'systemd unlocks the keyslot with base64(secret) as its passphrase'])
    Path luks2Token

    @Option(names = '--keyslot', paramLabel = 'N', description = 'the LUKS2 keyslot the --luks2-token unlocks')
    Integer keyslot

    @Mixin
    JsonOutput json

    /** TPM2B_SENSITIVE_DATA: MAX_SYM_DATA bytes. */
    static final InputFiles.Bound SECRET_BOUND = new InputFiles.Bound('a sealed secret', OfflineSeal.MAX_SECRET)

    @Override
    Integer call() {
        if ((luks2Token == null) != (keyslot == null)) throw new UsageException('--luks2-token and --keyslot go together')
        PcrPolicySeal.refuseExisting(luks2Token, force)
        byte[] secret = InputFiles.read(secretFile, SECRET_BOUND)
        if (secret.length == 0) throw new RecipeException("${secretFile}: is empty; a sealed secret is 1 to ${SECRET_BOUND.maxBytes()} bytes")
        def sealed = PcrPolicySeal.seal(srkPub, pcrs, pcrValues, secret, secretFile.toString())
        SealedFiles.write(out, sealed.blob(), force)
        if (luks2Token != null) PcrPolicySeal.writeToken(luks2Token, sealed.token(keyslot), force)
        if (json.wanted()) {        // schema docs/schemas/tpm-seal.schema.json; public values only
            json.print([srk_name  : HexFormat.of().formatHex(sealed.srk().name()), selection: sealed.selection().toString(),
                        policy    : HexFormat.of().formatHex(sealed.policy()), name: HexFormat.of().formatHex(sealed.blob().name()),
                        files     : [SealedFiles.PUBLIC, SealedFiles.DUPLICATE, SealedFiles.SEED].collect { out.resolve(it).toString() },
                        luks2_token: luks2Token?.toString(), keyslot: keyslot])
            return Main.OK
        }
        println "sealed to ${srkPub.fileName} (SRK name ${HexFormat.of().formatHex(sealed.srk().name())}) under PolicyPCR ${sealed.selection()}"
        println "  policy  ${HexFormat.of().formatHex(sealed.policy())}"
        println "  name    ${HexFormat.of().formatHex(sealed.blob().name())}"
        println "  wrote   ${out.resolve(SealedFiles.PUBLIC)}, ${SealedFiles.DUPLICATE}, ${SealedFiles.SEED}"
        if (luks2Token != null) println "  token   ${luks2Token} (systemd-tpm2, keyslot ${keyslot})"
        return Main.OK
    }
}
