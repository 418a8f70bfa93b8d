package dev.sealwright.snp

import dev.sealwright.base.RecipeException
import dev.sealwright.measure.snp.LaunchDigest
import dev.sealwright.measure.snp.OvmfImage
import dev.sealwright.measure.snp.SectionType
import dev.sealwright.measure.snp.SevHashTable
import dev.sealwright.testkit.Repo
import spock.lang.Specification
import spock.lang.TempDir

import java.nio.file.Files
import java.nio.file.Path

import static dev.sealwright.measure.snp.SectionType.*

/** OVMF footer/metadata parsing (E-16) and the SEV hashes table (snp.md 1.7, E-17). */
class OvmfImageSpec extends Specification {
    @TempDir Path dir

    static List<List> sections(OvmfImage img) { img.sections().collect { [it.gpa(), it.size(), it.type()] } }

    def "E-16: the AmdSev suffix: footer table, reset EIP, seven sections, hash table at 0x810C00"() {
        when:
        def img = OvmfImage.read(Repo.fixture('snp/sev-snp-measure/ovmf_AmdSev_suffix.bin'))

        then:
        img.gpa() == 0xFFFFF000L
        img.sevEsResetEip() == 0x80B004
        img.sevHashesTableGpa() == 0x810C00
        sections(img) == [[0x800000, 0x9000, SNP_SEC_MEM], [0x80A000, 0x3000, SNP_SEC_MEM], [0x80D000, 0x1000, SNP_SECRETS],
                          [0x80E000, 0x1000, CPUID], [0x80F000, 0x1000, SVSM_CAA], [0x810000, 0x1000, SNP_KERNEL_HASHES],
                          [0x811000, 0xF000, SNP_SEC_MEM]]
    }

    def "E-16: the OvmfX64 suffix has no kernel hashes section and no hash table"() {
        when:
        def img = OvmfImage.read(Repo.fixture('snp/sev-snp-measure/ovmf_OvmfX64_suffix.bin'))

        then:
        sections(img).take(5) == [[0x800000, 0x9000, SNP_SEC_MEM], [0x80A000, 0x3000, SNP_SEC_MEM], [0x80D000, 0x1000, SNP_SECRETS],
                                  [0x80E000, 0x1000, CPUID], [0x80F000, 0x1000, SVSM_CAA]]
        sections(img)[5] == [0x810000, 0x10000, SNP_SEC_MEM]
        !img.hasSection(SNP_KERNEL_HASHES)
        !img.supportsSevHashesTable()
        img.sevEsResetEip() == 0x80B004
    }

    def "E-16: svsm_ovmf.fd sits at 0xFFC84000; svsm.bin's metadata and SVSM_INFO entry give EIP 0xFFAEA000"() {
        when:
        def ovmf = OvmfImage.read(Repo.fixture('snp/sev-snp-measure/svsm_ovmf.fd.gz'))
        def svsm = OvmfImage.read(Repo.fixture('snp/sev-snp-measure/svsm.bin'), ovmf.gpa() - 540672)

        then:
        ovmf.size() == 3653632
        ovmf.gpa() == 0xFFC84000L
        sections(svsm) == [[0x0, 0x9E000, SNP_SEC_MEM], [0x9E000, 0x1000, SNP_SECRETS], [0x9F000, 0x1000, CPUID]]
        svsm.svsmEntryEip() == 0xFFAEA000L
    }

    def "snp.md 1.2: the first page's contents hash of the AmdSev suffix"() {
        expect:
        LaunchDigest.sha384(Files.readAllBytes(Repo.fixture('snp/sev-snp-measure/ovmf_AmdSev_suffix.bin'))).encodeHex().toString() ==
                '161ace084859674ded7322ad102eb33f49457e0f7845a8f9ad0e03a59eac3e3e360f8b78345363feaeac956ebba2d894'
    }

    def "snp.md 1.7: the padded hash table for /dev/null kernel and initrd and its 4 KiB page"() {
        when:
        def table = SevHashTable.of(Path.of('/dev/null'), Path.of('/dev/null'), 'console=ttyS0 loglevel=7')
        def bytes = table.toBytes()

        then:
        bytes.length == 176
        bytes.encodeHex().toString().startsWith('06d63894224fc94cb479a793d411fd21a800' + 'd82dd09720bd944caa78e7714d36ab2a3200' + '321c8eec')
        LaunchDigest.sha384(table.page(0xC00)).encodeHex().toString() ==
                'adbef9bc7385f7a6dcb8774523cf024b403f193a47962309b277c4109aa70b4ba0355d1657b50e9625d5bd1129e7fd27'
        SevHashTable.read(bytes) == table
        SevHashTable.read(bytes).toBytes() == bytes
    }

    def "a hash table with a wrong GUID is refused"() {
        given:
        def bytes = SevHashTable.of(Path.of('/dev/null'), null, null).toBytes()
        bytes[0] = 0

        when:
        SevHashTable.read(bytes)

        then:
        def e = thrown(RecipeException)
        e.message.startsWith('SEV hash table: wrong header GUID')
    }

    def "a corrupted metadata signature is one line naming the file"() {
        given:
        def data = Files.readAllBytes(Repo.fixture('snp/sev-snp-measure/ovmf_AmdSev_suffix.bin'))
        data[4096 - 0x554] = (byte) 'X'
        def f = dir.resolve('bad.fd')
        Files.write(f, data)

        when:
        OvmfImage.read(f)

        then:
        def e = thrown(RecipeException)
        e.message == "${f}: SEV metadata at offset 0x${Integer.toHexString(4096 - 0x554)} lacks the ASEV signature".toString()
    }
}
