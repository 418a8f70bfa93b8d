package dev.sealwright.cli

import dev.sealwright.testkit.Cli
import dev.sealwright.testkit.Repo
import spock.lang.Shared
import spock.lang.Specification

import java.nio.file.Files
import java.nio.file.Path
import java.nio.file.attribute.PosixFilePermissions
import java.util.concurrent.Callable
import java.util.concurrent.Executors
import java.util.concurrent.TimeUnit
import java.util.concurrent.TimeoutException

/**
 * The hostile-file matrix (issue 15): every CLI input that names a file gets an empty file, random
 * 1 KiB and 10 MiB, truncations of a valid file, a file of 0xFF bytes (every length field
 * 0xFFFFFFFF), a directory, /dev/zero, a FIFO and a path under a missing directory, with every other
 * input valid, so the command reaches the hostile one. Each run must end within {@link #TIMEOUT_S}
 * (no hang), with exit 1 (or 0 where any bytes are valid input, e.g. a kernel that is only hashed),
 * no stack trace, no exception name, and one line on stderr naming the hostile file. Runs in-process
 * (Cli.run); the launcher and daemon cases are in HostileInputDaemonSpec.
 */
class HostileInputSpec extends Specification {
    static final int TIMEOUT_S = 30
    @Shared Path dir
    @Shared Map<String, Path> valid = [:]
    @Shared def pool = Executors.newSingleThreadExecutor({ Runnable r -> def t = new Thread(r, 'hostile-cli'); t.daemon = true; t })

