package dev.sealwright.base;

import com.fasterxml.jackson.core.JsonProcessingException;

/**
 * Text inside a one-line error: control characters (a newline, a carriage return, an escape
 * sequence) are shown as {@code \xNN} and the Unicode line and paragraph separators as
 * {@code \u2028} / {@code \u2029}, so that text echoed from a hostile file, header or option value
 * cannot add lines to the message or drive the terminal. {@link RecipeException} applies it to
 * every message it is given; call it directly only for text that does not travel in one
 * (another exception type, a warning line).
 */
public final class OneLine {
    private OneLine() {}

    /** {@code s} with every control character (C0, DEL, C1 including NEL, line and paragraph separators) escaped. */
    public static String of(String s) {
        if (s == null) return "";
        int first = 0;
        while (first < s.length() && !escaped(s.charAt(first))) first++;
        if (first == s.length()) return s;
        StringBuilder b = new StringBuilder(s.length() + 8).append(s, 0, first);
        for (int i = first; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!escaped(c)) b.append(c);
            else if (c <= 0xff) b.append(String.format("\\x%02x", (int) c));
            else b.append(String.format("\\u%04x", (int) c));
        }
        return b.toString();
    }

    /** True when {@code s} is already one line: {@link #of} would leave it unchanged. */
    public static boolean is(String s) {
        if (s == null) return true;
        for (int i = 0; i < s.length(); i++) if (escaped(s.charAt(i))) return false;
        return true;
    }

    private static boolean escaped(char c) {
        return c < 0x20 || (c >= 0x7f && c < 0xa0) || c == '\u2028' || c == '\u2029';
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
