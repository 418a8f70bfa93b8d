// Five cached steps over a small directory: pack it reproducibly, unpack it safely, hash it, check the
// hashes with the real sha256sum, and write a manifest. Runs in a second; the CLI specs use it.
pipeline('checksummed') {
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
}
