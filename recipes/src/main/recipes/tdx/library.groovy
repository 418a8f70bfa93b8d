// Recipe library `tdx`: an Intel TDX guest from a container: UKI, predicted MRTD/RTMRs, launch, quote check, quex enrollment.
// Use it with:  use 'tdx@1'   and then, inside a pipeline:  def image = tdx.uki(image: 'oci:images/hello:latest')
// Made of public steps only (pack, measure.tdx, launch, quote.simulate, quote.verify, enroll); `sealwright recipes show tdx`
// lists parameters and outputs. Step names start with `prefix` (`prefix: ''`: the bare names `uki`, `expected`, ...).
// Without a TDX host the launch is a dry run and the quote is SIMULATED (a test PKI, never trusted implicitly).
library 'tdx', version: '1.0.0', description: 'Intel TDX guests: container → UKI, MRTD/RTMR prediction, TD launch, quote verification, quex enrollment'

recipe('uki') {
    description 'pack a container image with a Debian kernel into a reproducible initramfs + UKI (systemd-stub), with the guest drivers and, given a vault, the quex enroll hook'
    param 'image', 'container image: \'oci:DIR:TAG\', \'docker-archive:FILE\', or a directory (a step output) with format: \'dir\'', type: 'any'
    param 'format', 'transport of a directory image (\'dir\'); empty for a reference string', type: 'string', default: ''
    param 'kernel', 'Debian kernel package glob, or a kernel step / kernel directory', type: 'any', default: 'linux-image-6.12.*-cloud-amd64'
    param 'modules', 'kernel modules loaded before the workload (guest drivers)', type: 'any', default: ['virtio_net']
    param 'cmdline', 'kernel command line (measured into RTMR2)', type: 'string', default: 'console=ttyS0 sealwright.ip=10.0.2.15/24 sealwright.gw=10.0.2.2'
    param 'hooks', 'scripts inside the image run as root before the workload', type: 'any', default: []
    param 'command', 'the workload\'s argv; empty: the image\'s own entrypoint', type: 'any', default: []
    param 'vault', 'a vault step: adds the quex enroll-agent, pinned to that vault', type: 'any', default: null
    param 'simulatedTdReport', 'guest path of a SIMULATED TD report template for the enroll-agent (no TDX host); empty: the real TD report', type: 'string', default: ''
    stepPrefix 'tdx'
    output 'uki', 'the UKI (uki.efi)'
    output 'initramfs', 'the initramfs inside it'
    example "def image = tdx.uki(image: 'oci:images/hello:latest', prefix: 'hello')"
    body { args ->
        def p = pack(args.stepName('uki')) {
            if (args.format) { image(args.image, args.format as String) } else { image(args.image as String) }
            kernel(args.kernel instanceof CharSequence ? debian(args.kernel as String) : args.kernel)
            modules(*(args.modules as List<String>))
            if (args.hooks) hooks(*(args.hooks as List<String>))
            if (args.command) command(*(args.command as List<String>))
            cmdline args.cmdline
            if (args.vault != null) enroll {
                vault args.vault
                if (args.simulatedTdReport) simulatedTdReport args.simulatedTdReport
            }
        }
        [uki: p.uki, initramfs: p.initramfs]
    }
}

recipe('expected') {
    description 'predict the MRTD and RTMR0..3 (with every event) a TD reports when booting a vm { } description'
    param 'vm', 'the vm { } value the launch uses (firmware, kernel or uki, cpus, memory)', type: 'any'
    param 'profile', 'host stack whose TDVF/QEMU measurements are predicted (sealwright measure profiles)', type: 'string', default: 'ubuntu-24.04'
    stepPrefix 'tdx'
    output 'expected', 'expected.json: mrtd, rtmr0..3 and the predicted events'
    example "def measured = tdx.expected(vm: td, prefix: 'hello-td')"
    body { args ->
        def m = measure.tdx(args.stepName('expected'), args.vm) { profile args.profile }
        [expected: m.expected]
    }
}

