package dev.sealwright.vm;

import dev.sealwright.base.AtomicFiles;
import dev.sealwright.base.RecipeException;
import dev.sealwright.tools.ToolResult;
import dev.sealwright.tools.Tools;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A launch through libvirt: the {@link VmSpec}'s domain XML ({@link LibvirtXml}) is defined on the
 * libvirt host at {@code uri} with {@code virsh define --validate}, started, and its serial console
 * is attached with {@code virsh console} (under {@code script}, which gives virsh the terminal it
 * insists on) into the run directory's {@code serial.log}. The returned {@link VmHandle} waits for
 * console lines as a local launch does; ending it destroys and undefines the domain, its NVRAM and
 * its swtpm state included. The XML travels as a file; nothing secret is on an argv.
 */
public final class LibvirtDomain {
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Tools tools;
    private final String uri;
    private final String name;
    private volatile boolean gone;

    private LibvirtDomain(Tools tools, String uri, String name) {
        this.tools = tools;
        this.uri = uri;
        this.name = name;
    }

    /** A libvirt connection URI as virsh takes it, e.g. qemu:///system or qemu+ssh://host/system. */
    public static String checkUri(String uri) {
        try {
            if (!uri.matches("[A-Za-z0-9+:/@._?=&,%~-]+")) throw new RecipeException("libvirt URI '" + uri + "' has characters a libvirt URI does not need");
            URI u = new URI(uri);
            if (u.getScheme() == null || !u.getScheme().matches("qemu(\\+[a-z0-9]+)?") || u.getPath() == null
                    || !u.getPath().matches("/(system|session)"))
                throw new RecipeException("libvirt URI '" + uri + "' is not like qemu:///system or qemu+ssh://host/system");
            return uri;
        } catch (URISyntaxException e) {
            throw new RecipeException("libvirt URI '" + uri + "' is not a URI: " + e.getReason());
        }
    }

    /** True for a URI naming this machine (no host part): its files and KVM are this host's. */
    static boolean local(String uri) {
        return URI.create(uri).getHost() == null;
    }

    /**
     * The domain XML for {@code spec} on the libvirt host at {@code uri}, with the UKI's ESP disk
     * written to {@code run}. The emulator and the domain type (kvm or TCG) are the host's, as its
     * capabilities report them; a local URI also needs KVM usable here, as a local launch does.
     */
    public static String xml(VmSpec spec, String uri, String name, Tools tools, VmRunDir run) throws IOException, InterruptedException {
        String caps = virsh(tools, uri, "capabilities").stdout();
        Matcher arch = Pattern.compile("<arch name='x86_64'>(.*?)</arch>", Pattern.DOTALL).matcher(caps);
        if (!arch.find()) throw new RecipeException("libvirt at " + uri + " offers no x86_64 guests (virsh capabilities)");
        Matcher emulator = Pattern.compile("<emulator>([^<]+)</emulator>").matcher(arch.group(1));
        if (!emulator.find()) throw new RecipeException("libvirt at " + uri + " names no x86_64 emulator (virsh capabilities)");
        boolean kvm = arch.group(1).contains("<domain type='kvm'")
                && (!local(uri) || HostCapabilities.detect(tools).kvmUsable());
        String esp = null;
        if (spec.boot() == VmSpec.Boot.UKI) {
            EspImage.write(tools, Path.of(spec.uki()), run.espImage());
            esp = run.espImage().toString();
        }
        return LibvirtXml.write(spec, name, emulator.group(1), kvm, esp);
    }

    /** A dry run's domain XML and libvirt's verdict on it. */
    public record DryRun(String xml, String verdict) {}

    /**
     * Writes the domain XML into {@code runDir} and checks it with libvirt's own schema
     * ({@code virt-xml-validate}); starts nothing. A schema too old to know the spec's
     * {@code <launchSecurity>} type is said so in the verdict; any other schema error is refused.
     */
    public static DryRun dryRun(VmSpec spec, String uri, Tools tools, Path runDir) throws IOException, InterruptedException {
        checkUri(uri);
        spec.checkFiles();
        VmRunDir run = new VmRunDir(runDir.toAbsolutePath());
        Files.createDirectories(run.dir());
        String xml = xml(spec, uri, "sealwright", tools, run);
        Path file = run.dir().resolve("domain.xml");
        AtomicFiles.write(file, xml.getBytes(StandardCharsets.UTF_8));
        ToolResult r = tools.exec("virt-xml-validate", file, "domain").allowFailure().run();
        String validator = "virt-xml-validate of libvirt " + tools.version("virsh");
        if (r.ok()) return new DryRun(xml, "validates against libvirt's domain schema (" + validator + ")");
        String type = spec.tee() == Tee.TDX ? "tdx" : "sev-snp";
        Path schema = Path.of("/usr/share/libvirt/schemas/domaincommon.rng");
        if (spec.tee() != Tee.NONE && Files.isRegularFile(schema) && !Files.readString(schema).contains("<value>" + type + "</value>"))
            return new DryRun(xml, "not schema-checked: the schema of " + validator + " predates <launchSecurity type='" + type + "'>");
        String why = (r.stderr() + r.stdout()).strip().lines().filter(l -> !l.isBlank()).findFirst().orElse("exit " + r.exitCode());
        throw new RecipeException("libvirt domain XML " + file + " does not validate: " + why);
    }

