package dev.sealwright.cli

import dev.sealwright.image.uki.UkiBuilder
import dev.sealwright.testkit.Cli
import dev.sealwright.testkit.Kernels
import dev.sealwright.testkit.Repo
import spock.lang.Shared
import spock.lang.Specification
import spock.lang.TempDir

import java.nio.file.Files
import java.nio.file.Path

/**
 * Issue #18: a CLI verb and its step are one operation. Each verb runs here on the same inputs as its step in
 * one recipe, defaults left unset on both sides, and what they write must be the same bytes.
 */
class VerbStepEqualitySpec extends Specification {
    @Shared @TempDir
    Path dir
    @Shared
    Cli.Result run

    static final String OVMF_TD = '/usr/share/ovmf/OVMF.fd'
    static final String CODE = '/usr/share/OVMF/OVMF_CODE_4M.fd'
    static final String VARS = '/usr/share/OVMF/OVMF_VARS_4M.fd'
    static final String MS_VARS = '/usr/share/OVMF/OVMF_VARS_4M.ms.fd'
    static final String ID_KEY = Repo.fixture('snp/virtee-sev/idblock/test_id_key.pem').toString()        // public TEST keys
    static final String AUTHOR_KEY = Repo.fixture('snp/virtee-sev/idblock/test_auth_key.pem').toString()

    def setupSpec() {
        Repo.requireTool('ovmf-combined')
        Repo.requireTool('systemd-stub')
        Files.copy(Kernels.debian().vmlinuz(), dir.resolve('vmlinuz'))
        Files.write(dir.resolve('initrd'), 'initrd bytes'.bytes)
        Files.write(dir.resolve('uki.efi'), UkiBuilder.build(new UkiBuilder.Parts(
                Files.readAllBytes(Path.of('/usr/lib/systemd/boot/efi/linuxx64.efi.stub')), Files.readAllBytes(dir.resolve('vmlinuz')),
                'rd'.bytes, 'console=ttyS0', '', 'ID=test\n'), 'stub'))
        byte[] data = new byte[3 << 16]
        new Random(18).nextBytes(data)
        Files.write(dir.resolve('data.img'), data)
        def recipe = dir.resolve('pairs.groovy')
        Files.writeString(recipe, """
            pipeline('pairs') {
                measure.tdx('tdx-kernel') {
                    firmware file('${OVMF_TD}')
                    kernel   file('vmlinuz')
                    initrd   file('initrd')
                    cmdline  'console=ttyS0'
                    memory   '2G'
                    cpus     2
                    profile  'ubuntu-24.04'
                    disks    1
                }
                measure.tdx('tdx-firmware') { firmware file('${OVMF_TD}') }
                measure.tdx('tdx-uki') { firmware file('${OVMF_TD}'); uki file('uki.efi') }
                measure.vtpm('vtpm') {
                    firmwareCode file('${CODE}')
                    firmwareVars file('${VARS}')
                    uki          file('uki.efi')
                }
                def snpDigest = measure.snp('snp') {
                    ovmf   file('${Repo.fixture('snp/sev-snp-measure/ovmf_AmdSev_suffix.bin')}')
                    kernel file('vmlinuz')
                    initrd file('initrd')
                    append 'console=ttyS0'
                }
                measure.snp('snp-ec2') {
                    ovmf    file('${Repo.fixture('snp/sev-snp-measure/ovmf_AmdSev_suffix.bin')}')
                    vcpus   2
                    vmmType 'ec2'
                }
                snpIdBlock('idblock') {
                    measurement snpDigest.measurement
                    idKey       secret(file: '${ID_KEY}')
                    authorKey   secret(file: '${AUTHOR_KEY}')
                }
                uefiConfig('uefi-config') { vars file('${MS_VARS}') }
                launch('launch') {
                    firmware file('${CODE}')
                    vars     file('${VARS}')
                    kernel   file('vmlinuz')
                    initrd   file('initrd')
                    cmdline  'console=ttyS0'
                    memory   '1G'
                    forward  '2222:22'
                    dryRun   true
                }
                verity('verity') { data file('data.img') }
                verity('verity-sha512') { data file('data.img'); hash 'sha512'; hashBlockSize 1024; salt '-' }
            }
        """.stripIndent())
        run = Cli.run('run', recipe.toString(), '-C', dir.toString(), '--report', dir.resolve('report.json').toString())
    }

    private String f(String name) { dir.resolve(name).toString() }

    def "the recipe with one step per verb runs"() {
        expect:
        run.exitCode == 0
    }

