package dev.sealwright.cli

import groovy.transform.CompileStatic

/**
 * What the text before the cursor is, for completion: a small Groovy lexer that skips strings and
 * comments and tracks open brackets. It tells whether the cursor sits in an unclosed string or a
 * comment, which word is being typed, which blocks are open and which call opened each
 * ({@code archive {}, {@code pipeline('p') {}, {@code step('measure.tdx') {}), and which names
 * were assigned a step call ({@code def h = archive { ... }}).
 */
@CompileStatic
class ReplSyntax {
    enum Kind { IDENT, NUMBER, STRING, PUNCT }

    /** A token; for a string, {@code text} is its content. */
    static class Token {
        final Kind kind
        final String text

        Token(Kind kind, String text) {
            this.kind = kind
            this.text = text
        }

        boolean is(String punct) { kind == Kind.PUNCT && text == punct }
    }

    /** An open block: the dotted name of the call before its '{' and that call's first argument when it is a string. */
    static class Block {
        final String head
        final String firstArg

        Block(String head, String firstArg) {
            this.head = head
            this.firstArg = firstArg
        }
    }

    final List<Token> tokens = []
    /** Open '{' blocks at the cursor, outermost first. */
    final List<Block> blocks = []
    /** The cursor is inside a comment. */
    boolean inComment
    /** The quote of the unclosed string the cursor is in (' " ''' """), or null. */
    String openQuote
    /** Content of that string up to the cursor. */
    String stringSoFar
    /** The identifier path being typed (e.g. {@code fr}, {@code h.}, {@code measure.t}), empty when none. */
    String word = ''

    static ReplSyntax of(String text) {
        def s = new ReplSyntax()
        s.scan(text)
        s
    }

    private void scan(String text) {
        int n = text.length()
        List<Integer> open = []                 // token indexes of unclosed ( [ {
        Map<Integer, Integer> openOf = [:]      // token index of ')' → of its '('
        Map<Integer, Block> blockAt = [:]
        int i = 0
        while (i < n) {
            char c = text.charAt(i)
            if (Character.isWhitespace(c)) {
                i++
            } else if (text.startsWith('//', i)) {
                int e = text.indexOf('\n', i)
                if (e < 0) { inComment = true; return }
                i = e
            } else if (text.startsWith('/*', i)) {
                int e = text.indexOf('*/', i + 2)
                if (e < 0) { inComment = true; return }
                i = e + 2
            } else if (c == '\'' as char || c == '"' as char) {
                String q = text.startsWith(String.valueOf(c) * 3, i) ? String.valueOf(c) * 3 : String.valueOf(c)
                int from = i + q.length()
                int end = closing(text, from, q)
                if (end < 0) {
                    openQuote = q
                    stringSoFar = text.substring(from)
                    break
                }
                tokens << new Token(Kind.STRING, text.substring(from, end))
                i = end + q.length()
            } else if (Character.isJavaIdentifierStart(c)) {
                int j = i + 1
                while (j < n && Character.isJavaIdentifierPart(text.charAt(j))) j++
                tokens << new Token(Kind.IDENT, text.substring(i, j))
                i = j
            } else if (Character.isDigit(c)) {
                int j = i + 1
                while (j < n && (Character.isLetterOrDigit(text.charAt(j)) || text.charAt(j) == '_' as char)) j++
                tokens << new Token(Kind.NUMBER, text.substring(i, j))
                i = j
            } else {
                String p = String.valueOf(c)
                int at = tokens.size()
                if (p in ['(', '[', '{']) {
                    if (p == '{') blockAt[at] = blockBefore(at, openOf)
                    open << at
                } else if (p in [')', ']', '}'] && !open.isEmpty()) {
                    int o = open.remove(open.size() - 1)
                    if (p == ')') openOf[at] = o
                }
                tokens << new Token(Kind.PUNCT, p)
                i++
            }
        }
        open.each { Integer o -> if (blockAt.containsKey(o)) blocks << blockAt[o] }
        if (openQuote == null && !inComment) {
            int j = n
            while (j > 0 && (Character.isJavaIdentifierPart(text.charAt(j - 1)) || text.charAt(j - 1) == '.' as char)) j--
            word = text.substring(j)
        }
    }

    /** Index of the closing quote q from {@code from} on (a backslash escapes the next character), or -1. */
    private static int closing(String text, int from, String q) {
        for (int i = from; i < text.length(); i++) {
            if (text.charAt(i) == '\\' as char) i++
            else if (text.startsWith(q, i)) return i
        }
        -1
    }

    /** The call that a '{' at token index {@code at} ends: {@code name {}, {@code a.b(args) {}. */
    private Block blockBefore(int at, Map<Integer, Integer> openOf) {
        int j = at - 1
        String firstArg = null
        if (j >= 0 && tokens[j].is(')') && openOf.containsKey(j)) {
            int o = openOf[j]
            if (o + 1 < tokens.size() && tokens[o + 1].kind == Kind.STRING) firstArg = tokens[o + 1].text
            j = o - 1
        }
        new Block(pathEndingAt(j), firstArg)
    }

    /** The dotted identifier path whose last token is at index j, or null. */
    private String pathEndingAt(int j) {
        if (j < 0 || tokens[j].kind != Kind.IDENT) return null
        List<String> parts = [tokens[j].text]
        while (j >= 2 && tokens[j - 1].is('.') && tokens[j - 2].kind == Kind.IDENT) {
            j -= 2
            parts.add(0, tokens[j].text)
        }
        parts.join('.')
    }

    /** The last tokens before the cursor (or before the unclosed string), newest last. */
    List<Token> last(int count) {
        tokens.subList(Math.max(0, tokens.size() - count), tokens.size())
    }

    /**
     * Names assigned the result of a call: {@code h = archive {}, {@code def h = measure.tdx(vm)},
     * {@code def h = step('uki', 'u') {}. Name → [dotted call name, first string argument or null].
     */
    Map<String, List<String>> assignedCalls() {
        Map<String, List<String>> found = [:]
        for (int i = 0; i + 2 < tokens.size(); i++) {
            if (tokens[i].kind != Kind.IDENT || !tokens[i + 1].is('=') || tokens[i + 2].kind != Kind.IDENT) continue
            if (i > 0 && tokens[i - 1].is('.')) continue
            int j = i + 2
            while (j + 2 < tokens.size() && tokens[j + 1].is('.') && tokens[j + 2].kind == Kind.IDENT) j += 2
            if (j + 1 >= tokens.size() || !(tokens[j + 1].is('(') || tokens[j + 1].is('{'))) continue
            String arg = tokens[j + 1].is('(') && j + 2 < tokens.size() && tokens[j + 2].kind == Kind.STRING ? tokens[j + 2].text : null
            found[tokens[i].text] = [pathEndingAt(j), arg]
        }
        found
    }
}
