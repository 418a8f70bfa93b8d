package dev.sealwright.disk;

import dev.sealwright.disk.gpt.GptDisk;
import dev.sealwright.disk.gpt.GptPartition;
import dev.sealwright.engine.Input;
import dev.sealwright.engine.OptionChecks;
import dev.sealwright.engine.OptionSpec;
import dev.sealwright.engine.OutputSpec;
import dev.sealwright.base.RecipeException;
import dev.sealwright.engine.StepContext;
import dev.sealwright.engine.StepType;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * {@code diskImage { rootfs file('tree'); size '16M' }}: a raw GPT disk whose one Linux-filesystem
 * partition (at 1 MiB, named rootfs) holds an ext4 filesystem made by the real {@code mkfs.ext4 -d}
 * from a directory. Reproducible: entry mtimes, creation time, UUIDs and the directory hash seed are
 * fixed (UUIDs derive from {@code label} unless given). Outputs the filesystem alone too (for verity).
 */
public final class DiskImageStep implements StepType {
    private static final long ALIGN_LBAS = 2048;

    @Override public String name() { return "disk.image"; }
    @Override public int version() { return 1; }
    @Override public String description() { return "a raw GPT disk with an ext4 rootfs partition made from a directory (mkfs.ext4 -d)"; }

    @Override
    public List<OptionSpec> options() {
        return List.of(
                OptionSpec.required("rootfs", Input.class, "directory whose contents become the filesystem").checked(OptionChecks.directory()),
                OptionSpec.optional("size", String.class, "16M", "filesystem size: bytes or with K, M or G").checked(OptionChecks.parsedBy(DiskImageStep::bytes)),
                OptionSpec.optional("label", String.class, "rootfs", "filesystem label and GPT partition name"),
                OptionSpec.optional("uuid", String.class, null, "filesystem UUID (default: derived from label)").checked(OptionChecks.parsedBy(DiskImageStep::uuid)));
    }

    @Override
    public List<OutputSpec> outputs() {
        return List.of(OutputSpec.file("image", "disk.img", "raw GPT disk image"),
                OutputSpec.file("filesystem", "rootfs.img", "the ext4 filesystem alone (the partition's contents)"),
                OutputSpec.value("partitionUuid", "GPT partition UUID of the rootfs"));
    }

    @Override
    public List<String> tools(Map<String, Object> options) {
        return List.of("mkfs.ext4", "debugfs");
    }

    @Override
    public void execute(StepContext ctx) throws Exception {
        Path src = ctx.path("rootfs");
        if (!Files.isDirectory(src)) throw new RecipeException("disk.image: rootfs " + src + " is not a directory");
        long size = bytes(ctx.string("size"));
        if (size < (1 << 20) || size % 4096 != 0) throw new RecipeException("disk.image: size " + ctx.string("size") + " must be at least 1M and a multiple of 4K");
        String label = ctx.string("label");
        UUID fsUuid = ctx.string("uuid") != null ? uuid(ctx.string("uuid")) : derived("filesystem", label);
        Path tree = ctx.workDir().resolve("tree");
        copyWithFixedTimes(src, tree);
        Path fs = ctx.output("filesystem");
        ctx.tools().exec("mkfs.ext4", "-q", "-F", "-b", "4096", "-L", label, "-U", fsUuid.toString(),
                        "-E", "hash_seed=" + fsUuid + ",root_owner=0:0", "-d", tree, fs, String.valueOf(size / 1024) + "k")
                .env("E2FSPROGS_FAKE_TIME", "1").run();
        // mkfs -d copies each entry's atime and ctime (which no one can set); debugfs pins them, and crtime, to 1 s
        Path fixTimes = ctx.workDir().resolve("fix-times.debugfs");
        Files.writeString(fixTimes, timeCommands(tree));
        ctx.tools().exec("debugfs", "-w", "-f", fixTimes, fs).env("E2FSPROGS_FAKE_TIME", "1").run();
        long fsLbas = Files.size(fs) / GptDisk.LBA;
        long diskBytes = (ALIGN_LBAS + fsLbas + ALIGN_LBAS) * GptDisk.LBA;
        UUID partUuid = derived("partition", label);
        GptDisk gpt = GptDisk.empty(diskBytes, derived("disk", label))
                .withPartition(new GptPartition(1, GptPartition.LINUX_FILESYSTEM, partUuid, ALIGN_LBAS, ALIGN_LBAS + fsLbas - 1, 0, label));
        Path img = ctx.output("image");
        try (FileChannel out = FileChannel.open(img, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE, StandardOpenOption.READ);
             FileChannel in = FileChannel.open(fs, StandardOpenOption.READ)) {
            out.truncate(diskBytes);
            out.write(java.nio.ByteBuffer.allocate(1), diskBytes - 1);
            long pos = 0;
            while (pos < fsLbas * GptDisk.LBA) pos += in.transferTo(pos, fsLbas * GptDisk.LBA - pos, out.position(ALIGN_LBAS * GptDisk.LBA + pos));
            gpt.write(out);
        }
        ctx.value("partitionUuid", partUuid.toString());
        ctx.log("ext4 " + fsUuid + " (" + size + " bytes) from " + src.getFileName() + " in partition 1 of a " + diskBytes + "-byte GPT disk");
    }

