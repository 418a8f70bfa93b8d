package dev.sealwright.snp

import dev.sealwright.measure.snp.Vmsa
import dev.sealwright.measure.snp.idblock.IdAuthInfo
import dev.sealwright.measure.snp.idblock.IdBlock
import dev.sealwright.measure.snp.idblock.IdBlockSigner
import dev.sealwright.testkit.Cli
import dev.sealwright.testkit.Repo
import groovy.json.JsonSlurper
import spock.lang.Shared
import spock.lang.Specification
import spock.lang.TempDir

import java.nio.file.Files
import java.nio.file.Path

/** The three SNP verbs end to end, against the published fixture values. */
class SnpCliSpec extends Specification {
    @Shared String amdSev = Repo.fixture('snp/sev-snp-measure/ovmf_AmdSev_suffix.bin').toString()
    @Shared String ovmfX64 = Repo.fixture('snp/sev-snp-measure/ovmf_OvmfX64_suffix.bin').toString()
    @TempDir Path dir

    def "measure snp prints V9 in hex and base64"() {
        when:
        def hex = Cli.run('measure', 'snp', '--ovmf', amdSev, '--vcpus', '4', '--vcpu-type', 'EPYC-v4', '--kernel', '/dev/null', '--initrd', '/dev/null', '--append', '')
        def b64 = Cli.run('measure', 'snp', '--ovmf', amdSev, '--vcpus', '4', '--vcpu-type', 'EPYC-v4', '--kernel', '/dev/null', '--initrd', '/dev/null', '--output-format', 'base64')

        then:
        hex.exitCode == 0
        hex.out.trim() == '5061fffb019493a903613d56d54b94912a1a2f9e4502385f5c194616753720a92441310ba6c4933de877c36e23046ad5'
        b64.exitCode == 0
        Base64.decoder.decode(b64.out.trim()).encodeHex().toString() == hex.out.trim()
    }

    def "measure snp --json shows every stage and VMSA hash; --dump-vmsa writes the pages"() {
        when:
        def r = Cli.run('measure', 'snp', '--ovmf', amdSev, '--vcpus', '2', '--vcpu-type', 'EPYC-v4', '--guest-features', '0x21', '--json', '--dump-vmsa', dir.toString())
        def j = new JsonSlurper().parseText(r.out)

        then:
        r.exitCode == 0
        j.stages*.stage == ['firmware', 'metadata', 'vmsa0', 'vmsa1']
        j.stages[0].digest == '086e2e9149ebf45abdc3445fba5b2da8270bdbb04094d7a2c37faaa4b24af3aa16aff8c374c2a55c467a50da6d466b74'
        j.vmsa_hashes == ['ae79efa6efbe1594a2717dfd42af495a0e4ed37b00e529a5fdf349bea04c3513962ffb0c74cf65b0d9a1857271833d6e',
                         '180ef2675dc01615d31b3e84ef27a0a69d08bfbbb58ea4f6a0188f08884ab6407591ada42f99749ce9a406fb4e5d8355']
        Vmsa.read(Files.readAllBytes(dir.resolve('vmsa1.bin'))).rip() == 0xB004
        Vmsa.read(Files.readAllBytes(dir.resolve('vmsa1.bin'))).sevFeatures() == 0x21
    }

    def "measure snp covers the SEV-ES, EC2, GCE and SVSM vectors"() {
        expect:
        Cli.run(args as String[]).out.trim() == expected

        where:
        args | expected
        ['measure', 'snp', '--mode', 'seves', '--ovmf', Repo.fixture('snp/sev-snp-measure/ovmf_AmdSev_suffix.bin').toString(), '--vcpus', '4', '--vcpu-type', 'EPYC-v4', '--kernel', '/dev/null', '--initrd', '/dev/null', '--append', ''] | '0dccbcaba8e90b261bd0d2e1863a2f9da714768b7b2a19363cd6ae35aa90de91'
        ['measure', 'snp', '--vmm-type', 'ec2', '--ovmf', Repo.fixture('snp/sev-snp-measure/ovmf_AmdSev_suffix.bin').toString(), '--vcpus', '1', '--vcpu-type', 'EPYC-v4', '--kernel', '/dev/null', '--initrd', '/dev/null'] | '0883bd0eeb716e65b7b977a321c278d1e51b33b5c655fab985443bbcc65c086b9c15e8a0bd8811050dec7e24964e5056'
        ['measure', 'snp', '--vmm-type', 'gce', '--ovmf', Repo.fixture('snp/sev-snp-measure/ovmf_AmdSev_suffix.bin').toString(), '--vcpus', '4', '--kernel', '/dev/null', '--initrd', '/dev/null'] | '5c5debf100fc339f90276e761ee1f1658d08922c3b20e2a2e6c7a6c3370b2452a15a00eae11886a93d6fd1e7ab81e29d'
        ['measure', 'snp', '--mode', 'snp:svsm', '--ovmf', Repo.fixture('snp/sev-snp-measure/svsm_ovmf.fd.gz').toString(), '--svsm', Repo.fixture('snp/sev-snp-measure/svsm.bin').toString(), '--vars-size', '540672', '--vcpus', '4', '--vcpu-type', 'EPYC-v4'] | '27d154c27b7b359c935e250ec6fee72aa0ae8c1225e3b0e1cf46a9567e938066d7d6f94bbdc4a857818bdb79277a44b2'
    }

