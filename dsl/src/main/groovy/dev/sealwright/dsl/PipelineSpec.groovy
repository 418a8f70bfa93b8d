package dev.sealwright.dsl

import dev.sealwright.tools.NativeHelpers
import dev.sealwright.engine.FileRef
import dev.sealwright.engine.Pipeline
import dev.sealwright.base.RecipeException
import dev.sealwright.base.Secret
import dev.sealwright.engine.Step
import dev.sealwright.engine.StepType
import dev.sealwright.engine.StepTypes

import java.nio.file.Path

/**
 * Delegate of {@code pipeline('name') { ... }}: declares params and steps. The step words come from the
 * registry ({@link #methodMissing}, one dispatch for every type); each step call runs its closure against a
 * {@link StepSpec}, validates the options and returns a {@link StepHandle}.
 * Nothing runs here: evaluation only builds the {@link Pipeline}.
 */
class PipelineSpec {
    final Script script
    final ScriptLocator locator
    final Params params
    final Path recipeDir
    private final Pipeline.Builder builder
    private final Map<String, RecipeLibrary> libraries

    PipelineSpec(String name, Script script, Path recipe, ScriptLocator locator, Map<String, String> overrides,
                 Map<String, RecipeLibrary> libraries = [:]) {
        this.libraries = libraries
        this.script = script
        this.locator = locator
        this.recipeDir = recipe.toAbsolutePath().parent
        this.params = new Params(overrides, locator)
        this.builder = Pipeline.builder(name).recipe(recipe)
    }

    Pipeline build() {
        params.checkOverrides()
        builder.build()
    }

    /** Declares parameters and their defaults: {@code params { cpus = 2 }}; override with {@code -p cpus=4}. */
    void params(@DelegatesTo(value = ParamsSpec, strategy = Closure.DELEGATE_ONLY) Closure body) {
        body.delegate = new ParamsSpec(params)
        body.resolveStrategy = Closure.DELEGATE_ONLY
        body.call()
    }

    Params getParams() { params }

    /**
     * A used library wins over a step builder of the same name: {@code kbs.volume(...)} after {@code use 'kbs@1'}
     * (Groovy would otherwise read {@code kbs} as a closure of the {@code kbs { }} step method).
     */
    @Override
    Object getProperty(String name) {
        def lib = libraries[name]
        lib != null ? new LibraryHandle(lib, this) : metaClass.getProperty(this, name)
    }

    /** {@code files.checksummed(...)} after {@code use 'files'}: a used library by name. */
    def propertyMissing(String name) {
        def lib = libraries[name]
        if (lib == null) throw new MissingPropertyException(name, PipelineSpec)
        return new LibraryHandle(lib, this)
    }

    boolean hasLibrary(String name) { libraries.containsKey(name) }

    /** A file or directory, relative to the recipe's directory. */
    FileRef file(String path) {
        new FileRef(recipeDir.resolve(path))
    }

    /** A static guest helper built with this sealwright (native-helpers), e.g. {@code helper('kbs-client')}. */
    FileRef helper(String name) {
        new FileRef(NativeHelpers.path(name))
    }

    /** A secret from a file ({@code secret(file: 'seed.dat')}) or an environment variable ({@code secret(env: 'SEED')}). */
    Secret secret(Map<String, String> from) {
        if (from.size() != 1 || !(from.keySet().first() in ['file', 'env']))
            throw new RecipeException("secret takes file: or env:, e.g. secret(file: 'seed.dat')", locator.here('secret'))
        from.file ? Secret.ofFile(recipeDir.resolve(from.file)) : Secret.ofEnv(from.env)
    }

    /** Measurement predictions: {@code measure.tdx { ... }}, {@code measure.snp { ... }} (see {@link MeasureSteps}). */
    final MeasureSteps measure = new MeasureSteps(this)

    /** One VM description for launch and measure: {@code def vm = vm { ... }} (see {@link VmValue}). */
    VmValue vm(@DelegatesTo(value = VmValue, strategy = Closure.DELEGATE_FIRST) Closure body) {
        def v = new VmValue(this)
        Closure c = (Closure) body.clone()
        c.delegate = v
        c.resolveStrategy = Closure.DELEGATE_FIRST
        c.call()
        v
    }

