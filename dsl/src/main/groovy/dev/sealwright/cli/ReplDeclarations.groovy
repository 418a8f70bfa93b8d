package dev.sealwright.cli

import groovy.transform.CompileStatic
import org.codehaus.groovy.ast.ClassNode
import org.codehaus.groovy.ast.MethodNode
import org.codehaus.groovy.ast.Parameter
import org.codehaus.groovy.ast.expr.BinaryExpression
import org.codehaus.groovy.ast.expr.CastExpression
import org.codehaus.groovy.ast.expr.ConstantExpression
import org.codehaus.groovy.ast.expr.DeclarationExpression
import org.codehaus.groovy.ast.expr.EmptyExpression
import org.codehaus.groovy.ast.expr.Expression
import org.codehaus.groovy.ast.expr.TupleExpression
import org.codehaus.groovy.ast.expr.VariableExpression
import org.codehaus.groovy.ast.stmt.BlockStatement
import org.codehaus.groovy.ast.stmt.ExpressionStatement
import org.codehaus.groovy.ast.stmt.Statement
import org.codehaus.groovy.classgen.GeneratorContext
import org.codehaus.groovy.control.CompilePhase
import org.codehaus.groovy.control.SourceUnit
import org.codehaus.groovy.control.customizers.CompilationCustomizer
import org.codehaus.groovy.syntax.Token
import org.codehaus.groovy.syntax.Types

/**
 * Makes the REPL keep {@code def} variables, as groovysh's interpreter mode does: a declaration at
 * the top level of an entry ({@code def x = 6 * 7}, {@code String s = 'a'}, {@code def (a, b) = [1, 2]})
 * becomes an assignment to the session's binding, so the next entry sees it. Declarations inside
 * blocks and closures (the {@code def h = archive { }} of a pipeline) stay local.
 * Records, per compiled entry, the declared names and the text before the first name
 * ({@code "def "}, {@code "String "}) so {@code :save} can write a repeated declaration as an assignment.
 */
@CompileStatic
class ReplDeclarations extends CompilationCustomizer {
    /** A top-level declaration: its names, and the offsets of its start and of its first name in the entry text. */
    static class Declaration {
        final List<String> names
        final int start
        final int nameStart

        Declaration(List<String> names, int start, int nameStart) {
            this.names = names
            this.start = start
            this.nameStart = nameStart
        }
    }

    /** The declarations of the entry compiled last. */
    final List<Declaration> last = []

    ReplDeclarations() {
        super(CompilePhase.CONVERSION)
    }

    @Override
    void call(SourceUnit source, GeneratorContext context, ClassNode classNode) {
        if (!classNode.script) return
        MethodNode run = classNode.getMethod('run', Parameter.EMPTY_ARRAY)
        if (!(run?.code instanceof BlockStatement)) return
        last.clear()
        List<String> lines = source.source.reader.withCloseable { it.readLines() }
        for (Statement s : ((BlockStatement) run.code).statements) {
            if (!(s instanceof ExpressionStatement) || !(((ExpressionStatement) s).expression instanceof DeclarationExpression)) continue
            def statement = (ExpressionStatement) s
            def d = (DeclarationExpression) statement.expression
            Expression left
            List<String> names
            Expression right = d.rightExpression instanceof EmptyExpression ? ConstantExpression.NULL : d.rightExpression
            if (d.multipleAssignmentDeclaration) {
                names = d.tupleExpression.expressions.collect { ((VariableExpression) it).name }
                left = new TupleExpression(names.collect { (Expression) new VariableExpression(it) })
            } else {
                def v = d.variableExpression
                names = [v.name]
                left = new VariableExpression(v.name)
                if (!v.dynamicTyped && !(d.rightExpression instanceof EmptyExpression)) right = new CastExpression(v.originType, right)
            }
            def assign = new BinaryExpression(left, Token.newSymbol(Types.ASSIGN, d.lineNumber, d.columnNumber), right)
            assign.sourcePosition = d
            statement.expression = assign
            int start = offset(lines, d.lineNumber, d.columnNumber)
            int nameStart = d.multipleAssignmentDeclaration ? indexOf(lines, '(', start) : offset(lines, d.variableExpression.lineNumber, d.variableExpression.columnNumber)
            if (start >= 0 && nameStart > start) last << new Declaration(names, start, nameStart)
        }
    }

    /** Offset in the text of 1-based line and column, or -1. */
    private static int offset(List<String> lines, int line, int column) {
        if (line < 1 || column < 1 || line > lines.size()) return -1
        int off = 0
        for (int i = 0; i < line - 1; i++) off += lines[i].length() + 1
        off + column - 1
    }

    private static int indexOf(List<String> lines, String s, int from) {
        from < 0 ? -1 : lines.join('\n').indexOf(s, from)
    }
}
