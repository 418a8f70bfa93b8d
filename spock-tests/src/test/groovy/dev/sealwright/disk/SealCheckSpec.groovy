package dev.sealwright.disk

import dev.sealwright.base.RecipeException
import dev.sealwright.deploy.SealCheck
import dev.sealwright.testkit.Cli
import dev.sealwright.tpm.TpmHash
import spock.lang.Specification

/**
 * The guest's TPM report as pack's init prints it (sealwright.tpmreport=1; the format is checked end to end by
 * DebianCloudFdeSampleSpec's real boots): PCR lines from sysfs (upper-case hex), base64 event-log lines, the end
 * line; a console without a report, or a guest without a TPM, is one clear line.
 */
class SealCheckSpec extends Specification {
    def "the report's PCRs and event log are read back; kernel lines between them are ignored"() {
        given:
        byte[] log = (0..<100).collect { (byte) it } as byte[]
        String b64 = log.encodeBase64().toString()
        def console = ['[    1.0] tpm_crb MSFT0101:00: Disabling hwrng',
                       'SW-TPM pcr sha256 7 ' + 'AB' * 32,
                       'SW-TPM pcr sha384 7 ' + 'CD' * 48,
                       'SW-TPM eventlog ' + b64.substring(0, 64),
                       '[    1.1] random: crng init done',
                       'SW-TPM eventlog ' + b64.substring(64),
                       'SW-TPM end pcrs=2 eventlog=100']

        when:
        def g = SealCheck.GuestTpm.parse(console)

        then:
        g.pcrs()[TpmHash.SHA256][7] == 'ab' * 32
        g.pcrs()[TpmHash.SHA384][7] == 'cd' * 48
        g.eventLog() == log
    }

    def "no report, or a guest without a TPM, is refused in one line"() {
        when:
        SealCheck.GuestTpm.parse(console)

        then:
        def e = thrown(RecipeException)
        e.message.contains(message)
        !e.message.contains('\n')

        where:
        console                                      || message
        ['SW-STATUS boot', 'SW-STATUS ready']         || 'the guest printed no TPM report (its init prints one when the kernel command line has sealwright.tpmreport=1)'
        ['SW-TPM end result=no-tpm']                  || 'the guest found no TPM (launch it with vtpm)'
        ['SW-TPM eventlog @@@@', 'SW-TPM end pcrs=0'] || "the guest's TPM event log on the console is not base64"
    }

    def "launch --check-seal without a boot disk and a TPM state is a usage error (exit 2, one line and the help hint)"() {
        when:
        def r = Cli.run('launch', '--firmware', '/usr/share/OVMF/OVMF_CODE_4M.ms.fd', '--vars', '/usr/share/OVMF/OVMF_VARS_4M.ms.fd',
                '--uki', '/dev/null', '--check-seal', 'pcrs.json')

        then:
        r.exitCode == 2
        r.err.trim().readLines() == ['sealwright: --check-seal needs --boot-disk (the deployed image) and --vtpm --tpm-state DIR (the TPM it was sealed to)',
                                     'try: sealwright launch --help']
        r.err.contains('--check-seal needs --boot-disk (the deployed image) and --vtpm --tpm-state DIR (the TPM it was sealed to)')
    }
}
