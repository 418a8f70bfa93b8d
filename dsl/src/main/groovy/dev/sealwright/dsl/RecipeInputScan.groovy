package dev.sealwright.dsl

import groovy.transform.CompileStatic
import org.codehaus.groovy.ast.ClassCodeVisitorSupport
import org.codehaus.groovy.ast.ClassNode
import org.codehaus.groovy.ast.MethodNode
import org.codehaus.groovy.ast.expr.ClassExpression
import org.codehaus.groovy.ast.expr.ConstructorCallExpression
import org.codehaus.groovy.ast.expr.MethodCallExpression
import org.codehaus.groovy.ast.expr.PropertyExpression
import org.codehaus.groovy.ast.expr.StaticMethodCallExpression
import org.codehaus.groovy.ast.expr.VariableExpression
import org.codehaus.groovy.control.CompilationUnit
import org.codehaus.groovy.control.CompilerConfiguration
import org.codehaus.groovy.control.Phases
import org.codehaus.groovy.control.SourceUnit

/**
 * Whether evaluating a recipe (or a library) can read something the {@link ConfigurationCache} does not
 * key: a syntactic, deliberately conservative scan of its code before name resolution. It finds the
 * first import, class name ({@code System}, {@code new File(...)}, {@code UUID}: any capitalised name
 * but a few pure value types), and call or property whose name reads files, the environment, the clock,
 * randomness or the class loader, runs a process, evaluates code or prints. Such a recipe is evaluated
 * every time. A DSL recipe ({@code file(...)}, {@code secret(env: ...)}, {@code params}, step
 * handles) has none of them.
 */
@CompileStatic
class RecipeInputScan {
    /** Names that read outside state (or print) whatever object they are called on. */
    static final Set<String> READS = ([
            'getenv', 'getProperty', 'getProperties', 'env', 'properties', 'exists', 'isFile', 'isDirectory', 'canRead',
            'text', 'getText', 'readLines', 'eachLine', 'bytes', 'getBytes', 'newReader', 'withReader', 'newInputStream',
            'withInputStream', 'listFiles', 'eachFile', 'eachFileRecurse', 'eachDir', 'traverse', 'toFile',
            'lastModified', 'toURL', 'execute', 'currentTimeMillis', 'nanoTime', 'now', 'random', 'nextInt',
            'randomUUID', 'evaluate', 'class', 'getClass', 'classLoader', 'getClassLoader', 'metaClass', 'getMetaClass',
            'binding', 'getBinding', 'print', 'println', 'printf', 'sleep'] as Set<String>).asImmutable()

    /** Capitalised names that are pure values. */
    static final Set<String> PURE_CLASSES = (['String', 'Integer', 'Long', 'Boolean', 'BigDecimal', 'Math', 'Path', 'List', 'Map', 'CharSequence', 'RecipeException']
            as Set<String>).asImmutable()

    /** The first thing in {@code text} that may read an input the cache does not key, or null. */
    static String firstRead(String text, String fileName) {
        def unit = new CompilationUnit(new CompilerConfiguration())
        SourceUnit source = unit.addSource(fileName, text)
        unit.compile(Phases.CONVERSION)
        def module = source.AST
        if (module.imports || module.starImports || module.staticImports || module.staticStarImports) return 'an import'
        def finder = new Finder(source)
        for (ClassNode c : module.classes) {
            finder.visitClass(c)
            if (finder.found != null) return finder.found
        }
        return null
    }

    private static class Finder extends ClassCodeVisitorSupport {
        final SourceUnit sourceUnit
        String found

        Finder(SourceUnit sourceUnit) {
            this.sourceUnit = sourceUnit
        }

        private void flag(String what) {
            if (found == null) found = what
        }

        private void name(String n, String kind) {
            if (n == null) return
            if (n in READS) flag("${kind} '${n}'")
            else if (Character.isUpperCase(n.charAt(0)) && !(n in PURE_CLASSES)) flag("the name '${n}'")
        }

        @Override
        void visitMethod(MethodNode node) {
            if (node.name == 'main' && node.declaringClass.script) return   // the script's generated entry point
            super.visitMethod(node)
        }

        @Override
        void visitMethodCallExpression(MethodCallExpression call) {
            name(call.methodAsString, 'the call')
            super.visitMethodCallExpression(call)
        }

        @Override
        void visitStaticMethodCallExpression(StaticMethodCallExpression call) {
            name(call.ownerType.nameWithoutPackage, 'the class')
            name(call.method, 'the call')
            super.visitStaticMethodCallExpression(call)
        }

        @Override
        void visitPropertyExpression(PropertyExpression p) {
            name(p.propertyAsString, 'the property')
            super.visitPropertyExpression(p)
        }

        @Override
        void visitVariableExpression(VariableExpression v) {
            name(v.name, 'the name')
            super.visitVariableExpression(v)
        }

        @Override
        void visitClassExpression(ClassExpression c) {
            name(c.type.nameWithoutPackage, 'the class')
        }

        @Override
        void visitConstructorCallExpression(ConstructorCallExpression call) {
            if (!call.specialCall && !(call.type.nameWithoutPackage in PURE_CLASSES)) flag("new ${call.type.nameWithoutPackage}")
            super.visitConstructorCallExpression(call)
        }
    }
}
