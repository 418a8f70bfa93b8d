package dev.sealwright.cli

import dev.sealwright.tools.NativeHelpers
import dev.sealwright.tools.Doctor
import dev.sealwright.tools.Tools
import groovy.transform.CompileStatic
import picocli.CommandLine.Command
import picocli.CommandLine.Mixin
import picocli.CommandLine.Option

import java.nio.file.Path
import java.util.concurrent.Callable

@CompileStatic
@Command(name = 'doctor', mixinStandardHelpOptions = true,
        description = ['List every external tool sealwright can use, found or missing, with versions.'],
        footerHeading = '%nExamples:%n', footer = ['  sealwright doctor', '  sealwright doctor --install', '  sealwright doctor --install --man-dir ~/.local/share/man      # as another user; add it to MANPATH'])
class DoctorCommand implements Callable<Integer> {
    @Option(names = '--install', description = 'install the Debian packages of missing tools (needs root) and the man pages (docs/man) into --man-dir')
    boolean install

    @Option(names = '--man-dir', paramLabel = 'DIR', description = 'where --install puts the man pages, as DIR/man1 (default: ${DEFAULT-VALUE}, which man searches)')
    Path manDir = Path.of('/usr/local/share/man')

    @Mixin
    JsonOutput json

    @Override
    Integer call() {
        def doctor = new Doctor(new Tools())
        def findings = doctor.examine()
        if (json.wanted()) {
            if (install) throw new UsageException('--json lists the tools; run --install without it')
            json.print([tools         : findings.collect { Doctor.Finding f ->
                [name: f.spec().name(), found: f.found(), version: f.found() ? f.version() : null, path: f.path().map { it.toString() }.orElse(null),
                 debian_package: f.spec().debianPackage()]
            }, native_helpers: NativeHelpers.available(), missing_packages: Doctor.packagesFor(findings)])
            return Main.OK
        }
        int w = findings*.spec()*.name()*.length().max() as int
        findings.each { Doctor.Finding f ->
            String state = f.found() ? "found    ${f.version().padRight(24)} ${f.path().get()}" : "missing  ${'(apt: ' + f.spec().debianPackage() + ')'}".toString()
            println "  ${f.spec().name().padRight(w)}  ${state}"
        }
        println "  native helpers: ${NativeHelpers.available().join(', ') ?: 'none in this build'}"
        def missing = Doctor.packagesFor(findings)
        if (install) {
            Path pages = Path.of(System.getProperty('sealwright.home', '')).resolve('docs/man/man1')
            println "installed ${ManPages.install(pages, manDir)} man pages in ${manDir.resolve('man1')} (e.g. man sealwright-measure-tdx)"
        }
        if (missing.isEmpty()) {
            println 'all tools found'
            return Main.OK
        }
        if (!install) {
            println "missing: ${findings.count { !it.found() }} tools; install with: sealwright doctor --install (apt-get install ${missing.join(' ')})"
            return Main.OK
        }
        println "installing: ${missing.join(' ')}"
        doctor.install(missing)
        def after = Doctor.packagesFor(doctor.examine())
        println after.isEmpty() ? 'all tools found' : "still missing after install: ${after.join(', ')}"
        return after.isEmpty() ? Main.OK : Main.FAILED
    }
}
