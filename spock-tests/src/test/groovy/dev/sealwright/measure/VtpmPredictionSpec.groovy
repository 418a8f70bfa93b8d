package dev.sealwright.measure

import dev.sealwright.image.uki.UkiBuilder
import dev.sealwright.testkit.Cli
import dev.sealwright.testkit.Kernels
import dev.sealwright.testkit.Repo
import groovy.json.JsonSlurper
import spock.lang.Shared
import spock.lang.Specification
import spock.lang.TempDir

import java.nio.file.Files
import java.nio.file.Path
import java.nio.file.attribute.PosixFilePermissions

/**
 * `measure vtpm` without booting: known event digests, inputs in both forms, refusals with one clear
 * line, and reproducible output. The values themselves are checked against real boots in VtpmBootSpec.
 */
class VtpmPredictionSpec extends Specification {
    static final Path STUB = Path.of('/usr/lib/systemd/boot/efi/linuxx64.efi.stub')
    static final Path CODE = Path.of('/usr/share/OVMF/OVMF_CODE_4M.fd')
    static final Path VARS = Path.of('/usr/share/OVMF/OVMF_VARS_4M.fd')
    static final Path SB_CODE = Path.of('/usr/share/OVMF/OVMF_CODE_4M.snakeoil.fd')
    static final Path SB_VARS = Path.of('/usr/share/OVMF/OVMF_VARS_4M.snakeoil.fd')
    static final Path MS_VARS = Path.of('/usr/share/OVMF/OVMF_VARS_4M.ms.fd')
    /** fde-vtpm.md §2.1 [verified]: EV_SEPARATOR and SecureBoot=1 driver-config digests (SHA-256). */
    static final String SEPARATOR = 'df3f619804a92fdb4057192dc43dd748ea778adc52bc498ce80524c014b81119'
    static final String SECURE_BOOT_1 = 'ccfc4bb32888a345bc8aeadaba552b627d99348c767681ab3141f5b01e40a40e'

    @TempDir Path tmp
    @Shared @TempDir Path shared
    @Shared Path uki, signed

