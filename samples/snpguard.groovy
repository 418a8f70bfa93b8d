// SNPGuard flow: predict the SEV-SNP launch digest, sign an ID block + ID auth for it (the PSP refuses
// to launch a guest whose digest differs), launch with id-block (dry run: no SNP host, and Debian's
// QEMU 7.2 lacks sev-snp-guest), and the disk whose key the attestation server releases. The
// attestation-gated key release (kbs, SNP report check) lands with issue 10 (kbs).
// Defaults use the public test vectors in ../shared/fixtures (a 4 KiB AmdSev OVMF suffix and the
// virtee/sev test keys); give your own with -p ovmf=... -p idKey=... -p authorKey=...
// Docs: docs/samples/snpguard.md
pipeline('snpguard') {
    params {
        ovmf      = '../../shared/fixtures/snp/sev-snp-measure/ovmf_AmdSev_suffix.bin'
        idKey     = '../../shared/fixtures/snp/virtee-sev/idblock/test_id_key.pem'     // public TEST key
        authorKey = '../../shared/fixtures/snp/virtee-sev/idblock/test_auth_key.pem'   // public TEST key
        vcpus     = 1
        policy    = '0x30000'
        key       = 'snpguard/DEMO-disk.key'   // DEMO passphrase (public): replace with your own
    }

    def digest = measure.snp('snpguard-digest') {    // sev-snp-measure compatible launch digest
        ovmf     file(params.ovmf)
        vcpus    params.vcpus as long
        vcpuType 'EPYC-v4'
    }

    def id = snpIdBlock('snpguard-idblock') {        // ID block + ID auth (author key enabled)
        measurement digest.measurement
        idKey       secret(file: params.idKey)
        authorKey   secret(file: params.authorKey)
        policy      params.policy
    }

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

    launch('snpguard-vm') {                 // sev-snp-guest with id-block, id-auth, author-key-enabled=on
        firmware   file(params.ovmf)
        uki        image.uki
        cpus       params.vcpus as long
        memory     '2G'
        tee        'snp'
        snpIdBlock id.idblock
        disk       encrypted.image
        dryRun     true
    }
}
