package dev.sealwright.image;

import dev.sealwright.base.AtomicFiles;
import dev.sealwright.base.RecipeException;
import dev.sealwright.base.Progress;
import dev.sealwright.image.cpio.NewcCpio;
import dev.sealwright.image.kernel.KernelRoot;
import dev.sealwright.image.kernel.ModuleClosure;
import dev.sealwright.image.oci.FsTree;
import dev.sealwright.image.oci.FsTree.Node;
import dev.sealwright.image.oci.ImageConfig;
import dev.sealwright.image.oci.ImageLoader;
import dev.sealwright.image.oci.ImageUsers;
import dev.sealwright.image.uki.UkiBuilder;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;

/**
 * Turns a loaded container image into an initramfs and a UKI. The image tree becomes the initramfs
 * root; sealwright adds only {@code /sealwright/} (init, init.conf, modules), {@code /dev/console}
 * and the mount points {@code /proc}, {@code /sys}, {@code /dev}. The kernel starts
 * {@code /sealwright/init} ({@code rdinit=}), which runs the image's entrypoint.
 */
public final class Packer {
    /**
     * The guest drivers of TDX and SEV-SNP attestation (/dev/tdx_guest, /dev/sev-guest and the
     * configfs-tsm report interface, with tsm and configfs), packed when the kernel has them as
     * modules: Debian's cloud kernels build all of them as modules, and without them a packed guest
     * on TEE hardware has no quote. Outside a TEE they load with "no-device".
     */
    public static final List<String> TEE_GUEST_MODULES = List.of("configfs", "tdx_guest", "sev_guest");

    /** Everything a pack needs besides the image. {@code kernelRoot} holds boot/vmlinuz-R and lib/modules/R. */
    public record Settings(Path kernelRoot, List<String> modules, List<String> optionalModules, String cmdline, long sourceDateEpoch, int gzipLevel,
                           boolean poweroff, List<String> hooks, List<String> command, Path init, Path stub, Enrollment enrollment) {}

    /**
     * The quex enroll-agent as the first hook: it pins {@code vaultRoot} and {@code vaultMrenclave},
     * stores the key in {@link #SECRET} (a tmpfs the init mounts) and the quote in {@link #QUOTE};
     * init then hands the key to the workload (file, and TD_SECRET_KEY when {@code secretEnv}).
     * {@code simulatedTdReport} (a guest path, or null on a real TD) makes the agent use a SIMULATED TD report.
     */
    public record Enrollment(Path agent, Path vaultRoot, String vaultMrenclave, String mask, String simulatedTdReport, boolean secretEnv) {
        public static final String SECRET = "/run/sealwright/secret", QUOTE = "/var/data/quote.txt";
    }

    public record Result(String kernelRelease, List<String> modules, int entries) {}

    private final Path workDir;
    private final Consumer<String> log;
    private final Progress progress;

    /** {@code progress}: file bytes archived into the initramfs, of their total. */
    public Packer(Path workDir, Consumer<String> log, Progress progress) {
        this.progress = progress;
        this.workDir = workDir;
        this.log = log;
    }

