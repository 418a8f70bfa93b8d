package dev.sealwright.measure.vtpm

import dev.sealwright.base.RecipeException
import dev.sealwright.measure.event.HashAlg
import dev.sealwright.measure.event.UefiVariableData
import dev.sealwright.testkit.Repo
import dev.sealwright.uefi.FirmwareBuild
import dev.sealwright.uefi.FirmwareVolumes
import dev.sealwright.uefi.OvmfBootOptions
import spock.lang.Specification

import java.nio.file.Files
import java.nio.file.Path

/**
 * PCR 0 and 1 of Debian's OVMF 2022.11 (ovmf 2022.11-6+deb12u2) computed from the code image and the
 * VM's shape, against values this build did not produce: the digests and event data of real TPM event
 * logs (QEMU 7.2 TCG, OVMF + swtpm 0.7.1, fresh vars copies, read in the guest from
 * /sys/kernel/security/tpm0/binary_bios_measurements) and, for shapes no log was taken of, the SHA-256
 * of PEIFV saved from a booted VM's RAM with QEMU's {@code pmemsave 0x820000 0xe0000} (the region Tcg2Pei
 * hashes; for the logged shapes the RAM copy hashes to the logged digest). The real-boot specs
 * (VtpmBootSpec, DirectBootLogSpec) repeat the comparison on every run.
 */
class OvmfPcr01Spec extends Specification {
    static final Path CODE = Path.of('/usr/share/OVMF/OVMF_CODE_4M.fd')
    static final Path SB_CODE = Path.of('/usr/share/OVMF/OVMF_CODE_4M.snakeoil.fd')

    def setupSpec() {
        Repo.requireTool('ovmf')
    }

    static Map<String, String> pcr0(Path code, Path vars, long memoryMiB, int cpus, HashAlg alg) {
        def build = FirmwareBuild.identify(code)
        def v = VtpmVariables.fromVarsFile(vars)
        OvmfFirmwareEvents.pcr0(build.pcr01(), Files.readAllBytes(code), code.toString(), memoryMiB << 20, cpus, v.memoryTypeInformation())
                .collectEntries { [(it.description().split(' ')[0]): it.digestHex(alg)] }
    }

    def "PCR 0: CRTM version, PEIFV and DXEFV digests equal the real logs' in both banks (plain image, 1 GiB, 1 vCPU; snakeoil SMM image and vars, 1 GiB, 1 vCPU)"() {
        expect:
        pcr0(code, vars, 1024, 1, HashAlg.SHA256) == sha256
        pcr0(code, vars, 1024, 1, HashAlg.SHA384) == sha384

        where:
        code    | vars                                                 | sha256                                                                                | sha384
        CODE    | Path.of('/usr/share/OVMF/OVMF_VARS_4M.fd')          | [CRTM: '96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7',
                                                                          PEIFV: '4c251b0c52a393c134c2ddf7c9afb08878cf9dc95f9ff6827cad7ed4394dd209',
                                                                          DXEFV: '82a0445201cb49945461acc6ed78426700fb7e92819862edc55ba3ad4559b135']  | [CRTM: '1dd6f7b457ad880d840d41c961283bab688e94e4b59359ea45686581e90feccea3c624b1226113f824f315eb60ae0a7c',
                                                                                                                                                                  PEIFV: '8c2e2a67697683522ec875753093ad69a13993e03485aa9a98235db6d832367fa02d96dcc47b94ba845dfdb570063d46',
                                                                                                                                                                  DXEFV: '131501832f6813534e17ca3b63a9fef30865cb54cae9802ec0565352ac13a97ff4273242b1895ad5d8255144b76882a0']
        SB_CODE | Path.of('/usr/share/OVMF/OVMF_VARS_4M.snakeoil.fd') | [CRTM: '96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7',
                                                                          PEIFV: 'd95be795f29baf93f25d52a4703bcabaf6852ba83be58409b3f5aae4047b6129',
                                                                          DXEFV: 'a644ed209b188dd428ea3e15c0b1dbbc1ad05d406bb2857cac4a73b98d0b6b4f']  | [CRTM: '1dd6f7b457ad880d840d41c961283bab688e94e4b59359ea45686581e90feccea3c624b1226113f824f315eb60ae0a7c',
                                                                                                                                                                  PEIFV: 'f11f078c71122b6827ee0a5f9661388fded4558b2725d0ff2eec3212db8d44a491798f3844a391fdec1dc6ce2dad09fc',
                                                                                                                                                                  DXEFV: '976f134af539dc398f64c833a70a23a8a3747fdb5858cdc50bc244fe079177aa6ea3b7d5cf2b579b2520c2588df3767e']
    }

