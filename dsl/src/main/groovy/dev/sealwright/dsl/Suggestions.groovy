package dev.sealwright.dsl

import groovy.transform.CompileStatic

/**
 * "Did you mean ...?" for a mistyped name: the known names nearest to it by edit distance
 * (insertions, deletions, substitutions and swaps of neighbouring letters, as in Damerau-Levenshtein),
 * used for verbs and options on the command line and for step types and options in recipes.
 */
@CompileStatic
final class Suggestions {
    private Suggestions() {}

    /** The nearest known names (ties kept, in the given order), or none when nothing is close enough. */
    static List<String> nearest(String typed, Collection<String> known) {
        int allowed = Math.max(1, Math.min(3, typed.length().intdiv(3) as int))
        Map<String, Integer> close = [:]
        known.each { String k -> int d = distance(typed.toLowerCase(), k.toLowerCase()); if (d <= allowed) close[k] = d }
        if (close.isEmpty()) return []
        int best = close.values().min()
        close.findAll { it.value == best }.keySet() as List<String>
    }

    /** "; did you mean X?" or "; did you mean X or Y?" to append to an error, or "" when nothing is near. */
    static String hint(String typed, Collection<String> known) {
        List<String> near = nearest(typed, known)
        near ? "; did you mean ${near.size() == 1 ? near[0] : near[0..-2].join(', ') + ' or ' + near[-1]}?".toString() : ''
    }

    /** Optimal string alignment distance: Levenshtein plus transposition of adjacent characters. */
    static int distance(String a, String b) {
        int[][] d = new int[a.length() + 1][b.length() + 1]
        for (int i = 0; i <= a.length(); i++) d[i][0] = i
        for (int j = 0; j <= b.length(); j++) d[0][j] = j
        for (int i = 1; i <= a.length(); i++) {
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1
                d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost)
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1))
                    d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1)
            }
        }
        d[a.length()][b.length()]
    }
}