    /**
     * The closure delegates of the step types whose builders add meaning beyond their options (parsing,
     * several options from one value, nested blocks); every other type gets a plain {@link StepSpec}.
     */
    private static final Map<String, Class<? extends StepSpec>> BUILDERS = [
            'pack'           : PackSpec,
            'launch'         : LaunchSpec,
            'enroll'         : EnrollSpec,
            'kbs.verdict'    : KbsVerdictSpec,
            'image.shimCloud': ShimCloudImageSpec,
    ].asImmutable()

    /** The closure delegate class of a step type. */
    static Class<? extends StepSpec> builderOf(String typeName) {
        BUILDERS.getOrDefault(typeName, StepSpec)
    }

    /** The step words, read from the registry once per recipe evaluation. */
    @Lazy
    private Map<String, StepType> words = StepWords.all()

    /** Whether {@code name} declares a step. */
    boolean isStepWord(String name) { words.containsKey(name) }

    /** The step types that take a {@code vm { }} value: {@code launch(vm) { ... }} (measure.* take it through {@link MeasureSteps}). */
    private static final Set<String> TAKES_VM = ['launch'].toSet().asImmutable()

    /**
     * Every step word of the registry ({@link StepWords}: {@code archive}, {@code tpmSeal}, ...):
     * {@code word { options }}, {@code word('name') { options }}, and for launch {@code launch([name,] vm[, { options }])}.
     */
    def methodMissing(String word, Object args) {
        StepType type = words[word]
        Object[] a = args as Object[]
        if (type == null) throw new MissingMethodException(word, PipelineSpec, a)
        int i = 0
        String name = i < a.length && a[i] instanceof CharSequence ? a[i++].toString() : null
        VmValue vm = i < a.length && a[i] instanceof VmValue ? (VmValue) a[i++] : null
        Closure body = i < a.length && a[i] instanceof Closure ? (Closure) a[i++] : null
        boolean takesVm = type.name() in TAKES_VM
        if (i != a.length || (body == null && vm == null) || (vm != null && !takesVm))
            throw new RecipeException("${word} takes ${takesVm ? "[name,] [vm,] { options }" : "[name,] { options }"}, e.g. ${word}('name') { ... }", locator.here(word))
        add(type.name(), name, builderOf(type.name()), body ?: {}, vm)
    }

    /** Any registered step type by its type name: {@code step('measure.tdx', 'expected') { ... }}. */
    StepHandle step(String type, String name = null, @DelegatesTo(value = StepSpec, strategy = Closure.DELEGATE_FIRST) Closure body) {
        add(type, name, builderOf(type), body)
    }

    /** For step namespaces such as {@link MeasureSteps}. */
    StepHandle addStep(String typeName, String name, Class<? extends StepSpec> specClass, Closure body, VmValue vm = null) {
        add(typeName, name, specClass, body, vm)
    }

    private StepHandle add(String typeName, String name, Class<? extends StepSpec> specClass, Closure body, VmValue vm = null) {
        def at = locator.here(typeName)
        StepType type
        try {
            type = StepTypes.get(typeName)
        } catch (RecipeException e) {
            throw new RecipeException(e.message, at)
        }
        if (name != null && builder.has(name)) throw new RecipeException("step '${name}' is declared twice", at)
        StepSpec spec = specClass.getConstructor(StepType, PipelineSpec).newInstance(type, this)
        if (vm != null) spec.options.vm = vm.copy()
        Closure c = (Closure) body.clone()
        c.delegate = spec
        c.resolveStrategy = Closure.DELEGATE_FIRST
        c.call()
        if (spec.options.vm instanceof VmValue) spec.options.vm = ((VmValue) spec.options.vm).toOption(at)   // the one typed VM value
        def step = new Step(name ?: builder.freshName(typeName), type, spec.options, at)
        builder.step(step)
        return new StepHandle(step, locator)
    }
}
