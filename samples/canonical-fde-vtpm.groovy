// Canonical FDE with a vTPM (encrypt-cloud-image flow): encrypt a cloud image's rootfs into LUKS2, read
// the Secure Boot configuration (uefi-config.json) from OVMF's variable store, sign the boot UKI with the
// db key, predict the PCRs 7 and 4 that OVMF + swtpm will measure when that firmware boots that UKI, seal
// the disk key offline to them under the target vTPM's SRK (systemd-tpm2 LUKS2
// token), and write the vTPM VM's launch command line (dry run).
// Firmware: Debian's snakeoil Secure Boot OVMF (the MS-enrolled vars need a Microsoft-signed UKI).
// The db key: Debian's public snakeoil key, decrypted by you into a 0600 file (see the doc):
//   (umask 077; openssl pkey -in /usr/share/ovmf/PkKek-1-snakeoil.key -passin pass:snakeoil -out samples/canonical-fde-vtpm/db.key)
// Docs: docs/samples/canonical-fde-vtpm.md
pipeline('canonical-fde-vtpm') {
    params {
        srkPub = 'canonical-fde-vtpm/srk.pub'                   // target TPM's SRK public area (make-srk.sh)
        key    = 'canonical-fde-vtpm/DEMO-root.key'             // DEMO disk passphrase (public): replace with your own
        dbKey  = 'canonical-fde-vtpm/db.key'                    // db signing key, unencrypted PEM, 0600 (not committed)
        dbCert = '/usr/share/ovmf/PkKek-1-snakeoil.pem'         // its certificate, enrolled in the vars' db
        code   = '/usr/share/OVMF/OVMF_CODE_4M.snakeoil.fd'     // Secure Boot OVMF code
        vars   = '/usr/share/OVMF/OVMF_VARS_4M.snakeoil.fd'     // its variables: PK, KEK, db = the snakeoil certificate
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

    def hello = pack('hello') {              // the boot UKI (systemd-stub 252)
        image   'oci:images/hello:latest'
        kernel  debian('linux-image-6.12.*-cloud-amd64')
        modules 'virtio_net'
        cmdline 'console=ttyS0 sealwright.ip=10.0.2.15/24 sealwright.gw=10.0.2.2'
    }

    def signed = ukiSign('fde-signed-uki') { // Secure Boot signature with the db key (sbsign)
        uki  hello.uki
        key  secret(file: params.dbKey)
        cert file(params.dbCert)
    }

    def predicted = measure.vtpm('fde-pcrs') {    // PCR 7 (Secure Boot state, PK/KEK/db/dbx, db authority) and PCR 4 (the UKI)
        firmwareCode file(params.code)
        firmwareVars file(params.vars)
        uki          signed.uki
        secureBoot   true
    }

    def deployed = diskDeploy('fde-deployed-image') {   // systemd-tpm2 token sealed to PCRs 7 and 4, recovery keyslot
        image      encrypted.image
        srkPub     file(params.srkPub)
        pcrValues  predicted.expected
        pcrs       '7,4'
        passphrase secret(file: params.key)
        espKey     false                     // the stand-in image has no ESP (the VM boots the UKI from its own)
    }

    launch('fde-vm') {                       // Secure Boot OVMF + swtpm + the deployed disk; dry run
        firmware file(params.code)
        vars     file(params.vars)
        uki      signed.uki
        disk     deployed.image
        vtpm     true
        dryRun   true
    }
}
