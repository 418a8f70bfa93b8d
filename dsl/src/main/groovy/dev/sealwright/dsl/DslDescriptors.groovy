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
 * inside each step's closure its options with their types and descriptions.
 */
class DslDescriptors {
    static final String DSLD = 'dsld/sealwright.dsld'
    static final String GDSL = 'dev/sealwright/dsl/sealwright.gdsl'

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
    static String dsld() {
        def b = new StringBuilder()
        b << '// Groovy-Eclipse DSL descriptor for sealwright recipes, generated from the step registry by DslDescriptors.\n'
        b << 'contribute(isScript()) {\n'
        b << "    method name: 'pipeline', type: 'dev.sealwright.engine.Pipeline', params: [name: String, body: Closure], doc: ${q("Declares the recipe's pipeline: pipeline('name') { params { }; steps... }")}\n"
        b << "    method name: 'use', type: void, params: [library: String], doc: ${q("Makes a recipe library available: use 'files@1' or use './libs/mylib'")}\n"
        b << '}\n\n'
        b << "contribute(inClosure() & enclosingCallName('pipeline')) {\n"
        b << "    delegatesTo type: 'dev.sealwright.dsl.PipelineSpec'\n"
        words().each { String word, StepType t ->
            if (word.contains('.')) return
            b << "    method name: ${q(word)}, type: 'dev.sealwright.dsl.StepHandle', params: [body: Closure], doc: ${q(doc(t))}\n"
            b << "    method name: ${q(word)}, type: 'dev.sealwright.dsl.StepHandle', params: [name: String, body: Closure], doc: ${q(doc(t))}\n"
        }
        b << '}\n'
        words().each { String word, StepType t ->
            b << "\ncontribute(inClosure() & enclosingCallName(${q(callName(word))})) {\n"
            b << "    delegatesTo type: ${q(delegate(t))}\n"
            t.options().each { OptionSpec o ->
                b << "    method name: ${q(o.name())}, type: void, params: [value: ${q(paramType(o))}], doc: ${q(o.typeName() + ': ' + o.description())}\n"
            }
            b << '}\n'
        }
        b.toString()
    }

    /** IntelliJ IDEA GroovyDSL descriptor. */
    static String gdsl() {
        def b = new StringBuilder()
        b << '// IntelliJ IDEA GroovyDSL descriptor for sealwright recipes, generated from the step registry by DslDescriptors.\n'
        b << "def recipeScope = scriptScope(filetypes: ['groovy'])\n\n"
        b << 'contributor(context(scope: recipeScope)) {\n'
        b << "    method name: 'pipeline', type: 'dev.sealwright.engine.Pipeline', params: [name: 'java.lang.String', body: 'groovy.lang.Closure'], doc: ${q("Declares the recipe's pipeline: pipeline('name') { params { }; steps... }")}\n"
        b << "    method name: 'use', type: 'void', params: [library: 'java.lang.String'], doc: ${q("Makes a recipe library available: use 'files@1' or use './libs/mylib'")}\n"
        b << '}\n\n'
        b << 'contributor(context(scope: closureScope())) {\n'
        b << "    if (enclosingCall('pipeline')) {\n"
        b << "        delegatesTo(findClass('dev.sealwright.dsl.PipelineSpec'))\n"
        words().each { String word, StepType t ->
            if (word.contains('.')) return
            b << "        method name: ${q(word)}, type: 'dev.sealwright.dsl.StepHandle', params: [body: 'groovy.lang.Closure'], doc: ${q(doc(t))}\n"
            b << "        method name: ${q(word)}, type: 'dev.sealwright.dsl.StepHandle', params: [name: 'java.lang.String', body: 'groovy.lang.Closure'], doc: ${q(doc(t))}\n"
        }
        b << '    }\n}\n'
        words().each { String word, StepType t ->
            b << "\ncontributor(context(scope: closureScope())) {\n"
            b << "    if (enclosingCall(${q(callName(word))})) {\n"
            b << "        delegatesTo(findClass(${q(delegate(t))}))\n"
            t.options().each { OptionSpec o ->
                b << "        method name: ${q(o.name())}, type: 'void', params: [value: ${q(paramType(o))}], doc: ${q(o.typeName() + ': ' + o.description())}\n"
            }
            b << '    }\n}\n'
        }
        b.toString()
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
