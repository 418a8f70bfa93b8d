package dev.sealwright.disk

import dev.sealwright.disk.format.RawDisk
import dev.sealwright.engine.FileRef
import dev.sealwright.engine.OutputRef
import dev.sealwright.engine.StepTypes
import dev.sealwright.tools.Tools
import dev.sealwright.vm.LaunchStep
import dev.sealwright.vm.VmSpec
import spock.lang.Shared
import spock.lang.Specification
import spock.lang.TempDir

import java.nio.file.Files
import java.nio.file.Path

/**
 * Steps reading a disk image declare qemu-img exactly when RawDisk runs it: for a qcow2 (made by the real
 * qemu-img here) and for an upstream output (its format unknown until it exists), not for a raw image.
 * The declaration enters the cache key, the run report's tools, plan and quickstart's installs.
 */
class DiskToolsDeclaredSpec extends Specification {
    @TempDir
    @Shared
    Path dir
    @Shared
    Path qcow2, raw

    def setupSpec() {
        qcow2 = dir.resolve('disk.qcow2')
        def p = ['qemu-img', 'create', '-q', '-f', 'qcow2', qcow2.toString(), '1M'].execute()
        assert p.waitFor() == 0: "qemu-img (qemu-utils) is needed: ${p.err.text}"
        raw = dir.resolve('disk.raw')
        Files.write(raw, new byte[1 << 20])
    }

    def "what RawDisk declares for an image is what it runs to read it"() {
        given:
        def tools = new Tools().recording()

        when:
        RawDisk.open(image, tools).close()

        then:
        tools.used().keySet() as List == RawDisk.tools(image)

        where:
        image << [qcow2, raw]
    }

    def "#step declares qemu-img for a qcow2 or upstream image, not for a raw one"() {
        expect:
        StepTypes.get(step).tools([(option): new FileRef(qcow2)]).contains('qemu-img')
        StepTypes.get(step).tools([(option): new OutputRef('up', 'image')]).contains('qemu-img')
        !StepTypes.get(step).tools([(option): new FileRef(raw)]).contains('qemu-img')
        !StepTypes.get(step).tools([:]).contains('qemu-img')

        where:
        step              | option
        'measure.vtpm'    | 'bootDisk'
        'disk.encrypt'    | 'image'
        'disk.deploy'     | 'image'
        'disk.sealCheck'  | 'image'
    }

    def "measure.vtpm declares qemu-img for a qcow2 boot disk of its vm { }"() {
        given:
        def fw = Files.write(dir.resolve('fw.fd'), new byte[4096])
        def vm = { Path disk -> LaunchStep.VmOption.of(VmSpec.builder().firmware(fw).bootDisk(disk).vtpm(true).build()) }

        expect:
        StepTypes.get('measure.vtpm').tools([vm: vm(qcow2)]).contains('qemu-img')
        !StepTypes.get('measure.vtpm').tools([vm: vm(raw)]).contains('qemu-img')
    }

    def "disk.deploy declares qemu-img for a qcow2 output and mtools for the ESP key file"() {
        expect:
        StepTypes.get('disk.deploy').tools([image: new FileRef(raw), outputFormat: 'qcow2']).contains('qemu-img')
        StepTypes.get('disk.deploy').tools([image: new FileRef(raw)]) == ['mdir', 'mmd', 'mcopy']
        StepTypes.get('disk.deploy').tools([image: new FileRef(raw), espKey: false, pcrValues: new FileRef(raw)]) == []
    }
}