    /**
     * Every verb that reads a file, one row per file input: the command with {@code @} for the
     * hostile file, the valid file it replaces (for the truncation cases; null when the test has none),
     * and what it accepts: 'bytes' = any content is valid input (hashed or a passphrase), 'dir' = a
     * directory is the expected input, 'image' = a disk image (no size bound); 'recipe': errors are recipe errors.
     */
    static List<Map> entries() {
        [
                [cmd: 'quote show @'],
                [cmd: 'quote verify @', valid: 'quote'],
                [cmd: 'quote verify $quote --collateral @', valid: 'collateral', accepts: 'dir'],
                [cmd: 'quote verify $quote --root @'],
                [cmd: 'quote verify $quote --policy @'],
                [cmd: 'quote verify $quote --report-data-sha512 @', accepts: 'bytes'],
                [cmd: 'attest snp @ --vcek $vcek --chain $chain', valid: 'report'],
                [cmd: 'attest snp $report --vcek @ --chain $chain', valid: 'vcek'],
                [cmd: 'attest snp $report --vcek $vcek --chain @', valid: 'chain'],
                [cmd: 'eventlog show @', valid: 'ccel'],
                [cmd: 'eventlog replay @', valid: 'ccel'],
                [cmd: 'eventlog diff @ $ccel', valid: 'ccel'],
                [cmd: 'eventlog diff $ccel @', valid: 'ccel'],
                [cmd: 'measure snp --vcpus 1 --vcpu-type EPYC-v4 --ovmf @', valid: 'ovmf'],
                [cmd: 'measure snp --vcpus 1 --vcpu-type EPYC-v4 --ovmf $ovmf --kernel @ --initrd $secret', accepts: 'bytes'],
                [cmd: 'measure snp --vcpus 1 --vcpu-type EPYC-v4 --ovmf $ovmf --kernel $secret --initrd @', accepts: 'bytes'],
                [cmd: 'measure snp --mode snp:svsm --vcpus 1 --vcpu-type EPYC-v4 --ovmf $svsmOvmf --svsm @ --vars-size 540672', valid: 'svsm'],
                [cmd: 'measure snp --mode snp:svsm --vcpus 1 --vcpu-type EPYC-v4 --ovmf @ --svsm $svsm --vars-size 540672', valid: 'svsmOvmf', accepts: 'bytes'],
                [cmd: 'measure snp --mode snp:svsm --vcpus 1 --vcpu-type EPYC-v4 --ovmf $svsmOvmf --svsm $svsm --vars-file @', accepts: 'bytes'],
                [cmd: 'measure tdx --firmware @', valid: 'tdvf'],
                [cmd: 'measure tdx --firmware $tdvf --kernel @'],
                [cmd: 'measure tdx --firmware $tdvf --kernel $secret --initrd @', accepts: 'bytes'],
                [cmd: 'measure tdx --firmware $tdvf --uki @'],
                [cmd: 'measure tdx --firmware $tdvf --acpi @', accepts: 'dir'],
                [cmd: 'measure vtpm --firmware-code @ --firmware-vars $vars --uki $secret', accepts: 'bytes'],
                [cmd: 'measure vtpm --firmware-code $code --firmware-vars @ --uki $secret', valid: 'vars'],
                [cmd: 'measure vtpm --firmware-code $code --uefi-config @ --uki $secret'],
                [cmd: 'measure vtpm --firmware-code $code --firmware-vars $vars --uki @'],
                [cmd: 'measure vtpm --firmware-code $code --firmware-vars $vars --uki $secret --reference-log @'],
                [cmd: 'snp idblock --measurement ' + '11' * 48 + ' --id-key @ --author-key $author --out-dir $out', valid: 'idkey'],
                [cmd: 'snp idblock --measurement ' + '11' * 48 + ' --id-key $idkey --author-key @ --out-dir $out', valid: 'author'],
                [cmd: 'tpm seal --srk-pub @ --pcrs sha256:7 --pcr-values $pcrs --secret-file $secret --out $out', valid: 'srk'],
                [cmd: 'tpm seal --srk-pub $srk --pcrs sha256:7 --pcr-values @ --secret-file $secret --out $out', valid: 'pcrs'],
                [cmd: 'tpm seal --srk-pub $srk --pcrs sha256:7 --pcr-values $pcrs --secret-file @ --out $out', valid: 'secret'],
                [cmd: 'uefi config --vars @ -o $out/uefi.json', valid: 'vars'],
                [cmd: 'uefi config --certs @ -o $out/uefi.json', accepts: 'dir'],
                [cmd: 'uki inspect @'],
                [cmd: 'luks dump @', valid: 'luks', accepts: 'image'],
                [cmd: 'luks token list @', valid: 'luks', accepts: 'image'],
                [cmd: 'luks add-key @ --key-file $key --new-key-file $key --pbkdf pbkdf2 --pbkdf-force-iterations 1000', valid: 'luks', accepts: 'image'],
                [cmd: 'luks add-key $luksCopy --key-file @ --new-key-file $key --pbkdf pbkdf2 --pbkdf-force-iterations 1000', accepts: 'bytes'],
                [cmd: 'luks token add $luksCopy --json-file @'],
                [cmd: 'luks remove-key @ --key-slot 3', valid: 'luks', accepts: 'image'],
                [cmd: 'verity verify @ $hash $root', valid: 'data', accepts: 'image'],
                [cmd: 'verity verify $data @ $root', valid: 'hash', accepts: 'image'],
                [cmd: 'verity verify $data $hash --root-hash-file @', valid: 'rootFile'],
                [cmd: 'verity format @ $out/new.hash', accepts: 'bytes'],
                [cmd: 'disk partitions @', valid: 'luks', accepts: 'image'],
                [cmd: 'disk encrypt @ -o $out/enc.img --key-file $key', valid: 'luks', accepts: 'image'],
                [cmd: 'disk deploy @ -o $out/dep.img --srk-pub $srk --pcr-values $pcrs', valid: 'luks', accepts: 'image'],
                [cmd: 'disk deploy $luks -o $out/dep.img --srk-pub @ --pcr-values $pcrs', valid: 'srk'],
                [cmd: 'disk deploy $luks -o $out/dep.img --srk-pub $srk --pcr-values @', valid: 'pcrs'],
                [cmd: 'disk deploy $luks -o $out/dep.img --srk-pub $srk --uefi-config @'],
                [cmd: 'vault respond --seed $secret --request @ --out $out/msg.dat'],
                [cmd: 'enroll --seed @ --mrtd ' + '00' * 48 + ' --sim-identity $out --port 1', accepts: 'bytes'],
                [cmd: 'enroll --seed $vaultSeed --expected @ --sim-identity $out --port 1'],
                [cmd: 'kbs serve --policy $policy --secrets @ --port 0'],
                [cmd: 'kbs serve --policy @ --secrets $secrets --port 0'],
                [cmd: 'launch --firmware @ --kernel $secret --libvirt-xml $out/vm.xml', accepts: 'bytes'],
                [cmd: 'launch --firmware $tdvf --kernel @ --libvirt-xml $out/vm.xml', accepts: 'bytes'],
                [cmd: 'initramfs @ -o $out/initrd.cpio.gz', accepts: 'dir'],
                [cmd: 'plan @', recipe: true],
                [cmd: 'run @', recipe: true],
        ]
    }

    /** The hostile inputs; truncations are made of each row's valid file. */
    static final List<String> CASES = ['empty', 'random-1KiB', 'random-10MiB', 'truncated-half', 'truncated-last-byte', 'all-0xFF',
                                       'directory', '/dev/zero', 'FIFO', 'missing-parent']

