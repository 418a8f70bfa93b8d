package dev.sealwright.vm;

import dev.sealwright.base.InputFiles;
import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import com.fasterxml.jackson.databind.introspect.BeanPropertyDefinition;
import dev.sealwright.base.Json;
import dev.sealwright.base.RecipeException;
import dev.sealwright.base.OneLine;
import dev.sealwright.base.BadValueException;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.BinaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one description of a VM: the single source of both the QEMU command line
 * ({@link QemuCommandLine}) and measurement prediction, so the two cannot drift. Immutable;
 * build with {@link #builder()}. Its one JSON form ({@link #toJson()} / {@link #fromJson(String, String)}) has the
 * snake_case keys of every {@code --json} document ({@code memory_mib}, {@code boot_disk},
 * {@code tdx.quote_generation_socket}): launch's vm.json, measure tdx's {@code vm}, the configuration cache and
 * the cache key all write it so; reading it refuses a key it does not know.
 *
 * <p>Boot path: {@link Boot#DIRECT} ({@code -kernel/-initrd/-append}), {@link Boot#UKI} (the UKI
 * is placed as {@code \EFI\BOOT\BOOTX64.EFI} on the ESP of a small GPT disk, as a deployed image
 * boots) or {@link Boot#DISK} (a whole raw GPT disk image, e.g. a shim → GRUB → kernel cloud image,
 * booted by the firmware from its ESP; writes are discarded). They measure differently, so the boot
 * path is part of the spec. {@code tpmState} is a swtpm state directory the vTPM starts from (a copy;
 * e.g. one holding the SRK a disk was sealed to).
 *
 * <p>{@code topology} (optional) fixes the machine type and options and the address and boot index of
 * every PCI device ({@link MachineTopology}); without it launch uses its own default q35 shape. With
 * it, the disk files, when given, are the topology's disks in order.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonPropertyOrder({"firmware", "vars", "boot", "kernel", "initrd", "cmdline", "uki", "boot_disk", "cpus", "memory_mib", "disks", "nics",
        "forwards", "vtpm", "tpm_state", "tpm_device", "tee", "tdx", "snp", "topology"})
