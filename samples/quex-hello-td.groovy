// quex hello-world TD, from the standard library tdx@1: pack the hello container into a UKI, predict its TDX
// measurements (MRTD + RTMR0..2), write the TD launch command line (dry run: no TDX host here), and check a
// quote against the prediction. The quote is SIMULATED (test PKI) because no TD runs here; on a TDX host pass
// the guest's quote and collateral to tdx.verify. `sealwright recipes show tdx` explains each recipe.
// What is specific to this sample: the hello container, the quex agent's port, and the dry run.
// Docs: docs/samples/quex-hello-td.md
use 'tdx@1'

pipeline('quex-hello-td') {
    params {
        memory  = '2G'
        profile = 'ubuntu-24.04'             // host stack whose TDVF/QEMU measurements we predict
        at      = '2026-01-01T00:00:00Z'     // verification time of the SIMULATED quote (explicit: reproducible)
    }

    def image = tdx.uki(image: 'oci:images/hello:latest', prefix: 'hello')   // container + Debian cloud kernel -> UKI

    def td = vm {                            // one description: the launch and the prediction read the same VM
        firmware file('/usr/share/ovmf/OVMF.fd')
        kernel   image.uki
        memory   params.memory
        tee      'tdx'
        forward  24516                       // the quex agent's port, for the enrollment
    }

    def measured = tdx.expected(vm: td, profile: params.profile, prefix: 'hello-td')   // step hello-td-expected
    tdx.launch(vm: td, dryRun: true, prefix: 'hello-td')                               // step hello-td: command line only
    tdx.verify(expected: measured.expected, at: params.at, prefix: 'hello-td')         // SIMULATED quote, DCAP checks + policy
}
