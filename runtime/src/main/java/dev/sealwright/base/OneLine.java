package dev.sealwright.base;

import com.fasterxml.jackson.core.JsonProcessingException;

/**
 * Text from an input file inside a one-line error: control characters (a newline, an escape
 * sequence) are shown as {@code \xNN} so that a hostile file cannot add lines to the message.
 */
public final class OneLine {
    private OneLine() {}

    /** {@code s} with every control character (C0, DEL, C1, line and paragraph separators) escaped. */
    public static String of(String s) {
        if (s == null) return "";
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x20 || (c >= 0x7f && c < 0xa0) || c == '\u2028' || c == '\u2029') b.append(String.format("\\x%02x", (int) c & 0xff));
            else b.append(c);
        }
        return b.toString();
    }

    /** What is wrong with a JSON text, in one line: Jackson's message without its "at [Source: ...]" line. */
    public static String jsonProblem(Exception e) {
        String m = e instanceof JsonProcessingException j ? j.getOriginalMessage() : e.getMessage();
        m = m == null ? e.getClass().getSimpleName() : m.lines().findFirst().orElse("");
        if (e instanceof JsonProcessingException j && j.getLocation() != null && j.getLocation().getLineNr() > 0) {
            m += " (line " + j.getLocation().getLineNr() + ", column " + j.getLocation().getColumnNr() + ")";
        }
        return of(m);
    }
}
