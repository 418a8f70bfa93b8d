// Canonical FDE with a vTPM (encrypt-cloud-image flow), built from the standard library fde@1: encrypt a
// cloud image's rootfs into LUKS2, read the Secure Boot configuration (uefi-config.json) from OVMF's
// variable store, sign the boot UKI with the db key, predict PCRs 7 and 4 for that firmware booting that
// UKI and seal the disk key offline to them under the target vTPM's SRK (systemd-tpm2 LUKS2 token), then
// write the vTPM VM's launch command line (dry run). `sealwright recipes show fde` explains each recipe.
// What is specific to this sample: the stand-in cloud image, the hello UKI, Debian's snakeoil Secure Boot
// OVMF and its public db key (decrypted by a step into a 0600 workspace file), and the dry-run launch.
// Docs: docs/samples/canonical-fde-vtpm.md
use 'fde@1'

pipeline('canonical-fde-vtpm') {
    params {
        srkPub = 'canonical-fde-vtpm/srk.pub'                   // target TPM's SRK public area (make-srk.sh)
        key    = 'canonical-fde-vtpm/DEMO-root.key'             // DEMO disk passphrase (public): replace with your own
        dbKey  = '/usr/share/ovmf/PkKek-1-snakeoil.key'         // DEMO db signing key: Debian's public snakeoil key (encrypted PEM)
        dbPass = 'canonical-fde-vtpm/DEMO-snakeoil.pass'        // its published passphrase, "snakeoil"
        dbCert = '/usr/share/ovmf/PkKek-1-snakeoil.pem'         // its certificate, enrolled in the vars' db
        code   = '/usr/share/OVMF/OVMF_CODE_4M.snakeoil.fd'     // Secure Boot OVMF code
        vars   = '/usr/share/OVMF/OVMF_VARS_4M.snakeoil.fd'     // its variables: PK, KEK, db = the snakeoil certificate
    }

    def cloud = diskImage('fde-cloud-image') {   // stands in for an Ubuntu cloud image: GPT + ext4 rootfs
        rootfs file('canonical-fde-vtpm/rootfs')
        size   '8M'
        label  'cloudimg-rootfs'
    }

    def encrypted = fde.encrypt(image: cloud.image, passphrase: secret(file: params.key))

    fde.uefiConfig(vars: file(params.vars))

    def hello = pack('hello') {              // the boot UKI (systemd-stub 252)
        image   'oci:images/hello:latest'
        kernel  debian('linux-image-6.12.*-cloud-amd64')
        modules 'virtio_net'
        cmdline 'console=ttyS0 sealwright.ip=10.0.2.15/24 sealwright.gw=10.0.2.2'
    }

    def dbKey = keyDecrypt('fde-db-key') {   // DEMO key: the unencrypted db key, 0600 in the workspace
        key        file(params.dbKey)
        passphrase secret(file: params.dbPass)
    }

    def deployed = fde.deploy(image: encrypted.image, uki: hello.uki, dbKey: dbKey.key, dbCert: file(params.dbCert),
                              code: file(params.code), vars: file(params.vars), srkPub: file(params.srkPub),
                              passphrase: secret(file: params.key),
                              espKey: false)  // the stand-in image has no ESP (the VM boots the UKI from its own)

    launch('fde-vm') {                       // Secure Boot OVMF + swtpm + the deployed disk; dry run
        firmware file(params.code)
        vars     file(params.vars)
        uki      deployed.uki
        disk     deployed.image
        vtpm     true
        dryRun   true
    }
}