    /**
     * Defines and starts the domain, attaches its console and returns the running VM. A TDX or SNP
     * domain is refused unless the host's domain capabilities report that TEE.
     */
    public static VmHandle launch(VmSpec spec, String uri, Tools tools, Path runDir, Consumer<String> console)
            throws IOException, InterruptedException {
        checkUri(uri);
        spec.checkFiles();
        if (spec.tee() != Tee.NONE) {
            Optional<String> refused = teeRefusal(spec.tee(), virsh(tools, uri, "domcapabilities", "--arch", "x86_64", "--machine", "q35").stdout());
            if (refused.isPresent()) throw new RecipeException("cannot launch on libvirt " + uri + ": " + refused.get() + " (--dry-run writes and validates the XML)");
        }
        VmRunDir run = new VmRunDir(runDir.toAbsolutePath());
        Files.createDirectories(run.dir());
        String name = "sealwright-" + HexFormat.of().formatHex(randomBytes());
        Path xml = run.dir().resolve("domain.xml");
        AtomicFiles.write(xml, xml(spec, uri, name, tools, run).getBytes(StandardCharsets.UTF_8));
        Files.deleteIfExists(run.serialLog());
        Files.writeString(run.serialLog(), "");
        LibvirtDomain d = new LibvirtDomain(tools, uri, name);
        virsh(tools, uri, "define", "--validate", xml);
        Process attached;
        try {
            virsh(tools, uri, "start", name);
            // script gives virsh console its terminal and copies what the guest prints into serial.log
            attached = tools.exec("script", "-q", "-f", "-e", "-c",
                    "exec virsh -c '" + uri + "' console --force " + name, run.serialLog())
                    .start(run.qemuLog(), run.qemuLog());
        } catch (RuntimeException e) {
            d.teardown();
            throw e;
        }
        List<String> argv = List.of("virsh", "-c", uri, "start", name);
        return VmHandle.attach(spec, run, argv, attached, d::teardown, console);
    }

    private static byte[] randomBytes() {
        byte[] b = new byte[6];
        RANDOM.nextBytes(b);
        return b;
    }

    /** Why the host's domain capabilities rule out {@code tee}, if they do. */
    static Optional<String> teeRefusal(Tee tee, String domcaps) {
        String element = tee == Tee.TDX ? "tdx" : "sev";
        if (domcaps.contains("<" + element + " supported='yes'")) return Optional.empty();
        return Optional.of("its domain capabilities do not report " + (tee == Tee.TDX ? "TDX (<tdx supported='yes'>)" : "SEV-SNP (<sev supported='yes'>)"));
    }

    /** Destroys and undefines the domain with its NVRAM and swtpm state; quiet if it is already gone. */
    private void teardown() {
        if (gone) return;
        gone = true;
        tools.exec("virsh", "-q", "-c", uri, "destroy", name).allowFailure().run();
        tools.exec("virsh", "-q", "-c", uri, "undefine", "--nvram", "--tpm", name).allowFailure().run();
    }

    private static ToolResult virsh(Tools tools, String uri, Object... args) {
        Object[] argv = new Object[args.length + 3];
        argv[0] = "-q";
        argv[1] = "-c";
        argv[2] = uri;
        System.arraycopy(args, 0, argv, 3, args.length);
        ToolResult r = tools.exec("virsh", argv).allowFailure().run();
        if (!r.ok()) {
            String why = r.stderr().strip().lines().filter(l -> !l.isBlank()).reduce((a, b) -> b).orElse("exit " + r.exitCode());
            throw new RecipeException("virsh " + args[0] + " (libvirt " + uri + "): " + why.replaceFirst("^error: ", ""));
        }
        return r;
    }
}
