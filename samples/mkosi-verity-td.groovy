// mkosi-style verity TD (the ethrex TDX execution-module flow), from the standard libraries verity@1 and tdx@1:
// an ext4 root filesystem with a dm-verity hash tree, a UKI whose command line pins the tree with roothash=, the
// TD's predicted measurements, the TD launch (dry run: no TDX host here), and the TD's quote published to an
// HTTP JSON-RPC endpoint. Here the quote is SIMULATED (test PKI) and the endpoint is a SIMULATED local test
// endpoint; on a TDX host the guest produces the quote and you point `endpoint` at your node.
// What is specific to this sample: the rootfs, the workload initramfs with dm-verity, and the quote publication.
// Docs: docs/samples/mkosi-verity-td.md
use 'verity@1'
use 'tdx@1'

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

    // ext4 in a GPT disk (verity-rootfs), its hash tree as veritysetup format writes it (verity-tree),
    // and a UKI whose command line ends with roothash=<root hash> (verity-uki)
    def root = verity.root(rootfs: file('mkosi-verity-td/rootfs'), size: '8M', kernel: cloud, initrd: workload.initramfs,
                           cmdline: 'console=ttyS0 rdinit=/sealwright/init systemd.verity=1 root=/dev/mapper/root')

    def td = vm {                            // one description: the launch and the prediction read the same VM
        firmware file('/usr/share/ovmf/OVMF.fd')
        kernel   root.uki
        disk     root.image, root.hash
        memory   params.memory
        tee      'tdx'
    }

    def measured = tdx.expected(vm: td, profile: params.profile, prefix: 'verity-td')
    tdx.launch(vm: td, dryRun: true, prefix: 'verity-td')                  // data and hash tree as two virtio disks
    def checked = tdx.verify(expected: measured.expected, at: params.at, prefix: 'verity-td')   // SIMULATED quote

    def chain = rpcEndpoint('test-endpoint') { }   // SIMULATED local JSON-RPC endpoint, up while publish runs
    quotePublish('verity-td-publish') {
        endpoint chain.url
        quote    checked.quote
    }
}
