// Recipe library `snp`: an AMD SEV-SNP guest (SNPGuard flow): launch digest, signed ID block, launch with it, report check.
// Use it with:  use 'snp@1'   and then, inside a pipeline:  def digest = snp.expected(ovmf: file('OVMF.fd'))
// Made of public steps only (measure.snp, snp.idblock, launch, snp.simulate, snp.verify); `sealwright recipes show snp`
// lists parameters and outputs. Step names start with `prefix` (`prefix: ''`: the bare names). Without SNP hardware the launch is a dry run and the
// report is SIMULATED (a test chain, never trusted implicitly).
library 'snp', version: '1.0.0', description: 'AMD SEV-SNP guests: launch digest, ID block, launch with id-block, attestation report verification'

recipe('expected') {
    description 'predict the SEV-SNP launch digest (sev-snp-measure compatible) of a firmware, optionally with direct-boot kernel hashes'
    param 'ovmf', 'the firmware exactly as QEMU gets it (-bios), an AmdSev OVMF', type: 'file'
    param 'vcpus', 'number of vCPUs (one VMSA each)', type: 'number', default: 1
    param 'vcpuType', 'QEMU -cpu model', type: 'string', default: 'EPYC-v4'
    param 'kernel', 'direct-boot kernel (its hash joins the digest); null: firmware only (ESP boot)', type: 'file', default: null
    param 'initrd', 'direct-boot initrd', type: 'file', default: null
    param 'append', 'direct-boot command line', type: 'string', default: ''
    stepPrefix 'snp'
    output 'measurement', 'measurement.json (digest, stages, VMSA hashes)'
    output 'digest', 'the launch digest, hex'
    example "def digest = snp.expected(ovmf: file('OVMF.fd'), vcpus: 4)"
    body { args ->
        def m = measure.snp(args.stepName('digest')) {
            ovmf args.ovmf; vcpus args.vcpus as long; vcpuType args.vcpuType
            if (args.kernel != null) kernel args.kernel
            if (args.initrd != null) initrd args.initrd
            if (args.append) append args.append
        }
        [measurement: m.measurement, digest: m.digest]
    }
}

recipe('idblock') {
    description 'sign an ID block + ID auth for the predicted digest: the PSP refuses to launch a guest whose digest differs'
    param 'measurement', 'measurement.json of snp.expected', type: 'file'
    param 'idKey', 'P-384 ID key (PEM)', type: 'secret'
    param 'authorKey', 'P-384 author key (PEM), signs the ID key', type: 'secret'
    param 'policy', 'guest policy; must equal the launch\'s', type: 'string', default: '0x30000'
    stepPrefix 'snp'
    output 'idblock', 'directory with id-block.base64 and id-auth.base64 (QEMU\'s sev-snp-guest id-block=, id-auth=)'
    example "def id = snp.idblock(measurement: digest.measurement, idKey: secret(file: 'id.pem'), authorKey: secret(file: 'author.pem'))"
    body { args ->
        def b = snpIdBlock(args.stepName('idblock')) {
            measurement args.measurement; idKey args.idKey; authorKey args.authorKey; policy args.policy
        }
        [idblock: b.idblock]
    }
}

recipe('launch') {
    description 'launch a SEV-SNP guest (QEMU sev-snp-guest) booting a UKI from its ESP, with the signed ID block; a dry run writes the exact command line only'
    param 'ovmf', 'the firmware the digest was predicted for', type: 'file'
    param 'uki', 'the UKI booted from the ESP (not part of the launch digest)', type: 'file'
    param 'idblock', 'snp.idblock\'s idblock', type: 'file'
    param 'disks', 'further disks (files or step outputs)', type: 'any', default: []
    param 'vcpus', 'number of vCPUs; must equal snp.expected\'s', type: 'number', default: 1
    param 'memory', 'guest memory', type: 'string', default: '2G'
    param 'dryRun', 'write the QEMU command line, start nothing', type: 'boolean', default: false
    stepPrefix 'snp'
    output 'vm', 'the launch step (for uses)'
    output 'commandLine', 'the QEMU command line, shell-quoted'
    example "snp.launch(ovmf: file('OVMF.fd'), uki: image.uki, idblock: id.idblock, dryRun: true)"
    body { args ->
        def l = launch(args.stepName('vm')) {
            firmware args.ovmf; uki args.uki; cpus args.vcpus as long; memory args.memory; tee 'snp'; snpIdBlock args.idblock
            if (args.disks) disk(*(args.disks as List))
            dryRun args.dryRun
        }
        [vm: l, commandLine: l.commandLine]
    }
}

recipe('verify') {
    description 'verify an SNP attestation report (AMD chain, VCEK signature, TCB, policy) against the predicted launch digest; without a report, a SIMULATED one of the prediction (test chain)'
    param 'measurement', 'measurement.json of snp.expected: the digest the report must carry', type: 'file'
    param 'at', 'verification time, ISO-8601 (explicit: reproducible)', type: 'string'
    param 'report', 'the guest\'s report; null: a SIMULATED report of the prediction', type: 'file', default: null
    param 'vcek', 'the report\'s VCEK (with report)', type: 'file', default: null
    param 'chain', 'ASK and ARK, PEM (with report)', type: 'file', default: null
    param 'policy', 'the guest policy the report must carry', type: 'string', default: '0x30000'
    stepPrefix 'snp'
    output 'report', 'the verified report'
    output 'verification', 'verification.json (every check, the report\'s fields)'
    example "def checked = snp.verify(measurement: digest.measurement, at: '2026-01-01T00:00:00Z')"
    body { args ->
        def report = args.report, vcek = args.vcek, chain = args.chain
        boolean simulated = report == null
        if (simulated) {
            def s = snpSimulate(args.stepName('report')) { measurement args.measurement; policy args.policy; at args.at }
            report = s.report; vcek = s.vcek; chain = s.chain
        } else if (vcek == null || chain == null) {
            throw new dev.sealwright.base.RecipeException('snp.verify: a report needs its vcek and chain')
        }
        def v = snpVerify(args.stepName('verified')) {
            delegate.report report; delegate.vcek vcek; delegate.chain chain
            measurement args.measurement; policy args.policy; at args.at; trustSimulated simulated
        }
        [report: report, verification: v.result]
    }
}
