// Canonical FDE with a vTPM (encrypt-cloud-image flow): encrypt a cloud image's rootfs into LUKS2,
// read the Secure Boot configuration (uefi-config.json) from OVMF's variable store, seal the disk
// passphrase offline to PCR 7 under the target TPM's SRK (tpm2_import-able blob + systemd-tpm2 LUKS2
// token), and write the vTPM VM's launch command line. Land with later issues: predicting PCR 7 from
// uefi-config (issue 5, measure-vtpm; until then pcr7-unbooted.json holds the PCR 7 of a TPM that has
// not booted, all zeros), `disk deploy` installing the token into the image (issue 8), and the swtpm
// boot that unlocks the disk (issues 5 and 8). Docs: docs/samples/canonical-fde-vtpm.md
pipeline('canonical-fde-vtpm') {
    params {
        srkPub    = 'canonical-fde-vtpm/srk.pub'            // target TPM's SRK public area (make-srk.sh)
        pcrValues = 'canonical-fde-vtpm/pcr7-unbooted.json' // expected PCR 7 (prediction: issue 5)
        key       = 'canonical-fde-vtpm/DEMO-root.key'      // DEMO passphrase (public): replace with your own
        vars      = '/usr/share/OVMF/OVMF_VARS_4M.ms.fd'    // Microsoft-enrolled Secure Boot variables
    }

    def cloud = diskImage('fde-cloud-image') {   // stands in for an Ubuntu cloud image: GPT + ext4 rootfs
        rootfs file('canonical-fde-vtpm/rootfs')
        size   '8M'
        label  'cloudimg-rootfs'
    }

    def encrypted = diskEncrypt('fde-encrypted-image') {   // encrypt-cloud-image parameters, label cloudimg-rootfs-enc
        image      cloud.image
        passphrase secret(file: params.key)
    }

    uefiConfig('fde-uefi-config') {          // PK, KEK, db, dbx as encrypt-cloud-image's uefi-config.json
        vars file(params.vars)
    }

    tpmSeal('fde-sealed-key') {              // offline seal: no TPM needed here, only its SRK public area
        srkPub    file(params.srkPub)
        pcrs      'sha256:7'
        pcrValues file(params.pcrValues)
        data      secret(file: params.key)
        keyslot   0                          // also the systemd-tpm2 token for LUKS keyslot 0
    }

    def image = pack('hello') {              // the boot UKI (a signed UKI under Secure Boot: issue 5)
        image   'oci:images/hello:latest'
        kernel  debian('linux-image-6.12.*-cloud-amd64')
        modules 'virtio_net'
        cmdline 'console=ttyS0 sealwright.ip=10.0.2.15/24 sealwright.gw=10.0.2.2'
    }

    launch('fde-vm') {                       // OVMF with Secure Boot variables + swtpm; dry run (boot: issues 5, 8)
        firmware file('/usr/share/OVMF/OVMF_CODE_4M.ms.fd')
        vars     file(params.vars)
        uki      image.uki
        disk     encrypted.image
        vtpm     true
        dryRun   true
    }
}
