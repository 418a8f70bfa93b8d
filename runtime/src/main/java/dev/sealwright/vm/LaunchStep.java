package dev.sealwright.vm;

import dev.sealwright.base.AtomicFiles;
import dev.sealwright.base.Json;
import dev.sealwright.engine.FileRef;
import dev.sealwright.engine.RecordOption;
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
import java.util.Collections;
import java.util.LinkedHashMap;
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
    @Override public int version() { return 2; }
    @Override public StepKind kind() { return StepKind.SERVICE; }
    @Override public String description() { return "boot a VM (QEMU, optional swtpm vTPM, TDX/SNP) and keep it up for the steps using it"; }

    @Override
    public List<OptionSpec> options() {
        return List.of(
                VmOption.option(true, "the VM: a vm { } value (firmware, boot files, cpus, memory, tee, vtpm, disks, NICs, forwards, topology)"),
                OptionSpec.optionalList("uses", Input.class, "outputs of service steps the guest calls (e.g. a kbs broker): they start before the VM and stay up while it runs"),
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
        if (options.get("vm") instanceof VmOption vm) {
            if (vm.template().vtpm()) t.add("swtpm");
            if (vm.template().uki() != null) t.addAll(List.of("mkfs.fat", "mmd", "mcopy"));
        }
        if (options.get("libvirt") != null) t.addAll(List.of("virsh", "script", "virt-xml-validate"));
        return t;
    }

    /** The VmSpec this step boots: its vm option with the files resolved (and an SNP id block's files). */
    public static VmSpec spec(StepContext ctx) {
        VmSpec vm = ((VmOption) ctx.option("vm")).resolve(ctx);
        if (ctx.option("snpIdBlock") == null) return vm;
        if (vm.tee() != Tee.SNP) throw new RecipeException("launch: snpIdBlock needs tee 'snp'");
        String[] idBlock = SnpIdBlockFiles.readForQemu(ctx.path("snpIdBlock"));
        return vm.toBuilder().snp(vm.snp().withIdBlock(idBlock[0], idBlock[1], true)).build();
    }

    /**
     * The {@code vm} option of launch and of the measure steps: the one VM description a recipe's {@code vm { }} builds, a
     * {@link VmSpec} whose file fields name entries of {@code files} (user files or step outputs, the step's inputs).
     * It reaches each step as this value; {@link #resolve} makes it the VM that runs.
     */
    public record VmOption(VmSpec template, Map<String, Input> files) implements RecordOption {
        public VmOption {
            files = Collections.unmodifiableMap(new LinkedHashMap<>(files));
            for (String f : fileNames(template)) if (!files.containsKey(f)) throw new RecipeException("vm: no input for file " + f);
        }

        /** A VmSpec whose files are on disk (Java, the REPL): each file becomes a file input. */
        public static VmOption of(VmSpec spec) {
            Map<String, Input> files = new LinkedHashMap<>();
            VmSpec template = spec.withFiles((field, path) -> {
                files.put(field, new FileRef(Path.of(path)));
                return field;
            });
            return new VmOption(template, files);
        }

        /** The {@code vm} option of a step: this record, rebuilt by {@link #decode} in the configuration cache. */
        public static OptionSpec option(boolean required, String description) {
            return OptionSpec.record("vm", VmOption.class, VmOption::decode, required, description);
        }

        /** The inverse of {@link #shape()} and {@link #inputs()} (RecordOption.Decoder; the configuration cache). */
        public static VmOption decode(String shape, Map<String, Input> files) {
            return new VmOption(VmSpec.fromJson(shape, "the configuration cache's vm value"), files);
        }

        private static List<String> fileNames(VmSpec template) {
            List<String> names = new ArrayList<>();
            template.withFiles((field, name) -> {
                names.add(name);
                return name;
            });
            return names;
        }

        @Override
        public Map<String, Input> inputs() {
            return files;
        }

        @Override
        public Object shape() {
            return Json.MAPPER.convertValue(template, Map.class);
        }

        /** The VM with every file resolved through the step's context. */
        public VmSpec resolve(StepContext ctx) {
            return template.withFiles((field, name) -> ctx.resolve(files.get(name)).toAbsolutePath().normalize().toString());
        }
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
