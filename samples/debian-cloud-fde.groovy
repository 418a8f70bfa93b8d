// Debian cloud FDE under Microsoft's Secure Boot keys (encrypt-cloud-image flow, issue 17): a GPT cloud image
// whose ESP boots Debian's shim-signed (16.1, signed by the Microsoft UEFI CA 2011) -> grub-efi-amd64-signed
// (2.06-13) -> the Debian-signed cloud kernel, all fetched with apt-get download (nothing is installed). The
// root partition is encrypted into LUKS2, the uefi-config.json is read from OVMF_VARS_4M.ms.fd, and
// disk deploy seals a fresh key (systemd-tpm2 token + secboot ESP key file) to PCR 7 and 4, which it predicts
// from the image's ESP (shim, GRUB, grub.cfg, kernel, initrd) and the uefi-config. Then the deployed image boots
// under QEMU (OVMF_CODE_4M.ms.fd, SMM, Secure Boot enforced) with a swtpm holding the SRK it was sealed to:
// once as deployed, once with its kernel replaced; the disk.sealCheck steps' values in the run report say whether
// the key unsealed in that boot (see docs/samples/debian-cloud-fde.md).
// Docs: docs/samples/debian-cloud-fde.md (what is real, which shim/GRUB versions are modelled).
pipeline('debian-cloud-fde') {
    params {
        srkPub = 'debian-cloud-fde/srk.pub'                  // SRK public area of the TPM to seal to: here the DEMO tpm-state's (make-tpm-state.sh)
        key    = 'debian-cloud-fde/DEMO-root.key'            // DEMO disk passphrase (public): replace with your own
        vars   = '/usr/share/OVMF/OVMF_VARS_4M.ms.fd'        // the VM's variables: Microsoft KEK/db, Red Hat PK
        code   = '/usr/share/OVMF/OVMF_CODE_4M.ms.fd'        // its Secure Boot firmware (SMM)
        tpm    = 'debian-cloud-fde/tpm-state'                // DEMO swtpm state holding the SRK of srk.pub (make-tpm-state.sh)
    }

    def rootfs = diskImage('debian-cloud-rootfs') {          // the root filesystem (ext4) the image carries
        rootfs file('debian-cloud-fde/rootfs')
        size   '8M'
        label  'cloudimg-rootfs'
    }

    def k = kernel('debian-cloud-kernel') { debian 'linux-image-6.12.*-cloud-amd64' }   // Debian-signed (Debian Secure Boot CA)

    def guest = pack('debian-cloud-initrd') {                // the initrd GRUB loads (the workload; its UKI is unused)
        image   'oci:images/hello:latest'
        kernel  k
        modules 'virtio_net'
    }

    def cloud = shimCloudImage('debian-cloud-image') {       // ESP: shim as BOOTX64.EFI, grubx64.efi, /EFI/debian/grub.cfg, kernel, initrd
        kernel  k
        initrd  guest.initramfs
        cmdline 'console=ttyS0 panic=-1 no_timer_check rdinit=/sealwright/init sealwright.tpmreport=1'   // pack's init prints the TPM's PCRs and event log
        root    rootfs.filesystem
    }

    def encrypted = diskEncrypt('debian-cloud-encrypted') {  // LUKS2 root, encrypt-cloud-image parameters
        image      cloud.image
        passphrase secret(file: params.key)
    }

    def config = uefiConfig('debian-cloud-uefi-config') {    // PK, KEK, db, dbx as encrypt-cloud-image's uefi-config.json
        vars file(params.vars)
    }

    def deployed = diskDeploy('debian-cloud-deployed') {     // PCR 7 + 4 predicted from the ESP's shim chain and the uefi-config
        image      encrypted.image
        srkPub     file(params.srkPub)
        uefiConfig config.config
        pcrs       '7,4'
        passphrase secret(file: params.key)
    }

    def boot = launch('debian-cloud-boot') {                 // the intended boot
        firmware file(params.code)
        vars     file(params.vars)
        bootDisk deployed.image
        vtpm     true
        tpmState file(params.tpm)
        memory   '1G'
    }
    step('disk.sealCheck', 'debian-cloud-unseal') {          // values: pcr_mismatches 0, unsealed true
        console  boot.serialLog
        image    deployed.image
        tpmState file(params.tpm)
        sealedTo deployed.pcrValues
    }

    def other = kernel('debian-cloud-kernel-61') { debian 'linux-image-6.1.0-*-cloud-amd64' }   // signed by the same Debian key
    def swapped = exec('debian-cloud-other-kernel') {        // the deployed image with /boot/vmlinuz replaced on its ESP
        command 'sh', '-c', 'cp "$1" "$3" && mcopy -o -i "$3@@1048576" "$2"/boot/vmlinuz-* ::/boot/vmlinuz',
                'sh', deployed.image, other.kernel, '{out}'
    }
    def otherBoot = launch('debian-cloud-boot-other-kernel') {
        firmware file(params.code)
        vars     file(params.vars)
        bootDisk swapped.out
        vtpm     true
        tpmState file(params.tpm)
        memory   '1G'
    }
    step('disk.sealCheck', 'debian-cloud-unseal-other-kernel') {   // shim and GRUB accept the kernel, PCR 4 differs: unsealed false
        console  otherBoot.serialLog
        image    swapped.out
        tpmState file(params.tpm)
        sealedTo deployed.pcrValues
    }
}