    def "measure snp errors are one line with exit 1"() {
        expect:
        def r = Cli.run(args as String[])
        r.exitCode == 1
        r.err.trim() == message.toString()
        r.err.trim().readLines().size() == 1

        where:
        args | message
        ['measure', 'snp', '--ovmf', Repo.fixture('snp/sev-snp-measure/ovmf_OvmfX64_suffix.bin').toString(), '--vcpus', '1', '--vcpu-type', 'EPYC-v4', '--kernel', '/dev/null'] | "${Repo.fixture('snp/sev-snp-measure/ovmf_OvmfX64_suffix.bin')}: Kernel specified but OVMF metadata doesn't include SNP_KERNEL_HASHES section (use an AmdSevX64 build)"
        ['measure', 'snp', '--ovmf', Repo.fixture('snp/sev-snp-measure/ovmf_AmdSev_suffix.bin').toString(), '--vcpus', '0'] | 'measure snp: at least one vCPU is required in mode snp, got 0'
        ['measure', 'snp', '--ovmf', '/nonexistent/OVMF.fd', '--vcpus', '1', '--vcpu-type', 'EPYC-v4'] | '/nonexistent/OVMF.fd: no such file: the directory /nonexistent does not exist'
        ['measure', 'snp', '--ovmf', Repo.fixture('snp/sev-snp-measure/ovmf_AmdSev_suffix.bin').toString(), '--vcpus', '1', '--vcpu-type', 'EPYC-v4', '--guest-features', '0x10000'] | 'measure snp: guest features 0x10000 set reserved bits 0x10000'
    }

    def "without --vcpus and --vcpu-type the defaults of the measure.snp step apply, 1 vCPU of EPYC-v4: the digest is sev-snp-measure's V7"() {
        when:
        def r = Cli.run('measure', 'snp', '--ovmf', Repo.fixture('snp/sev-snp-measure/ovmf_AmdSev_suffix.bin').toString())

        then:
        r.exitCode == 0
        r.out.trim() == '19358ba9a7615534a9a1e2f0dfc29384dcd4dcb7062ff9c6013b26869a5fc6ecabe033c48dd6f6db5d6d76e7c5df632d'
    }

    def "snp idblock writes the virtee/sev ID block and digests, and an ID auth that verifies"() {
        given:
        def idKey = Repo.fixture('snp/virtee-sev/idblock/test_id_key.pem').toString()
        def authorKey = Repo.fixture('snp/virtee-sev/idblock/test_auth_key.pem').toString()

        when:
        def r = Cli.run('snp', 'idblock', '--measurement', 'a14d638341e5674628fe1e02fbedebe5e5ab4faf1dd72d8966068e615bb99efd13d214b35c231715b38e263dc6059745',
                '--policy', '0x30000', '--id-key', idKey, '--author-key', authorKey, '--out-dir', dir.toString())
        def block = Files.readString(dir.resolve('id-block.base64')).trim()
        def auth = Base64.decoder.decode(Files.readString(dir.resolve('id-auth.base64')).trim())

        then:
        r.exitCode == 0
        block == 'oU1jg0HlZ0Yo/h4C++3r5eWrT68d1y2JZgaOYVu5nv0T0hSzXCMXFbOOJj3GBZdFAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAABAAAAAAAAAAAAAwAAAAAA'
        Files.readString(dir.resolve('id-key-digest.base64')).trim() == 'WfssaG36T+9J84M5qndckAUcKNVzg93DuvO160sUlt87DbvcuuX+J2d6ZEggdz/i'
        Files.readString(dir.resolve('author-key-digest.base64')).trim() == '7tgRafsMteDsNHlPEo/U4MSkb2fGWhrfqB/LJLzAiMJyNpt//D6ytq9qQoShs2xf'
        auth.length == 4096
        IdBlockSigner.verify(IdBlock.read(Base64.decoder.decode(block)), IdAuthInfo.read(auth)).isEmpty()
        r.out.contains('id-block=oU1jg0Hl')
    }

