package dev.sealwright.arch

import com.tngtech.archunit.base.DescribedPredicate
import com.tngtech.archunit.core.domain.JavaClass
import com.tngtech.archunit.core.domain.JavaClasses
import com.tngtech.archunit.core.importer.ClassFileImporter
import com.tngtech.archunit.core.importer.ImportOption
import com.tngtech.archunit.lang.ArchRule
import com.tngtech.archunit.library.Architectures
import dev.sealwright.engine.StepType
import dev.sealwright.testkit.Repo
import spock.lang.Shared
import spock.lang.Specification

import java.nio.file.Files
import java.nio.file.Path

import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices

/**
 * The layer order of docs/architecture.md, checked on the compiled runtime and DSL/CLI classes:
 * base → codecs → capabilities → steps/engine → CLI/DSL, no package cycles (neither between packages nor
 * between top-level packages), and no fully-qualified references to our own classes in code.
 */
class LayeringSpec extends Specification {
    static final String[] BASE = ['dev.sealwright', 'dev.sealwright.base..', 'dev.sealwright.tools..']
    /** Formats: parsers, writers and their checks. */
    static final String[] CODECS = ['dev.sealwright.disk.gpt..', 'dev.sealwright.disk.luks2..', 'dev.sealwright.disk.verity..', 'dev.sealwright.disk.vhd..',
                                    'dev.sealwright.image.pe..', 'dev.sealwright.image.cpio..', 'dev.sealwright.image.oci..', 'dev.sealwright.files..',
                                    'dev.sealwright.tpm..', 'dev.sealwright.uefi..', 'dev.sealwright.snp..', 'dev.sealwright.attest.dcap..',
                                    'dev.sealwright.attest.snp..', 'dev.sealwright.measure.event..']
    /**
     * Operations over several codecs: predictions, encryption procedures, the VM, the key broker. Every
     * package under these that is not a codec, so that a new subpackage lands here by default.
     */
    static final String[] CAPABILITIES = ['dev.sealwright.disk..', 'dev.sealwright.deploy..', 'dev.sealwright.image..', 'dev.sealwright.measure..',
                                          'dev.sealwright.attest..', 'dev.sealwright.cloud..', 'dev.sealwright.enroll..', 'dev.sealwright.kbs..', 'dev.sealwright.nativeio..',
                                          'dev.sealwright.vm..']
    static final String[] ENGINE = ['dev.sealwright.engine..']
    static final String[] CLI_DSL = ['dev.sealwright.cli..', 'dev.sealwright.dsl..']

    /** A step type, or a class nested in one: the step layer, wherever its package is. */
    static final DescribedPredicate<JavaClass> STEP = new DescribedPredicate<JavaClass>('a step type (implements StepType)') {
        @Override
        boolean test(JavaClass c) {
            JavaClass top = c
            while (top.enclosingClass.present) top = top.enclosingClass.get()
            top.isAssignableTo(StepType) && !top.isEquivalentTo(StepType)
        }
    }

    @Shared JavaClasses classes = new ClassFileImporter()
            .withImportOption(new ImportOption.DoNotIncludeTests())
            .importPackages('dev.sealwright')

    static List<String> violations(ArchRule rule, JavaClasses classes) {
        rule.evaluate(classes).failureReport.details
    }

    def "the runtime and the CLI/DSL classes are imported (the rules below see them)"() {
        expect:
        classes.contain('dev.sealwright.engine.Engine')
        classes.contain('dev.sealwright.base.RecipeException')
        classes.contain('dev.sealwright.cli.Main')
        classes.size() > 500
    }

    def "layers: base → codecs → capabilities → steps/engine → CLI/DSL, each using only the layers below it"() {
        expect:
        violations(layers('base', 'codecs'), classes) == []
    }

    def "the layer rule sees real dependencies: capabilities forbidden the codecs, it reports measure.tdx reading PE files"() {
        when:
        def found = violations(layers('base'), classes)

        then:
        found.any { it.contains('dev.sealwright.measure.tdx') && it.contains('dev.sealwright.image.pe') }
    }

    /** The layer rule, with the layers the capabilities may use as a parameter (the real order: base, codecs). */
    static ArchRule layers(String... capabilitiesUse) {
        Architectures.layeredArchitecture().consideringOnlyDependenciesInLayers()
                .layer('base').definedBy(resideInAnyPackage(BASE))
                .layer('codecs').definedBy(DescribedPredicate.and(resideInAnyPackage(CODECS), DescribedPredicate.not(STEP)))
                .layer('capabilities').definedBy(DescribedPredicate.and(DescribedPredicate.and(resideInAnyPackage(CAPABILITIES), DescribedPredicate.not(resideInAnyPackage(CODECS))), DescribedPredicate.not(STEP)))
                .layer('steps/engine').definedBy(DescribedPredicate.or(resideInAnyPackage(ENGINE), STEP))
                .layer('CLI/DSL').definedBy(resideInAnyPackage(CLI_DSL))
                .whereLayer('base').mayNotAccessAnyLayer()
                .whereLayer('codecs').mayOnlyAccessLayers('base')
                .whereLayer('capabilities').mayOnlyAccessLayers(capabilitiesUse)
                .whereLayer('steps/engine').mayOnlyAccessLayers('base', 'codecs', 'capabilities')
                .whereLayer('CLI/DSL').mayNotBeAccessedByAnyLayer()
                .ensureAllClassesAreContainedInArchitecture()
    }

    def "no package cycles: #granularity"() {
        expect:
        violations(slices().matching(pattern).should().beFreeOfCycles(), classes) == []

        where:
        granularity                  | pattern
        'between packages'           | 'dev.sealwright.(**)'
        'between top-level packages' | 'dev.sealwright.(*)..'
    }

    def "no fully-qualified reference to a sealwright class in code: an import says where it comes from"() {
        given:
        def offenders = []
        ['runtime/src/main/java', 'dsl/src/main/groovy'].each { root ->
            Files.walk(Repo.path(root)).withCloseable { s ->
                s.filter { it.toString() ==~ /.*\.(java|groovy)/ }.forEach { Path f ->
                    fullyQualified(Files.readString(f)).each { offenders << "${Repo.root().relativize(f)}: $it".toString() }
                }
            }
        }

        expect:
        offenders == []
    }

    def "the source scan finds a fully-qualified reference in code, and none in comments, strings or imports"() {
        expect:
        fullyQualified('''package dev.sealwright.x;
import dev.sealwright.base.Json;
/** see {@link dev.sealwright.engine.Engine} */
class A { Object o = new dev.sealwright.vm.VmSpec(); String s = "dev.sealwright.tools.Tools"; // dev.sealwright.kbs.KbsServer
}''') == ['dev.sealwright.vm.VmSpec']
    }

    /** Qualified names of our classes in code: comments and string literals removed, package and import lines skipped. */
    static List<String> fullyQualified(String source) {
        String code = source.replaceAll(/(?s)\/\*.*?\*\//) { String m -> m.replaceAll(/[^\n]/, ' ') }
        code = code.replaceAll(/"(?:\\.|[^"\\\n])*"|'(?:\\.|[^'\\\n])*'/, '""')
        code = code.replaceAll(/\/\/[^\n]*/, '')
        code.readLines().findAll { !(it ==~ /\s*(package|import)\s.*/) }
                .collectMany { line -> (line =~ /\bdev\.sealwright\.(?:[a-z]\w*\.)*[A-Z]\w*/).collect { it as String } }
    }
}
