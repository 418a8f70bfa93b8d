package dev.sealwright.disk

import dev.sealwright.testkit.Cli
import dev.sealwright.testkit.Swtpm
import groovy.json.JsonOutput
import spock.lang.Specification
import spock.lang.TempDir

import java.nio.file.Files
import java.nio.file.Path

/** The cached {@code disk.deploy} step after {@code disk.encrypt} in one recipe, checked with cryptsetup and mtools. */
class DiskDeployStepSpec extends Specification {
    @TempDir
    Path dir

    def "a recipe encrypts then deploys: systemd-tpm2 token, ESP key file, owner-only recovery key that opens the volume; the second run is cached"() {
        given:
        def image = Sh.sparseFile(dir.resolve('disk.img'), 40L << 20)
        Sh.ok(['sgdisk', '-o', '-n', '15:2048:+8M', '-t', '15:ef00', '-n', '1:0:0', '-t', '1:8300', image.toString()])
        Sh.ok(['mkfs.fat', '--mbr=n', '--offset=2048', image.toString(), '8192'])
        Files.write(dir.resolve('root.key'), 'recipe passphrase'.bytes)
        def tpm = new Swtpm()
        Path srkPub
        try { srkPub = tpm.persistSrk('ecc', '0x81000001'); Files.copy(srkPub, dir.resolve('srk.pub')) } finally { tpm.close() }
        Files.writeString(dir.resolve('predicted.json'), JsonOutput.toJson([sha256: ['7': 'ab' * 32]]))
        def recipe = dir.resolve('deploy.groovy')
        Files.writeString(recipe, '''
            pipeline('deploy') {
                def enc = diskEncrypt('rootfs') {
                    image      file('disk.img')
                    passphrase secret(file: 'root.key')
                }
                diskDeploy('sealed') {
                    image      enc.image
                    passphrase secret(file: 'root.key')
                    srkPub     file('srk.pub')
                    pcrValues  file('predicted.json')
                }
            }
        ''')
        def published = { String name -> Files.walk(dir.resolve('out')).withCloseable { s -> s.filter { it.fileName.toString() == name && it.toString().contains('sealed') }.findFirst().get() } }

        when:
        def first = Cli.run('run', recipe.toString(), '-C', dir.toString())
        def second = Cli.run('run', recipe.toString(), '-C', dir.toString())
        def out = published('disk.img'), recovery = published('recovery.key')

        then:
        first.exitCode == 0
        second.exitCode == 0
        second.out.toLowerCase().contains('cached')
        Files.getPosixFilePermissions(recovery).every { it.toString().startsWith('OWNER_') } // 0600, made read-only by the cache
        Sh.ok(['mdir', '-b', '-i', "${out}@@${2048 * 512}".toString(), '::/device/fde']).out.contains('cloudimg-rootfs.sealed-key')

        when:
        def info = Sh.ok(['sgdisk', '-i', '1', out.toString()]).out
        long firstLba = (info =~ /First sector: (\d+)/)[0][1] as long
        long lastLba = (info =~ /Last sector: (\d+)/)[0][1] as long
        def part = dir.resolve('part.img')
        new RandomAccessFile(out.toFile(), 'r').withCloseable { raf ->
            byte[] b = new byte[(int) ((lastLba - firstLba + 1) * 512)]; raf.seek(firstLba * 512); raf.readFully(b); Files.write(part, b)
        }
        part = Sh.readOnlyCopy(part)

        then:
        Sh.ok(['cryptsetup', 'luksDump', part.toString()]).out.contains('systemd-tpm2')
        Sh.run(['cryptsetup', 'open', '--test-passphrase', '--key-file', recovery.toString(), part.toString()]).exit == 0
    }
}
