package dev.sealwright.testkit

import dev.sealwright.measure.event.BootEvent
import dev.sealwright.measure.event.LogKind
import dev.sealwright.measure.event.Tcg2EventLogCodec

import java.nio.file.Files
import java.nio.file.Path
import java.util.concurrent.TimeUnit

/**
 * One real boot under QEMU TCG with Debian's OVMF (TPM build, pflash code + a vars copy) and a
 * swtpm TPM 2.0 (tpm-crb), direct boot ({@code -kernel}), whose busybox init prints the firmware's
 * TCG2 event log on the serial console and powers off. Returns the parsed events.
 */
class TpmLogBoot {
    /** An initrd whose /init dumps /sys/kernel/security/tpm0/binary_bios_measurements between markers. */
    static Path dumpingInitrd(Path dir) {
        ['busybox', 'cpio'].each { Repo.requireTool(it) }
        def root = Files.createDirectories(dir.resolve('initrd-root/bin'))
        Files.copy(Path.of('/usr/bin/busybox'), root.resolve('busybox'))
        def init = dir.resolve('initrd-root/init')
        Files.writeString(init, '''#!/bin/busybox sh
/bin/busybox mkdir -p /proc /sys
/bin/busybox mount -t proc proc /proc
/bin/busybox mount -t sysfs sysfs /sys
/bin/busybox mkdir -p /dev
/bin/busybox mount -t devtmpfs devtmpfs /dev
/bin/busybox mount -t securityfs securityfs /sys/kernel/security
echo 1 > /proc/sys/kernel/printk
exec > /dev/ttyS0 2>&1
/bin/busybox cat /sys/kernel/security/tpm0/binary_bios_measurements > /log.bin
echo EVENTLOG-SHA256 $(/bin/busybox sha256sum /log.bin)
echo EVENTLOG-BEGIN
/bin/busybox od -An -v -tx1 /log.bin
echo EVENTLOG-END
/bin/busybox poweroff -f
''')
        init.toFile().setExecutable(true)
        def cpio = new ProcessBuilder('sh', '-c', 'find . | cpio -o -H newc --quiet > ../initrd.img').directory(dir.resolve('initrd-root').toFile()).start()
        assert cpio.waitFor() == 0
        dir.resolve('initrd.img')
    }

    /** Boots {@code kernel} (a bzImage or UKI) with optional initrd and -append; init writes to /dev/ttyS0 itself, so no console= is needed. */
    static List<BootEvent> boot(Path dir, Path kernel, Path initrd, String append, String memory = '1024') {
        ['qemu-system-x86_64', 'swtpm', 'ovmf'].each { Repo.requireTool(it) }
        def vars = dir.resolve('vars.fd')
        Files.copy(Path.of('/usr/share/OVMF/OVMF_VARS_4M.fd'), vars, java.nio.file.StandardCopyOption.REPLACE_EXISTING)
        def tpmDir = Files.createTempDirectory(dir, 'tpm')
        def swtpm = new ProcessBuilder('swtpm', 'socket', '--tpm2', '--tpmstate', "dir=${tpmDir}".toString(),
                '--ctrl', "type=unixio,path=${tpmDir.resolve('ctrl.sock')}".toString(), '--flags', 'startup-clear')
                .redirectErrorStream(true).redirectOutput(tpmDir.resolve('swtpm.log').toFile()).start()
        def console = tpmDir.resolve('console.log')
        try {
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(20)
            while (!Files.exists(tpmDir.resolve('ctrl.sock')) && System.nanoTime() < until) Thread.sleep(50)
            def cmd = ['qemu-system-x86_64', '-machine', 'q35', '-accel', 'tcg', '-m', memory, '-nographic', '-nodefaults',
                       '-serial', 'stdio', '-no-reboot',
                       '-drive', 'if=pflash,format=raw,unit=0,readonly=on,file=/usr/share/OVMF/OVMF_CODE_4M.fd',
                       '-drive', "if=pflash,format=raw,unit=1,file=${vars}".toString(),
                       '-chardev', "socket,id=chrtpm,path=${tpmDir.resolve('ctrl.sock')}".toString(),
                       '-tpmdev', 'emulator,id=tpm0,chardev=chrtpm', '-device', 'tpm-crb,tpmdev=tpm0',
                       '-kernel', kernel.toString()]
            if (initrd != null) cmd += ['-initrd', initrd.toString()]
            if (append != null) cmd += ['-append', append]
            def qemu = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(console.toFile()).start()
            if (!qemu.waitFor(240, TimeUnit.SECONDS)) {
                qemu.destroyForcibly()
                throw new IllegalStateException('the guest did not power off within 240 s: ' + Files.readString(console).takeRight(2000))
            }
        } finally {
            swtpm.destroy()
            swtpm.waitFor()
        }
        def text = Files.readString(console)
        int begin = text.indexOf('EVENTLOG-BEGIN'), end = text.indexOf('EVENTLOG-END')
        assert begin >= 0 && end > begin: 'the guest printed no event log: ' + text.takeRight(3000)
        // kernel messages on the console (console=ttyS0 in the -append) could interleave with the dump:
        // only od's lines count, and the result must have the digest the guest printed first
        def hex = text.substring(begin + 'EVENTLOG-BEGIN'.length(), end).readLines()*.trim()
                .findAll { it ==~ /([0-9a-f]{2})( [0-9a-f]{2})*/ }.join(' ').replace(' ', '')
        byte[] log = HexFormat.of().parseHex(hex)
        def expected = (text =~ /EVENTLOG-SHA256 ([0-9a-f]{64})/)
        assert expected.find(): 'the guest printed no event-log digest: ' + text.takeRight(3000)
        assert HexFormat.of().formatHex(java.security.MessageDigest.getInstance('SHA-256').digest(log)) == expected.group(1):
                'the event log read from the console is corrupt (console noise in the dump): ' + text.substring(begin).take(3000)
        Tcg2EventLogCodec.read(log, 'guest event log', LogKind.TPM_EVENT_LOG).events()
    }
}
