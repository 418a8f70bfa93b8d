package dev.sealwright.dsl

import dev.sealwright.engine.OptionSpec
import dev.sealwright.engine.StepType

import java.nio.file.Files
import java.nio.file.Path

/**
 * The IDE descriptors of the recipe DSL, written from the registry when the DSL is built (dsl/pom.xml runs
 * {@link #main} after compiling): {@code dsld/sealwright.dsld} (Groovy-Eclipse reads dsld/*.dsld from jars on a
 * project's class path) and {@code dev/sealwright/dsl/sealwright.gdsl} (IntelliJ IDEA). Both declare
 * {@code pipeline}/{@code use} at the top, every step word ({@link StepWords}) inside {@code pipeline { }}, and
 * inside each step's closure its options with their types and descriptions: one walk over the registry
 * ({@link #descriptor}), written in either language's {@link Syntax}.
 */
class DslDescriptors {
    static final String DSLD = 'dsld/sealwright.dsld'
    static final String GDSL = 'dev/sealwright/dsl/sealwright.gdsl'

    /** What differs between the two descriptor languages: the header, how a scope opens and closes, how a type is named. */
    private static final class Syntax {
        String title, preamble, scriptOpen, close, indent
        Closure<String> scopeOpen        // (call, delegate class) -> the opening of the scope inside that call's closure
        Map<String, String> types        // String, Closure, void as the language writes them in method declarations
    }

    private static final Syntax ECLIPSE = new Syntax(title: 'Groovy-Eclipse DSL', preamble: '', scriptOpen: 'contribute(isScript()) {\n',
            close: '}\n', indent: '    ', types: [String: 'String', Closure: 'Closure', void: 'void'],
            scopeOpen: { String call, String type -> "contribute(inClosure() & enclosingCallName(${q(call)})) {\n    delegatesTo type: ${q(type)}\n" })

    private static final Syntax IDEA = new Syntax(title: 'IntelliJ IDEA GroovyDSL', preamble: "def recipeScope = scriptScope(filetypes: ['groovy'])\n\n",
            scriptOpen: 'contributor(context(scope: recipeScope)) {\n', close: '    }\n}\n', indent: '        ',
            types: [String: "'java.lang.String'", Closure: "'groovy.lang.Closure'", void: "'void'"],
            scopeOpen: { String call, String type -> "contributor(context(scope: closureScope())) {\n    if (enclosingCall(${q(call)})) {\n        delegatesTo(findClass(${q(type)}))\n" })

    /** Writes both descriptors under {@code args[0]} (the DSL's class output directory). */
    static void main(String[] args) {
        Path out = Path.of(args[0])
        write(out.resolve(DSLD), dsld())
        write(out.resolve(GDSL), gdsl())
    }

    private static void write(Path file, String text) {
        Files.createDirectories(file.parent)
        Files.writeString(file, text)
    }

    /** Groovy-Eclipse DSL descriptor. */
    static String dsld() { descriptor(ECLIPSE) }

    /** IntelliJ IDEA GroovyDSL descriptor. */
    static String gdsl() { descriptor(IDEA) }

    private static String descriptor(Syntax x) {
        String str = x.types['String'], closure = x.types['Closure'], none = x.types['void']
        def b = new StringBuilder()
        b << "// ${x.title} descriptor for sealwright recipes, generated from the step registry by DslDescriptors.\n" << x.preamble
        b << x.scriptOpen
        b << method('    ', 'pipeline', "'dev.sealwright.engine.Pipeline'", "name: ${str}, body: ${closure}", "Declares the recipe's pipeline: pipeline('name') { params { }; steps... }")
        b << method('    ', 'use', none, "library: ${str}", "Makes a recipe library available: use 'files@1' or use './libs/mylib'")
        b << '}\n\n' << x.scopeOpen('pipeline', 'dev.sealwright.dsl.PipelineSpec')
        words().each { String word, StepType s ->
            if (word.contains('.')) return
            b << method(x.indent, word, "'dev.sealwright.dsl.StepHandle'", "body: ${closure}", doc(s))
            b << method(x.indent, word, "'dev.sealwright.dsl.StepHandle'", "name: ${str}, body: ${closure}", doc(s))
        }
        b << x.close
        words().each { String word, StepType s ->
            b << '\n' << x.scopeOpen(callName(word), delegate(s))
            s.options().each { OptionSpec o -> b << method(x.indent, o.name(), none, "value: ${q(paramType(o))}", o.typeName() + ': ' + o.description()) }
            b << x.close
        }
        b.toString()
    }

    private static String method(String indent, String name, String type, String params, String doc) {
        "${indent}method name: ${q(name)}, type: ${type}, params: [${params}], doc: ${q(doc)}\n"
    }

    private static Map<String, StepType> words() { StepWords.all() }

    /** The call a step's closure is an argument of: {@code tpmSeal { }}, {@code measure.tdx { }} → {@code tdx}. */
    private static String callName(String word) { word.contains('.') ? word.substring(word.lastIndexOf('.') + 1) : word }

    private static String delegate(StepType t) { PipelineSpec.builderOf(t.name()).name }

    private static String doc(StepType t) { "${t.name()}: ${t.description()}" }

    private static String paramType(OptionSpec o) {
        String one = o.type() == String ? 'java.lang.String' : o.type() == Long ? 'long' : o.type() == Boolean ? 'boolean' : 'java.lang.Object'
        o.list() ? one + '[]' : one
    }

    /** A single-quoted Groovy string literal. */
    private static String q(String s) {
        "'" + s.replace('\\', '\\\\').replace("'", "\\'").replace('\n', ' ') + "'"
    }
}
