package dev.sealwright.dsl;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * "Did you mean ...?" for a mistyped name: the known names nearest to it by edit distance
 * (insertions, deletions, substitutions and swaps of neighbouring letters, as in Damerau-Levenshtein),
 * used for verbs and options on the command line and for step types and options in recipes.
 */
public final class Suggestions {
    private Suggestions() {}

    /** The nearest known names (ties kept, in the given order), or none when nothing is close enough. */
    public static List<String> nearest(String typed, Collection<String> known) {
        int allowed = Math.max(1, Math.min(3, typed.length() / 3));
        Map<String, Integer> close = new LinkedHashMap<>();
        for (String k : known) {
            int d = distance(typed.toLowerCase(), k.toLowerCase());
            if (d <= allowed) close.put(k, d);
        }
        List<String> near = new ArrayList<>();
        if (close.isEmpty()) return near;
        int best = close.values().stream().mapToInt(Integer::intValue).min().getAsInt();
        close.forEach((k, d) -> { if (d == best) near.add(k); });
        return near;
    }

    /** "; did you mean X?" or "; did you mean X or Y?" to append to an error, or "" when nothing is near. */
    public static String hint(String typed, Collection<String> known) {
        List<String> near = nearest(typed, known);
        if (near.isEmpty()) return "";
        String names = near.size() == 1 ? near.get(0)
                : String.join(", ", near.subList(0, near.size() - 1)) + " or " + near.get(near.size() - 1);
        return "; did you mean " + names + "?";
    }

    /** Optimal string alignment distance: Levenshtein plus transposition of adjacent characters. */
    public static int distance(String a, String b) {
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) d[i][0] = i;
        for (int j = 0; j <= b.length(); j++) d[0][j] = j;
        for (int i = 1; i <= a.length(); i++) {
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1))
                    d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
            }
        }
        return d[a.length()][b.length()];
    }
}