    def "PEIFV follows the VM's memory and vCPUs as PlatformPei writes them: equal to the RAM copies of other shapes"() {
        expect:
        pcr0(code, Path.of(vars), memoryMiB, cpus, HashAlg.SHA256).PEIFV == ram

        where:
        code                                             | vars                                          | memoryMiB | cpus | ram
        CODE                                             | '/usr/share/OVMF/OVMF_VARS_4M.fd'            | 3072      | 2    | '76bbfa881e8b9956ce0a732a4866565c5a486c87c94220852eb476b30e5738cc'
        CODE                                             | '/usr/share/OVMF/OVMF_VARS_4M.fd'            | 2816      | 4    | '209a142d6b9fdfac60a61e23b52f872d35db6702bb7b428b1c1e665bd25bb3be'
        CODE                                             | '/usr/share/OVMF/OVMF_VARS_4M.fd'            | 512       | 1    | 'f4f0c52697278027731926901650c9eccd0e4181d6b63339c07552c2c969915d'
        Path.of('/usr/share/OVMF/OVMF_CODE_4M.ms.fd')    | '/usr/share/OVMF/OVMF_VARS_4M.ms.fd'         | 2048      | 2    | 'fee976dd7685334be57c327bd7d4bd8716efa85da5631eadbd4eb52474a8598e'
    }

    def "PCR 1: BootOrder and Boot#### of an ESP boot from launch's disk at 00:01.0 and of a direct kernel boot equal the logged UEFI_VARIABLE_DATA"() {
        given:
        def logged = [
                '61dfe48bca93d211aa0d00e098032b8c0900000000000000060000000000000042006f006f0074004f007200640065007200010000000200',
                '61dfe48bca93d211aa0d00e098032b8c08000000000000004e0000000000000042006f006f0074003000300030003100010000001600550045004600490020004d006900730063002000440065007600690063006500000002010c00d041030a000000000101060000017fff04004eac0881119f594d850ee21a522c59b2',
                '61dfe48bca93d211aa0d00e098032b8c08000000000000003e0000000000000042006f006f0074003000300030003000090100002c0055006900410070007000000004071400c9bdb87cebf8344faaea3ee4af6516a10406140021aa2c4614760345836e8ab6f46623317fff0400',
                '61dfe48bca93d211aa0d00e098032b8c0800000000000000580000000000000042006f006f0074003000300030003200010000002c00450046004900200049006e007400650072006e0061006c0020005300680065006c006c00000004071400c9bdb87cebf8344faaea3ee4af6516a10406140083a5047c3e9e1c4fad65e05268d0b4d17fff0400']
        def encode = { List<OvmfBootOptions.BootVariable> vs -> vs.collect { HexFormat.of().formatHex(UefiVariableData.encode(UefiVariableData.EFI_GLOBAL_VARIABLE, it.name(), it.value())) } }

        expect: 'ESP boot (plain and snakeoil images log the same four events)'
        encode(OvmfBootOptions.virtioDisk(1, true)) == logged
        and: 'direct kernel boot: BootOrder {0000} and UiApp'
        encode(OvmfBootOptions.directKernel()) == ['61dfe48bca93d211aa0d00e098032b8c0900000000000000020000000000000042006f006f0074004f0072006400650072000000', logged[2]]
    }

    def "a firmware whose PCR 0/1 layout is not modelled is named, not guessed; a file that is no OVMF code image is refused in one line"() {
        when:
        def b = new FirmwareBuild('2025.02', '2025.02-8+deb13u1', 'OVMF_CODE_4M.fd', false, null, null)
        then:
        b.pcr01Unmodelled() == 'the PCR 0/1 event layout of OVMF 2025.02 (Debian 2025.02-8+deb13u1, OVMF_CODE_4M.fd) is not modelled (modelled: Debian ovmf 2022.11-6+deb12u2 4M images)'

        when:
        FirmwareVolumes.decompressedVolumes(Files.readAllBytes(Path.of('/usr/share/OVMF/OVMF_VARS_4M.fd')), 'OVMF_VARS_4M.fd')
        then:
        def e = thrown(RecipeException)
        e.message.startsWith('OVMF_VARS_4M.fd: ')
        !e.message.contains('\n')

        when: 'truncated code image'
        FirmwareVolumes.decompressedVolumes(Arrays.copyOf(Files.readAllBytes(CODE), 0x10000), 'short.fd')
        then:
        def t = thrown(RecipeException)
        t.message.startsWith('short.fd: ')
    }
}
