package dev.sealwright.cli.daemon

import dev.sealwright.testkit.DaemonLauncher
import dev.sealwright.testkit.Repo
import spock.lang.Shared
import spock.lang.Specification

import java.nio.file.Files
import java.nio.file.Path
import java.util.concurrent.TimeUnit

/**
 * The hostile-file cases that need real processes (issue 15): through the `./sealwright` launcher
 * and the resident CLI daemon, a FIFO, /dev/zero and a 10 MiB file given to the verbs that used to
 * read them whole (and so hung on the FIFO and grew the daemon to gigabytes) are refused at once,
 * by name, and the daemon's memory stays where it was. HostileInputSpec runs the full matrix in-process.
 */
class HostileInputDaemonSpec extends Specification {
    @Shared DaemonLauncher d
    @Shared Path work, caller, daemonDir

    def setupSpec() {
        d = new DaemonLauncher(Files.createTempDirectory('hostile-daemon'), 60)
        work = d.work
        caller = d.caller
        daemonDir = d.daemonDir
        assert new ProcessBuilder('mkfifo', caller.resolve('fifo').toString()).start().waitFor() == 0
        def big = new byte[10 << 20]
        new Random(15).nextBytes(big)
        Files.write(caller.resolve('big.bin'), big)
        Files.copy(Repo.fixture('snp/sev-snp-measure/ovmf_AmdSev_suffix.bin'), caller.resolve('ovmf.bin'))
        Files.copy(Repo.fixture('snp/virtee-sev/vcek_milan.der'), caller.resolve('vcek.der'))
        Files.copy(Repo.fixture('snp/virtee-sev/cert_chain_milan'), caller.resolve('chain.pem'))
    }

    def cleanupSpec() {
        d?.close()
    }

    private DaemonLauncher.Run launcher(String daemon, String... args) {
        d.run(daemon, args)
    }

    private long daemonRssKiB() {
        def pids = d.pidFiles()
        assert pids.size() == 1: "one daemon expected, found ${pids}"
        long pid = Files.readString(pids[0]).trim() as long
        def line = Files.readAllLines(Path.of("/proc/${pid}/status")).find { it.startsWith('VmRSS:') }
        line.replaceAll(/\D/, '') as long
    }

    /** What the line must say; a 10 MiB file is within some formats' bounds (firmware, event log) and then fails to parse. */
    static final Map<String, String> WHAT = ['fifo': 'is a FIFO', '/dev/zero': 'is a character device', 'big.bin': '']

    /** The entry points issue 15 lists; each reads INPUT whole. */
    static final List<List<String>> VERBS = [
            ['quote', 'show', 'INPUT'],
            ['quote', 'verify', 'INPUT'],
            ['attest', 'snp', 'INPUT', '--vcek', 'vcek.der', '--chain', 'chain.pem'],
            ['attest', 'snp', 'report', '--vcek', 'INPUT', '--chain', 'chain.pem'],
            ['eventlog', 'show', 'INPUT'],
            ['eventlog', 'replay', 'INPUT'],
            ['measure', 'snp', '--vcpus', '1', '--vcpu-type', 'EPYC-v4', '--ovmf', 'INPUT'],
            ['measure', 'tdx', '--firmware', 'INPUT'],
    ]

    def "through the daemon, a FIFO, /dev/zero and 10 MiB are refused at once by name, and the daemon's memory does not grow"() {
        given: 'a warm daemon'
        assert launcher('on', 'measure', 'profiles').code == 0
        long before = daemonRssKiB()

        when:
        List<String> problems = []
        for (String input : WHAT.keySet()) {
            for (List<String> verb : VERBS) {
                def args = verb.collect { it == 'INPUT' ? input : it }
                // the report argument of the --vcek row must exist so the VCEK is reached
                if (verb.contains('report')) args = args.collect { it == 'report' ? Repo.fixture('snp/virtee-sev/report_milan.hex').toString() : it }
                def r = launcher('on', args as String[])
                String abs = input.startsWith('/') ? input : caller.resolve(input).toString()
                def lines = r.err.readLines().findAll { !it.isBlank() }
                if (r.code != 1 || lines.size() != 1 || !lines[0].contains(abs) || !lines[0].contains(WHAT[input]) || r.err =~ /Exception|OutOfMemory|\bat dev\./)
                    problems << "${args.join(' ')}: ${r}".toString()
            }
        }
        long after = daemonRssKiB()

        then: 'every answer is one line naming the file and what it is, exit 1'
        problems == []

        and: 'the daemon kept none of it: 24 refused requests add less than 256 MiB (reading /dev/zero whole took it to 4.4 GB)'
        after - before < 256 * 1024

        and: 'it still answers'
        launcher('on', 'measure', 'snp', '--vcpus', '4', '--vcpu-type', 'EPYC-v4', '--ovmf', 'ovmf.bin', '--kernel', '/dev/null',
                '--initrd', '/dev/null', '--append', 'console=ttyS0').out.startsWith('1906335189b8ba73')
    }

    def "a fresh JVM (daemon off) refuses a FIFO at once too, instead of blocking in open"() {
        when:
        def r = launcher('off', 'quote', 'show', 'fifo')

        then:
        r.code == 1
        r.err.trim() == 'fifo: is a FIFO, not a regular file (a DCAP quote)'
    }
}
