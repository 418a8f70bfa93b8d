// The quickstart: publish a small directory as a reproducible, checksummed bundle (a fragment of the
// `files` recipe library), pack the hello container with Debian's 6.12 cloud kernel into a
// reproducible initramfs + UKI, and boot that UKI under QEMU + OVMF (TCG here) until the workload
// greets us. Run it twice: every cached step is reused; the boot (a live service step) runs again.
// `sealwright plan samples/quickstart.groovy` explains what would run and why.
use 'files@1'

pipeline('quickstart') {
    params {
        title = 'sealwright quickstart'
    }

    files.checksummed(dir: file('quickstart/site'), title: params.title)   // archive, extract, digest, manifest

    def image = pack('hello') {           // container image + kernel -> initramfs + UKI on systemd-stub
        image   'oci:images/hello:latest'
        kernel  debian('linux-image-6.12.*-cloud-amd64')
        modules 'virtio_net'
        cmdline 'console=ttyS0 sealwright.ip=10.0.2.15/24 sealwright.gw=10.0.2.2'
    }

    launch('boot') {                      // a service step: OVMF boots the UKI from a GPT/ESP disk
        firmware file('/usr/share/OVMF/OVMF_CODE_4M.fd')
        vars     file('/usr/share/OVMF/OVMF_VARS_4M.fd')
        uki      image.uki
        cpus     2
        memory   '1G'
        waitFor  ~/hello from sealwright: tee=\w+ kernel=/, timeout: '300s'
    }
}
