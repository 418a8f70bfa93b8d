package dev.sealwright.snp

import dev.sealwright.base.RecipeException
import dev.sealwright.measure.snp.LaunchDigestCalculator
import dev.sealwright.measure.snp.SevMode
import dev.sealwright.measure.snp.SnpLaunchParameters
import dev.sealwright.measure.snp.VmmType
import dev.sealwright.testkit.Repo
import spock.lang.Shared
import spock.lang.Specification
import spock.lang.Unroll

import java.nio.file.Path

/**
 * Launch digests against the sev-snp-measure vectors published in ../shared/fixtures/README.md E-17
 * (upstream tests/test_guest.py at 8f2b337) and the intermediate values listed there.
 */
class LaunchDigestSpec extends Specification {
    @Shared Path amdSev = Repo.fixture('snp/sev-snp-measure/ovmf_AmdSev_suffix.bin')
    @Shared Path ovmfX64 = Repo.fixture('snp/sev-snp-measure/ovmf_OvmfX64_suffix.bin')
    @Shared Path empty = Path.of('/dev/null')
    static final String V1 = '086e2e9149ebf45abdc3445fba5b2da8270bdbb04094d7a2c37faaa4b24af3aa16aff8c374c2a55c467a50da6d466b74'

    static SnpLaunchParameters.Builder snp(Path ovmf) {
        SnpLaunchParameters.builder().mode(SevMode.SNP).ovmf(ovmf).vcpus(1).vcpuType('EPYC-v4').guestFeatures(0x1)
    }

    static String digest(SnpLaunchParameters.Builder b) {
        LaunchDigestCalculator.measure(b.build()).hex()
    }

    def "V1: the OVMF hash of the AmdSev suffix"() {
        expect:
        digest(snp(amdSev).mode(SevMode.SNP_OVMF_HASH)) == V1
    }

    @Unroll
    def "#vector: #what"() {
        expect:
        digest(params.call()) == expected

        where:
        vector | what | params | expected
        'V3'  | 'kernel, initrd, append console=ttyS0 loglevel=7' | { snp(amdSev).kernel(empty).initrd(empty).append('console=ttyS0 loglevel=7') } | '6d287813eb5222d770f75005c664e34c204f385ce832cc2ce7d0d6f354454362f390ef83a92046c042e706363b4b08fa'
        'V3'  | 'same, seeded with the V1 OVMF hash' | { snp(amdSev).ovmfHash(V1.decodeHex()).kernel(empty).initrd(empty).append('console=ttyS0 loglevel=7') } | '6d287813eb5222d770f75005c664e34c204f385ce832cc2ce7d0d6f354454362f390ef83a92046c042e706363b4b08fa'
        'V5'  | 'empty append, OVMF-hash seed' | { snp(amdSev).ovmfHash(V1.decodeHex()).kernel(empty).initrd(empty).append('') } | 'ddc5224521617a536ee7ce9dd6224d1b58a8d4fda1c741f3ac99fc4bfa04ba6e9fc98646d4a07a9079397fa3852819b5'
        'V5'  | 'no append, OVMF-hash seed' | { snp(amdSev).ovmfHash(V1.decodeHex()).kernel(empty).initrd(empty) } | 'ddc5224521617a536ee7ce9dd6224d1b58a8d4fda1c741f3ac99fc4bfa04ba6e9fc98646d4a07a9079397fa3852819b5'
        'V7'  | 'no kernel' | { snp(amdSev) } | '19358ba9a7615534a9a1e2f0dfc29384dcd4dcb7062ff9c6013b26869a5fc6ecabe033c48dd6f6db5d6d76e7c5df632d'
        'V9'  | '4 vCPUs with kernel' | { snp(amdSev).vcpus(4).kernel(empty).initrd(empty).append('') } | '5061fffb019493a903613d56d54b94912a1a2f9e4502385f5c194616753720a92441310ba6c4933de877c36e23046ad5'
        'V11' | 'OvmfX64 build, no kernel' | { snp(ovmfX64) } | 'da0296de8193586a5512078dcd719eccecbd87e2b825ad4148c44f665dc87df21e5b49e21523a9ad993afdb6a30b4005'
        'V13' | 'EC2 (rdx 0x600)' | { snp(amdSev).vmmType(VmmType.EC2).kernel(empty).initrd(empty).append('') } | '0883bd0eeb716e65b7b977a321c278d1e51b33b5c655fab985443bbcc65c086b9c15e8a0bd8811050dec7e24964e5056'
        'V15' | 'EC2-legacy (rdx 0)' | { snp(amdSev).vmmType(VmmType.EC2_LEGACY).kernel(empty).initrd(empty).append('') } | '7d3756157c805bf6adf617064c8552e8c1688fa1c8756f11cbf56ba5d25c9270fb69c0505c1cbe1c5c66c0e34c6ed3be'
        'V15' | 'EC2-legacy, no append' | { snp(amdSev).vmmType(VmmType.EC2_LEGACY).kernel(empty).initrd(empty) } | '7d3756157c805bf6adf617064c8552e8c1688fa1c8756f11cbf56ba5d25c9270fb69c0505c1cbe1c5c66c0e34c6ed3be'
        'V17' | 'GCE, 4 vCPUs, no vCPU signature' | { snp(amdSev).vcpuSig(null).vmmType(VmmType.GCE).vcpus(4).kernel(empty).initrd(empty).append('') } | '5c5debf100fc339f90276e761ee1f1658d08922c3b20e2a2e6c7a6c3370b2452a15a00eae11886a93d6fd1e7ab81e29d'
        'V19' | 'SEV-ES, 4 vCPUs' | { snp(amdSev).mode(SevMode.SEV_ES).vcpus(4).kernel(empty).initrd(empty).append('') } | '0dccbcaba8e90b261bd0d2e1863a2f9da714768b7b2a19363cd6ae35aa90de91'
        'V21' | 'SEV, kernel only' | { snp(amdSev).mode(SevMode.SEV).kernel(empty) } | '77f613d7bbcdf12a73782ea9e88b0172aeda50d1a54201cb903594ff52846898'
    }

