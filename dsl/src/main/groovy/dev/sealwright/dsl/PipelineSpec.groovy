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
 * Delegate of {@code pipeline('name') { ... }}: declares params and steps. Each step call runs its
 * closure against a typed {@link StepSpec}, validates the options and returns a {@link StepHandle}.
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

    /** A secret from a file ({@code secret(file: 'seed.dat')}) or an environment variable ({@code secret(env: 'SEED')}). */
    /** A static guest helper built with this sealwright (native-helpers), e.g. {@code helper('kbs-client')}. */
    FileRef helper(String name) {
        new FileRef(NativeHelpers.path(name))
    }

    Secret secret(Map<String, String> from) {
        if (from.size() != 1 || !(from.keySet().first() in ['file', 'env']))
            throw new RecipeException("secret takes file: or env:, e.g. secret(file: 'seed.dat')", locator.here('secret'))
        from.file ? Secret.ofFile(recipeDir.resolve(from.file)) : Secret.ofEnv(from.env)
    }

    StepHandle archive(@DelegatesTo(value = ArchiveSpec, strategy = Closure.DELEGATE_FIRST) Closure body) { add('archive', null, ArchiveSpec, body) }
    StepHandle archive(String name, @DelegatesTo(value = ArchiveSpec, strategy = Closure.DELEGATE_FIRST) Closure body) { add('archive', name, ArchiveSpec, body) }

    StepHandle extract(@DelegatesTo(value = ExtractSpec, strategy = Closure.DELEGATE_FIRST) Closure body) { add('extract', null, ExtractSpec, body) }
    StepHandle extract(String name, @DelegatesTo(value = ExtractSpec, strategy = Closure.DELEGATE_FIRST) Closure body) { add('extract', name, ExtractSpec, body) }

    StepHandle digest(@DelegatesTo(value = DigestSpec, strategy = Closure.DELEGATE_FIRST) Closure body) { add('digest', null, DigestSpec, body) }
    StepHandle digest(String name, @DelegatesTo(value = DigestSpec, strategy = Closure.DELEGATE_FIRST) Closure body) { add('digest', name, DigestSpec, body) }

    StepHandle manifest(@DelegatesTo(value = ManifestSpec, strategy = Closure.DELEGATE_FIRST) Closure body) { add('manifest', null, ManifestSpec, body) }
    StepHandle manifest(String name, @DelegatesTo(value = ManifestSpec, strategy = Closure.DELEGATE_FIRST) Closure body) { add('manifest', name, ManifestSpec, body) }

    StepHandle exec(@DelegatesTo(value = ExecSpec, strategy = Closure.DELEGATE_FIRST) Closure body) { add('exec', null, ExecSpec, body) }
    StepHandle exec(String name, @DelegatesTo(value = ExecSpec, strategy = Closure.DELEGATE_FIRST) Closure body) { add('exec', name, ExecSpec, body) }

    /** Measurement predictions: {@code measure.tdx { ... }}, {@code measure.snp { ... }} (see {@link MeasureSteps}). */
    final MeasureSteps measure = new MeasureSteps(this)

    /** Predicted SEV-SNP launch digest (step type measure.snp); recipes write {@code measure.snp { ovmf file('OVMF.fd'); vcpus 4 }}. */
    StepHandle measureSnp(@DelegatesTo(value = MeasureSnpSpec, strategy = Closure.DELEGATE_FIRST) Closure body) { add('measure.snp', null, MeasureSnpSpec, body) }
    StepHandle measureSnp(String name, @DelegatesTo(value = MeasureSnpSpec, strategy = Closure.DELEGATE_FIRST) Closure body) { add('measure.snp', name, MeasureSnpSpec, body) }
    StepHandle launch(@DelegatesTo(value = LaunchSpec, strategy = Closure.DELEGATE_FIRST) Closure body) { add('launch', null, LaunchSpec, body) }
    /** One VM description for launch and measure: {@code def vm = vm { ... }} (see {@link VmValue}). */
    VmValue vm(@DelegatesTo(value = VmValue, strategy = Closure.DELEGATE_FIRST) Closure body) {
        def v = new VmValue(this)
        Closure c = (Closure) body.clone()
        c.delegate = v
        c.resolveStrategy = Closure.DELEGATE_FIRST
        c.call()
        v
    }
    StepHandle launch(VmValue vm, @DelegatesTo(value = LaunchSpec, strategy = Closure.DELEGATE_FIRST) Closure body = {}) { add('launch', null, LaunchSpec, body, vm) }
    StepHandle launch(String name, VmValue vm, @DelegatesTo(value = LaunchSpec, strategy = Closure.DELEGATE_FIRST) Closure body = {}) { add('launch', name, LaunchSpec, body, vm) }
    StepHandle launch(String name, @DelegatesTo(value = LaunchSpec, strategy = Closure.DELEGATE_FIRST) Closure body) { add('launch', name, LaunchSpec, body) }
    StepHandle pack(@DelegatesTo(value = PackSpec, strategy = Closure.DELEGATE_FIRST) Closure body) { add('pack', null, PackSpec, body) }
    StepHandle pack(String name, @DelegatesTo(value = PackSpec, strategy = Closure.DELEGATE_FIRST) Closure body) { add('pack', name, PackSpec, body) }
    StepHandle kernel(@DelegatesTo(value = KernelSpec, strategy = Closure.DELEGATE_FIRST) Closure body) { add('kernel', null, KernelSpec, body) }
    StepHandle kernel(String name, @DelegatesTo(value = KernelSpec, strategy = Closure.DELEGATE_FIRST) Closure body) { add('kernel', name, KernelSpec, body) }
    StepHandle tpmSeal(@DelegatesTo(value = TpmSealSpec, strategy = Closure.DELEGATE_FIRST) Closure body) { add('tpm.seal', null, TpmSealSpec, body) }
    StepHandle tpmSeal(String name, @DelegatesTo(value = TpmSealSpec, strategy = Closure.DELEGATE_FIRST) Closure body) { add('tpm.seal', name, TpmSealSpec, body) }
    StepHandle diskEncrypt(@DelegatesTo(value = DiskEncryptSpec, strategy = Closure.DELEGATE_FIRST) Closure body) { add('disk.encrypt', null, DiskEncryptSpec, body) }
    StepHandle diskEncrypt(String name, @DelegatesTo(value = DiskEncryptSpec, strategy = Closure.DELEGATE_FIRST) Closure body) { add('disk.encrypt', name, DiskEncryptSpec, body) }
    StepHandle diskDeploy(@DelegatesTo(value = DiskDeploySpec, strategy = Closure.DELEGATE_FIRST) Closure body) { add('disk.deploy', null, DiskDeploySpec, body) }
    StepHandle diskDeploy(String name, @DelegatesTo(value = DiskDeploySpec, strategy = Closure.DELEGATE_FIRST) Closure body) { add('disk.deploy', name, DiskDeploySpec, body) }
    StepHandle quoteVerify(@DelegatesTo(value = QuoteVerifySpec, strategy = Closure.DELEGATE_FIRST) Closure body) { add('quote.verify', null, QuoteVerifySpec, body) }
    StepHandle quoteVerify(String name, @DelegatesTo(value = QuoteVerifySpec, strategy = Closure.DELEGATE_FIRST) Closure body) { add('quote.verify', name, QuoteVerifySpec, body) }

    StepHandle enroll(@DelegatesTo(value = EnrollSpec, strategy = Closure.DELEGATE_FIRST) Closure body) { add('enroll', null, EnrollSpec, body) }
    StepHandle enroll(String name, @DelegatesTo(value = EnrollSpec, strategy = Closure.DELEGATE_FIRST) Closure body) { add('enroll', name, EnrollSpec, body) }
    StepHandle vault(@DelegatesTo(value = VaultSpec, strategy = Closure.DELEGATE_FIRST) Closure body) { add('vault.init', null, VaultSpec, body) }
    StepHandle vault(String name, @DelegatesTo(value = VaultSpec, strategy = Closure.DELEGATE_FIRST) Closure body) { add('vault.init', name, VaultSpec, body) }
    StepHandle simulatedTdReport(@DelegatesTo(value = SimulatedTdReportSpec, strategy = Closure.DELEGATE_FIRST) Closure body) { add('tdreport.simulated', null, SimulatedTdReportSpec, body) }
    StepHandle simulatedTdReport(String name, @DelegatesTo(value = SimulatedTdReportSpec, strategy = Closure.DELEGATE_FIRST) Closure body) { add('tdreport.simulated', name, SimulatedTdReportSpec, body) }

    StepHandle kbs(@DelegatesTo(value = KbsSpec, strategy = Closure.DELEGATE_FIRST) Closure body) { add('kbs', null, KbsSpec, body) }
    StepHandle kbs(String name, @DelegatesTo(value = KbsSpec, strategy = Closure.DELEGATE_FIRST) Closure body) { add('kbs', name, KbsSpec, body) }
    StepHandle kbsSimulatedQuotes(@DelegatesTo(value = KbsSimulatedQuotesSpec, strategy = Closure.DELEGATE_FIRST) Closure body) { add('kbs.simulatedQuotes', null, KbsSimulatedQuotesSpec, body) }
    StepHandle kbsSimulatedQuotes(String name, @DelegatesTo(value = KbsSimulatedQuotesSpec, strategy = Closure.DELEGATE_FIRST) Closure body) { add('kbs.simulatedQuotes', name, KbsSimulatedQuotesSpec, body) }
    StepHandle luksVolume(@DelegatesTo(value = LuksVolumeSpec, strategy = Closure.DELEGATE_FIRST) Closure body) { add('kbs.luksVolume', null, LuksVolumeSpec, body) }
    StepHandle luksVolume(String name, @DelegatesTo(value = LuksVolumeSpec, strategy = Closure.DELEGATE_FIRST) Closure body) { add('kbs.luksVolume', name, LuksVolumeSpec, body) }
    StepHandle kbsVerdict(String name, @DelegatesTo(value = KbsVerdictSpec, strategy = Closure.DELEGATE_FIRST) Closure body) { add('kbs.verdict', name, KbsVerdictSpec, body) }

    StepHandle verity(@DelegatesTo(value = VeritySpec, strategy = Closure.DELEGATE_FIRST) Closure body) { add('verity', null, VeritySpec, body) }
    StepHandle verity(String name, @DelegatesTo(value = VeritySpec, strategy = Closure.DELEGATE_FIRST) Closure body) { add('verity', name, VeritySpec, body) }
    StepHandle shimCloudImage(@DelegatesTo(value = ShimCloudImageSpec, strategy = Closure.DELEGATE_FIRST) Closure body) { add('image.shimCloud', null, ShimCloudImageSpec, body) }
    StepHandle shimCloudImage(String name, @DelegatesTo(value = ShimCloudImageSpec, strategy = Closure.DELEGATE_FIRST) Closure body) { add('image.shimCloud', name, ShimCloudImageSpec, body) }
    StepHandle diskImage(@DelegatesTo(value = DiskImageSpec, strategy = Closure.DELEGATE_FIRST) Closure body) { add('disk.image', null, DiskImageSpec, body) }
    StepHandle diskImage(String name, @DelegatesTo(value = DiskImageSpec, strategy = Closure.DELEGATE_FIRST) Closure body) { add('disk.image', name, DiskImageSpec, body) }
    StepHandle snpIdBlock(@DelegatesTo(value = SnpIdBlockSpec, strategy = Closure.DELEGATE_FIRST) Closure body) { add('snp.idblock', null, SnpIdBlockSpec, body) }
    StepHandle snpIdBlock(String name, @DelegatesTo(value = SnpIdBlockSpec, strategy = Closure.DELEGATE_FIRST) Closure body) { add('snp.idblock', name, SnpIdBlockSpec, body) }
    StepHandle snpSimulate(@DelegatesTo(value = SnpSimulateSpec, strategy = Closure.DELEGATE_FIRST) Closure body) { add('snp.simulate', null, SnpSimulateSpec, body) }
    StepHandle snpSimulate(String name, @DelegatesTo(value = SnpSimulateSpec, strategy = Closure.DELEGATE_FIRST) Closure body) { add('snp.simulate', name, SnpSimulateSpec, body) }
    StepHandle snpVerify(@DelegatesTo(value = SnpVerifySpec, strategy = Closure.DELEGATE_FIRST) Closure body) { add('snp.verify', null, SnpVerifySpec, body) }
    StepHandle snpVerify(String name, @DelegatesTo(value = SnpVerifySpec, strategy = Closure.DELEGATE_FIRST) Closure body) { add('snp.verify', name, SnpVerifySpec, body) }
    StepHandle uki(@DelegatesTo(value = UkiSpec, strategy = Closure.DELEGATE_FIRST) Closure body) { add('uki', null, UkiSpec, body) }
    StepHandle uki(String name, @DelegatesTo(value = UkiSpec, strategy = Closure.DELEGATE_FIRST) Closure body) { add('uki', name, UkiSpec, body) }
    StepHandle ukiSign(@DelegatesTo(value = UkiSignSpec, strategy = Closure.DELEGATE_FIRST) Closure body) { add('uki.sign', null, UkiSignSpec, body) }
    StepHandle ukiSign(String name, @DelegatesTo(value = UkiSignSpec, strategy = Closure.DELEGATE_FIRST) Closure body) { add('uki.sign', name, UkiSignSpec, body) }
    /** A passphrase-protected PEM key decrypted into a 0600 workspace file (step type key.decrypt); its {@code key} is a secret. */
    StepHandle keyDecrypt(String name, @DelegatesTo(value = KeyDecryptSpec, strategy = Closure.DELEGATE_FIRST) Closure body) { add('key.decrypt', name, KeyDecryptSpec, body) }
    StepHandle quoteSimulate(@DelegatesTo(value = QuoteSimulateSpec, strategy = Closure.DELEGATE_FIRST) Closure body) { add('quote.simulate', null, QuoteSimulateSpec, body) }
    StepHandle quoteSimulate(String name, @DelegatesTo(value = QuoteSimulateSpec, strategy = Closure.DELEGATE_FIRST) Closure body) { add('quote.simulate', name, QuoteSimulateSpec, body) }
    StepHandle rpcEndpoint(@DelegatesTo(value = RpcEndpointSpec, strategy = Closure.DELEGATE_FIRST) Closure body) { add('rpc.endpoint', null, RpcEndpointSpec, body) }
    StepHandle rpcEndpoint(String name, @DelegatesTo(value = RpcEndpointSpec, strategy = Closure.DELEGATE_FIRST) Closure body) { add('rpc.endpoint', name, RpcEndpointSpec, body) }
    StepHandle quotePublish(@DelegatesTo(value = QuotePublishSpec, strategy = Closure.DELEGATE_FIRST) Closure body) { add('quote.publish', null, QuotePublishSpec, body) }
    StepHandle quotePublish(String name, @DelegatesTo(value = QuotePublishSpec, strategy = Closure.DELEGATE_FIRST) Closure body) { add('quote.publish', name, QuotePublishSpec, body) }
    StepHandle uefiConfig(@DelegatesTo(value = UefiConfigSpec, strategy = Closure.DELEGATE_FIRST) Closure body) { add('uefi.config', null, UefiConfigSpec, body) }
    StepHandle uefiConfig(String name, @DelegatesTo(value = UefiConfigSpec, strategy = Closure.DELEGATE_FIRST) Closure body) { add('uefi.config', name, UefiConfigSpec, body) }

    /** Any registered step type without a typed builder: {@code step('measure.tdx', 'expected') { ... }}. */
    StepHandle step(String type, String name = null, @DelegatesTo(value = StepSpec, strategy = Closure.DELEGATE_FIRST) Closure body) {
        add(type, name, StepSpec, body)
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
