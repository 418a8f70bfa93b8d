package dev.sealwright.cli

import dev.sealwright.measure.snp.idblock.IdBlockSigning
import dev.sealwright.measure.snp.idblock.P384KeyFile
import groovy.transform.CompileStatic
import picocli.CommandLine.Command
import picocli.CommandLine.Mixin
import picocli.CommandLine.Option

import java.nio.file.Path
import java.util.concurrent.Callable

/** SNPGuard idblock-generator / snpguest id-block equivalent. */
@CompileStatic
@Command(name = 'idblock', description = ['Sign an SNP ID block: writes id-block.base64, id-auth.base64 and the ID/author key digests.',
        'Give QEMU: -object sev-snp-guest,...,id-block=$(cat id-block.base64),id-auth=$(cat id-auth.base64),author-key-enabled=on'])
class SnpIdBlockCommand implements Callable<Integer> {
    @Option(names = ['-h', '--help'], usageHelp = true, description = 'show this help')
    boolean help

    @Option(names = '--measurement', required = true, paramLabel = 'LD', description = 'expected launch digest, 48 bytes as hex or base64')
    String measurement

    @Option(names = '--policy', paramLabel = 'HEX', description = 'guest policy; must equal QEMU\'s policy (default ' + IdBlockSigning.DEFAULT_POLICY + ')')
    String policy

    @Option(names = '--id-key', required = true, paramLabel = 'PEM', description = 'P-384 ID key (PKCS#8 or SEC1 PEM)')
    Path idKey

    @Option(names = '--author-key', required = true, paramLabel = 'PEM', description = 'P-384 author key (PKCS#8 or SEC1 PEM)')
    Path authorKey

    @Option(names = '--family-id', paramLabel = 'HEX', description = 'family id, up to 16 bytes hex (zero-padded)')
    String familyId

    @Option(names = '--image-id', paramLabel = 'HEX', description = 'image id, up to 16 bytes hex (zero-padded)')
    String imageId

    @Option(names = '--version', paramLabel = 'N', description = 'ID block version; the SNP ABI defines only 1 (the default)')
    Integer version

    @Option(names = '--svn', paramLabel = 'N', description = 'guest SVN (default: 0)')
    Long svn

    @Option(names = '--out-dir', paramLabel = 'DIR', defaultValue = '.', description = 'where to write the files (default: current directory)')
    Path outDir

    @Mixin
    ForceOption overwrite

    @Mixin
    JsonOutput json

    @Override
    Integer call() {
        def r = IdBlockSigning.run(new IdBlockSigning.Request(measurement, policy, familyId, imageId, version, svn,
                P384KeyFile.read(idKey), P384KeyFile.read(authorKey)))
        Map<String, String> files = r.files()
        overwrite.refuseExisting(files.keySet().collect { String n -> outDir.resolve(n) } as Path[])
        r.write(outDir)
        if (json.wanted()) {        // schema docs/schemas/snp-idblock.schema.json
            json.print([id_block: files['id-block.base64'], id_auth: files['id-auth.base64'],
                        id_key_digest: r.idKeyDigest(), author_key_digest: r.authorKeyDigest(),
                        out_dir: outDir.toAbsolutePath().toString()])
        } else {
            println "id-block=${files['id-block.base64']}"
            println "id_key_digest: ${r.idKeyDigest()}"
            println "author_key_digest: ${r.authorKeyDigest()}"
            println "wrote ${files.keySet().join(', ')} to ${outDir}"
        }
        return Main.OK
    }
}
