package dev.sealwright.cli

import dev.sealwright.snp.SnpPolicy
import dev.sealwright.base.AtomicFiles
import dev.sealwright.base.Json
import dev.sealwright.base.RecipeException
import dev.sealwright.measure.snp.ByteValues
import dev.sealwright.measure.snp.idblock.IdBlock
import dev.sealwright.measure.snp.idblock.IdBlockSigner
import dev.sealwright.measure.snp.idblock.P384KeyFile
import dev.sealwright.measure.snp.idblock.SnpPublicKey
import groovy.transform.CompileStatic
import picocli.CommandLine.Command
import picocli.CommandLine.Mixin
import picocli.CommandLine.Option

import java.nio.charset.StandardCharsets
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

    @Option(names = '--policy', paramLabel = 'HEX', defaultValue = '0x30000', description = 'guest policy; must equal QEMU\'s policy (default ${DEFAULT-VALUE})')
    String policy

    @Option(names = '--id-key', required = true, paramLabel = 'PEM', description = 'P-384 ID key (PKCS#8 or SEC1 PEM)')
    Path idKey

    @Option(names = '--author-key', required = true, paramLabel = 'PEM', description = 'P-384 author key (PKCS#8 or SEC1 PEM)')
    Path authorKey

    @Option(names = '--family-id', paramLabel = 'HEX', defaultValue = '', description = 'family id, up to 16 bytes hex (zero-padded)')
    String familyId

    @Option(names = '--image-id', paramLabel = 'HEX', defaultValue = '', description = 'image id, up to 16 bytes hex (zero-padded)')
    String imageId

    @Option(names = '--version', paramLabel = 'N', defaultValue = '1', description = 'ID block version; the SNP ABI defines only 1')
    int version

    @Option(names = '--svn', paramLabel = 'N', defaultValue = '0', description = 'guest SVN')
    long svn

    @Option(names = '--out-dir', paramLabel = 'DIR', defaultValue = '.', description = 'where to write the files (default: current directory)')
    Path outDir

    @Mixin
    ForceOption overwrite

    @Option(names = '--json', description = 'print the results as JSON')
    boolean json

    @Override
    Integer call() {
        if (version != IdBlock.VERSION) throw new RecipeException("snp idblock: --version ${version} is not supported; the SNP ABI defines ID block version 1")
        if (svn < 0 || svn > 0xFFFFFFFFL) throw new RecipeException("snp idblock: --svn ${svn} does not fit 32 bits")
        long pol = ByteValues.number('--policy', policy)
        if ((pol & SnpPolicy.RESERVED_ONE) == 0 || (pol & SnpPolicy.MBZ) != 0)
            throw new RecipeException(String.format('snp idblock: policy 0x%X is invalid (bit 17 must be 1, bits 63:26 zero)', pol))
        def block = new IdBlock(ByteValues.hexOrBase64('--measurement', measurement, 48), ByteValues.hexPadded('--family-id', familyId, 16),
                ByteValues.hexPadded('--image-id', imageId, 16), version, (int) svn, pol)
        def id = P384KeyFile.read(idKey)
        def author = P384KeyFile.read(authorKey)
        def auth = IdBlockSigner.sign(block, id, author)
        def problems = IdBlockSigner.verify(block, auth)
        if (!problems.isEmpty()) throw new IllegalStateException("generated ID auth does not verify: ${problems}")
        def enc = Base64.encoder
        Map<String, String> files = [
                'id-block.base64'         : enc.encodeToString(block.toBytes()),
                'id-auth.base64'          : enc.encodeToString(auth.toBytes()),
                'id-key-digest.base64'    : enc.encodeToString(SnpPublicKey.of((java.security.interfaces.ECPublicKey) id.public).digest()),
                'author-key-digest.base64': enc.encodeToString(SnpPublicKey.of((java.security.interfaces.ECPublicKey) author.public).digest())]
        overwrite.refuseExisting(files.keySet().collect { String n -> outDir.resolve(n) } as Path[])
        files.each { String name, String value -> AtomicFiles.write(outDir.resolve(name), (value + '\n').getBytes(StandardCharsets.US_ASCII)) }
        if (json) {
            System.out.print(Json.pretty([idBlock: files['id-block.base64'], idAuth: files['id-auth.base64'],
                                          idKeyDigest: files['id-key-digest.base64'], authorKeyDigest: files['author-key-digest.base64'],
                                          outDir: outDir.toAbsolutePath().toString()]))
        } else {
            println "id-block=${files['id-block.base64']}"
            println "id_key_digest: ${files['id-key-digest.base64']}"
            println "author_key_digest: ${files['author-key-digest.base64']}"
            println "wrote ${files.keySet().join(', ')} to ${outDir}"
        }
        return Main.OK
    }
}
