// Recipe library `files`: reusable fragments over the generic file steps.
// Use it with:  use 'files@1'   and then, inside a pipeline:  files.checksummed(dir: file('site'))
library 'files', version: '1.0.0', description: 'publish directories as reproducible, checksummed bundles'

recipe('checksummed') {
    description 'pack a directory reproducibly, unpack it again, and publish SHA256SUMS and a manifest checked against them'
    param 'dir', 'directory to publish (file(...) or a directory output of another step)', type: 'file'
    param 'title', 'title recorded in the manifest', type: 'string', default: ''
    param 'epoch', 'SOURCE_DATE_EPOCH for the archive entries', type: 'number', default: 0
    output 'archive', 'the reproducible tar.gz'
    output 'files', 'the unpacked directory'
    output 'sums', 'SHA256SUMS'
    output 'manifest', 'manifest.json'
    example "def site = files.checksummed(dir: file('site'), title: 'my site')"
    body { args ->
        def bundle = archive { from args.dir; mtime args.epoch }
        def tree = extract { archive bundle.archive }
        def list = digest { from tree.files }
        def described = manifest { files tree.files; sums list.sums; title args.title }
        [archive: bundle.archive, files: tree.files, sums: list.sums, manifest: described.manifest]
    }
}
