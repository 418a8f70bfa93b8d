package dev.sealwright.testkit

import dev.sealwright.measure.event.EventLog
import dev.sealwright.measure.event.HashAlg
import dev.sealwright.measure.event.LogKind
import dev.sealwright.measure.event.Registers
import dev.sealwright.measure.event.Tcg2EventLogCodec
import dev.sealwright.tools.Tools
import dev.sealwright.vm.HostCapabilities
import dev.sealwright.vm.VmHandle
import dev.sealwright.vm.VmSpec
import groovy.json.JsonSlurper

import java.nio.file.Files
import java.nio.file.Path
import java.time.Duration

/**
 * A real vTPM boot through the Launch component (VmHandle) whose guest prints its PCRs 0-23 of both
 * banks ("SW-PCR sha256 N HEX") and its TCG2 event log (base64 between SW-EVENTLOG-BEGIN/-END) on
 * the console, and the checks every real-boot spec makes of it: the log replays to the PCRs, `measure
 * vtpm` equals every PCR it computes, `eventlog diff` names no register, and the TDX prediction's
 * RTMR1/RTMR2 events equal the log's PCR 2-6 / PCR 9 events.
 */
class VtpmGuest {
    final String name
    final List<String> console
    final Map<String, Map<Integer, String>> pcrs
    final Path logFile
    final EventLog log
    /** The ESP disk launch wrote (esp.img in the run directory; absent for a direct boot). */
    final Path bootDisk

    private VtpmGuest(String name, List<String> console, Map pcrs, Path logFile, EventLog log, Path bootDisk) {
        this.name = name; this.console = console; this.pcrs = pcrs; this.logFile = logFile; this.log = log; this.bootDisk = bootDisk
    }

    /** A busybox initrd whose /init prints PCRs 0-23 of both banks and the event log, then powers off. */
    static Path dumpingInitrd(Path dir) {
        ['busybox', 'cpio'].each { Repo.requireTool(it) }
        def root = Files.createDirectories(dir.resolve('vtpm-initrd-root/bin'))
        Files.copy(Repo.requireTool('busybox'), root.resolve('busybox'))
        def init = dir.resolve('vtpm-initrd-root/init')
        Files.writeString(init, '''#!/bin/busybox sh
/bin/busybox mkdir -p /proc /sys /dev
/bin/busybox mount -t proc proc /proc
/bin/busybox mount -t sysfs sysfs /sys
/bin/busybox mount -t devtmpfs devtmpfs /dev
/bin/busybox mount -t securityfs securityfs /sys/kernel/security
echo 1 > /proc/sys/kernel/printk
exec > /dev/ttyS0 2>&1
for b in sha256 sha384; do for i in $(/bin/busybox seq 0 23); do echo "SW-PCR $b $i $(/bin/busybox cat /sys/class/tpm/tpm0/pcr-$b/$i)"; done; done
echo SW-EVENTLOG-BEGIN
/bin/busybox base64 /sys/kernel/security/tpm0/binary_bios_measurements
echo SW-EVENTLOG-END
/bin/busybox poweroff -f
''')
        init.toFile().setExecutable(true)
        def p = new ProcessBuilder('sh', '-c', 'find . | cpio -o -H newc --quiet > ../vtpm-initrd.img').directory(dir.resolve('vtpm-initrd-root').toFile())
                .redirectErrorStream(true).start()
        def out = p.inputStream.text
        assert p.waitFor() == 0: "cpio failed: ${out}"
        dir.resolve('vtpm-initrd.img')
    }

    /**
     * Launches {@code spec} (vTPM on) with {@code tools} (their search path picks the QEMU), waits up to
     * {@code timeout} for the guest to power off, and reads what it printed. The log, console and disk
     * are also kept under target/vtpm-guest/NAME-* for a failure's diagnosis.
     */
    static VtpmGuest launch(String name, VmSpec spec, Tools tools, Path runDir, Duration timeout) {
        assert spec.vtpm()
        def vm = VmHandle.launch(spec, tools, HostCapabilities.detect(tools), runDir, {})
        try {
            int exit = vm.waitForExit(timeout)
            List<String> lines = vm.console()*.trim()
            Path kept = Files.createDirectories(Path.of('target', 'vtpm-guest'))
            Files.write(kept.resolve("${name}-console.txt"), lines)
            assert exit == 0: "the guest ${name} ended with ${exit}:\n${lines.takeRight(40).join('\n')}"
            Path esp = runDir.resolve('esp.img')
            if (Files.exists(esp)) Files.copy(esp, kept.resolve("${name}-esp.img"), java.nio.file.StandardCopyOption.REPLACE_EXISTING)
            read(name, lines, runDir, Files.exists(esp) ? esp : null)
        } finally {
            vm.close()
        }
    }

