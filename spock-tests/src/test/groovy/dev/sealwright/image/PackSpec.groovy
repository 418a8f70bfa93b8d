package dev.sealwright.image

import dev.sealwright.image.cpio.NewcCpio
import dev.sealwright.image.oci.SampleImages
import dev.sealwright.testkit.Cli
import dev.sealwright.testkit.Kernels
import dev.sealwright.testkit.Repo
import groovy.json.JsonSlurper
import spock.lang.Specification
import spock.lang.TempDir

import java.nio.file.Files
import java.nio.file.Path

/** The pack step end to end through the DSL and the CLI: reproducible, readable by the real tools. */
class PackSpec extends Specification {
    @TempDir Path tmp

    static final String RECIPE = '''
pipeline('pack-hello') {
    def uki = pack {
        image   'oci:images/hello:latest'
        kernel  debian('linux-image-6.12.*-cloud-amd64')
        modules 'virtio_net', 'tdx-guest'
        cmdline 'console=ttyS0 sealwright.ip=10.0.2.15/24 sealwright.gw=10.0.2.2'
    }
}
'''

    private Path project(String name) {
        def dir = tmp.resolve(name)
        Files.createDirectories(dir)
        SampleImages.writeHello(dir.resolve('images/hello'), tmp)
        Files.writeString(dir.resolve('pack.groovy'), RECIPE)
        dir
    }

    private static Cli.Result run(Path dir, String... extra) {
        def r = Cli.run(['run', dir.resolve('pack.groovy').toString(), '-C', dir.toString()] + (extra as List) as String[])
        assert r.exitCode == 0: r.toString()
        r
    }

    def "packing hello twice, and in two directories, gives byte-identical initramfs and UKI"() {
        given:
        Kernels.debian()
        def a = project('a'), b = project('b')

        when:
        run(a)
        def ukiA = sha256(a.resolve('out/pack/uki.efi'))
        def initrdA = sha256(a.resolve('out/pack/initramfs.cpio.gz'))
        run(a, '--fresh')
        run(b)

        then:
        sha256(a.resolve('out/pack/uki.efi')) == ukiA
        sha256(b.resolve('out/pack/uki.efi')) == ukiA
        sha256(b.resolve('out/pack/initramfs.cpio.gz')) == initrdA
    }

    def "the initramfs holds the image, init, its config and the module closure; the UKI carries it"() {
        given:
        Repo.requireTool('cpio')
        def k = Kernels.debian()
        def a = project('a')
        run(a)
        def initrd = a.resolve('out/pack/initramfs.cpio.gz')

        when: 'GNU cpio lists the archive'
        def p = new ProcessBuilder('sh', '-c', "gzip -dc '${initrd}' | cpio -t --quiet").redirectErrorStream(true).start()
        def names = p.inputStream.text.readLines()
        p.waitFor()
        def tree = NewcCpio.read(Files.newInputStream(initrd), tmp.resolve('blobs'), 'initramfs')
        def conf = Files.readString(tree.get('sealwright/init.conf').content())

        then:
        ['hello', 'etc/passwd', 'sealwright/init', 'sealwright/init.conf', 'dev/console', 'proc', 'sys'].every { it in names }
        names == names.toSorted()
        and: 'the requested modules in load order, then the TEE guest drivers not already there (tdx-guest was requested, sev-guest is added)'
        conf.readLines().findAll { it.startsWith('module=') } ==
                ['failover', 'net_failover', 'virtio_net', 'configfs', 'tsm', 'tdx-guest', 'sev-guest'].collect { "module=/sealwright/modules/${it}.ko.xz".toString() }
        conf.contains('arg=/hello\n')
        conf.contains('env=GREETING=sealwright\n')
        conf.contains('user=1000:1000\n')
        Files.mismatch(tree.get('sealwright/init').content(), dev.sealwright.tools.NativeHelpers.path('init')) == -1L

        when: 'uki inspect reports the sections'
        def r = Cli.run('uki', 'inspect', '--json', a.resolve('out/pack/uki.efi').toString())
        def json = new JsonSlurper().parseText(r.out)

        then:
        r.exitCode == 0
        json.sections*.name.containsAll(['.sbat', '.osrel', '.cmdline', '.uname', '.initrd', '.linux'])
        json.sections.find { it.name == '.initrd' }.virtual_size == Files.size(initrd)
        json.sections.find { it.name == '.linux' }.sha256 == sha256(k.vmlinuz())
        json.text['uname'] == k.release()
        json.text['cmdline'].endsWith('rdinit=/sealwright/init')
        json.authenticode_sha256 ==~ /[0-9a-f]{64}/
        json.authenticode_sha384 ==~ /[0-9a-f]{96}/
    }

    def "teeModules false packs only the requested modules and their closure"() {
        given:
        Kernels.debian()
        def c = project('c')
        Files.writeString(c.resolve('pack.groovy'), RECIPE.replace("modules 'virtio_net', 'tdx-guest'", "modules 'virtio_net'\n        teeModules false"))

        when:
        run(c)
        def tree = NewcCpio.read(Files.newInputStream(c.resolve('out/pack/initramfs.cpio.gz')), tmp.resolve('blobs-c'), 'initramfs')
        def conf = Files.readString(tree.get('sealwright/init.conf').content())

        then:
        conf.readLines().findAll { it.startsWith('module=') } ==
                ['failover', 'net_failover', 'virtio_net'].collect { "module=/sealwright/modules/${it}.ko.xz".toString() }
    }

