package dev.sealwright.attest.dcap;

import dev.sealwright.base.RecipeException;

/**
 * Extracts the exact text of a top-level member's value from a JSON object. Intel signs the bytes
 * of the {@code tcbInfo} / {@code enclaveIdentity} value as served, so re-serialising is not allowed.
 */
final class RawJson {
    private RawJson() {
    }

    static String member(String json, String key, String source) {
        int depth = 0;
        boolean inString = false;
        for (int i = 0; i < json.length(); i++) {
            char c = json.charAt(i);
            if (inString) {
                if (c == '\\') {
                    i++;
                } else if (c == '"') {
                    inString = false;
                }
                continue;
            }
            switch (c) {
                case '{', '[' -> depth++;
                case '}', ']' -> depth--;
                case '"' -> {
                    int end = stringEnd(json, i);
                    if (depth == 1 && json.substring(i + 1, end).equals(key)) {
                        int colon = skipWs(json, end + 1);
                        if (colon < json.length() && json.charAt(colon) == ':') {
                            int start = skipWs(json, colon + 1);
                            return json.substring(start, valueEnd(json, start, source));
                        }
                    }
                    i = end;
                }
                default -> {
                }
            }
        }
        throw new RecipeException(source + ": JSON member \"" + key + "\" not found");
    }

    private static int stringEnd(String s, int open) {
        for (int i = open + 1; i < s.length(); i++) {
            if (s.charAt(i) == '\\') {
                i++;
            } else if (s.charAt(i) == '"') {
                return i;
            }
        }
        return s.length() - 1;
    }

    private static int skipWs(String s, int i) {
        while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
            i++;
        }
        return i;
    }

    private static int valueEnd(String s, int start, String source) {
        if (start >= s.length()) {
            throw new RecipeException(source + ": truncated JSON");
        }
        char c = s.charAt(start);
        if (c == '"') {
            return stringEnd(s, start) + 1;
        }
        if (c != '{' && c != '[') {
            int i = start;
            while (i < s.length() && ",}] \n\r\t".indexOf(s.charAt(i)) < 0) {
                i++;
            }
            return i;
        }
        int depth = 0;
        for (int i = start; i < s.length(); i++) {
            char d = s.charAt(i);
            if (d == '"') {
                i = stringEnd(s, i);
            } else if (d == '{' || d == '[') {
                depth++;
            } else if ((d == '}' || d == ']') && --depth == 0) {
                return i + 1;
            }
        }
        throw new RecipeException(source + ": unbalanced JSON");
    }
}