    /** debugfs commands setting atime, ctime and crtime of every entry of the tree to 1 s after the epoch. */
    private static String timeCommands(Path tree) throws IOException {
        StringBuilder cmds = new StringBuilder();
        List<String> paths;
        try (var walk = Files.walk(tree)) {
            paths = walk.map(p -> "/" + tree.relativize(p).toString().replace('\\', '/')).sorted().toList();
        }
        for (String p : paths) {
            if (p.indexOf('"') >= 0 || p.indexOf('\n') >= 0)
                throw new RecipeException("disk.image: file name " + p + " contains a quote or newline");
            for (String field : List.of("atime", "ctime", "crtime")) cmds.append("sif \"").append(p).append("\" ").append(field).append(" @1\n");
        }
        return cmds.toString();
    }

    private static UUID derived(String what, String label) {
        return UUID.nameUUIDFromBytes(("sealwright disk.image " + what + " " + label).getBytes(StandardCharsets.UTF_8));
    }

    static UUID uuid(String s) {
        try {
            return UUID.fromString(s);
        } catch (IllegalArgumentException e) {
            throw new RecipeException("disk.image: uuid '" + s + "' is not a UUID");
        }
    }

    static long bytes(String size) {
        var m = java.util.regex.Pattern.compile("(\\d+)([KMG]?)").matcher(size.strip().toUpperCase(java.util.Locale.ROOT));
        if (!m.matches()) throw new RecipeException("disk.image: size '" + size + "' is not like 16M");
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "K" -> n << 10;
            case "M" -> n << 20;
            case "G" -> n << 30;
            default -> n;
        };
    }

    /** Copies the tree (permissions kept) with every mtime set to 1 s after the epoch, as E2FSPROGS_FAKE_TIME sets the rest. */
    private static void copyWithFixedTimes(Path from, Path to) throws IOException {
        FileTime t = FileTime.fromMillis(1000);
        Files.walkFileTree(from, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                Files.copy(dir, to.resolve(from.relativize(dir).toString()), StandardCopyOption.COPY_ATTRIBUTES);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Path target = to.resolve(from.relativize(file).toString());
                Files.copy(file, target, StandardCopyOption.COPY_ATTRIBUTES, java.nio.file.LinkOption.NOFOLLOW_LINKS);
                if (!Files.isSymbolicLink(target)) Files.setLastModifiedTime(target, t);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
                if (e != null) throw e;
                Files.setLastModifiedTime(to.resolve(from.relativize(dir).toString()), t);
                return FileVisitResult.CONTINUE;
            }
        });
    }
}
