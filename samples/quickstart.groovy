// The quickstart: pack a small directory reproducibly and check it with real tools, pack the hello
// container with Debian's 6.12 cloud kernel into a reproducible initramfs + UKI, and boot that UKI
// under QEMU + OVMF (TCG here) until the workload greets us. Run it twice: every cached step is
// reused; the boot (a live step) runs again. `sealwright plan` explains what would run and why.
pipeline('quickstart') {
    params {
        title = 'sealwright quickstart'
        epoch = 0                         // SOURCE_DATE_EPOCH of the archive entries
    }

    def bundle = archive {                // reproducible tar.gz: same tree, same bytes
        from  file('quickstart/site')
        mtime params.epoch
    }

    def tree = extract {                  // safe unpack: no entry may land outside the output
        archive bundle.archive
    }

    def checksums = digest {                   // SHA256SUMS in sha256sum's own format
        from tree.files
    }

    exec('verify') {                      // the real coreutils tool checks our checksums
        command 'sha256sum', '--check', '--strict', checksums.sums
        cwd     tree.files
    }

    manifest {                            // manifest.json, refusing any file that disagrees with SHA256SUMS
        files tree.files
        sums  checksums.sums
        title params.title
    }

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