recipe('launch') {
    description 'launch a vm { } as a TD (QEMU tdx-guest); a dry run writes the exact command line only (hosts without TDX)'
    param 'vm', 'the vm { } value (tee \'tdx\')', type: 'any'
    param 'dryRun', 'write the QEMU command line, start nothing', type: 'boolean', default: false
    param 'prefix', 'the launch step\'s name; the other recipes name their steps PREFIX-…', type: 'string', default: 'tdx'
    output 'td', 'the launch step (for uses, enroll)'
    output 'commandLine', 'the QEMU command line, shell-quoted'
    example "tdx.launch(vm: td, dryRun: true, prefix: 'hello-td')"
    body { args ->
        def l = launch(args.prefix ?: 'td', args.vm) { dryRun args.dryRun }
        [td: l, commandLine: l.commandLine]
    }
}

recipe('verify') {
    description 'verify a TD quote (DCAP: PCK chain, CRLs, QE identity, TCB) against its collateral and the predicted registers; without a quote, a SIMULATED one of the prediction (test PKI)'
    param 'expected', 'expected.json of tdx.expected: the policy the quote must meet', type: 'file'
    param 'at', 'verification time, ISO-8601 (explicit: reproducible)', type: 'string'
    param 'quote', 'the TD\'s quote; null: a SIMULATED quote of the prediction', type: 'file', default: null
    param 'collateral', 'the quote\'s collateral (dcap-qvl JSON or PCS responses); required with quote', type: 'file', default: null
    stepPrefix 'tdx'
    output 'quote', 'the verified quote'
    output 'collateral', 'its collateral'
    output 'verification', 'verification.json (status, advisories, policy checks)'
    example "def checked = tdx.verify(expected: measured.expected, at: '2026-01-01T00:00:00Z', prefix: 'hello-td')"
    body { args ->
        def quote = args.quote, collateral = args.collateral
        boolean simulated = quote == null
        if (simulated) {
            def s = quoteSimulate(args.stepName('quote')) { expected args.expected; at args.at }
            quote = s.quote
            collateral = s.collateral
        } else if (collateral == null) {
            throw new dev.sealwright.base.RecipeException('tdx.verify: a quote needs its collateral')
        }
        def v = quoteVerify(args.stepName('verified')) {
            delegate.quote quote; delegate.collateral collateral; at args.at; policy args.expected; trustSimulated simulated
        }
        [quote: quote, collateral: collateral, verification: v.result]
    }
}

recipe('enroll') {
    description 'quex enrollment: once the TD\'s enroll-agent listens, check its measurements against the prediction and let the vault answer'
    param 'td', 'the launch step of the running guest (tdx.launch\'s td, or a launch step)', type: 'any'
    param 'vault', 'the vault step the UKI\'s enroll hook pins', type: 'any'
    param 'expected', 'expected.json of tdx.expected', type: 'file'
    param 'simulatedTdReport', 'the SIMULATED TD report template the guest uses (no TDX host); null: the real TD report', type: 'file', default: null
    param 'waitFor', 'console line (regex) that ends the enrollment successfully', type: 'string', default: ''
    param 'timeout', 'seconds to wait for the agent and the line', type: 'number', default: 180
    stepPrefix 'tdx'
    output 'enrollment', 'enrollment.json (what was checked, the key\'s public half; no secret)'
    example "tdx.enroll(td: boot, vault: keys, expected: prediction.expected, prefix: 'hello')"
    body { args ->
        def e = enroll(args.stepName('key')) {
            vm args.td; vault args.vault; expected args.expected
            if (args.simulatedTdReport != null) simulatedTdReport args.simulatedTdReport
            if (args.waitFor) waitFor args.waitFor
            timeout args.timeout as long
        }
        [enrollment: e.enrollment]
    }
}