    /** Adds init and modules to the image tree and writes the gzip'd initramfs and the UKI. */
    public Result pack(ImageLoader.Image image, String imageName, Settings s, Path initramfsOut, Path ukiOut) throws IOException {
        FsTree tree = image.tree();
        if (tree.contains("sealwright")) throw new RecipeException(imageName + ": already has /sealwright, which pack reserves for its init");
        String release = KernelRoot.release(s.kernelRoot());
        Path modulesDir = s.kernelRoot().resolve("lib/modules/" + release);
        List<String> mods = s.modules().isEmpty() && s.optionalModules().isEmpty() ? List.of()
                : ModuleClosure.resolve(modulesDir, s.modules(), s.optionalModules());

        StringBuilder conf = new StringBuilder("# written by sealwright pack\n");
        tree.put("sealwright", Node.directory(0755));
        tree.put("sealwright/modules", Node.directory(0755));
        for (String m : mods) {
            String name = m.substring(m.lastIndexOf('/') + 1);
            Path f = modulesDir.resolve(m);
            tree.put("sealwright/modules/" + name, Node.file(0644, Files.size(f), f));
            conf.append("module=/sealwright/modules/").append(name).append('\n');
        }
        if (s.enrollment() != null) addEnrollment(tree, s.enrollment(), conf);
        for (String h : s.hooks()) conf.append("hook=").append(oneLine(h, "hook")).append('\n');
        ImageConfig cfg = image.config();
        List<String> argv = s.command().isEmpty() ? cfg.argv() : s.command();
        if (argv.isEmpty()) throw new RecipeException(imageName + ": the image config has no Entrypoint or Cmd to run (set command in the pack step)");
        for (String a : argv) conf.append("arg=").append(oneLine(a, "Entrypoint/Cmd")).append('\n');
        for (String e : cfg.env()) conf.append("env=").append(oneLine(e, "Env")).append('\n');
        if (!cfg.workingDir().isEmpty()) conf.append("workdir=").append(oneLine(cfg.workingDir(), "WorkingDir")).append('\n');
        int[] ids = ImageUsers.resolve(tree, cfg.user(), imageName);
        conf.append("user=").append(ids[0]).append(':').append(ids[1]).append('\n');
        conf.append("poweroff=").append(s.poweroff() ? 1 : 0).append('\n');
        Path confFile = workDir.resolve("init.conf");
        Files.writeString(confFile, conf.toString());
        tree.put("sealwright/init.conf", Node.file(0644, Files.size(confFile), confFile));
        tree.put("sealwright/init", Node.file(0755, Files.size(s.init()), s.init()));
        for (String d : List.of("dev", "proc", "sys")) {
            if (!tree.contains(d)) tree.put(d, Node.directory(0755));
            else if (tree.get(d).type() != FsTree.Type.DIRECTORY) throw new RecipeException(imageName + ": /" + d + " is not a directory; init mounts it");
        }
        if (!tree.contains("dev/console"))
            tree.put("dev/console", new Node(FsTree.Type.CHAR_DEVICE, 0600, 0, 0, 0, null, null, 5, 1));

        AtomicFiles.write(initramfsOut, out -> NewcCpio.writeGzip(tree, s.sourceDateEpoch(), s.gzipLevel(), out, progress));
        String cmdline = (s.cmdline().strip() + " rdinit=/sealwright/init").strip();
        byte[] uki = UkiBuilder.build(new UkiBuilder.Parts(Files.readAllBytes(s.stub()), Files.readAllBytes(s.kernelRoot().resolve("boot/vmlinuz-" + release)),
                Files.readAllBytes(initramfsOut), cmdline, release, osRelease(displayName(imageName))), s.stub().toString());
        AtomicFiles.write(ukiOut, uki);
        return new Result(release, mods, tree.size());
    }

    private static void addEnrollment(FsTree tree, Enrollment e, StringBuilder conf) throws IOException {
        tree.put("sealwright/enroll-agent", Node.file(0755, Files.size(e.agent()), e.agent()));
        tree.put("sealwright/vault-root.pem", Node.file(0444, Files.size(e.vaultRoot()), e.vaultRoot()));
        for (String d : List.of("run", "var", "var/data"))
            if (!tree.contains(d)) tree.put(d, Node.directory(0755));
        conf.append("hook=/sealwright/enroll-agent\n");
        List<String> args = new java.util.ArrayList<>(List.of("--vault-mrenclave", e.vaultMrenclave(), "--mask", e.mask(),
                "--root", "/sealwright/vault-root.pem", "--secret-file", Enrollment.SECRET, "--quote-file", Enrollment.QUOTE));
        if (e.simulatedTdReport() != null) args.addAll(List.of("--simulated-report", e.simulatedTdReport()));
        for (String a : args) conf.append("hookarg=").append(oneLine(a, "enroll option")).append('\n');
        conf.append("secret=").append(Enrollment.SECRET).append('\n');
        conf.append("secretenv=").append(e.secretEnv() ? 1 : 0).append('\n');
    }

    /** "oci:/abs/path/hello:latest" → "hello:latest": the UKI must not depend on where the image sits. */
    static String displayName(String imageName) {
        String rest = imageName.substring(imageName.indexOf(':') + 1);
        return rest.substring(rest.lastIndexOf('/') + 1);
    }

    private static String osRelease(String imageName) {
        return "ID=sealwright\nNAME=\"sealwright packed image\"\nPRETTY_NAME=\"" + imageName.replace("\"", "'") + " (sealwright pack)\"\n";
    }

    private static String oneLine(String v, String what) {
        if (v.indexOf('\n') >= 0 || v.indexOf('\0') >= 0) throw new RecipeException(what + " value contains a newline or NUL, which init.conf cannot carry: " + v.strip());
        return v;
    }
}
