package dev.sealwright.vm

import dev.sealwright.base.Progress
import dev.sealwright.base.RecipeException
import dev.sealwright.testkit.Cli
import dev.sealwright.testkit.Repo
import dev.sealwright.tools.Tools
import groovy.json.JsonSlurper
import spock.lang.Shared
import spock.lang.Specification
import spock.lang.TempDir

import java.nio.file.Files
import java.nio.file.Path
import java.security.MessageDigest
import java.time.Duration
import java.util.regex.Pattern

/**
 * Real boots under QEMU TCG with Debian's OVMF, kernel (linux-image-cloud-amd64) and busybox:
 * exactly three, each covering one entry point (CLI, DSL step, runtime API).
 */
class VmBootSpec extends Specification {
    @Shared @TempDir Path work
    @Shared Path kernel
    @Shared Path initrd

    def setupSpec() {
        Repo.requireTool('qemu-system-x86_64')
        Repo.requireTool('swtpm')
        Repo.requireTool('ovmf')
        kernel = TestGuest.kernel()
        initrd = TestGuest.initramfs(work)
    }

    def "CLI: a direct-boot guest prints its marker and powers off; the OVMF vars template stays untouched"() {
        given:
        def runDir = work.resolve('cli-run')
        def varsBefore = sha256(TestGuest.OVMF_VARS)

        when:
        def r = Cli.run('launch', '--firmware', TestGuest.OVMF_CODE.toString(), '--vars', TestGuest.OVMF_VARS.toString(),
                '--kernel', kernel.toString(), '--initrd', initrd.toString(), '--cmdline', TestGuest.CMDLINE,
                '--cpus', '1', '--memory', '512M', '--wait-for', TestGuest.MARKER, '--timeout', '180',
                '--run-dir', runDir.toString())

        then:
        r.exitCode == 0
        r.out.contains("${TestGuest.MARKER} tpm=no")
        r.err.contains('VM powered off (qemu exit 0)')
        and: 'the VM booted from its own copy of the vars, the template is unchanged'
        Files.size(runDir.resolve('vars.fd')) == Files.size(TestGuest.OVMF_VARS)
        sha256(TestGuest.OVMF_VARS) == varsBefore
        and: 'the console was also captured to the log, and no qemu of this run is left'
        Files.readString(runDir.resolve('serial.log')).contains(TestGuest.MARKER)
        TestGuest.running('qemu-system-x86_64', runDir.toString()).isEmpty()
    }

    def "DSL: a launch step with vtpm gives the guest /dev/tpm0 and leaves no swtpm or qemu after the run"() {
        given:
        def dir = work.resolve('dsl')
        Files.createDirectories(dir)
        def recipe = dir.resolve('guest.groovy')
        Files.writeString(recipe, """
pipeline('vtpm-guest') {
    def guest = launch {
        firmware file('${TestGuest.OVMF_CODE}')
        vars     file('${TestGuest.OVMF_VARS}')
        kernel   file('${kernel}')
        initrd   file('${initrd}')
        cmdline  '${TestGuest.CMDLINE}'
        cpus     1
        memory   '512M'
        vtpm     true
        waitFor  ~/${TestGuest.MARKER} tpm=(yes|no)/, timeout: '180s'
    }
}
""")
        def before = TestGuest.running('swtpm', 'sealwright-vm-') + TestGuest.running('qemu-system-x86_64', 'sealwright-vm-')

        when:
        def r = Cli.run('run', recipe.toString(), '-C', dir.toString(), '--report', dir.resolve('run.json').toString())
        def report = new JsonSlurper().parse(dir.resolve('run.json').toFile())
        def step = report.steps.find { it.type == 'launch' }

        then:
        r.exitCode == 0
        step.status == 'executed'
        step.values.matched.contains("${TestGuest.MARKER} tpm=yes")
        step.tools.keySet().containsAll(['qemu-system-x86_64', 'swtpm'])
        and: 'the VmSpec the step launched is an output, in its JSON form'
        VmSpec.fromJson(Files.readString(Path.of(step.outputs.vm.path as String)), 'vm.json').vtpm()
        and: 'the service was torn down with the run: no swtpm or qemu of sealwright is left'
        (TestGuest.running('swtpm', 'sealwright-vm-') + TestGuest.running('qemu-system-x86_64', 'sealwright-vm-')) - before == []
    }

    def "API: a UKI boots from the generated ESP with a port forward up, and a guest that never prints the marker is killed at the timeout with nothing left"() {
        given: 'the kernel EFI stub as the UKI: OVMF starts it from \\EFI\\BOOT\\BOOTX64.EFI; without a console= it prints nothing'
        def tools = new Tools()
        int hostPort = new ServerSocket(0, 1, InetAddress.getLoopbackAddress()).withCloseable { it.localPort }
        def spec = VmSpec.builder().firmware(TestGuest.OVMF_CODE).vars(TestGuest.OVMF_VARS).uki(kernel)
                .cpus(1).memory('512M').forward("${hostPort}:22".toString()).build()
        def runDir = work.resolve('api-run')
        def streamed = Collections.synchronizedList([])

        when:
        def vm = VmHandle.launch(spec, tools, HostCapabilities.detect(tools), runDir, { streamed << it })
        def processes = vm.processes()
        def started = vm.waitFor(~/BdsDxe: starting Boot\d+ "UEFI Misc Device" from PciRoot\(0x0\)\/Pci\(0x\w+,0x0\)/, Duration.ofSeconds(180))

        then: 'OVMF found the ESP on the virtio disk and started its removable-media loader'
        started.contains('UEFI Misc Device')
        streamed.any { it.contains('BdsDxe: starting') }
        and: 'QEMU user networking listens on the forwarded host port (127.0.0.1 only) while the VM runs'
        new Socket(InetAddress.getLoopbackAddress(), hostPort).withCloseable { it.connected }

        when: 'the seconds waited are reported (the live display shows them for launch)'
        def waited = Collections.synchronizedList([])
        vm.waitFor(Pattern.compile(Pattern.quote(TestGuest.MARKER)), Duration.ofSeconds(20), { long done, long total -> waited << [done, total] } as Progress)

        then:
        def e = thrown(RecipeException)
        waited.first() == [0L, 20L] && waited.last() == [20L, 20L]
        waited*.getAt(0) == (waited*.getAt(0) as List<Long>).toSorted().unique()
        e.message.startsWith("VM killed: its console did not print /${Pattern.quote(TestGuest.MARKER)}/ within 20s")
        TestGuest.allGone(processes)
        !vm.alive()
        TestGuest.running('qemu-system-x86_64', runDir.toString()).isEmpty()

        cleanup:
        vm?.close()
    }

    private static String sha256(Path p) {
        MessageDigest.getInstance('SHA-256').digest(Files.readAllBytes(p)).encodeHex().toString()
    }
}
