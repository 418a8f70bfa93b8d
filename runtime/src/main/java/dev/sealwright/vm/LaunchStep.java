package dev.sealwright.vm;

import dev.sealwright.base.AtomicFiles;
import dev.sealwright.engine.Input;
import dev.sealwright.engine.OptionChecks;
import dev.sealwright.engine.OptionSpec;
import dev.sealwright.engine.OutputSpec;
import dev.sealwright.base.RecipeException;
import dev.sealwright.engine.StepContext;
import dev.sealwright.engine.StepKind;
import dev.sealwright.engine.StepType;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * {@code launch}: a SERVICE step that boots a VM from a {@link VmSpec} and keeps it up while the
 * steps that use it run; the engine tears it down (QMP power-off, then kill, swtpm included) after
 * them, on failure or on Ctrl-C. With {@code waitFor}, the step finishes only once the guest's
 * console prints a matching line (the VM is killed if it does not within {@code timeout}).
 */
public final class LaunchStep implements StepType {
    @Override public String name() { return "launch"; }
    @Override public int version() { return 1; }
    @Override public StepKind kind() { return StepKind.SERVICE; }
    @Override public String description() { return "boot a VM (QEMU, optional swtpm vTPM, TDX/SNP) and keep it up for the steps using it"; }

    @Override
    public List<OptionSpec> options() {
        return List.of(
                OptionSpec.required("firmware", Input.class, "UEFI firmware: OVMF code (with vars) or a single OVMF.fd / TDVF / SNP OVMF"),
                OptionSpec.optional("vars", Input.class, null, "OVMF vars template; the VM gets its own copy (pflash)"),
                OptionSpec.optional("kernel", Input.class, null, "kernel for direct boot (-kernel)"),
                OptionSpec.optional("initrd", Input.class, null, "initrd for direct boot (-initrd)"),
                OptionSpec.optional("cmdline", String.class, null, "kernel command line for direct boot (-append)"),
                OptionSpec.optional("uki", Input.class, null, "UKI booted from the ESP of a generated GPT disk"),
                OptionSpec.optional("bootDisk", Input.class, null, "raw GPT disk image booted by the firmware from its ESP, e.g. a deployed shim → GRUB → kernel image (writes are discarded)"),
                OptionSpec.optional("tpmState", Input.class, null, "swtpm state directory the vTPM starts from (a copy), e.g. the TPM whose SRK the boot disk was sealed to").checked(OptionChecks.directory()),
                OptionSpec.optional("cpus", Long.class, (long) VmSpec.DEFAULT_CPUS, "vCPUs").checked(OptionChecks.range(1, 512)),
                OptionSpec.optional("memory", String.class, VmSpec.DEFAULT_MEMORY, "memory size, e.g. 512M or 2G").checked(OptionChecks.parsedBy(VmSpec::parseMemory)),
                OptionSpec.optional("tee", String.class, "none", "none, tdx or snp").checked(OptionChecks.parsedBy(Tee::parse)),
                OptionSpec.optional("vtpm", Boolean.class, false, "attach a swtpm TPM 2.0 (tpm-crb)"),
                OptionSpec.optionalList("disk", Input.class, "extra virtio disks (writes are discarded)"),
                OptionSpec.optionalList("forward", String.class, "HOSTPORT:GUESTPORT forwards on 127.0.0.1 (auto:GUESTPORT: a free host port, recorded in vm.json)").checked(OptionChecks.parsedBy(PortForward::parse)),
                OptionSpec.optionalList("uses", Input.class, "outputs of service steps the guest calls (e.g. a kbs broker): they start before the VM and stay up while it runs"),
                OptionSpec.optional("nics", Long.class, 0L, "user-mode virtio NICs (guest 10.0.2.15, host reachable as 10.0.2.2); at least 1 with forward").checked(OptionChecks.range(0, 8)),
                OptionSpec.optional("waitFor", String.class, null, "regex the console must print before dependants start"),
                OptionSpec.optional("timeout", Long.class, 180L, "seconds to wait for waitFor before the VM is killed").checked(OptionChecks.range(1, 86400)),
                OptionSpec.optional("snpIdBlock", Input.class, null, "output of an snp.idblock step: launch with id-block, id-auth, author-key-enabled"),
                OptionSpec.optional("libvirt", String.class, null, "launch through libvirt at this URI (qemu:///system, qemu+ssh://host/system) instead of a local QEMU"),
                OptionSpec.optional("dryRun", Boolean.class, false, "only write the QEMU command line, or with libvirt the validated domain XML (any TEE, any host); start nothing"));
    }

    @Override
    public List<OutputSpec> outputs() {
        return List.of(
                OutputSpec.file("vm", "vm.json", "the VmSpec the VM was launched from (JSON)"),
                OutputSpec.value("matched", "the console line that matched waitFor (empty without waitFor)"),
                OutputSpec.value("serialLog", "path of the running VM's serial log (for steps reading its console; empty on a dry run)"),
                OutputSpec.value("commandLine", "the QEMU command line, shell-quoted"));
    }

