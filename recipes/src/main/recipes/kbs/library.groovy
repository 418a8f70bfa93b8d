// Recipe library `kbs`: an attestation-gated key broker and the LUKS2 volume whose key it releases to attested guests
// (the cczoo flow). Use it with:  use 'kbs@1'   and then, inside a pipeline:
//     def vol = kbs.volume(filesystem: fs.out)
//     def broker = kbs.broker(policy: file('policy.json'), secrets: vol.secrets, expected: prediction.expected)
//     launch('boot') { ...; disk vol.disk; uses broker.broker, broker.quotes }
// Made of public steps only (kbs.luksVolume, kbs.simulatedQuotes, kbs, kbs.verdict); `sealwright recipes show kbs` lists
// parameters and outputs. Step names start with `prefix` (`prefix: ''`: the bare names volume, broker, quotes, verdict).
// Without a TDX host the guests' quotes come from a SIMULATED quote service whose test PKI the policy must trust explicitly.
library 'kbs', version: '1.0.0', description: 'attestation-gated key broker + a LUKS2 volume whose key it releases to attested guests'

recipe('volume') {
    description 'wrap a filesystem image in LUKS2 (pure Java) under a key generated once per workspace (0600), which goes only into the broker\'s secrets file'
    param 'filesystem', 'the filesystem image to encrypt (e.g. mkfs.ext4 -d output)', type: 'file'
    param 'resource', 'broker resource name of the key', type: 'string', default: 'luks-root'
    param 'label', 'LUKS2 label', type: 'string', default: 'cczoo-data'
    stepPrefix 'kbs'
    output 'disk', 'the LUKS2 volume (a whole disk: cryptsetup open /dev/vdX)'
    output 'secrets', 'the broker\'s secrets file {resource: {base64: key}}, 0600'
    example "def vol = kbs.volume(filesystem: fs.out, resource: 'luks-root')"
    body { args ->
        def v = luksVolume(args.stepName('volume')) { filesystem args.filesystem; resource args.resource; label args.label }
        [disk: v.disk, secrets: v.secrets]
    }
}

recipe('broker') {
    description 'the key broker (nonce challenge → TDX/SNP evidence → policy → secret sealed to the TEE key), up while the steps using it run; with expected, also a SIMULATED TDX quote service for guests without TDX'
    param 'policy', 'broker policy JSON (docs/kbs.md): resources, the measurements they require', type: 'file'
    param 'secrets', 'secrets.json (0600): kbs.volume\'s secrets or secret(file: ...)', type: 'any'
    param 'expected', 'expected.json of a TDX prediction: the SIMULATED quote service signs these registers; null: no simulation (real TDX guests)', type: 'file', default: null
    param 'port', 'broker TCP port (0: any free port)', type: 'number', default: 8990
    param 'simPort', 'SIMULATED quote service TCP port (0: any free port)', type: 'number', default: 8991
    stepPrefix 'kbs'
    output 'broker', 'the broker step (for uses)'
    output 'quotes', 'the SIMULATED quote service step (for uses), or null without expected'
    output 'url', 'the broker\'s base URL'
    output 'audit', 'the broker\'s audit log (one JSON line per grant and refusal, no secret values)'
    example "def broker = kbs.broker(policy: policy.out, secrets: vol.secrets, expected: prediction.expected)"
    body { args ->
        def sim = args.expected == null ? null : kbsSimulatedQuotes(args.stepName('quotes')) {
            expected args.expected; port args.simPort as long
        }
        def b = kbs(args.stepName('broker')) {
            policy args.policy; secrets args.secrets; port args.port as long
            if (sim != null) collateral sim.collateral
        }
        [broker: b, quotes: sim, url: b.url, audit: b.audit]
    }
}

recipe('verdict') {
    description 'the broker\'s grants and refusals of a resource, from its audit log, as run-report values; fails the run unless the last verdict is the required one'
    param 'audit', 'kbs.broker\'s audit', type: 'file'
    param 'resource', 'the resource to report', type: 'string', default: 'luks-root'
    param 'require', 'grant or refuse; empty: report only', type: 'string', default: ''
    param 'after', 'the steps to wait for (e.g. the launch whose guest asked)', type: 'any', default: []
    stepPrefix 'kbs'
    output 'grants', 'number of grants of the resource'
    output 'refusals', 'number of refusals of the resource'
    example "kbs.verdict(audit: broker.audit, require: 'grant', after: [boot])"
    body { args ->
        def v = kbsVerdict(args.stepName('verdict')) {
            audit args.audit; resource args.resource
            if (args.require) require args.require
            if (args.after) after(*(args.after as List))
        }
        [grants: v.grants, refusals: v.refusals]
    }
}
