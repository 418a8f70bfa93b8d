// cczoo-style LUKS TD VM: the root filesystem is a LUKS2 volume; the TD proves itself (quote checked
// against the predicted measurements) before the key broker releases the volume key. Built here: the
// encrypted disk (pure Java, checked by cryptsetup), the TD's measurements, its launch (dry run: no TDX
// host), and the broker's quote check on a SIMULATED quote. The key broker serving the key (`kbs serve`)
// and the guest-side unlock land with issue 10 (kbs). Docs: docs/samples/cczoo-luks-tdvm.md
pipeline('cczoo-luks-tdvm') {
    params {
        memory  = '2G'
        profile = 'ubuntu-24.04'
        at      = '2026-01-01T00:00:00Z'
        key     = 'cczoo-luks-tdvm/DEMO-root.key'   // DEMO passphrase (public): replace with your own
    }

    def plain = diskImage('cczoo-plain-disk') {    // GPT disk with an ext4 rootfs partition
        rootfs file('cczoo-luks-tdvm/rootfs')
        size   '8M'
    }

    def encrypted = diskEncrypt('cczoo-luks-disk') {  // rootfs partition -> LUKS2 (encrypt-cloud-image parameters)
        image      plain.image
        passphrase secret(file: params.key)
        label      'cczoo-rootfs'
    }

    def image = pack('hello') {
        image   'oci:images/hello:latest'
        kernel  debian('linux-image-6.12.*-cloud-amd64')
        modules 'virtio_net'
        cmdline 'console=ttyS0 sealwright.ip=10.0.2.15/24 sealwright.gw=10.0.2.2'
    }

    def td = vm {                            // one description: the launch and the prediction read the same VM
        firmware file('/usr/share/ovmf/OVMF.fd')
        kernel   image.uki
        disk     encrypted.image
        memory   params.memory
        tee      'tdx'
    }

    def measured = measure.tdx('cczoo-td-expected', td) {   // expected.json: MRTD, RTMR0..3 and every event
        profile  params.profile
    }

    launch('cczoo-td', td) {
        dryRun   true
    }

    def simulated = quoteSimulate('cczoo-td-quote') {  // SIMULATED: the quote the TD would send the broker
        expected measured.expected
        at       params.at
    }

    quoteVerify('cczoo-broker-check') {    // the broker's decision: release the key only if this passes
        quote          simulated.quote
        collateral     simulated.collateral
        at             params.at
        policy         measured.expected
        trustSimulated true
    }
}
