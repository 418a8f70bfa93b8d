package dev.sealwright.cli

import dev.sealwright.base.AtomicFiles
import dev.sealwright.base.Progress
import dev.sealwright.base.RecipeException
import dev.sealwright.deploy.SealCheck
import dev.sealwright.measure.tdx.TdxProfile
import dev.sealwright.tools.Tools
import dev.sealwright.vm.EspImage
import dev.sealwright.vm.HostCapabilities
import dev.sealwright.vm.LibvirtDomain
import dev.sealwright.vm.LibvirtXml
import dev.sealwright.vm.MachineTopology
import dev.sealwright.vm.QemuCommandLine
import dev.sealwright.vm.QemuVersion
import dev.sealwright.vm.Tee
import dev.sealwright.vm.VmHandle
import dev.sealwright.vm.VmLaunch
import dev.sealwright.vm.VmSpec
import groovy.transform.CompileStatic
import picocli.CommandLine.ArgGroup
import picocli.CommandLine.Command
import picocli.CommandLine.Mixin
import picocli.CommandLine.Option

import java.nio.charset.StandardCharsets
import java.nio.file.Files
import java.nio.file.Path
import java.time.Duration
import java.util.concurrent.Callable
import java.util.regex.Pattern
import java.util.regex.PatternSyntaxException

/**
 * {@code sealwright launch}: boot a VM described by the VM options (the same options the measure
 * verbs take), stream its console, and stay until it powers off; or print its exact QEMU command
 * line ({@code --dry-run}) or libvirt XML ({@code --libvirt-xml}) for any mode on any host.
 */
@CompileStatic
@Command(name = 'launch', mixinStandardHelpOptions = true,
        description = ['Boot a VM (plain, vTPM, TDX or SNP) under QEMU, streaming its serial console until it powers off.',
                'KVM is used when usable, else TCG; a TDX/SNP launch on a host without the TEE is refused.'],
        footerHeading = '%nExamples:%n', footer = ['  sealwright launch --firmware /usr/share/OVMF/OVMF_CODE_4M.fd --vars /usr/share/OVMF/OVMF_VARS_4M.fd --uki hello.efi --vtpm', '  sealwright launch --firmware OVMF.fd --kernel vmlinuz --initrd initrd.img --tee tdx --dry-run'])
class LaunchCommand implements Callable<Integer> {
    @ArgGroup(exclusive = false, heading = 'VM options (shared with the measure verbs):%n')
    VmOptions vm = new VmOptions()

    @Option(names = '--dry-run', description = 'print the exact QEMU command line and exit (any mode, any host)')
    boolean dryRun

    @Option(names = '--libvirt-xml', paramLabel = 'FILE', description = 'write the equivalent libvirt domain XML to FILE and exit')
    Path libvirtXml

    @Option(names = '--libvirt', paramLabel = 'URI', description = 'launch through libvirt at URI (qemu:///system, qemu+ssh://host/system): define, start, attach the console; the domain is destroyed and undefined at the end. With --dry-run: print its validated XML')
    String libvirt

    @Mixin
    ForceOption overwrite

    @Mixin
    ProgressOption progress

    @Mixin
    JsonOutput json

    @Option(names = '--qemu-version', paramLabel = 'V', description = 'QEMU version to write the command line for (default: the installed one; selects the TDX syntax)')
    String qemuVersion

    @Option(names = '--profile', paramLabel = 'P', description = 'with --dry-run: write the command line for the QEMU of this measure tdx profile (its version and TDX dialect), instead of --qemu-version', completionCandidates = TdxProfileNames)
    String profile

    @Option(names = '--topology', paramLabel = 'NAME', description = 'place the devices as this named topology does (ubuntu-24.04: the TD shape measure tdx --profile ubuntu-24.04 predicts)')
    String topology

    @Option(names = '--wait-for', paramLabel = 'REGEX', description = 'fail unless the console prints a matching line within --timeout')
    String waitFor

    @Option(names = '--timeout', paramLabel = 'S', description = 'kill the VM after S seconds (default: none)')
    Long timeout

    @Option(names = '--boot-disk', paramLabel = 'DISK', description = 'boot this raw GPT disk image from its ESP (e.g. a deployed shim -> GRUB -> kernel cloud image; writes are discarded)')
    Path bootDisk

    @Option(names = '--tpm-state', paramLabel = 'DIR', description = 'with --vtpm: the swtpm state directory the vTPM starts from (a copy)')
    Path tpmState

    @Option(names = '--check-seal', paramLabel = 'PCRS.json', description = 'PCR values the --boot-disk\'s systemd-tpm2 token was sealed to (the disk.deploy step\'s pcrValues output, or measure vtpm --json): wait for the guest\'s TPM report (sealwright.tpmreport=1), print how many differ and whether the token unseals, then stop the VM')
    Path checkSeal

    @Option(names = '--run-dir', paramLabel = 'DIR', description = 'directory for the console log, QMP socket, vars copy and swtpm state (default: a new temp dir)')
    Path runDir

