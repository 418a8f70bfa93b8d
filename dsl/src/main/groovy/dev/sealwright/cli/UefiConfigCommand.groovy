package dev.sealwright.cli

import dev.sealwright.base.AtomicFiles
import dev.sealwright.uefi.UefiConfigBuild
import groovy.transform.CompileStatic
import picocli.CommandLine.Command
import picocli.CommandLine.Mixin
import picocli.CommandLine.Option

import java.nio.file.Path
import java.util.concurrent.Callable

@CompileStatic
@Command(name = 'config', mixinStandardHelpOptions = true,
        description = ['Write the uefi-config.json of encrypt-cloud-image (PK, KEK, db, dbx as base64 signature lists)',
                'from an OVMF variable store, e.g. /usr/share/OVMF/OVMF_VARS_4M.ms.fd, or from a directory of certificates.'])
class UefiConfigCommand implements Callable<Integer> {
    @Option(names = '--vars', paramLabel = 'FILE', description = 'OVMF_VARS file (EDK2 authenticated variable store)')
    Path vars

    @Option(names = '--certs', paramLabel = 'DIR', description = ['DIR/{PK,KEK,db,dbx}/ holding *.pem|*.crt|*.cer|*.der certificates, *.sha256 hash lists, *.esl lists',
            '(taken in name order; owner GUID from NAME.owner, VAR/owner or DIR/owner); or create-uefi-config\'s flat PK.esl, KEK-*.esl, db-*.esl, dbx-*.esl'])
    Path certs

    @Option(names = ['-o', '--output'], required = true, paramLabel = 'FILE', description = 'uefi-config.json to write')
    Path output

    @Mixin
    ForceOption overwrite

    @Option(names = '--omits-ready-to-boot-signal', description = 'the firmware does not measure "Calling EFI Application from Boot Option"')
    boolean omitsReadyToBoot

    @Override
    Integer call() {
        overwrite.refuseExisting(output)
        if ((certs == null) == (vars == null)) throw new UsageException('uefi config needs exactly one of --vars FILE and --certs DIR')
        def config = UefiConfigBuild.run(new UefiConfigBuild.Request(vars, certs, omitsReadyToBoot))
        AtomicFiles.write(output, UefiConfigBuild.json(config))
        println "wrote ${output}: PK ${size(config.pk())}, KEK ${size(config.kek())}, db ${size(config.db())}, dbx ${size(config.dbx())}"
        return Main.OK
    }

    private static String size(byte[] b) { b == null ? 'absent' : "${b.length} bytes".toString() }
}