    /** Parses the guest's console lines; writes the log to RUNDIR/guest-eventlog.bin. */
    static VtpmGuest read(String name, List<String> lines, Path runDir, Path bootDisk) {
        Map<String, Map<Integer, String>> pcrs = [sha256: [:], sha384: [:]]
        lines.each { l ->
            def m = l =~ /^SW-PCR (sha256|sha384) (\d+) ([0-9A-F]+)$/
            if (m.matches()) pcrs[m.group(1)][m.group(2) as int] = m.group(3).toLowerCase()
        }
        int begin = lines.indexOf('SW-EVENTLOG-BEGIN'), end = lines.indexOf('SW-EVENTLOG-END')
        assert begin >= 0 && end > begin + 1: "the guest ${name} printed no event log:\n${lines.takeRight(40).join('\n')}"
        byte[] bytes = Base64.mimeDecoder.decode(lines.subList(begin + 1, end).join('\n'))
        Path logFile = runDir.resolve('guest-eventlog.bin')
        Files.write(logFile, bytes)
        Files.write(Files.createDirectories(Path.of('target', 'vtpm-guest')).resolve("${name}-eventlog.bin"), bytes)
        assert pcrs.sha256.size() == 24 && pcrs.sha384.size() == 24: "the guest ${name} printed PCRs ${pcrs}"
        new VtpmGuest(name, lines, pcrs, logFile, Tcg2EventLogCodec.read(bytes, logFile.toString(), LogKind.TPM_EVENT_LOG), bootDisk)
    }

    /** The log replays to the PCRs the guest read (0-15 but IMA's 10), in both banks. */
    boolean replays() {
        ['sha256', 'sha384'].each { bank ->
            def regs = Registers.replay(log, HashAlg.byLabel(bank))
            (0..15).findAll { it != 10 }.each { int pcr -> assert regs.hex(pcr) == pcrs[bank][pcr]: "${name}: ${bank} PCR ${pcr} replay" }
        }
        true
    }

    /**
     * `measure vtpm` for this boot (this log as --reference-log for PCRs 0 and 1, the ESP disk for PCR 5):
     * every PCR it computes equals the guest's in both banks, it leaves nothing but {@code allowedMissing}
     * uncomputed, and `eventlog diff` against its event list finds no difference in either bank.
     * Returns the prediction's --json document.
     */
    Map predictionAgrees(Path code, Path vars, Path uki, boolean secureBoot, Collection<String> allowedMissing = ['0', '1', '10']) {
        Path predicted = logFile.resolveSibling('predicted.json')
        def args = ['measure', 'vtpm', '--firmware-code', code.toString(), '--firmware-vars', vars.toString(), '--uki', uki.toString(),
                    '--boot-disk', bootDisk.toString(), '--reference-log', logFile.toString(), '--eventlog', predicted.toString(), '--force', '--json']
        if (secureBoot) args << '--secure-boot'
        def p = Cli.run(args as String[])
        assert p.exitCode == 0: p.toString()
        def doc = new JsonSlurper().parseText(p.out) as Map
        assert (doc.missing.keySet() - allowedMissing).isEmpty(): "${name}: not computed: ${doc.missing}"
        ['sha256', 'sha384'].each { bank ->
            (0..15).each { int pcr -> if (doc[bank][pcr as String] != null) assert doc[bank][pcr as String] == pcrs[bank][pcr]: "${name}: ${bank} PCR ${pcr}" }
            def d = Cli.run('eventlog', 'diff', logFile.toString(), predicted.toString(), '--bank', bank)
            assert d.exitCode == 0 && d.out.contains('no differences'): "${name}: ${d}"
        }
        doc
    }

    /**
     * The TDX ↔ vTPM event mapping (docs/measure.md): edk2 maps PCR 1/7 → RTMR0, 2-6 → RTMR1, 8-15 →
     * RTMR2. Apart from separators, the prediction's RTMR1 must list this log's PCR 2-6 events and its
     * RTMR2 the PCR 9 events (and PCR 11's for a stub that measures to CC registers, >= 256), in log
     * order, with the log's sha384 digests. With {@code rtmr1Separator} (edk2 >= stable202411 layout)
     * RTMR1's one separator must also sit where this log's run of PCR 2-6 separators sits (the TPM log
     * has one per PCR, a TD one per RTMR). {@code tdx} is a `measure tdx --json` document.
     */
    boolean tdxEventsMatch(Map tdx, boolean stubToRtmr2, boolean rtmr1Separator) {
        def tpm = { Closure<Boolean> sel, boolean seps ->
            def evs = log.events().findAll { sel(it.index() as int) && (seps || it.typeName() != 'EV_SEPARATOR') }
                    .collect { [it.typeName(), it.typeName() == 'EV_SEPARATOR' ? 'separator' : it.digestHex(HashAlg.SHA384)] }
            evs.indexed().findAll { i, e -> !(e[0] == 'EV_SEPARATOR' && i > 0 && evs[i - 1][0] == 'EV_SEPARATOR') }.values() as List   // one separator per run
        }
        def td = { int mr, boolean seps -> tdx.events.findAll { it.index == mr && (seps || it.type != 'EV_SEPARATOR') }
                .collect { [it.type, it.type == 'EV_SEPARATOR' ? 'separator' : it.digests.sha384] } }
        assert td(2, rtmr1Separator) == tpm({ it >= 2 && it <= 6 }, rtmr1Separator): "${name}: RTMR1 events"
        assert td(3, false) == tpm({ it == 9 || (stubToRtmr2 && it == 11) }, false): "${name}: RTMR2 events"
        true
    }
}