    @Override
    Integer call() {
        if (json.wanted() && checkSeal == null)
            throw new UsageException('--json goes with --check-seal (the seal check is the data launch prints)')
        VmSpec spec = vm.toSpec(bootDisk, tpmState)
        if (topology != null) spec = spec.toBuilder().topology(MachineTopology.named(topology, spec.disks().size())).build()
        spec = spec.withFreeHostPorts()   // auto:GUEST forwards get their host port now
        def tools = new Tools()
        if (libvirtXml != null) {
            overwrite.refuseExisting(libvirtXml, libvirtXml.toAbsolutePath().resolveSibling(libvirtXml.fileName.toString() + '.esp.img'))
            spec.checkFiles()
            String esp = null
            if (spec.boot() == VmSpec.Boot.UKI) {
                Path espPath = libvirtXml.toAbsolutePath().resolveSibling(libvirtXml.fileName.toString() + '.esp.img')
                EspImage.write(tools, Path.of(spec.uki()), espPath)
                esp = espPath.toString()
            }
            String qemu = tools.locate('qemu-system-x86_64').map { it.toString() }.orElse('/usr/bin/qemu-system-x86_64')
            boolean kvm = tools.locate('qemu-system-x86_64').isPresent() ? HostCapabilities.detect(tools).kvmUsable() : true
            String name = libvirtXml.fileName.toString().replaceAll(/\.xml$/, '')
            AtomicFiles.write(libvirtXml, LibvirtXml.write(spec, name, qemu, kvm, esp).getBytes(StandardCharsets.UTF_8))
            println "wrote ${libvirtXml}" + (esp ? " and ${esp}" : '')
            return Main.OK
        }
        Path dir = runDir ?: Path.of(System.getProperty('java.io.tmpdir'), "sealwright-vm-${ProcessHandle.current().pid()}".toString())
        if (libvirt != null) LibvirtDomain.checkUri(libvirt)
        if (dryRun && libvirt != null) {
            try {
                def check = LibvirtDomain.dryRun(spec, libvirt, tools, dir)
                print check.xml()
                System.err.println("# libvirt domain XML ${check.verdict()}")
            } finally {
                if (runDir == null) AtomicFiles.deleteTree(dir)
            }
            return Main.OK
        }
        if (dryRun) {
            if (profile != null && qemuVersion != null) throw new UsageException('give --profile or --qemu-version, not both')
            QemuVersion version = profile != null ? TdxProfile.named(profile).qemu() : qemuVersion == null ? null : QemuVersion.parse(qemuVersion)
            def line = VmLaunch.dryRun(spec, tools, version, dir)
            if (spec.tee() == Tee.TDX) System.err.println("# TDX syntax for QEMU ${line.version()}: ${line.version().tdxDialect()}")
            println line.shellLine()
            return Main.OK
        }
        Pattern marker = null
        if (waitFor != null) {
            try {
                marker = Pattern.compile(waitFor)
            } catch (PatternSyntaxException e) {
                throw new UsageException("--wait-for is not a valid regex: ${e.description}")
            }
        }
        if (checkSeal != null && (spec.bootDisk() == null || spec.tpmState() == null))
            throw new UsageException('--check-seal needs --boot-disk (the deployed image) and --vtpm --tpm-state DIR (the TPM it was sealed to)')
        def caps = HostCapabilities.detect(tools)
        boolean ownDir = runDir == null
        long started = System.nanoTime()
        // with --json stdout is the one document: the guest's console goes to stderr
        def handle = VmLaunch.start(spec, libvirt, tools, caps, dir, json.wanted() ? { String line -> System.err.println(line) } : { String line -> println line })
        if (spec.tee() == Tee.NONE && !caps.kvmUsable()) System.err.println("KVM not usable (${caps.kvmReason()}): using TCG")
        try {
            if (marker != null) waitFor(handle, marker, "launch: waiting for /${waitFor}/")
            if (checkSeal != null) {
                waitFor(handle, SealCheck.REPORT_END, 'launch: waiting for the guest\'s TPM report')
                def r = SealCheck.check(handle.console(), checkSeal, Path.of(spec.bootDisk()), Path.of(spec.tpmState()), tools)
                System.err.println(SealCheck.summary(r))
                if (json.wanted()) {    // schema docs/schemas/launch-check-seal.schema.json
                    json.print([compared: r.compared(), pcr_mismatches: r.mismatches().size(), mismatches: r.mismatches(), unsealed: r.unsealed(), detail: r.detail()])
                } else {
                    println "pcr_mismatches: ${r.mismatches().size()}"
                    println "unsealed: ${r.unsealed()}"
                }
                return r.mismatches().isEmpty() && r.unsealed() ? Main.OK : Main.FAILED
            }
            long left = timeout == null ? Duration.ofDays(365).toNanos() : (timeout.longValue() * 1_000_000_000L - (System.nanoTime() - started))
            int code = handle.waitForExit(Duration.ofNanos(Math.max(left, 1L)))
            System.err.println("VM powered off (qemu exit ${code})")
            return code == 0 ? Main.OK : Main.FAILED
        } finally {
            handle.close()
            if (ownDir) AtomicFiles.deleteTree(dir)
        }
    }

    /**
     * Waits for the console line, with --progress: seconds waited of --timeout (one day without it), then done.
     * Only when asked, and live as plain lines: the guest's console streams to the same terminal.
     */
    private void waitFor(VmHandle handle, Pattern line, String label) {
        String mode = progress.requested()
        def printer = mode == null ? null : new ProgressPrinter(label, mode == 'live' ? 'plain' : mode, System.err, 's')
        handle.waitFor(line, Duration.ofSeconds(timeout ?: 86400L), printer ?: Progress.NONE)
        printer?.finish()
    }
}