    def "V23: snp:svsm with 4 vCPUs, the Coconut OVMF and SVSM, vars size 540672"() {
        when:
        def m = LaunchDigestCalculator.measure(SnpLaunchParameters.builder().mode(SevMode.SNP_SVSM)
                .ovmf(Repo.fixture('snp/sev-snp-measure/svsm_ovmf.fd.gz')).svsm(Repo.fixture('snp/sev-snp-measure/svsm.bin'))
                .varsSize(540672).vcpus(4).vcpuType('EPYC-v4').build())

        then: 'the OVMF hash intermediate (E-16) and the final digest (E-17)'
        m.stages()[0].digest().encodeHex().toString() == 'd6e9418b28aaf60734ea40a3bc0d422450010b288679a6a9ce8cef868476cb57252ae843f4220d7f7b2cbe91fc0ee131'
        m.hex() == '27d154c27b7b359c935e250ec6fee72aa0ae8c1225e3b0e1cf46a9567e938066d7d6f94bbdc4a857818bdb79277a44b2'
    }

    def "stage-by-stage intermediates match the worked values of E-17"() {
        when:
        def noKernel = LaunchDigestCalculator.measure(snp(amdSev).build())
        def withKernel = LaunchDigestCalculator.measure(snp(amdSev).kernel(empty).initrd(empty).append('console=ttyS0 loglevel=7').build())
        def x64 = LaunchDigestCalculator.measure(snp(ovmfX64).build())

        then:
        noKernel.stages()*.name() == ['firmware', 'metadata', 'vmsa0']
        noKernel.stages()[0].digest().encodeHex().toString() == V1
        noKernel.stages()[1].digest().encodeHex().toString() == '2a436bb1f7bd08b3888d20579f83961e6cd34b45f10bfa96bfb8086d15e258e407b2b04f62e1e6536aa64ba1b16dd65c'
        withKernel.stages()[1].digest().encodeHex().toString() == '36fcd572bd473b23cdcce6f078026377e7b2d18ede30fe022d371f062ac1fbd73ba70c6286951b488c864e3ff9392f43'
        x64.stages()[0].digest().encodeHex().toString() == 'b91e6fec73d2bcc57ad5fd400a426ce02731c22ea92bc894ce675e7c9921a822977d6cf025b85f8ef4f264bff8839d20'
    }