    def "a recipe with sign key:, cert: gives a UKI that sbverify --cert accepts"() {
        given:
        ['sbverify', 'openssl'].each { Repo.requireTool(it) }
        Kernels.debian()
        def a = project('signed')
        def p = new ProcessBuilder('openssl', 'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', a.resolve('db.key').toString(),
                '-out', a.resolve('db.crt').toString(), '-days', '2', '-subj', '/CN=sealwright db').redirectErrorStream(true).start()
        p.inputStream.text
        assert p.waitFor() == 0
        Files.writeString(a.resolve('pack.groovy'), RECIPE.replace("cmdline 'console=ttyS0", "sign key: secret(file: 'db.key'), cert: file('db.crt')\n        cmdline 'console=ttyS0"))

        when:
        run(a)
        def sb = new ProcessBuilder('sbverify', '--cert', a.resolve('db.crt').toString(), a.resolve('out/pack/uki.efi').toString()).redirectErrorStream(true).start()
        def out = sb.inputStream.text

        then:
        sb.waitFor() == 0
        out.contains('Signature verification OK')
        Cli.run('uki', 'inspect', a.resolve('out/pack/uki.efi').toString()).out.contains(', signed')
    }

    def "uki inspect on a file that is not PE is a one-line error"() {
        given:
        def f = tmp.resolve('not.efi')
        Files.writeString(f, 'hello')

        when:
        def r = Cli.run('uki', 'inspect', f.toString())

        then:
        r.exitCode == 1
        r.err.trim() == "${f}: not a PE/COFF image: no MZ header".toString()
    }

    def "pack with enroll { } puts the enroll-agent, the pinned root and the hook with its arguments into the initramfs"() {
        given:
        Kernels.debian()
        def dir = project('enroll')
        Files.writeString(dir.resolve('pack.groovy'), """
pipeline('pack-enroll') {
    pack {
        image   'oci:images/hello:latest'
        kernel  debian('linux-image-6.12.*-cloud-amd64')
        enroll {
            vaultMrenclave '231c8240fb43d8ee81a813a3a3fb05e3b9f1ae9064fe4d8629cf691a58d74112'
            root           file('${Repo.fixture('quex/quex-pack/root.pem')}')
            simulatedTdReport '/dev/vdb'
            secretEnv      false
        }
    }
}
""")

        when:
        run(dir)
        def tree = NewcCpio.read(Files.newInputStream(dir.resolve('out/pack/initramfs.cpio.gz')), tmp.resolve('blobs2'), 'initramfs')
        def conf = Files.readString(tree.get('sealwright/init.conf').content()).readLines()

        then: 'the agent is the first hook, pinning the quex default vault and the Intel root, with a SIMULATED report'
        conf.findAll { it.startsWith('hook') || it.startsWith('secret') } == [
                'hook=/sealwright/enroll-agent',
                'hookarg=--vault-mrenclave', 'hookarg=231c8240fb43d8ee81a813a3a3fb05e3b9f1ae9064fe4d8629cf691a58d74112',
                'hookarg=--mask', 'hookarg=04030000c70000',
                'hookarg=--root', 'hookarg=/sealwright/vault-root.pem',
                'hookarg=--secret-file', 'hookarg=/run/sealwright/secret',
                'hookarg=--quote-file', 'hookarg=/var/data/quote.txt',
                'hookarg=--simulated-report', 'hookarg=/dev/vdb',
                'secret=/run/sealwright/secret', 'secretenv=0']
        Files.mismatch(tree.get('sealwright/enroll-agent').content(), dev.sealwright.tools.NativeHelpers.path('enroll-agent')) == -1L
        tree.get('sealwright/enroll-agent').mode() == 0755
        Files.mismatch(tree.get('sealwright/vault-root.pem').content(), Repo.fixture('quex/quex-pack/root.pem')) == -1L
        tree.get('sealwright/vault-root.pem').mode() == 0444
        tree.get('var/data').type() == dev.sealwright.image.oci.FsTree.Type.DIRECTORY
    }

    def "enroll { } without a vault is a one-line error"() {
        given:
        def dir = project('enroll-bad')
        Files.writeString(dir.resolve('pack.groovy'), """
pipeline('pack-enroll') {
    pack {
        image   'oci:images/hello:latest'
        kernel  debian('linux-image-6.12.*-cloud-amd64')
        enroll { simulatedTdReport '/dev/vdb' }
    }
}
""")

        when:
        def r = Cli.run('run', dir.resolve('pack.groovy').toString(), '-C', dir.toString())

        then:
        r.exitCode == 1
        r.out.contains('pack: enroll needs vaultMrenclave and root')
    }

    private static String sha256(Path p) {
        HexFormat.of().formatHex(java.security.MessageDigest.getInstance('SHA-256').digest(Files.readAllBytes(p)))
    }
}
