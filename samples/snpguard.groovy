// SNPGuard flow, from the standard library snp@1: predict the SEV-SNP launch digest, sign an ID block + ID auth
// for it (the PSP refuses to launch a guest whose digest differs), launch with id-block (dry run: no SNP host,
// and Debian's QEMU 7.2 lacks sev-snp-guest), check the guest's attestation report against the prediction
// (SIMULATED here: a test chain, not AMD), and the disk whose key the attestation server releases.
// What is specific to this sample: the public test vectors, the DEMO disk and the hello workload.
// Defaults use the public test vectors in ../shared/fixtures (a 4 KiB AmdSev OVMF suffix and the
// virtee/sev test keys); give your own with -p ovmf=... -p idKey=... -p authorKey=...
// Docs: docs/samples/snpguard.md
use 'snp@1'

pipeline('snpguard') {
    params {
        ovmf      = '../../shared/fixtures/snp/sev-snp-measure/ovmf_AmdSev_suffix.bin'
        idKey     = '../../shared/fixtures/snp/virtee-sev/idblock/test_id_key.pem'     // public TEST key
        authorKey = '../../shared/fixtures/snp/virtee-sev/idblock/test_auth_key.pem'   // public TEST key
        vcpus     = 1
        policy    = '0x30000'
        key       = 'snpguard/DEMO-disk.key'   // DEMO passphrase (public): replace with your own
        at        = '2026-01-01T00:00:00Z'     // verification time of the SIMULATED report
    }

    def digest = snp.expected(ovmf: file(params.ovmf), vcpus: params.vcpus, prefix: 'snpguard')          // snpguard-digest
    def id = snp.idblock(measurement: digest.measurement, idKey: secret(file: params.idKey),
                         authorKey: secret(file: params.authorKey), policy: params.policy, prefix: 'snpguard')  // snpguard-idblock

    def plain = diskImage('snpguard-plain-disk') {
        rootfs file('snpguard/rootfs')
        size   '8M'
    }
    def encrypted = diskEncrypt('snpguard-luks-disk') {   // the disk the attestation server's key opens
        image      plain.image
        passphrase secret(file: params.key)
        label      'snpguard-rootfs'
    }

    def image = pack('hello') {             // the workload, booted as a UKI from the ESP: the firmware alone
        image   'oci:images/hello:latest'  // is in the launch digest (no kernel-hashes for ESP boot)
        kernel  debian('linux-image-6.12.*-cloud-amd64')
        modules 'virtio_net'
        cmdline 'console=ttyS0 sealwright.ip=10.0.2.15/24 sealwright.gw=10.0.2.2'
    }

    snp.launch(ovmf: file(params.ovmf), uki: image.uki, idblock: id.idblock, disks: [encrypted.image],
               vcpus: params.vcpus, dryRun: true, prefix: 'snpguard')                 // snpguard-vm: sev-snp-guest, id-block
    snp.verify(measurement: digest.measurement, policy: params.policy, at: params.at, prefix: 'snpguard')   // SIMULATED report
}