    @Unroll
    def "VMSA hashes for guest features #gf match snp.md 1.4"() {
        when:
        def m = LaunchDigestCalculator.measure(snp(amdSev).vcpus(2).guestFeatures(gf).build())

        then:
        m.vmsaHashes()*.encodeHex()*.toString() == [bsp, ap]

        where:
        gf   | bsp | ap
        0x1  | '77920c4c629ff47e90c0e174fc1ad0eb6fa664f88cd4739488058a8c6cb1a77b3856f55378e9518d0da99452d51c553a' | '8413b852790765a310d95867a8b00bfca3a802b5a80830044b45e253fe96222657e11e53fcf63eb0e0afd722385bf7b4'
        0x21 | 'ae79efa6efbe1594a2717dfd42af495a0e4ed37b00e529a5fdf349bea04c3513962ffb0c74cf65b0d9a1857271833d6e' | '180ef2675dc01615d31b3e84ef27a0a69d08bfbbb58ea4f6a0188f08884ab6407591ada42f99749ce9a406fb4e5d8355'
    }

    def "a host kernel before 6.10 (legacy KVM_SEV_INIT) leaves MXCSR and FCW zero, changing the digest"() {
        when:
        def init2 = LaunchDigestCalculator.measure(snp(amdSev).build())
        def legacy = LaunchDigestCalculator.measure(snp(amdSev).kvmInit2(false).build())
        def vmsa = dev.sealwright.measure.snp.Vmsa.read(legacy.vmsaPages()[0])

        then:
        init2.hex() == '19358ba9a7615534a9a1e2f0dfc29384dcd4dcb7062ff9c6013b26869a5fc6ecabe033c48dd6f6db5d6d76e7c5df632d'
        legacy.hex() != init2.hex()
        vmsa.mxcsr() == 0 && vmsa.x87Fcw() == 0
        dev.sealwright.measure.snp.Vmsa.read(init2.vmsaPages()[0]).mxcsr() == 0x1F80
    }

    @Unroll
    def "#mode with the OvmfX64 build and a kernel fails as sev-snp-measure does"() {
        when:
        digest(snp(ovmfX64).mode(mode).kernel(empty))

        then:
        def e = thrown(RecipeException)
        e.message == "${ovmfX64}: ${message}".toString() || e.message.startsWith("${ovmfX64}: ${message}")

        where:
        mode           | message
        SevMode.SNP    | "Kernel specified but OVMF metadata doesn't include SNP_KERNEL_HASHES section"
        SevMode.SEV_ES | "Kernel specified but OVMF doesn't support kernel/initrd/cmdline measurement"
        SevMode.SEV    | "Kernel specified but OVMF doesn't support kernel/initrd/cmdline measurement"
    }

    def "an OVMF hash seed outside mode snp is refused"() {
        when:
        digest(snp(amdSev).mode(SevMode.SEV_ES).ovmfHash(V1.decodeHex()))

        then:
        def e = thrown(RecipeException)
        e.message.contains('OVMF hash seed only works in mode snp')
    }

    def "a truncated OVMF gives one line naming the file"(@spock.lang.TempDir Path dir) {
        given:
        def cut = dir.resolve('cut.fd')
        java.nio.file.Files.write(cut, java.nio.file.Files.readAllBytes(amdSev)[0..<1000] as byte[])

        when:
        digest(snp(cut))

        then:
        def e = thrown(RecipeException)
        e.message == "${cut}: size 1000 is not a non-zero multiple of 4096 bytes (truncated or not a firmware image?)".toString()
    }

    def "a page-sized file without the OVMF footer lacks the SEV-ES reset block"(@spock.lang.TempDir Path dir) {
        given:
        def zeros = dir.resolve('zeros.fd')
        java.nio.file.Files.write(zeros, new byte[4096])

        when:
        digest(snp(zeros))

        then:
        def e = thrown(RecipeException)
        e.message == "${zeros}: no SEV_ES_RESET_BLOCK entry in the OVMF footer table (not an SEV-capable OVMF build)".toString()
    }

    def "a wrong vCPU type names the known ones"() {
        when:
        snp(amdSev).vcpuType('EPYC-v9')

        then:
        def e = thrown(RecipeException)
        e.message.startsWith("unknown vCPU type 'EPYC-v9' (known: EPYC, EPYC-v1")
    }

    def "the same inputs give the same digest twice"() {
        expect:
        digest(snp(amdSev).vcpus(3)) == digest(snp(amdSev).vcpus(3))
    }
}
