package dev.sealwright.measure.shim;

import dev.sealwright.base.OneLine;
import dev.sealwright.base.RecipeException;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one grub.cfg shape this build writes and predicts: no menu, one entry that loads a kernel and an
 * initrd from the partition GRUB was started from. GRUB measures every command it runs (PCR 8), so a
 * prediction needs the exact text; a grub.cfg of another shape is refused rather than interpreted.
 * Paths are absolute and the command line is words of {@code [A-Za-z0-9=/._,:+-]} separated by one
 * space (GRUB's script parser keeps such text unchanged).
 */
public record GrubBootConfig(String kernel, String initrd, String cmdline) {
    static final String ENTRY = "debian";
    private static final Pattern PATH = Pattern.compile("/[A-Za-z0-9/._-]+");
    private static final Pattern CMDLINE = Pattern.compile("[A-Za-z0-9=/._,:+-]+( [A-Za-z0-9=/._,:+-]+)*");
    private static final Pattern TEXT = Pattern.compile(
            "set timeout=0\nset default=0\nmenuentry " + ENTRY + " \\{\n    linux (\\S+) (.*)\n    initrd (\\S+)\n}\n");

    public GrubBootConfig {
        if (!PATH.matcher(kernel).matches()) throw new RecipeException("grub.cfg kernel path " + OneLine.of(kernel) + ": not an absolute path of [A-Za-z0-9/._-]");
        if (!PATH.matcher(initrd).matches()) throw new RecipeException("grub.cfg initrd path " + OneLine.of(initrd) + ": not an absolute path of [A-Za-z0-9/._-]");
        if (!CMDLINE.matcher(cmdline).matches())
            throw new RecipeException("kernel command line " + OneLine.of(cmdline) + ": only words of [A-Za-z0-9=/._,:+-] separated by single spaces are modelled");
    }

    public String text() {
        return "set timeout=0\nset default=0\nmenuentry " + ENTRY + " {\n    linux " + kernel + " " + cmdline + "\n    initrd " + initrd + "\n}\n";
    }

    /** Reads a grub.cfg this build wrote; any other text is refused in one line naming {@code source}. */
    public static GrubBootConfig parse(String text, String source) {
        Matcher m = TEXT.matcher(text);
        if (!m.matches())
            throw new RecipeException(source + ": not the grub.cfg shape this build predicts (set timeout=0, set default=0, one menuentry with linux and initrd); GRUB's PCR 8 events cannot be predicted for it");
        return new GrubBootConfig(m.group(1), m.group(3), m.group(2));
    }

    /** The commands GRUB runs from its entry in this order (each logged as "grub_cmd: ..." in PCR 8). */
    public List<String> configCommands() {
        return List.of("set timeout=0", "set default=0",
                "menuentry " + ENTRY + " {\n    linux " + kernel + " " + cmdline + "\n    initrd " + initrd + "\n}",
                "setparams " + ENTRY);
    }

    public String linuxCommand() {
        return "linux " + kernel + " " + cmdline;
    }

    public String initrdCommand() {
        return "initrd " + initrd;
    }

    /** What GRUB's linux command measures as "kernel_cmdline: ...": the kernel path, a space, the arguments. */
    public String kernelCmdline() {
        return kernel + " " + cmdline;
    }
}