    def "snp idblock with the sev-snp-measure SEC1 keys and a base64 measurement"() {
        when:
        def r = Cli.run('snp', 'idblock', '--measurement', 'B28FLQi9p6cAqipgjFyqawDrrSl7bWioWkWx5mmlWLZ+G5HShKMB/mPE+gdQRn7t',
                '--id-key', Repo.fixture('snp/sev-snp-measure/keyfile/id_key_test.pem').toString(),
                '--author-key', Repo.fixture('snp/sev-snp-measure/keyfile/author_key_test.pem').toString(), '--out-dir', dir.toString(), '--json')
        def j = new JsonSlurper().parseText(r.out)

        then:
        r.exitCode == 0
        j.id_block == 'B28FLQi9p6cAqipgjFyqawDrrSl7bWioWkWx5mmlWLZ+G5HShKMB/mPE+gdQRn7tAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAABAAAAAAAAAAAAAwAAAAAA'
        j.id_key_digest == 'hwt+NcU/inLQ0yL3WrKvgmJ5Kq9leWIs5BMcPyHyied8sFYKXjuQs5MuZ07HCcsU'
        j.author_key_digest == 'YxEcNLv8Ckk4+aAJvQdJgNgXIyPmFZnJ/TNtqGcySOHcqY0L6PdjdqEGuK/UwKBX'
    }

    def "snp idblock is reproducible: the same inputs give the same files (deterministic ECDSA)"() {
        given:
        def args = ['snp', 'idblock', '--measurement', '11' * 48, '--family-id', '0102', '--image-id', 'ff', '--svn', '7',
                    '--id-key', Repo.fixture('snp/virtee-sev/idblock/test_id_key.pem').toString(),
                    '--author-key', Repo.fixture('snp/sev-snp-measure/keyfile/author_key_test.pem').toString()]

        when:
        def a = Cli.run((args + ['--out-dir', dir.resolve('a').toString()]) as String[])
        def b = Cli.run((args + ['--out-dir', dir.resolve('b').toString()]) as String[])

        then:
        a.exitCode == 0 && b.exitCode == 0
        ['id-block.base64', 'id-auth.base64', 'id-key-digest.base64', 'author-key-digest.base64'].every {
            Files.readAllBytes(dir.resolve('a').resolve(it)) == Files.readAllBytes(dir.resolve('b').resolve(it))
        }
        IdBlock.read(Base64.decoder.decode(Files.readString(dir.resolve('a/id-block.base64')).trim())).guestSvn() == 7
    }

    def "measure snp rejects a wrong vCPU type and a truncated OVMF in one line"() {
        given:
        def cut = dir.resolve('cut.fd')
        Files.write(cut, Files.readAllBytes(Path.of(amdSev))[0..<4000] as byte[])

        when:
        def wrongCpu = Cli.run('measure', 'snp', '--ovmf', amdSev, '--vcpus', '1', '--vcpu-type', 'EPYC-v9')
        def truncated = Cli.run('measure', 'snp', '--ovmf', cut.toString(), '--vcpus', '1', '--vcpu-type', 'EPYC-v4')

        then:
        one(wrongCpu).startsWith("unknown vCPU type 'EPYC-v9' (known: EPYC, EPYC-v1, EPYC-v2, EPYC-IBPB, EPYC-v3, EPYC-v4, EPYC-Rome")
        one(truncated) == "${cut}: size 4000 is not a non-zero multiple of 4096 bytes (truncated or not a firmware image?)".toString()
    }