    def setupSpec() {
        ['systemd-stub', 'ovmf', 'sbsign', 'openssl'].each { Repo.requireTool(it) }
        byte[] linux = Files.readAllBytes(Kernels.debian().vmlinuz())
        uki = shared.resolve('uki.efi')
        Files.write(uki, UkiBuilder.build(new UkiBuilder.Parts(Files.readAllBytes(STUB), linux, 'initrd bytes'.bytes,
                'console=ttyS0 quiet', '6.12.0-test', 'ID=test\n'), 'stub'))
        Path key = shared.resolve('snakeoil.key')
        Files.createFile(key, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString('rw-------')))
        sh('openssl', 'rsa', '-in', '/usr/share/ovmf/PkKek-1-snakeoil.key', '-passin', 'pass:snakeoil', '-out', key.toString())
        signed = shared.resolve('uki-signed.efi')
        sh('sbsign', '--key', key.toString(), '--cert', '/usr/share/ovmf/PkKek-1-snakeoil.pem', '--output', signed.toString(), uki.toString())
    }

    private static void sh(String... cmd) {
        def p = new ProcessBuilder(cmd).redirectErrorStream(true).start()
        def out = p.inputStream.text
        assert p.waitFor() == 0: "${cmd.join(' ')} failed: ${out}"
    }

    private static Map json(Cli.Result r) {
        assert r.exitCode == 0: r.toString()
        new JsonSlurper().parseText(r.out) as Map
    }

    def "PCR 7 under Secure Boot: SecureBoot=1, PK, KEK, db, dbx, separator, then the snakeoil db entry as authority"() {
        when:
        def doc = json(Cli.run('measure', 'vtpm', '--firmware-code', SB_CODE.toString(), '--firmware-vars', SB_VARS.toString(),
                '--uki', signed.toString(), '--secure-boot', '--json'))
        def pcr7 = doc.events.findAll { it.register == 'PCR7' }

        then:
        pcr7*.type == ['EV_EFI_VARIABLE_DRIVER_CONFIG'] * 5 + ['EV_SEPARATOR', 'EV_EFI_VARIABLE_AUTHORITY']
        pcr7[0].digests.sha256 == SECURE_BOOT_1
        pcr7[5].digests.sha256 == SEPARATOR
        pcr7[6].description.contains('SnakeOil')
        and: 'the authority data is UEFI_VARIABLE_DATA "db" holding owner GUID ‖ the snakeoil certificate DER'
        def der = certificateDer('/usr/share/ovmf/PkKek-1-snakeoil.pem')
        pcr7[6].data.endsWith(der)
        and: 'PCR 4 holds the action, the separator and only the UKI (stub 252 does not LoadImage the kernel under Secure Boot)'
        doc.events.findAll { it.register == 'PCR4' }*.type == ['EV_EFI_ACTION', 'EV_SEPARATOR', 'EV_EFI_BOOT_SERVICES_APPLICATION']
        and: 'only PCR 10 is reported as not computed, with the reason; PCR 0 and 1 are computed (OvmfPcr01Spec); PCR 5 has the GPT of the disk launch writes'
        doc.missing.keySet() == ['10'] as Set
        doc.sha256.keySet() == ((0..15) - [10])*.toString() as Set
        doc.events.findAll { it.register == 'PCR0' }*.type == ['EV_S_CRTM_VERSION', 'EV_EFI_PLATFORM_FIRMWARE_BLOB', 'EV_EFI_PLATFORM_FIRMWARE_BLOB', 'EV_SEPARATOR']
        doc.events.findAll { it.register == 'PCR1' }*.description == ['variable BootOrder (6 bytes)', 'variable Boot0001 (78 bytes)', 'variable Boot0000 (62 bytes)',
                                                                       'variable Boot0002 (88 bytes)', 'separator 00000000']
        and: 'with a uefi-config.json instead of the vars file, PCR 0 of this SMM build is named as not computed (its PEIFV holds the vars file\'s MemoryTypeInformation)'
        def cfg = tmp.resolve('sb-uefi-config.json')
        Cli.run('uefi', 'config', '--vars', SB_VARS.toString(), '-o', cfg.toString()).exitCode == 0
        def fromConfig = json(Cli.run('measure', 'vtpm', '--firmware-code', SB_CODE.toString(), '--uefi-config', cfg.toString(),
                '--uki', signed.toString(), '--secure-boot', '--json'))
        fromConfig.missing.keySet() == ['0', '10'] as Set
        fromConfig.missing['0'][0].contains('MemoryTypeInformation before measuring it: pass the vars file')
        doc.events.findAll { it.register == 'PCR5' }*.type == ['EV_SEPARATOR', 'EV_EFI_GPT_EVENT', 'EV_EFI_ACTION', 'EV_EFI_ACTION']
        doc.events.find { it.type == 'EV_EFI_GPT_EVENT' }.description.startsWith('GPT of the ESP disk sealwright launch writes for ')
    }

    private static String certificateDer(String pem) {
        def c = java.security.cert.CertificateFactory.getInstance('X.509').generateCertificate(new FileInputStream(pem))
        c.encoded.encodeHex().toString()
    }

    def "without Secure Boot: SecureBoot=0, empty key databases, and the inner kernel LoadImage event"() {
        when:
        def doc = json(Cli.run('measure', 'vtpm', '--firmware-code', CODE.toString(), '--firmware-vars', VARS.toString(), '--uki', uki.toString(), '--json'))

        then:
        doc.events.findAll { it.register == 'PCR7' }*.description == ['variable SecureBoot (1 bytes)', 'variable PK (0 bytes)', 'variable KEK (0 bytes)',
                                                                       'variable db (0 bytes)', 'variable dbx (0 bytes)', 'separator 00000000']
        doc.events.findAll { it.register == 'PCR4' }*.type == ['EV_EFI_ACTION', 'EV_SEPARATOR', 'EV_EFI_BOOT_SERVICES_APPLICATION', 'EV_EFI_BOOT_SERVICES_APPLICATION']
        and: 'PCR 11: name then contents of .linux, .osrel, .cmdline, .initrd (stub 252 order); PCR 9: LoadOptions then initrd'
        doc.events.findAll { it.register == 'PCR11' }*.data.collect { new String(HexFormat.of().parseHex(it as String), 'UTF-16LE') } ==
                ['.linux', '.linux', '.osrel', '.osrel', '.cmdline', '.cmdline', '.initrd', '.initrd'].collect { it + '\0' }
        doc.events.findAll { it.register == 'PCR9' }*.description == ['LoadOptions: console=ttyS0 quiet', 'Linux initrd, 12 bytes']
    }

    def "a uefi-config.json gives the same PCR 7 as the vars file it was made from"() {
        given:
        Path config = tmp.resolve('uefi-config.json')
        assert Cli.run('uefi', 'config', '--vars', SB_VARS.toString(), '-o', config.toString()).exitCode == 0

        when:
        def fromVars = json(Cli.run('measure', 'vtpm', '--firmware-code', SB_CODE.toString(), '--firmware-vars', SB_VARS.toString(),
                '--uki', signed.toString(), '--secure-boot', '--json'))
        def fromConfig = json(Cli.run('measure', 'vtpm', '--firmware-code', SB_CODE.toString(), '--uefi-config', config.toString(),
                '--uki', signed.toString(), '--secure-boot', '--json'))

        then:
        fromConfig.sha256['7'] == fromVars.sha256['7']
        fromConfig.sha384['7'] == fromVars.sha384['7']
    }

    def "the same inputs give the same prediction file byte for byte, and tpm seal reads it as PCR values"() {
        when:
        def args = ['measure', 'vtpm', '--firmware-code', SB_CODE.toString(), '--firmware-vars', SB_VARS.toString(), '--uki', signed.toString(), '--secure-boot']
        assert Cli.run(*(args + ['--eventlog', tmp.resolve('a.json').toString()])).exitCode == 0
        assert Cli.run(*(args + ['--eventlog', tmp.resolve('b.json').toString()])).exitCode == 0

        then:
        Files.readAllBytes(tmp.resolve('a.json')) == Files.readAllBytes(tmp.resolve('b.json'))
        dev.sealwright.tpm.PcrValues.read(tmp.resolve('a.json')).get(dev.sealwright.tpm.TpmHash.SHA256, 7).encodeHex().toString() ==
                new JsonSlurper().parse(tmp.resolve('a.json').toFile()).sha256['7']
    }

    def "refusals are one line naming the file: #why"() {
        when:
        def r = Cli.run(*args.call(this))

        then:
        r.exitCode == 1
        r.err.readLines().findAll { !it.isBlank() }.size() == 1
        r.err.contains(expected)

        where:
        why                                      | args                                                                                                                                                                   | expected
        'unsigned UKI under Secure Boot'         | { s -> ['measure', 'vtpm', '--firmware-code', SB_CODE.toString(), '--firmware-vars', SB_VARS.toString(), '--uki', s.uki.toString(), '--secure-boot'] }                | 'is not signed'
        'signer not in db (Microsoft vars)'      | { s -> ['measure', 'vtpm', '--firmware-code', SB_CODE.toString(), '--firmware-vars', MS_VARS.toString(), '--uki', s.signed.toString(), '--secure-boot'] }             | 'which no X.509 entry of the db'
        'firmware without Secure Boot'           | { s -> ['measure', 'vtpm', '--firmware-code', CODE.toString(), '--firmware-vars', SB_VARS.toString(), '--uki', s.signed.toString(), '--secure-boot'] }                | 'lists no secure-boot feature'
        'not a UKI'                              | { s -> ['measure', 'vtpm', '--firmware-code', CODE.toString(), '--firmware-vars', VARS.toString(), '--uki', STUB.toString()] }                                         | 'not a UKI (no .linux section)'
        'enrolled PK, Secure Boot firmware'      | { s -> ['measure', 'vtpm', '--firmware-code', SB_CODE.toString(), '--firmware-vars', SB_VARS.toString(), '--uki', s.signed.toString()] }                              | 'so the firmware enforces it; add --secure-boot'
        'Secure Boot without a PK'               | { s -> ['measure', 'vtpm', '--firmware-code', SB_CODE.toString(), '--firmware-vars', VARS.toString(), '--uki', s.signed.toString(), '--secure-boot'] }                 | 'enrolls no PK (setup mode)'
        'boot disk without a GPT'                | { s -> ['measure', 'vtpm', '--firmware-code', CODE.toString(), '--firmware-vars', VARS.toString(), '--uki', s.uki.toString(), '--boot-disk', VARS.toString()] }      | 'no MBR signature'
        'vars file is not a variable store'      | { s -> ['measure', 'vtpm', '--firmware-code', CODE.toString(), '--firmware-vars', STUB.toString(), '--uki', s.uki.toString()] }                                        | 'not a firmware volume'
    }

    def "a UKI on a stub no real boot checked (256; 252, 254 and 257 are) gets no PCR 4, 9, 11 values, with the reason"() {
        given: 'the same UKI with its LoaderInfo claiming stub 256'
        byte[] b = Files.readAllBytes(uki)
        String s = new String(b, 'ISO-8859-1')
        int at = s.indexOf('LoaderInfo: systemd-stub 252')
        assert at > 0
        b[at + 'LoaderInfo: systemd-stub 25'.length()] = (byte) '6'
        Path other = tmp.resolve('uki-256.efi')
        Files.write(other, b)

        when:
        def doc = json(Cli.run('measure', 'vtpm', '--firmware-code', CODE.toString(), '--firmware-vars', VARS.toString(), '--uki', other.toString(), '--json'))

        then:
        ['4', '9', '11', '12', '13'].every { !doc.sha256.containsKey(it) && doc.missing[it][0].contains('systemd-stub 256') }
        doc.sha256['7'] != null
    }

    def "the measure.vtpm step writes the CLI's document to expected.json; a second run is cached"() {
        given:
        def recipe = tmp.resolve('vtpm.groovy')
        Files.writeString(recipe, """
            pipeline('vtpm-expected') {
                measure.vtpm('expected') {
                    firmwareCode file('${SB_CODE}')
                    firmwareVars file('${SB_VARS}')
                    uki          file('${signed}')
                    secureBoot   true
                }
            }
        """.stripIndent())

        when:
        def first = Cli.run('run', recipe.toString(), '-C', tmp.toString())
        def second = Cli.run('run', recipe.toString(), '-C', tmp.toString())
        def cli = json(Cli.run('measure', 'vtpm', '--firmware-code', SB_CODE.toString(), '--firmware-vars', SB_VARS.toString(),
                '--uki', signed.toString(), '--secure-boot', '--json'))
        def doc = new JsonSlurper().parse(tmp.resolve('out/expected/expected.json').toFile())

        then:
        first.exitCode == 0
        second.exitCode == 0
        second.out.contains('0 executed, 1 cached')
        doc.sha256 == cli.sha256
        doc.sha384 == cli.sha384
        doc.events*.digests == cli.events*.digests
    }
}
