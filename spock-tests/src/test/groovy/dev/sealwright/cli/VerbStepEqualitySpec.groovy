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
                measure.snp('snp') {
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
                verity('verity') { data file('data.img') }
                verity('verity-sha512') { data file('data.img'); hash 'sha512'; hashBlockSize 1024; salt '-' }
            }
        """.stripIndent())
        run = Cli.run('run', recipe.toString(), '-C', dir.toString())
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
}