    def "snp idblock rejects a bad key, a short measurement and an invalid policy in one line"() {
        given:
        def junk = dir.resolve('junk.pem')
        Files.writeString(junk, 'not a key\n')
        def good = Repo.fixture('snp/virtee-sev/idblock/test_id_key.pem').toString()
        def ld = '00' * 48

        expect:
        one(Cli.run('snp', 'idblock', '--measurement', ld, '--id-key', junk.toString(), '--author-key', good, '--out-dir', dir.toString())) ==
                "${junk}: no PEM private key found (expected PKCS#8 \"PRIVATE KEY\" or SEC1 \"EC PRIVATE KEY\")".toString()
        one(Cli.run('snp', 'idblock', '--measurement', 'abcd', '--id-key', good, '--author-key', good, '--out-dir', dir.toString())) ==
                "measurement must be 48 bytes as hex (96 digits) or base64, got 'abcd'"
        one(Cli.run('snp', 'idblock', '--measurement', ld, '--policy', '0x10000', '--id-key', good, '--author-key', good, '--out-dir', dir.toString())) ==
                'snp idblock: policy 0x10000 is invalid (bit 17 must be 1, bits 63:26 zero)'
        !Files.exists(dir.resolve('id-block.base64'))
    }

    def "attest snp verifies the virtee/sev Milan report and rejects a tampered one"() {
        given:
        def report = Repo.fixture('snp/virtee-sev/report_milan.hex')
        def bin = dir.resolve('report.bin')
        def raw = Files.readString(report).trim().decodeHex()
        raw[0x90] = (byte) (raw[0x90] ^ 1)
        Files.write(bin, raw)
        def common = ['--vcek', Repo.fixture('snp/virtee-sev/vcek_milan.der').toString(), '--chain', Repo.fixture('snp/virtee-sev/cert_chain_milan').toString(), '--at', '2026-06-01T00:00:00Z']

        when:
        def good = Cli.run((['attest', 'snp', report.toString()] + common + ['--expect-measurement', '7a1e5c266c0108dbc9bb94fa926951320940915d0aafb42464bd88b579ea158d3e1a0dc39b2c60bd95b9c480cd81841f']) as String[])
        def bad = Cli.run((['attest', 'snp', bin.toString()] + common) as String[])
        def json = new JsonSlurper().parseText(Cli.run((['attest', 'snp', report.toString(), '--json'] + common) as String[]).out)

        then:
        good.exitCode == 0
        good.out.readLines().last() == "verified: ${report}".toString()
        good.out.contains('ok   measurement')
        bad.exitCode == 1
        bad.out.readLines().last() == "NOT verified: ${bin}: signature failed".toString()
        json.verified == true
        json.product == 'Milan'
        json.report.measurement == '7a1e5c266c0108dbc9bb94fa926951320940915d0aafb42464bd88b579ea158d3e1a0dc39b2c60bd95b9c480cd81841f'
        json.report.reported_tcb == [bootloader: 3, tee: 0, snp: 8, microcode: 115]
    }

    def "attest snp on the go-sev-guest report fails on its debug policy unless allowed"() {
        given:
        def args = ['attest', 'snp', Repo.fixture('snp/go-sev-guest/attestation.bin').toString(), '--vcek', Repo.fixture('snp/go-sev-guest/vcek.testcer').toString(),
                    '--chain', Repo.fixture('snp/go-sev-guest/milan.testcer').toString(), '--at', '2026-06-01T00:00:00Z']

        expect:
        Cli.run(args as String[]).exitCode == 1
        Cli.run((args + ['--allow-debug', '--expect-policy', '0xB0000']) as String[]).exitCode == 0
    }

    def "attest snp with another chip's VCEK names the failures and where to fetch the right VCEK"() {
        when:
        def r = Cli.run('attest', 'snp', Repo.fixture('snp/virtee-sev/report_milan.hex').toString(), '--vcek', Repo.fixture('snp/go-sev-guest/vcek.testcer').toString(),
                '--chain', Repo.fixture('snp/virtee-sev/cert_chain_milan').toString(), '--at', '2026-06-01T00:00:00Z')

        then:
        r.exitCode == 1
        r.out.contains('FAIL signature')
        r.out.contains("the VCEK for this report's chip and TCB: https://kdsintf.amd.com/vcek/v1/Milan/d49554ec717f4e5b")
        r.out.contains('?blSPL=3&teeSPL=0&snpSPL=8&ucodeSPL=115')
        r.out.readLines().last().endsWith('signature, chip-id, tcb failed')
    }

    static String one(Cli.Result r) {
        assert r.exitCode == 1: r.toString()
        assert r.err.trim().readLines().size() == 1: r.err
        r.err.trim()
    }
}
