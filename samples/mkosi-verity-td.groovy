// mkosi-style verity TD (the ethrex TDX execution-module flow): an ext4 root filesystem with a
// dm-verity hash tree, a UKI whose command line pins the tree with roothash=, the TD's predicted
// measurements, the TD launch (dry run: no TDX host here), and the TD's quote published to an
// HTTP JSON-RPC endpoint. Here the quote is SIMULATED (test PKI) and the endpoint is a SIMULATED
// local test endpoint; on a TDX host the guest produces the quote and you point `endpoint` at your node.
// Docs: docs/samples/mkosi-verity-td.md
use 'verity@1'

pipeline('mkosi-verity-td') {
    params {
        memory  = '2G'
        profile = 'ubuntu-24.04'
        at      = '2026-01-01T00:00:00Z'     // verification time of the SIMULATED quote
    }

    def cloud = kernel { debian 'linux-image-6.12.*-cloud-amd64' }

    def workload = pack('verity-initrd') {     // the workload's initramfs (its UKI is made by verity.root)
        image   'oci:images/hello:latest'
        kernel  cloud
        modules 'virtio_net', 'dm-verity'
    }

    // ext4 in a GPT disk (steps verity-rootfs), its hash tree as veritysetup format writes it (verity-tree),
    // and a UKI whose command line ends with roothash=<root hash> (verity-uki): the standard library verity@1
    def root = verity.root(rootfs: file('mkosi-verity-td/rootfs'), size: '8M', kernel: cloud, initrd: workload.initramfs,
                           cmdline: 'console=ttyS0 rdinit=/sealwright/init systemd.verity=1 root=/dev/mapper/root')

    def td = vm {                            // one description: the launch and the prediction read the same VM
        firmware file('/usr/share/ovmf/OVMF.fd')
        kernel   root.uki
        disk     root.image, root.hash
        memory   params.memory
        tee      'tdx'
    }

    def measured = measure.tdx('verity-td-expected', td) {   // expected.json: MRTD, RTMR0..3 and every event
        profile  params.profile
    }

    launch('verity-td', td) {                    // data and hash tree as two virtio disks; dry run only
        dryRun   true
    }

    def simulated = quoteSimulate('verity-td-quote') {   // SIMULATED quote over the predicted registers
        expected measured.expected
        at       params.at
    }

    quoteVerify('verity-td-verified') {
        quote          simulated.quote
        collateral     simulated.collateral
        at             params.at
        policy         measured.expected
        trustSimulated true
    }

    def chain = rpcEndpoint('test-endpoint') { }   // SIMULATED local JSON-RPC endpoint, up while publish runs

    quotePublish('verity-td-publish') {
        endpoint chain.url
        quote    simulated.quote
    }
}