    def setupSpec() {
        dir = Files.createTempDirectory('hostile')
        def rnd = new Random(15)
        def bytes = { int n -> byte[] b = new byte[n]; rnd.nextBytes(b); b }
        Files.write(dir.resolve('empty'), new byte[0])
        Files.write(dir.resolve('random-1KiB'), bytes(1024))
        Files.write(dir.resolve('random-10MiB'), bytes(10 << 20))
        byte[] ff = new byte[64 << 10]
        Arrays.fill(ff, (byte) 0xFF)
        Files.write(dir.resolve('all-0xFF'), ff)
        Files.createDirectories(dir.resolve('directory'))
        assert new ProcessBuilder('mkfifo', dir.resolve('FIFO').toString()).start().waitFor() == 0

        def v = Files.createDirectories(dir.resolve('valid'))
        valid.out = Files.createDirectories(dir.resolve('out'))
        valid.quote = Repo.fixture('dcap/dcap-qvl/tdx_quote')
        valid.collateral = Repo.fixture('dcap/dcap-qvl/tdx_quote_collateral.json')
        valid.report = Repo.fixture('snp/virtee-sev/report_milan.hex')
        valid.vcek = Repo.fixture('snp/virtee-sev/vcek_milan.der')
        valid.chain = Repo.fixture('snp/virtee-sev/cert_chain_milan')
        valid.ccel = Repo.fixture('eventlog/dstack/ccel.bin')
        valid.ovmf = Repo.fixture('snp/sev-snp-measure/ovmf_AmdSev_suffix.bin')
        valid.svsmOvmf = Repo.fixture('snp/sev-snp-measure/svsm_ovmf.fd.gz')
        valid.svsm = Repo.fixture('snp/sev-snp-measure/svsm.bin')
        valid.idkey = Repo.fixture('snp/virtee-sev/idblock/test_id_key.pem')
        valid.author = Repo.fixture('snp/sev-snp-measure/keyfile/author_key_test.pem')
        valid.tdvf = Path.of('/usr/share/ovmf/OVMF.fd')
        valid.code = Path.of('/usr/share/OVMF/OVMF_CODE_4M.fd')
        valid.vars = Path.of('/usr/share/OVMF/OVMF_VARS_4M.ms.fd')
        [valid.tdvf, valid.code, valid.vars].each { assert Files.isRegularFile(it): "${it} is required (Debian package ovmf)" }
        valid.secret = Files.writeString(v.resolve('secret'), 's3cret')
        valid.vaultSeed = Files.writeString(v.resolve('vault-seed'), 'v' * 32)   // a vault seed is at least 32 bytes (checked first)
        valid.key = Files.writeString(v.resolve('key'), 'passphrase')
        valid.pcrs = Files.writeString(v.resolve('pcrs.json'), '{"sha256": {"7": "' + '00' * 32 + '"}}')
        valid.policy = Files.writeString(v.resolve('policy.json'), '{"resources": {}}')
        valid.secrets = Files.writeString(v.resolve('secrets.json'), '{"a": "b"}')
        Files.setPosixFilePermissions(valid.secrets, PosixFilePermissions.fromString('rw-------'))
        valid.srk = Files.write(v.resolve('srk.pub'), eccSrkPublic())
        valid.luks = v.resolve('luks.img')
        valid.seed = Files.writeString(v.resolve('seed'), 'hostile')
        def fmt = Cli.run('luks', 'format', valid.luks.toString(), '--size', "${17 << 20}", '--key-file', valid.key.toString(),
                '--pbkdf', 'pbkdf2', '--pbkdf-force-iterations', '1000', '--deterministic-seed-file', valid.seed.toString())
        assert fmt.exitCode == 0: fmt
        valid.luksCopy = Files.copy(valid.luks, v.resolve('luks-copy.img'))
        valid.data = Files.write(v.resolve('data'), new byte[1 << 20])
        valid.hash = v.resolve('data.hash')
        valid.rootFile = v.resolve('root')
        def vf = Cli.run('verity', 'format', valid.data.toString(), valid.hash.toString(), '--salt', '-', '--root-hash-file', valid.rootFile.toString())
        assert vf.exitCode == 0: vf
        valid.root = Files.readString(valid.rootFile).trim()
    }

    /**
     * A TPM2B_PUBLIC of an ECC P-256 storage key (TCG SRK template; TPM 2.0 Part 2 §12.2.4) whose
     * point is the curve's generator: a well-formed SRK public area without a TPM.
     */
    static byte[] eccSrkPublic() {
        def p256 = java.security.AlgorithmParameters.getInstance('EC')
        p256.init(new java.security.spec.ECGenParameterSpec('secp256r1'))
        def g = p256.getParameterSpec(java.security.spec.ECParameterSpec).generator
        def coord = { BigInteger v -> byte[] b = v.toByteArray(); byte[] c = new byte[32]; int n = Math.min(32, b.length); System.arraycopy(b, b.length - n, c, 32 - n, n); c }
        def t = new ByteArrayOutputStream()
        def out = new DataOutputStream(t)
        out.writeShort(0x0023); out.writeShort(0x000B); out.writeInt(0x00030472); out.writeShort(0)   // ECC, sha256, attributes, no policy
        out.writeShort(0x0006); out.writeShort(128); out.writeShort(0x0043)                                // AES-128-CFB
        out.writeShort(0x0010); out.writeShort(0x0003); out.writeShort(0x0010)                             // no scheme, NIST P-256, no KDF
        out.writeShort(32); out.write(coord(g.affineX)); out.writeShort(32); out.write(coord(g.affineY))
        def sized = new ByteArrayOutputStream()
        new DataOutputStream(sized).with { writeShort(t.size()); write(t.toByteArray()) }
        sized.toByteArray()
    }

