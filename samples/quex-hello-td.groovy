// quex hello-world TD: pack the hello container into a UKI, predict its TDX measurements (MRTD +
// RTMR0..2), write the TD launch command line (dry run: no TDX host here), and check a quote against
// the prediction. The quote is SIMULATED (test PKI) because no TD runs here; on a TDX host the quote
// comes from the guest. Vault enrollment into the running TD lands with issue 10 (enroll-e2e).
// Docs: docs/samples/quex-hello-td.md
pipeline('quex-hello-td') {
    params {
        memory  = '2G'
        profile = 'ubuntu-24.04'             // host stack whose TDVF/QEMU measurements we predict
        at      = '2026-01-01T00:00:00Z'     // verification time of the SIMULATED quote (explicit: reproducible)
    }

    def image = pack('hello') {              // container + Debian cloud kernel -> initramfs + UKI
        image   'oci:images/hello:latest'
        kernel  debian('linux-image-6.12.*-cloud-amd64')
        modules 'virtio_net'
        cmdline 'console=ttyS0 sealwright.ip=10.0.2.15/24 sealwright.gw=10.0.2.2'
    }

    def td = vm {                            // one description: the launch and the prediction read the same VM
        firmware file('/usr/share/ovmf/OVMF.fd')
        kernel   image.uki
        memory   params.memory
        tee      'tdx'
        forward  24516                       // the quex agent's port, for the enrollment (issue 10)
    }

    def measured = measure.tdx('hello-td-expected', td) {   // expected.json: MRTD, RTMR0..3 and every event
        profile  params.profile
    }

    launch('hello-td', td) {                     // the TD; dry run writes the exact QEMU command line only
        dryRun   true
    }

    def simulated = quoteSimulate('hello-td-quote') {   // SIMULATED: what the TD would return, signed by a test PKI
        expected measured.expected
        at       params.at
    }

    quoteVerify('hello-td-verified') {       // DCAP checks + the policy: MRTD and RTMRs must equal the prediction
        quote          simulated.quote
        collateral     simulated.collateral
        at             params.at
        policy         measured.expected
        trustSimulated true
    }
}
