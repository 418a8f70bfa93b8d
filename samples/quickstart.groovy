// The quickstart: publish a small directory as a reproducible, checksummed bundle (a fragment of the
// `files` recipe library), pack the hello container with Debian's 6.12 cloud kernel and the quex
// enroll-agent into a reproducible initramfs + UKI, predict its TDX measurements, boot it under
// QEMU + OVMF (TCG here) and enroll a key from the software vault; hello then prints the SHA-256 of
// TD_SECRET_KEY and the public key from /var/data/quote.txt. This machine has no TDX: the guest's
// TD report is SIMULATED (a template made from the prediction), and so is the vault's SGX identity.
// Run it twice: every cached step is reused; the vault, boot and enrollment (live steps) run again
// and the guest gets the same key. `sealwright plan samples/quickstart.groovy` explains what would run.
use 'files@1'

pipeline('quickstart') {
    params {
        title = 'sealwright quickstart'
        libvirt = ''                      // -p libvirt=qemu:///system (or qemu+ssh://host/system): boot through libvirt
        vtpm = false                      // -p vtpm=true: give the guest a swtpm TPM 2.0
    }

    files.checksummed(dir: file('quickstart/site'), title: params.title)   // archive, extract, digest, manifest

    def keys = vault('vault') { }           // software vault: seed (0600) + SIMULATED SGX identity, made once, never overwritten

    def image = pack('hello') {           // container image + kernel -> initramfs + UKI on systemd-stub
        image   'oci:images/hello:latest'
        kernel  debian('linux-image-6.12.*-cloud-amd64')
        modules 'virtio_net', 'virtio_blk'
        cmdline 'console=ttyS0 sealwright.ip=10.0.2.15/24 sealwright.gw=10.0.2.2'
        enroll {                          // the quex enroll-agent runs before hello, pinning this vault
            vault             keys
            simulatedTdReport '/dev/vdb'  // SIMULATED: no TDX here; the launch attaches the template as a second disk
        }
    }

    def prediction = measure.tdx('expected') {   // what a TD booting this UKI directly (-kernel) would report
        firmware file('/usr/share/ovmf/OVMF.fd')
        kernel   image.uki
        cpus     2
        memory   '1G'
    }

    def report = simulatedTdReport('tdreport') { expected prediction }   // SIMULATED TD report = the prediction

    def boot = launch('boot') {           // a service step: OVMF boots the UKI from a GPT/ESP disk
        firmware file('/usr/share/OVMF/OVMF_CODE_4M.fd')
        vars     file('/usr/share/OVMF/OVMF_VARS_4M.fd')
        uki      image.uki
        disk     report.report
        cpus     2
        memory   '1G'
        vtpm     params.vtpm
        if (params.libvirt) libvirt params.libvirt   // a libvirt domain instead of a local QEMU, same VmSpec
        forward  'auto:24516'        // any free host port: enroll reads the one chosen from the launch's vm.json
        waitFor  ~/enroll: listening on port 24516/, timeout: '300s'
    }

    enroll('key') {                       // measurements checked first, then the vault answers
        vm       boot
        vault    keys
        expected prediction
        simulatedTdReport report.report
        waitFor  ~/hello from sealwright: tee=\w+ kernel=\S+ key-sha256=/
        timeout  180
    }
}
