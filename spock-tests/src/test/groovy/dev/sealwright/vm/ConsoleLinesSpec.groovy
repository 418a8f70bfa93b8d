package dev.sealwright.vm

import spock.lang.Specification

class ConsoleLinesSpec extends Specification {

    def "a kernel message printk wrote into init's status line (as the serial console of a real QEMU boot showed it) is taken apart"() {
        given: 'the bytes of a PackBootSpec boot on CI: Debian 6.12 printed its TSC lines between init\'s "SW-STATUS boot" and its newline'
        def console = 'Run /sealwright/init as init process\r\n' +
                'SW-STATUS boot[    2.358515] tsc: Refined TSC clocksource calibration: 2596.125 MHz\r\n' +
                '[    2.358989] clocksource: tsc: mask: 0xffffffffffffffff max_cycles: 0x256bef9a74b, max_idle_ns: 440795308455 ns\r\n' +
                '[    2.359294] clocksource: Switched to clocksource tsc\r\n' +
                '\r\n' +
                'SW-STATUS module path=/sealwright/modules/failover.ko.xz result=ok\r\n'

        expect:
        ConsoleLines.of(console) == [
                'Run /sealwright/init as init process',
                '[    2.358515] tsc: Refined TSC clocksource calibration: 2596.125 MHz',
                '[    2.358989] clocksource: tsc: mask: 0xffffffffffffffff max_cycles: 0x256bef9a74b, max_idle_ns: 440795308455 ns',
                '[    2.359294] clocksource: Switched to clocksource tsc',
                'SW-STATUS boot',
                'SW-STATUS module path=/sealwright/modules/failover.ko.xz result=ok']
    }

    def "the program's line goes on after the kernel's record when the cut came mid-line"() {
        expect:
        ConsoleLines.of('SW-TPM eventlog AAEC[  100.000001] random: crng init done\nAwQF\nnext\n') ==
                ['[  100.000001] random: crng init done', 'SW-TPM eventlog AAECAwQF', 'next']
    }

    def "lines without a cut pass unchanged, kernel lines and OVMF's escapes included; a last line without newline is kept"() {
        expect:
        ConsoleLines.of(text) == lines

        where:
        text                                                         || lines
        ''                                                           || []
        'a\nb\n'                                                     || ['a', 'b']
        '[    0.000000] Linux version 6.1\n[    0.1] not a stamp\n'   || ['[    0.000000] Linux version 6.1', '[    0.1] not a stamp']
        '\u001b[2J\u001b[01;01HBdsDxe: loading Boot0001\n'           || ['\u001b[2J\u001b[01;01HBdsDxe: loading Boot0001']
        'no newline'                                                 || ['no newline']
        'a\r\n\r\nb'                                                 || ['a', '', 'b']
    }

    def "fed in pieces, as the serial log is followed, it gives the same lines"() {
        given:
        def text = 'SW-STATUS boot[    2.358515] tsc: Refined\r\n\r\nSW-STATUS ready tee=none\r\n'
        def lines = []
        def c = new ConsoleLines(lines.&add)

        when:
        text.each { c.accept(it) }
        c.finish()

        then:
        lines == ConsoleLines.of(text)
        lines == ['[    2.358515] tsc: Refined', 'SW-STATUS boot', 'SW-STATUS ready tee=none']
    }
}