    def "the measure verb prints, with --json, the bytes its step writes to #output"() {
        when:
        def cli = Cli.run(*(args.collect { it.replace('@', dir.toString() + '/') }))

        then:
        cli.exitCode == 0
        cli.out == Files.readString(dir.resolve('out').resolve(output))

        where:
        args                                                                                                                  | output
        ['measure', 'tdx', '--firmware', OVMF_TD, '--kernel', '@vmlinuz', '--initrd', '@initrd', '--cmdline', 'console=ttyS0',
         '--memory', '2G', '--cpus', '2', '--profile', 'ubuntu-24.04', '--disks', '1', '--json']                              | 'tdx-kernel/expected.json'
        ['measure', 'tdx', '--firmware', OVMF_TD, '--json']                                                                   | 'tdx-firmware/expected.json'
        ['measure', 'tdx', '--firmware', OVMF_TD, '--uki', '@uki.efi', '--json']                                              | 'tdx-uki/expected.json'
        ['measure', 'vtpm', '--firmware-code', CODE, '--firmware-vars', VARS, '--uki', '@uki.efi', '--json']                  | 'vtpm/expected.json'
        ['measure', 'snp', '--ovmf', Repo.fixture('snp/sev-snp-measure/ovmf_AmdSev_suffix.bin').toString(), '--kernel', '@vmlinuz',
         '--initrd', '@initrd', '--append', 'console=ttyS0', '--output-format', 'json']                                       | 'snp/measurement.json'
        ['measure', 'snp', '--ovmf', Repo.fixture('snp/sev-snp-measure/ovmf_AmdSev_suffix.bin').toString(), '--vcpus', '2',
         '--vmm-type', 'ec2', '--json']                                                                                       | 'snp-ec2/measurement.json'
    }

    def "verity format #options writes the hash file and root hash its step writes"() {
        given:
        def hash = dir.resolve("cli-${step}.hash")
        def root = dir.resolve("cli-${step}.roothash")

        when:
        def cli = Cli.run(*(['verity', 'format', f('data.img'), hash.toString(), '--root-hash-file', root.toString()] + options))

        then:
        cli.exitCode == 0
        Files.readAllBytes(hash) == Files.readAllBytes(dir.resolve("out/${step}/hash.img"))
        Files.readAllBytes(root) == Files.readAllBytes(dir.resolve("out/${step}/roothash.txt"))

        where:
        step            | options
        'verity'        | []
        'verity-sha512' | ['--hash', 'sha512', '--hash-block-size', '1024', '--salt', '-']
    }

    def "uefi config writes the uefi-config.json its step writes"() {
        given:
        def out = dir.resolve('cli-uefi-config.json')

        when:
        def cli = Cli.run('uefi', 'config', '--vars', MS_VARS, '-o', out.toString())

        then:
        cli.exitCode == 0
        Files.readAllBytes(out) == Files.readAllBytes(dir.resolve('out/uefi-config/uefi-config.json'))
    }

    def "snp idblock writes the ID block and key digests its step writes (the ID auth is a fresh ECDSA signature each time)"() {
        given:
        def out = Files.createDirectories(dir.resolve('cli-idblock'))
        def digest = new groovy.json.JsonSlurper().parse(dir.resolve('out/snp/measurement.json').toFile()).digest as String

        when:
        def cli = Cli.run('snp', 'idblock', '--measurement', digest, '--id-key', ID_KEY, '--author-key', AUTHOR_KEY, '--out-dir', out.toString())

        then:
        cli.exitCode == 0
        ['id-block.base64', 'id-key-digest.base64', 'author-key-digest.base64'].every {
            Files.readAllBytes(out.resolve(it)) == Files.readAllBytes(dir.resolve("out/idblock/idblock/${it}"))
        }
        Files.size(out.resolve('id-auth.base64')) == Files.size(dir.resolve('out/idblock/idblock/id-auth.base64'))
    }

    def "launch --dry-run prints the QEMU command line its step records, but for the run directory"() {
        given:
        Repo.requireTool('qemu-system-x86_64')
        def report = new groovy.json.JsonSlurper().parse(dir.resolve('report.json').toFile())
        String stepLine = report.steps.find { it.name == 'launch' }.values.commandLine

        when:
        def cli = Cli.run('launch', '--dry-run', '--run-dir', dir.resolve('cli-run').toString(), '--firmware', CODE, '--vars', VARS,
                '--kernel', f('vmlinuz'), '--initrd', f('initrd'), '--cmdline', 'console=ttyS0', '--memory', '1G', '--forward', '2222:22')

        then:
        cli.exitCode == 0
        withoutRunDir(cli.out.trim()) == withoutRunDir(stepLine)
    }

    /** The run directory is the one difference by design (the CLI's --run-dir, the step's work directory). */
    private static String withoutRunDir(String line) {
        def m = line =~ /path=(\S+)\/serial\.log/
        assert m.find(): line
        line.replace(m.group(1), 'RUN')
    }
}
