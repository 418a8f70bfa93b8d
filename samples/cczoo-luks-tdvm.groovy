// The cczoo flow (Intel Confidential Computing Zoo, "LUKS-encrypted rootfs, key from an attested broker"), from
// the standard libraries kbs@1 and tdx@1: a small ext4 holding secret-data.txt is wrapped in LUKS2 (pure Java)
// under a key generated once per workspace, which goes only into the broker's secrets file (0600). The guest's
// init hook fetches that key from the broker with a TDX quote, opens the disk with Debian's cryptsetup, mounts
// it, and the workload prints the file. This machine has no TDX: the quote is SIMULATED (kbs.broker's quote
// service, a test PKI that is not Intel's), and the broker policy says so explicitly (tdx.trust_simulated) while
// pinning the MRTD and RTMRs tdx.expected predicts for this UKI. See docs/samples/cczoo-luks-tdvm.md.
// What is specific to this sample: the data, the guest's root (busybox, cryptsetup, unlock hook), its policy
// (policyMrtd demonstrates a refusal) and the boot under QEMU TCG.
//     sealwright run samples/cczoo-luks-tdvm.groovy [-p kbsPort=8990 -p simPort=8991 -p data=DIR]
//     sealwright run samples/cczoo-luks-tdvm.groovy -p policyMrtd=<96 hex>   # the broker refuses, the disk stays locked
use 'kbs@1'
use 'tdx@1'

pipeline('cczoo-luks-tdvm') {
    params {
        data = 'cczoo-luks-tdvm/data'      // the directory that becomes the encrypted filesystem
        resource = 'luks-root'             // the broker resource holding the key
        kbsPort = 8990
        simPort = 8991
        policyMrtd = ''                    // non-empty: the policy pins this MRTD instead of the prediction
    }

    // 1. the encrypted disk: ext4 (mkfs.ext4 -d) -> LUKS2, key generated once (0600) into the broker's secrets (step volume)
    def fs = exec('filesystem') { command 'sh', file('cczoo-luks-tdvm/filesystem.sh'), '{out}', file(params.data) }
    def volume = kbs.volume(filesystem: fs.out, resource: params.resource, prefix: '')

    // 2. the guest: busybox, cryptsetup (+ ldd closure), kbs-client and the unlock hook in a UKI
    def rootfs = exec('rootfs') {
        command 'sh', file('cczoo-luks-tdvm/rootfs.sh'), '{out}', helper('kbs-client'),
                file('cczoo-luks-tdvm/unlock.sh'), file('cczoo-luks-tdvm/workload.sh')
    }
    def tree = extract('tree') { archive rootfs.out }
    def guest = tdx.uki(image: tree.files, format: 'dir', prefix: 'guest',
                        modules: ['virtio_net', 'virtio_blk', 'dm_crypt', 'xts', 'algif_skcipher'],
                        hooks: ['/cczoo/unlock.sh'], command: ['/bin/busybox', 'sh', '/cczoo/workload.sh'],
                        cmdline: "console=ttyS0 sealwright.ip=10.0.2.15/24 sealwright.gw=10.0.2.2 " +
                                 "cczoo.kbs=http://10.0.2.2:${params.kbsPort} cczoo.sim=http://10.0.2.2:${params.simPort} cczoo.resource=${params.resource}")

    // 3. what a TD direct-booting this UKI reports (TDVF loads it as the kernel; the ESP boot of a UKI is not
    //    predicted in this build); the policy pins it and the broker's SIMULATED quote service signs it
    def td = vm {
        firmware file('/usr/share/ovmf/OVMF.fd')
        kernel   guest.uki
        cpus     2
        memory   '1G'
    }
    def prediction = tdx.expected(vm: td, prefix: '')
    def brokerPolicy = exec('policy') {
        command 'sh', file('cczoo-luks-tdvm/policy.sh'), '{out}', prediction.expected, params.resource, params.policyMrtd
    }
    def broker = kbs.broker(policy: brokerPolicy.out, secrets: volume.secrets, expected: prediction.expected,   // steps broker, quotes
                            port: params.kbsPort, simPort: params.simPort, prefix: '')

    // 4. boot (no TDX here: an OVMF + QEMU TCG VM): the hook fetches the key, unlocks /dev/vdb, the workload prints the file
    def boot = launch('boot') {
        firmware file('/usr/share/OVMF/OVMF_CODE_4M.fd')
        vars     file('/usr/share/OVMF/OVMF_VARS_4M.fd')
        uki      guest.uki
        disk     volume.disk
        nics     1                  // user-mode network: the guest reaches the host's broker as 10.0.2.2
        uses     broker.broker, broker.quotes   // both services are up before the VM starts and while it runs
        cpus     2
        memory   '1G'
        waitFor  ~/cczoo: secret-data.txt sha256=[0-9a-f]{64}|cczoo: key refused/, timeout: '600s'
    }

    // 5. the broker's verdict, from its audit log (no secret values in it), into the run report (--report FILE)
    kbs.verdict(audit: broker.audit, resource: params.resource, require: params.policyMrtd ? 'refuse' : 'grant',   // the run fails otherwise
                after: [boot], prefix: '')
}
