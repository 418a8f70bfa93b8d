package dev.sealwright.cli

import dev.sealwright.testkit.Repo
import spock.lang.Specification
import spock.lang.TempDir

import java.nio.file.Files
import java.nio.file.Path

/**
 * The verbs that run no recipe, and the top-level usage, start on Java and picocli alone (docs/daemon.md, "Start-up without the
 * daemon"): a fresh JVM running them, as the launcher does under CI=true, loads no Groovy class. The
 * JVM's own class-load log is the witness; a recipe verb is the control that does load Groovy.
 */
class JavaVerbStartupSpec extends Specification {
    @TempDir
    Path dir

    /** Exit code and the names of the classes the JVM loaded while running {@code args}. */
    private Map run(String... args) {
        def target = Repo.path('dsl/target')
        Path log = dir.resolve('classes.log')
        def cmd = ['java', "-Xlog:class+load:file=${log}".toString(), '-XX:TieredStopAtLevel=1', '-cp',
                   "${target}/classes:${target}/lib/*".toString(), 'dev.sealwright.cli.Main'] + (args as List)
        def p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(dir.resolve('out.txt').toFile()).start()
        int code = p.waitFor()
        List<String> loaded = Files.readAllLines(log).collect { String l -> l.replaceFirst(/^.*\[class,load\] (\S+).*$/, '$1') }
        [code: code, out: Files.readString(dir.resolve('out.txt')), loaded: loaded]
    }

    private static List<String> groovy(List<String> classes) {
        classes.findAll { it.startsWith('groovy.') || it.startsWith('org.codehaus.groovy.') || it.startsWith('org.apache.groovy.') }
    }

    def "#verb loads no Groovy class"() {
        when:
        def r = run(args as String[])

        then:
        r.code == code
        r.loaded.contains('dev.sealwright.cli.Main')
        groovy(r.loaded) == []

        where:
        verb                      | code | args
        '--version'               | 0    | ['--version']
        'sealwright (bare)'       | 0    | []
        '--help'                  | 0    | ['--help']
        'help'                    | 0    | ['help']
        'a mistyped verb'         | 2    | ['mesure']
        'measure snp'             | 0    | ['measure', 'snp', '--mode', 'snp', '--vcpus', '4', '--vcpu-type', 'EPYC-v4', '--ovmf',
                                              Repo.fixture('snp/sev-snp-measure/ovmf_AmdSev_suffix.bin').toString(),
                                              '--kernel', '/dev/null', '--initrd', '/dev/null', '--append', 'console=ttyS0']
        'measure snp usage error' | 2    | ['measure', 'snp']
        'measure snp missing file' | 1   | ['measure', 'snp', '--ovmf', 'missing.fd']
        'measure snp --help'      | 0    | ['measure', 'snp', '--help']
        'measure tdx --help'      | 0    | ['measure', 'tdx', '--help']
        'measure tdx usage error' | 2    | ['measure', 'tdx']
        'measure profiles'        | 0    | ['measure', 'profiles', '--json']
        'measure profiles --json short' | 0 | ['measure', 'profiles', '--json', 'short']
    }

    def "#verb reads no annotation: no proxy class is generated (CommandModels)"() {
        when:
        def r = run(args as String[])

        then: 'the JDK generates a proxy class per annotation type read; JDK 25 spins the ClassFile API up for the first'
        r.code == 0
        r.loaded.findAll { it.contains('$Proxy') } == []

        where:
        verb               | args
        '--version'        | ['--version']
        'measure snp'      | ['measure', 'snp', '--mode', 'snp', '--vcpus', '4', '--vcpu-type', 'EPYC-v4', '--ovmf',
                               Repo.fixture('snp/sev-snp-measure/ovmf_AmdSev_suffix.bin').toString()]
        'measure tdx'      | ['measure', 'tdx', '--firmware', '/usr/share/ovmf/OVMF.fd', '--profile', 'ubuntu-24.04']   // Debian's ovmf (.ci/packages-test)
        'measure tdx --help' | ['measure', 'tdx', '--help']
        'measure profiles' | ['measure', 'profiles']
    }

    def "the top-level usage lists every verb with its description, from the verb classes' own annotations"() {
        when:
        def r = run('--help')

        then: 'each verb of Main.VERBS, described as its class says'
        groovy(r.loaded) == []
        Main.VERBS.keySet().every { r.out.contains("  ${it} ") }
        Main.commandLine().subcommands.values().every { sub ->
            def usage = sub.commandSpec.usageMessage()
            String first = (usage.header() ? usage.header() : usage.description())[0]   // picocli lists the header when there is one
            r.out.contains(first.split(' ').take(3).join(' '))
        }
    }

    def "measure snp prints sev-snp-measure's digest for its vector without Groovy"() {
        when:
        def r = run('measure', 'snp', '--mode', 'snp', '--vcpus', '4', '--vcpu-type', 'EPYC-v4', '--ovmf',
                Repo.fixture('snp/sev-snp-measure/ovmf_AmdSev_suffix.bin').toString(),
                '--kernel', '/dev/null', '--initrd', '/dev/null', '--append', 'console=ttyS0')

        then: 'the digest sev-snp-measure (virtee, Python) prints for these arguments'
        r.out.trim().readLines()[-1] == '1906335189b8ba73ddc944770941b36d00032a70c001a7d3e490f19adba5fcb42f1ba2c4d203397ee0e2e433a2b3be29'
        groovy(r.loaded) == []
    }

    def "the control: a recipe verb does load Groovy"() {
        expect:
        groovy(run('steps', 'digest').loaded).contains('groovy.lang.GroovyObject')
    }
}
