package dev.sealwright.cli

import dev.sealwright.testkit.Cli
import dev.sealwright.testkit.Repo
import spock.lang.Specification
import spock.lang.TempDir

import java.nio.file.Files
import java.nio.file.Path
import java.nio.file.attribute.PosixFilePermissions
import java.util.concurrent.Callable
import java.util.concurrent.Executors
import java.util.concurrent.TimeUnit

/**
 * Issue 15 section 3: the error lines that broke the promise "one line naming the file, option or
 * address and the offending field, printed as the specification defines it". Each input is a
 * published fixture with one field set to a hostile value (0xFFFFFFFF lengths, cut JSON).
 */
class ErrorLineSpec extends Specification {
    @TempDir
    Path dir

    private static Cli.Result oneLine(Cli.Result r) {
        assert r.exitCode == 1: r
        assert r.err.readLines().findAll { !it.isBlank() }.size() == 1: r
        assert !(r.err =~ /Exception|\bat \[Source|\bat dev\./): r
        r
    }

    private Path patched(String fixture, String name, Closure<Void> patch) {
        byte[] b = Files.readAllBytes(Repo.fixture(fixture))
        patch(b)
        Files.write(dir.resolve(name), b)
    }

    private static int indexOf(byte[] b, String ascii) {
        byte[] p = ascii.getBytes('US-ASCII')
        for (int i = 0; i + p.length <= b.length; i++) if (Arrays.equals(b, i, i + p.length, p, 0, p.length)) return i
        throw new AssertionError("${ascii} not found")
    }

    private static void putU32(byte[] b, int at, long v) {
        for (int i = 0; i < 4; i++) b[at + i] = (byte) (v >>> (8 * i))
    }

    def "measure snp: an SEV metadata section of 0xFFFFFFFF bytes is named with the file and the field"() {
        given: 'the sev-snp-measure OVMF with its first SEV metadata section size set to 0xFFFFFFFF'
        def ovmf = patched('snp/sev-snp-measure/ovmf_AmdSev_suffix.bin', 'ovmf.bin') { byte[] b ->
            int asev = indexOf(b, 'ASEV')
            putU32(b, asev + 16 + 4, 0xFFFFFFFFL)
        }

        when:
        def r = oneLine(Cli.run('measure', 'snp', '--vcpus', '1', '--vcpu-type', 'EPYC-v4', '--ovmf', ovmf.toString()))

        then:
        r.err.startsWith("${ovmf}: SEV metadata section 0 ")
        r.err.contains('covers 0xFFFFFFFF bytes')
    }

    def "attest snp: a cut sev-crate JSON report is one line with line and column, without Jackson's source excerpt"() {
        given:
        def full = Files.readString(Repo.fixture('snp/snp-guard/benign-report.json'))
        def cut = Files.writeString(dir.resolve('cut.json'), full.substring(0, full.length().intdiv(2) as int))

        when:
        def r = oneLine(Cli.run('attest', 'snp', cut.toString(), '--vcek', Repo.fixture('snp/snp-guard/vcek.crt').toString(),
                '--chain', Repo.fixture('snp/virtee-sev/cert_chain_milan').toString()))

        then:
        r.err ==~ /(?s)\Q${cut}\E: .*invalid JSON at line \d+ column \d+: .*\n/
    }

    def "unsigned fields are printed unsigned: a CCEL table length of 0xFFFFFFFF"() {
        given:
        def table = patched('eventlog/go-eventlog/cos-113-intel-tdx.table.bin', 'ccel.table') { byte[] b -> putU32(b, 4, 0xFFFFFFFFL) }

        expect:
        oneLine(Cli.run('eventlog', 'show', table.toString())).err.trim() == "${table}: CCEL table length field is 4294967295, not 56"
    }

    def "unsigned fields are printed unsigned: an SNP report version of 0xFFFFFFFF, named with its file"() {
        given:
        byte[] raw = HexFormat.of().parseHex(Files.readString(Repo.fixture('snp/virtee-sev/report_milan.hex')).replaceAll(/\s/, ''))
        putU32(raw, 0, 0xFFFFFFFFL)
        def report = Files.write(dir.resolve('report.bin'), raw)

        expect:
        oneLine(Cli.run('attest', 'snp', report.toString(), '--vcek', Repo.fixture('snp/virtee-sev/vcek_milan.der').toString(),
                '--chain', Repo.fixture('snp/virtee-sev/cert_chain_milan').toString())).err.trim() ==
                "${report}: SNP report: version 4294967295 is not supported (2 to 5)"
    }

    def "an SNP signature whose R is wider than 384 bits names the report file"() {
        given:
        byte[] raw = HexFormat.of().parseHex(Files.readString(Repo.fixture('snp/virtee-sev/report_milan.hex')).replaceAll(/\s/, ''))
        Arrays.fill(raw, 0x2A0, 0x2A0 + 72, (byte) 0xFF)
        def report = Files.write(dir.resolve('wide-r.bin'), raw)

        expect:
        oneLine(Cli.run('attest', 'snp', report.toString(), '--vcek', Repo.fixture('snp/virtee-sev/vcek_milan.der').toString(),
                '--chain', Repo.fixture('snp/virtee-sev/cert_chain_milan').toString())).err.trim() ==
                "${report}: SNP signature: R or S is wider than 384 bits"
    }

    def "verity: a superblock block size of 0xFFFFFFFF, a corrupt tree and a wrong root hash each name the file"() {
        given:
        def data = Files.write(dir.resolve('data'), new byte[64 << 10])
        def hash = dir.resolve('data.hash')
        assert Cli.run('verity', 'format', data.toString(), hash.toString(), '--salt', '-').exitCode == 0
        byte[] sb = Files.readAllBytes(hash)
        def badSb = dir.resolve('bad-sb.hash')
        Files.write(badSb, sb.clone().with { putU32(it, 64, 0xFFFFFFFFL); it })
        def badTree = dir.resolve('bad-tree.hash')
        Files.write(badTree, sb.clone().with { it[4096] = (byte) (it[4096] ^ 1); it })   // the first leaf digest
        String root = '00' * 32

        expect:
        oneLine(Cli.run('verity', 'verify', data.toString(), badSb.toString(), root)).err.trim() ==
                "${badSb}: block size 4294967295 is not a power of two between 512 and 1 MiB"
        oneLine(Cli.run('verity', 'verify', data.toString(), badTree.toString(), root)).err.trim() ==
                "verification failed: ${data}: data block 0 does not match its hash in ${badTree}"
        oneLine(Cli.run('verity', 'verify', data.toString(), hash.toString(), root)).err.startsWith("verification failed: ${data} and ${hash} give root hash ")
        oneLine(Cli.run('verity', 'verify', data.toString(), hash.toString(), '00')).err.trim() ==
                "ROOT_HASH: the root hash is 1 bytes; sha256 (${hash}) gives 32"
    }

    def "kbs serve on a busy port names the address and the options"() {
        given:
        def busy = new ServerSocket(0, 1, InetAddress.getByName('127.0.0.1'))
        def policy = Files.writeString(dir.resolve('policy.json'), '{"resources": {}}')
        def secrets = Files.writeString(dir.resolve('secrets.json'), '{"a": "b"}')
        Files.setPosixFilePermissions(secrets, PosixFilePermissions.fromString('rw-------'))
        def pool = Executors.newSingleThreadExecutor()

        when: 'bounded: a broker that did start would serve until Ctrl-C'
        def r = pool.submit({
            Cli.run('kbs', 'serve', '--policy', policy.toString(), '--secrets', secrets.toString(), '--port', "${busy.localPort}")
        } as Callable<Cli.Result>).get(30, TimeUnit.SECONDS)

        then:
        oneLine(r).err.startsWith("kbs: cannot listen on 127.0.0.1:${busy.localPort}: ")

        cleanup:
        busy?.close()
        pool.shutdownNow()
    }
}
