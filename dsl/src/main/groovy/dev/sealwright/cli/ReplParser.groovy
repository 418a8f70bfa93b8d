package dev.sealwright.cli

import groovy.transform.CompileStatic
import org.jline.reader.CompletingParsedLine
import org.jline.reader.ParsedLine
import org.jline.reader.Parser
import org.jline.reader.impl.DefaultParser

/**
 * Parses REPL input. Accepting a line: JLine's {@link DefaultParser} asks for more lines while a
 * bracket, a quote or a block comment is open. Completing: {@link ReplSyntax} finds the word at the
 * cursor as Groovy sees it ({@code from}, {@code h.}, the inside of {@code file('...}), so the
 * completer knows where it is and JLine replaces exactly that word.
 */
@CompileStatic
class ReplParser implements Parser {
    /** Where the cursor is, for the completer. */
    enum Place { CODE, STRING, COMMAND, COMMAND_ARG, NONE }

    private final DefaultParser lines = new DefaultParser()

    ReplParser() {
        lines.setEofOnUnclosedBracket(DefaultParser.Bracket.CURLY, DefaultParser.Bracket.ROUND, DefaultParser.Bracket.SQUARE)
        lines.setEofOnUnclosedQuote(true)
        lines.setEscapeChars(new char[0])
        lines.setLineCommentDelims(['//'] as String[])
        lines.setBlockCommentDelims(new DefaultParser.BlockCommentDelims('/*', '*/'))
    }

    @Override
    ParsedLine parse(String line, int cursor, ParseContext context) {
        if (context != ParseContext.COMPLETE) return lines.parse(line, cursor, context)
        String before = line.substring(0, Math.min(cursor, line.length()))
        def command = before =~ /^\s*(:\S*)(\s+(\S*))?$/
        if (command.matches())
            return command.group(2) == null ? new ReplLine(line, cursor, Place.COMMAND, command.group(1), null)
                    : new ReplLine(line, cursor, Place.COMMAND_ARG, command.group(3), null)
        def syntax = ReplSyntax.of(before)
        if (syntax.inComment) return new ReplLine(line, cursor, Place.NONE, '', syntax)
        if (syntax.openQuote != null) return new ReplLine(line, cursor, Place.STRING, syntax.stringSoFar, syntax)
        return new ReplLine(line, cursor, Place.CODE, syntax.word, syntax)
    }

    /** The buffer with the word that ends at the cursor; candidates replace that word as they are. */
    static class ReplLine implements CompletingParsedLine {
        final String line
        final int cursor
        final Place place
        final String word
        final ReplSyntax syntax

        ReplLine(String line, int cursor, Place place, String word, ReplSyntax syntax) {
            this.line = line
            this.cursor = cursor
            this.place = place
            this.word = word
            this.syntax = syntax
        }

        @Override String word() { word }
        @Override int wordCursor() { word.length() }
        @Override int wordIndex() { 0 }
        @Override List<String> words() { [word] }
        @Override String line() { line }
        @Override int cursor() { cursor }
        @Override CharSequence escape(CharSequence candidate, boolean complete) { candidate }
        @Override int rawWordCursor() { word.length() }
        @Override int rawWordLength() { word.length() }
    }
}
