// The quickstart: five cached steps over a small directory. Run it twice: the second run executes
// nothing; change a file under quickstart/site and `sealwright plan` names the input that changed.
// The last step packs the hello container (samples/images/hello, made by the build from the static
// hello helper) with Debian's 6.12 cloud kernel into a reproducible initramfs and UKI.
// (Booting it lands with the launch capability; measure follows.)
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

    pack('hello') {                       // container image + kernel → initramfs + UKI on systemd-stub
        image   'oci:images/hello:latest'
        kernel  debian('linux-image-6.12.*-cloud-amd64')
        modules 'virtio_net'
        cmdline 'console=ttyS0 sealwright.ip=10.0.2.15/24 sealwright.gw=10.0.2.2'
    }
}
