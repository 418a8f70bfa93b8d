// Recipe library `verity`: a dm-verity root file system and a UKI that pins it with roothash=, as mkosi builds it.
// Use it with:  use 'verity@1'   and then, inside a pipeline:  def r = verity.root(rootfs: file('rootfs'), kernel: k, initrd: p.initramfs)
// Made of public steps only (disk.image, verity, uki); `sealwright recipes show verity` lists parameters and outputs.
library 'verity', version: '1.0.0', description: 'dm-verity root file system + roothash= UKI (mkosi style)'

recipe('root') {
    description 'an ext4 root file system in a GPT disk, its dm-verity hash tree (veritysetup format), and a UKI whose command line ends with roothash=<root hash>'
    param 'rootfs', 'directory holding the root file system\'s tree', type: 'file'
    param 'kernel', 'kernel directory (boot/vmlinuz-R), e.g. a kernel step', type: 'file'
    param 'initrd', 'initramfs, e.g. a pack step\'s initramfs (with the dm-verity module)', type: 'file'
    param 'cmdline', 'kernel command line before roothash=', type: 'string', default: 'console=ttyS0 systemd.verity=1 root=/dev/mapper/root'
    param 'size', 'size of the file system', type: 'string', default: '64M'
    param 'label', 'file system label', type: 'string', default: 'root'
    stepPrefix 'verity'
    output 'image', 'the GPT disk image holding the file system'
    output 'filesystem', 'the bare ext4 file system (the verity data device)'
    output 'hash', 'the hash device (superblock + tree)'
    output 'roothash', 'roothash.txt'
    output 'uki', 'the UKI with roothash= on its command line'
    example "def root = verity.root(rootfs: file('rootfs'), kernel: cloud, initrd: workload.initramfs, size: '8M')"
    body { args ->
        def root = diskImage(args.stepName('rootfs')) { rootfs args.rootfs; size args.size; label args.label }
        def tree = verity(args.stepName('tree')) { data root.filesystem }
        def image = uki(args.stepName('uki')) { kernel args.kernel; initrd args.initrd; cmdline args.cmdline; roothash tree.roothash }
        [image: root.image, filesystem: root.filesystem, hash: tree.hash, roothash: tree.roothash, uki: image.uki]
    }
}