    @Override
    public List<String> tools(Map<String, Object> options) {
        List<String> t = new ArrayList<>(List.of("qemu-system-x86_64"));
        if (Boolean.TRUE.equals(options.get("vtpm"))) t.add("swtpm");
        if (options.get("uki") != null) t.addAll(List.of("mkfs.fat", "mmd", "mcopy"));
        if (options.get("libvirt") != null) t.addAll(List.of("virsh", "script", "virt-xml-validate"));
        return t;
    }

    /** The VmSpec this step's options describe (paths resolved). */
    public static VmSpec spec(StepContext ctx) {
        VmSpec.Builder b = VmSpec.builder()
                .firmware(ctx.path("firmware"))
                .vars(ctx.path("vars"))
                .kernel(ctx.path("kernel"))
                .initrd(ctx.path("initrd"))
                .cmdline(ctx.string("cmdline"))
                .uki(ctx.path("uki"))
                .bootDisk(ctx.path("bootDisk"))
                .tpmState(ctx.path("tpmState"))
                .cpus(Math.toIntExact(ctx.number("cpus")))
                .memory(ctx.string("memory"))
                .tee(ctx.string("tee"))
                .vtpm(ctx.flag("vtpm"));
        for (Path d : ctx.paths("disk")) b.disk(d);
        if (ctx.option("snpIdBlock") != null) {
            if (!"snp".equals(ctx.string("tee"))) throw new RecipeException("launch: snpIdBlock needs tee 'snp'");
            String[] idBlock = SnpIdBlockFiles.readForQemu(ctx.path("snpIdBlock"));
            b.snp(SnpOptions.DEFAULT.withIdBlock(idBlock[0], idBlock[1], true));
        }
        b.nics(Math.toIntExact(ctx.number("nics")));
        Object fw = ctx.option("forward");
        if (fw instanceof List<?> l) for (Object f : l) b.forward(String.valueOf(f));
        return b.build();
    }

    @Override
    public void execute(StepContext ctx) throws Exception {
        VmSpec spec = spec(ctx).withFreeHostPorts();
        Pattern waitFor = null;
        String regex = ctx.string("waitFor");
        if (regex != null) {
            try {
                waitFor = Pattern.compile(regex);
            } catch (PatternSyntaxException e) {
                throw new RecipeException("launch: waitFor is not a valid regex: " + e.getDescription());
            }
        }
        AtomicFiles.write(ctx.output("vm"), spec.toJson().getBytes(StandardCharsets.UTF_8));
        String libvirt = ctx.string("libvirt");
        if (libvirt != null) LibvirtDomain.checkUri(libvirt);
        if (libvirt != null && ctx.flag("dryRun")) {
            LibvirtDomain.DryRun check = LibvirtDomain.dryRun(spec, libvirt, ctx.tools(), ctx.workDir());
            String define = "virsh -c " + libvirt + " define --validate " + ctx.workDir().resolve("domain.xml");
            ctx.value("commandLine", define);
            ctx.value("matched", "");
            ctx.value("serialLog", "");
            ctx.log("dry run (nothing started): libvirt domain XML " + check.verdict() + "; " + define);
            return;
        }
        if (ctx.flag("dryRun")) {
            String line = VmLaunch.dryRun(spec, ctx.tools(), null, ctx.workDir()).shellLine();
            ctx.value("commandLine", line);
            ctx.value("matched", "");
            ctx.value("serialLog", ""); // nothing runs, so there is no console
            ctx.log("dry run (nothing started): " + line);
            return;
        }
        HostCapabilities host = HostCapabilities.detect(ctx.tools());
        if (spec.tee() == Tee.NONE && !host.kvmUsable()) ctx.log("KVM not usable (" + host.kvmReason() + "): using TCG");
        Path runDir = Files.createTempDirectory("sealwright-vm-");
        VmHandle vm;
        try {
            vm = VmLaunch.start(spec, libvirt, ctx.tools(), host, runDir, line -> ctx.log("console: " + line));
        } catch (Exception e) {
            AtomicFiles.deleteTree(runDir);
            throw e;
        }
        ctx.keepAlive(() -> {
            try {
                vm.close();
            } finally {
                AtomicFiles.deleteTree(runDir);
            }
        });
        ctx.log((libvirt != null ? "libvirt: " : "qemu: ") + QemuCommandLine.shellLine(vm.argv()));
        ctx.value("commandLine", QemuCommandLine.shellLine(vm.argv()));
        String matched = waitFor == null ? "" : vm.waitFor(waitFor, Duration.ofSeconds(ctx.number("timeout")), (done, total) -> ctx.progress(done, total, "s"));
        ctx.value("matched", matched);
        ctx.value("serialLog", new VmRunDir(runDir).serialLog().toString());
    }
}