    def cleanupSpec() {
        pool.shutdownNow()
        dir?.toFile()?.deleteDir()
    }

    /** The hostile file of {@code kind} for a row (null: this row has no valid file to truncate). */
    Path hostile(String kind, Map row) {
        switch (kind) {
            case '/dev/zero': return Path.of('/dev/zero')
            case 'missing-parent': return dir.resolve('no/such/dir/input')
            case 'truncated-half':
            case 'truncated-last-byte':
                if (row.valid == null) return null
                byte[] b = Files.readAllBytes(valid[row.valid] as Path)
                Path t = dir.resolve("${kind}-${row.valid}")
                Files.write(t, Arrays.copyOf(b, kind == 'truncated-half' ? b.length.intdiv(2) as int : b.length - 1))
                return t
            default: return dir.resolve(kind)
        }
    }

    /** Each case writes into a fresh directory: outputs are never overwritten without --force. */
    String[] argv(Map row, Path file) {
        String out = Files.createTempDirectory(valid.out as Path, 'case').toString()
        (row.cmd as String).split(' ').collect { String a ->
            a == '@' ? file.toString() : a.contains('$out') ? a.replace('$out', out) : a.startsWith('$') ? resolveValid(a.substring(1)) : a
        } as String[]
    }

    private String resolveValid(String name) {
        def v = valid[name]
        assert v != null: "no valid input named ${name}"
        v.toString()
    }

    Cli.Result runWithin(String[] args) {
        def f = pool.submit({ Cli.run(args) } as Callable<Cli.Result>)
        try {
            return f.get(TIMEOUT_S, TimeUnit.SECONDS)
        } catch (TimeoutException e) {
            f.cancel(true)
            throw new AssertionError("hung: sealwright ${args.join(' ')} did not end within ${TIMEOUT_S} s")
        }
    }

    def "#row.cmd with #kind: ends at once with one line naming the file, no stack trace"() {
        given:
        Path file = hostile(kind, row)
        String[] args = argv(row, file)

        when:
        def r = runWithin(args)
        List<String> lines = r.err.readLines().findAll { !it.isBlank() }
        boolean typeCase = kind in ['directory', '/dev/zero', 'FIFO', 'missing-parent']
        // a truncation may still be valid (a trailing newline or padding gone), and then a later input is reached
        boolean contentMayBeValid = (row.accepts == 'bytes' && !typeCase) || kind.startsWith('truncated')
        boolean mayPass = contentMayBeValid || (row.accepts == 'dir' && kind == 'directory')
        boolean namesAnInput = lines && args.any { String a -> a.startsWith('/') && lines[0].contains(a) }

        then: 'no crash: no exception, no stack frame, no OutOfMemoryError'
        !((r.err + r.out) =~ /Exception|Error:|\bat (dev|java|org|groovy|com)\.|OutOfMemory/)

        and: 'success only where any content is valid; otherwise exit 1 and one line naming the file'
        if (r.exitCode == 0) {
            assert mayPass: "accepted ${kind}: ${r}"
        } else {
            assert r.exitCode == 1: r
            // a recipe error is "recipe.groovy:LINE:COL: message" plus the offending line and a caret (README)
            assert lines.size() == 1 || (row.recipe && lines.size() == 3 && lines[0].startsWith(file.fileName.toString() + ':')): r
            assert lines[0].contains(file.toString()) || (contentMayBeValid && namesAnInput)
                    || (row.recipe && lines[0].startsWith(file.fileName.toString() + ':')): "the error does not name ${file}: ${r}"
        }

        and: 'special files are named for what they are'
        if (kind == 'directory' && row.accepts != 'dir') assert lines[0].contains('is a directory'): r
        if (kind == 'FIFO') assert lines[0].contains('is a FIFO'): r
        if (kind == '/dev/zero') assert lines[0].contains('is a character device'): r
        if (kind == 'missing-parent') assert lines[0].contains('no such file'): r

        where:
        // truncations need a valid file of the row's format; rows that name none have no truncation cases
        [row, kind] << [entries(), CASES].combinations().findAll { Map e, String k -> !(k.startsWith("truncated") && e.valid == null) }
    }
}