public record VmSpec(String firmware, String vars, Boot boot, String kernel, String initrd, String cmdline, String uki, String bootDisk,
                     int cpus, @JsonProperty("memory_mib") long memoryMiB, List<String> disks, int nics, List<PortForward> forwards,
                     boolean vtpm, String tpmState, TpmDevice tpmDevice, Tee tee, TdxOptions tdx, SnpOptions snp, MachineTopology topology) {

    public enum Boot { DIRECT, UKI, DISK }

    /** The TPM interface QEMU gives the guest: CRB (TPM 2.0 only, the modern default) or TIS. */
    public enum TpmDevice {
        CRB("tpm-crb"), TIS("tpm-tis");
        public final String qemuDevice;

        TpmDevice(String qemuDevice) {
            this.qemuDevice = qemuDevice;
        }
    }

    /** The largest vCPU count QEMU's q35 machine accepts (max_cpus of pc-q35 in QEMU 7.2 and 8.x). */
    public static final int MAX_CPUS = 288;
    public static final long MIN_MEMORY_MIB = 32;
    /** The defaults of every VM description (launch, measure tdx, {@code vm { }}). */
    public static final int DEFAULT_CPUS = 1;
    public static final String DEFAULT_MEMORY = "512M";
    public static final long MAX_MEMORY_MIB = 4L * 1024 * 1024;

    public VmSpec {
        if (firmware == null || firmware.isBlank()) throw new RecipeException("vm: firmware is required (e.g. /usr/share/OVMF/OVMF_CODE_4M.fd)");
        int paths = (kernel == null ? 0 : 1) + (uki == null ? 0 : 1) + (bootDisk == null ? 0 : 1);
        if (paths == 0) throw new RecipeException("vm: give a kernel (direct boot), a uki (ESP boot) or a bootDisk (disk image boot)");
        if (kernel != null && uki != null) throw new RecipeException("vm: give either a kernel (direct boot) or a uki (ESP boot), not both");
        if (paths > 1) throw new RecipeException("vm: give either a bootDisk (disk image boot) or a " + (kernel != null ? "kernel" : "uki") + ", not both");
        Boot expected = uki != null ? Boot.UKI : bootDisk != null ? Boot.DISK : Boot.DIRECT;
        if (boot != null && boot != expected) throw new RecipeException("vm: boot " + boot.name().toLowerCase(Locale.ROOT) + " does not match the files given (" + expected.name().toLowerCase(Locale.ROOT) + ")");
        boot = expected;
        if (kernel == null && (initrd != null || cmdline != null))
            throw new RecipeException("vm: initrd and cmdline belong to direct kernel boot; a " + (uki != null ? "UKI" : "boot disk") + " carries its own");
        if (tpmState != null && !vtpm) throw new RecipeException("vm: tpmState is the vTPM's starting state; it needs vtpm");
        if (cpus < 1 || cpus > MAX_CPUS) throw new BadValueException("cpus", "vm: cpus " + cpus + " is not in 1.." + MAX_CPUS + " (QEMU q35 rejects it)");
        if (memoryMiB < MIN_MEMORY_MIB || memoryMiB > MAX_MEMORY_MIB)
            throw new BadValueException("memory", "vm: memory " + memoryMiB + " MiB is not in " + MIN_MEMORY_MIB + " MiB..4 TiB");
        disks = disks == null ? List.of() : List.copyOf(disks);
        forwards = forwards == null ? List.of() : List.copyOf(forwards);
        if (nics < 0 || nics > 8) throw new RecipeException("vm: nics " + nics + " is not in 0..8");
        if (!forwards.isEmpty() && nics == 0) nics = 1;
        if (tpmDevice == null) tpmDevice = TpmDevice.CRB;
        if (tee == null) tee = Tee.NONE;
        if (tee != Tee.NONE && vars != null)
            throw new RecipeException("vm: tee " + tee.lower() + " loads the firmware with -bios (no pflash); drop vars");
        if (tee != Tee.NONE && vtpm)
            throw new RecipeException("vm: vtpm (swtpm) is not supported with tee " + tee.lower() + ": the TEE's own registers are the measurement root");
        if (tee == Tee.TDX && tdx == null) tdx = TdxOptions.DEFAULT;
        if (tee == Tee.SNP && snp == null) snp = SnpOptions.DEFAULT;
        if (tee != Tee.TDX && tdx != null) throw new RecipeException("vm: tdx options given but tee is " + tee.lower());
        if (tee != Tee.SNP && snp != null) throw new RecipeException("vm: snp options given but tee is " + tee.lower());
        if (topology != null && !disks.isEmpty() && disks.size() != topology.disks())
            throw new RecipeException("vm: " + disks.size() + " disk files for a topology with " + topology.disks() + " disks");
        if (topology != null) {   // the topology fixes the devices: the VM that runs has every NIC a prediction of its shape assumes
            int topologyNics = topology.of(PciDevice.Kind.VIRTIO_NET).size();
            if (nics > topologyNics) throw new RecipeException("vm: " + nics + " NICs for a topology with " + topologyNics);
            nics = topologyNics;
        }
        java.util.Set<Integer> hostPorts = new java.util.HashSet<>();
        for (PortForward f : forwards)
            if (!f.auto() && !hostPorts.add(f.hostPort())) throw new RecipeException("vm: host port " + f.hostPort() + " is forwarded twice");
    }

    /** Every input file of the VM exists and is readable; otherwise one line naming the file. */
    public void checkFiles() {
        check("firmware", firmware);
        check("vars", vars);
        check("kernel", kernel);
        check("initrd", initrd);
        check("uki", uki);
        check("boot disk", bootDisk);
        if (tpmState != null && !Files.isDirectory(Path.of(tpmState)))
            throw new RecipeException(tpmState + ": not a directory (tpmState: a swtpm state directory)");
        for (String d : disks) check("disk", d);
    }

    private static void check(String what, String file) {
        if (file == null) return;
        Path p = Path.of(file);
        if (what.endsWith("disk")) InputFiles.requireImage(p, what);
        else InputFiles.requireFile(p, what);
        if (!Files.isReadable(p)) throw new RecipeException(file + ": permission denied (" + what + ")");
    }

    /** True if QEMU loads the firmware as pflash code + a per-VM copy of the vars. */
    @JsonIgnore
    public boolean pflash() {
        return vars != null;
    }

    private static final Pattern SIZE = Pattern.compile("(\\d+)\\s*([KMGT]?)(I?B)?");

    /** Parses a QEMU-style memory size ("512M", "2G", "2048" = MiB) to MiB. */
    public static long parseMemory(String text) {
        Matcher m = SIZE.matcher(text == null ? "" : text.strip().toUpperCase(Locale.ROOT));
        if (!m.matches()) throw new BadValueException("memory", "memory '" + OneLine.of(String.valueOf(text)) + "' is not a size like 512M or 2G");
        long n;
        try {
            n = Long.parseLong(m.group(1));
        } catch (NumberFormatException e) {
            throw new BadValueException("memory", "memory '" + text + "' is too large");
        }
        String unit = m.group(2).isEmpty() ? "M" : m.group(2);
        long kib = switch (unit) {
            case "K" -> n;
            case "M" -> Math.multiplyExact(n, 1024L);
            case "G" -> Math.multiplyExact(n, 1024L * 1024);
            default -> Math.multiplyExact(n, 1024L * 1024 * 1024);
        };
        if (kib % 1024 != 0) throw new BadValueException("memory", "memory '" + text + "' is not a whole number of MiB");
        return kib / 1024;
    }

    /** The file fields, in the order {@link #withFiles} visits them (a list field's values are {@code disk[0]}, ...). */
    public static final List<String> FILE_FIELDS = List.of("firmware", "vars", "kernel", "initrd", "uki", "bootDisk", "tpmState", "disk");

    /**
     * This spec with every file path replaced by {@code f(field, path)} ({@code disk[n]} for the n-th disk): how a
     * description whose files are a pipeline's inputs (named, not yet on disk) becomes the VM that runs.
     */
    public VmSpec withFiles(BinaryOperator<String> f) {
        List<String> d = new ArrayList<>();
        for (int i = 0; i < disks.size(); i++) d.add(f.apply("disk[" + i + "]", disks.get(i)));
        return new VmSpec(map(f, "firmware", firmware), map(f, "vars", vars), boot, map(f, "kernel", kernel), map(f, "initrd", initrd),
                cmdline, map(f, "uki", uki), map(f, "bootDisk", bootDisk), cpus, memoryMiB, d, nics, forwards, vtpm,
                map(f, "tpmState", tpmState), tpmDevice, tee, tdx, snp, topology);
    }

    private static String map(BinaryOperator<String> f, String field, String path) {
        return path == null ? null : f.apply(field, path);
    }

    public String toJson() {
        return Json.pretty(this);
    }

    /**
     * The VmSpec {@code json} holds ({@link #toJson()}'s form); {@code source} (a file, "configuration cache") names it
     * in the one-line error for malformed JSON, an unknown key (by its path, e.g. {@code tdx.socket}) or a bad value.
     */
    public static VmSpec fromJson(String json, String source) {
        JsonNode tree = Json.tree(json.getBytes(StandardCharsets.UTF_8), source);
        // before binding: Jackson reports an unknown key only after it has built the record, whose checks would then speak first
        String unknown = unknownKey(tree, Json.MAPPER.constructType(VmSpec.class), "");
        if (unknown != null) throw new RecipeException(source + ": unknown key " + unknown);
        try {
            return Json.MAPPER.treeToValue(tree, VmSpec.class);
        } catch (JsonProcessingException e) {
            if (e.getCause() instanceof RecipeException r) throw new RecipeException(source + ": " + r.getMessage(), r);
            throw new RecipeException(source + ": " + Json.describe(e), e);
        }
    }

    /** "'PATH' in a VM description (known there: ...)" for the first key of {@code node} no record of this package has, or null. */
    private static String unknownKey(JsonNode node, JavaType type, String at) {
        if (type.isCollectionLikeType() && node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                String u = unknownKey(node.get(i), type.getContentType(), at + "[" + i + "]");
                if (u != null) return u;
            }
            return null;
        }
        if (!node.isObject() || !type.isRecordType()) return null;
        Map<String, JavaType> known = new TreeMap<>();
        for (BeanPropertyDefinition p : Json.MAPPER.getDeserializationConfig().introspect(type).findProperties())
            known.put(p.getName(), p.getPrimaryType());
        for (Map.Entry<String, JsonNode> e : node.properties()) {
            String path = at.isEmpty() ? e.getKey() : at + "." + e.getKey();
            JavaType t = known.get(e.getKey());
            if (t == null) return "'" + OneLine.of(path) + "' in a VM description (known there: " + String.join(", ", known.keySet()) + ")";
            String u = unknownKey(e.getValue(), t, path);
            if (u != null) return u;
        }
        return null;
    }

    /** This spec with every {@code auto} forward given a distinct host port on 127.0.0.1 that is free now. */
    public VmSpec withFreeHostPorts() {
        if (forwards.stream().noneMatch(PortForward::auto)) return this;
        Builder b = toBuilder();
        b.forwards.clear();
        List<java.net.ServerSocket> held = new java.util.ArrayList<>();   // held until all are chosen: no port twice
        try {
            for (PortForward f : forwards) {
                if (!f.auto()) {
                    b.forwards.add(f);
                    continue;
                }
                java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress());
                held.add(s);
                b.forwards.add(new PortForward(s.getLocalPort(), f.guestPort()));
            }
        } catch (java.io.IOException e) {
            throw new RecipeException("vm: no free host port on 127.0.0.1 for an auto forward: " + e.getMessage());
        } finally {
            for (java.net.ServerSocket s : held) {
                try {
                    s.close();
                } catch (java.io.IOException ignored) {
                    // closing a listening socket that never accepted
                }
            }
        }
        return b.build();
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        Builder b = new Builder();
        b.firmware = firmware; b.vars = vars; b.kernel = kernel; b.initrd = initrd; b.cmdline = cmdline; b.uki = uki; b.bootDisk = bootDisk;
        b.cpus = cpus; b.memoryMiB = memoryMiB; b.disks.addAll(disks); b.nics = nics; b.forwards.addAll(forwards);
        b.vtpm = vtpm; b.tpmState = tpmState; b.tpmDevice = tpmDevice; b.tee = tee; b.tdx = tdx; b.snp = snp; b.topology = topology;
        return b;
    }

    /** Fluent construction; {@link #build()} validates. Paths are made absolute. */
    public static final class Builder {
        private String firmware, vars, kernel, initrd, cmdline, uki, bootDisk, tpmState;
        private int cpus = DEFAULT_CPUS;
        private long memoryMiB = parseMemory(DEFAULT_MEMORY);
        private final List<String> disks = new ArrayList<>();
        private int nics;
        private final List<PortForward> forwards = new ArrayList<>();
        private boolean vtpm;
        private TpmDevice tpmDevice = TpmDevice.CRB;
        private Tee tee = Tee.NONE;
        private TdxOptions tdx;
        private SnpOptions snp;
        private MachineTopology topology;

        private static String abs(Path p) {
            return p == null ? null : p.toAbsolutePath().normalize().toString();
        }

        public Builder firmware(Path p) { firmware = abs(p); return this; }
        public Builder vars(Path p) { vars = abs(p); return this; }
        public Builder kernel(Path p) { kernel = abs(p); return this; }
        public Builder initrd(Path p) { initrd = abs(p); return this; }
        public Builder cmdline(String s) { cmdline = s; return this; }
        public Builder uki(Path p) { uki = abs(p); return this; }
        public Builder bootDisk(Path p) { bootDisk = abs(p); return this; }
        public Builder tpmState(Path p) { tpmState = abs(p); return this; }
        public Builder cpus(int n) { cpus = n; return this; }
        public Builder memoryMiB(long mib) { memoryMiB = mib; return this; }
        public Builder memory(String size) { memoryMiB = parseMemory(size); return this; }
        public Builder disk(Path p) { disks.add(abs(p)); return this; }
        public Builder nics(int n) { nics = n; return this; }
        public Builder forward(PortForward f) { forwards.add(f); return this; }
        public Builder forward(String hostGuest) { return forward(PortForward.parse(hostGuest)); }
        public Builder vtpm(boolean on) { vtpm = on; return this; }
        public Builder tpmDevice(TpmDevice d) { tpmDevice = d; return this; }
        public Builder tee(Tee t) { tee = t; return this; }
        public Builder tee(String t) { tee = Tee.parse(t); return this; }
        public Builder tdx(TdxOptions o) { tdx = o; return this; }
        public Builder snp(SnpOptions o) { snp = o; return this; }
        public Builder topology(MachineTopology t) { topology = t; return this; }

        /**
         * Sets the file field {@code field} (one of {@link #FILE_FIELDS}; {@code disk} adds a disk) to {@code path} as
         * given, not made absolute: a placeholder of a description whose files are resolved later ({@link #withFiles}).
         */
        public Builder file(String field, String path) {
            switch (field) {
                case "firmware" -> firmware = path;
                case "vars" -> vars = path;
                case "kernel" -> kernel = path;
                case "initrd" -> initrd = path;
                case "uki" -> uki = path;
                case "bootDisk" -> bootDisk = path;
                case "tpmState" -> tpmState = path;
                case "disk" -> disks.add(path);
                default -> throw new IllegalArgumentException("not a file field of a VmSpec: " + field);
            }
            return this;
        }

        public VmSpec build() {
            return new VmSpec(firmware, vars, null, kernel, initrd, cmdline, uki, bootDisk, cpus, memoryMiB, disks, nics, forwards,
                    vtpm, tpmState, tpmDevice, tee, tdx, snp, topology);
        }
    }
}
