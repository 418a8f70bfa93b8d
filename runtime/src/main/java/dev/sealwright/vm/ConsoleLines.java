package dev.sealwright.vm;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Splits a guest's serial console into lines, taking apart the kernel messages that printk writes into the middle of
 * a line a guest program is writing ({@code SW-STATUS boot[    2.358515] tsc: Refined TSC ...}, then the program's
 * newline on a line of its own): the kernel's record (from its {@code [seconds.micros] } stamp to its newline) is a
 * line of its own, and the program's text before it is joined to what follows the kernel's lines, so a line the
 * program wrote whole reads whole. A stamp only counts as the kernel's after text that is not itself one of its
 * records; carriage returns are dropped.
 */
public final class ConsoleLines {
    private static final Pattern KERNEL_STAMP = Pattern.compile("\\[\\s*\\d+\\.\\d{6}\\] ");

    private final Consumer<String> out;
    private final StringBuilder partial = new StringBuilder();
    private String cut = "";   // the program's text before a kernel record, waiting for the rest of its line

    public ConsoleLines(Consumer<String> out) {
        this.out = out;
    }

    /** The lines of a whole console text. */
    public static List<String> of(String text) {
        List<String> lines = new ArrayList<>();
        ConsoleLines c = new ConsoleLines(lines::add);
        c.accept(text);
        c.finish();
        return lines;
    }

    /** Takes more console text; complete lines go out. */
    public void accept(CharSequence text) {
        for (int i = 0; i < text.length(); i++) {
            char ch = text.charAt(i);
            if (ch == '\n') {
                line(partial.toString());
                partial.setLength(0);
            } else if (ch != '\r') {
                partial.append(ch);
            }
        }
    }

    /** The end of the console: a last line without its newline goes out. */
    public void finish() {
        if (partial.length() > 0 || !cut.isEmpty()) line(partial.toString());
        partial.setLength(0);
    }

    private void line(String raw) {
        Matcher m = KERNEL_STAMP.matcher(raw);
        int stamp = m.find() ? m.start() : -1;
        if (stamp > 0) {
            cut += raw.substring(0, stamp);   // a kernel record cut into the program's line
            out.accept(raw.substring(stamp));
        } else if (stamp == 0 && !cut.isEmpty()) {
            out.accept(raw);                  // more kernel records before the program's line goes on
        } else {
            out.accept(cut + raw);
            cut = "";
        }
    }
}
