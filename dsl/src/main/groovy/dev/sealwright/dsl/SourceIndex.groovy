package dev.sealwright.dsl

import groovy.transform.CompileStatic
import org.codehaus.groovy.ast.ClassCodeVisitorSupport
import org.codehaus.groovy.ast.ClassNode
import org.codehaus.groovy.ast.expr.MethodCallExpression
import org.codehaus.groovy.ast.expr.PropertyExpression
import org.codehaus.groovy.ast.expr.VariableExpression
import org.codehaus.groovy.classgen.GeneratorContext
import org.codehaus.groovy.control.CompilePhase
import org.codehaus.groovy.control.SourceUnit
import org.codehaus.groovy.control.customizers.CompilationCustomizer

/**
 * Columns of named calls and properties in a recipe, so an error found at run time on line L about
 * name N can point at the exact column. Built lazily (only when an error needs a column) by parsing
 * the text to the CONVERSION phase, so loading a recipe from the compiled-recipe cache stays cheap.
 */
@CompileStatic
class SourceIndex extends CompilationCustomizer {
    private final Map<Integer, List<Map.Entry<String, Integer>>> byLine = [:].withDefault { [] } as Map<Integer, List<Map.Entry<String, Integer>>>
    final List<String> lines
    private final String text
    private final String name
    private boolean indexed

    SourceIndex(String text, String name = 'recipe.groovy') {
        super(CompilePhase.CONVERSION)
        this.lines = text.readLines()
        this.text = text
        this.name = name
    }

    private synchronized void ensureIndexed() {
        if (indexed) return
        indexed = true
        try {
            def config = new org.codehaus.groovy.control.CompilerConfiguration()
            config.addCompilationCustomizers(this)
            def unit = new org.codehaus.groovy.control.CompilationUnit(config)
            unit.addSource(name, text)
            unit.compile(org.codehaus.groovy.control.Phases.CONVERSION)
        } catch (Exception ignored) {
            // a recipe that does not parse has no columns to offer; callers fall back to the line start
        }
    }

    @Override
    void call(SourceUnit source, GeneratorContext context, ClassNode classNode) {
        def visitor = new ClassCodeVisitorSupport() {
            @Override
            protected SourceUnit getSourceUnit() { source }

            @Override
            void visitMethodCallExpression(MethodCallExpression call) {
                record(call.methodAsString, call.method.lineNumber, call.method.columnNumber)
                super.visitMethodCallExpression(call)
            }

            @Override
            void visitPropertyExpression(PropertyExpression e) {
                record(e.propertyAsString, e.property.lineNumber, e.property.columnNumber)
                super.visitPropertyExpression(e)
            }

            @Override
            void visitVariableExpression(VariableExpression e) {
                record(e.name, e.lineNumber, e.columnNumber)
                super.visitVariableExpression(e)
            }
        }
        classNode.methods.each { visitor.visitMethod(it) }
        if (classNode.module?.statementBlock) visitor.visitBlockStatement(classNode.module.statementBlock)
        classNode.innerClasses.each { visitor.visitClass(it) }
    }

    private void record(String name, int line, int col) {
        if (name != null && line > 0 && col > 0) byLine[line] << new AbstractMap.SimpleEntry<String, Integer>(name, col)
    }

    /** Column of the first mention of {@code name} on {@code line}; else the line's first non-blank column. */
    int column(int line, String name) {
        ensureIndexed()
        def hit = byLine.get(line)?.findAll { it.key == name }?.min { it.value }
        if (hit != null) return hit.value
        String text = line >= 1 && line <= lines.size() ? lines[line - 1] : ''
        int i = text.findIndexOf { !Character.isWhitespace(it as char) }
        return i < 0 ? 1 : i + 1
    }

    String line(int n) {
        n >= 1 && n <= lines.size() ? lines[n - 1] : null
    }
}
