package dev.sealwright.cli

import dev.sealwright.testkit.Cli
import dev.sealwright.testkit.Repo
import picocli.CommandLine
import picocli.CommandLine.Model.ArgSpec
import spock.lang.Specification
import spock.lang.TempDir

import java.nio.file.Files
import java.nio.file.Path
import java.nio.file.attribute.PosixFilePermissions

/** Help, completion, suggestions, exit codes and permission errors of the real CLI (issue 19, "Discoverability"). */
class CliDiscoverabilitySpec extends Specification {
    @TempDir
    Path work

    /** Every command of the full model, as the words that invoke it. */
    static List<List<String>> commandPaths(CommandLine c = Main.commandLine(), List<String> path = []) {
        List<List<String>> all = [path]
        c.subcommands.each { String name, CommandLine sub -> if (name == sub.commandName) all.addAll(commandPaths(sub, path + [name])) }
        all
    }

    static CommandLine command(CommandLine root, List<String> path) {
        CommandLine c = root
        path.each { c = c.subcommands[it] }
        c
    }

    def "every command and subcommand has --help (exit 0) and describes itself, every option and every positional"() {
        given:
        def root = Main.commandLine()
        def paths = commandPaths(root)

        expect: 'the walk covers the tree (new commands are included automatically)'
        paths.size() > 60
        paths.contains(['recipes', 'list'])
        paths.contains(['luks', 'token', 'add'])

        and:
        paths.each { List<String> path ->
            def r = Cli.run(*(path + ['--help']))
            assert r.exitCode == 0: "${path.join(' ')} --help: ${r}"
            assert r.out.contains("Usage: ${(['sealwright'] + path).join(' ')} "): "${path.join(' ')} --help: ${r.out}"
            def spec = command(root, path).commandSpec
            assert spec.usageMessage().description().any { it.trim() }: "${path.join(' ')} has no description"
            (spec.options() + spec.positionalParameters()).findAll { ArgSpec a -> !a.hidden() }.each { ArgSpec a ->
                assert a.description().any { it.trim() }: "${path.join(' ')}: ${a.isOption() ? a.toString() : a.paramLabel()} has no description"
            }
        }
    }

    def "the main verbs show examples; a group command alone prints its full usage with the sealwright prefix"() {
        expect:
        [['run'], ['plan'], ['steps'], ['recipes'], ['measure', 'tdx'], ['luks', 'format'], ['verity', 'format'], ['disk', 'encrypt'],
         ['quote', 'verify'], ['launch'], ['doctor'], ['completion']].every { List<String> p ->
            def r = Cli.run(*(p + ['--help']))
            assert r.exitCode == 0 && r.out.contains('Examples:') && r.out.contains("  sealwright ${p[0]}"): "${p}: ${r}"
            true
        }
        with(Cli.run()) { exitCode == 0 && out.startsWith('Usage: sealwright') && out.contains('Commands:') && out =~ /(?m)^  luks\s+LUKS2/ }
        with(Cli.run('luks')) { exitCode == 0 && out.startsWith('Usage: sealwright luks') && out.contains('Commands:') && out.contains('dump') }
        with(Cli.run('verity', 'format', '--help')) { out =~ /(?m)^\s+DATA\s+data image/ && out =~ /--data-block-size=BYTES\s*\n?\s+data block size/ }
    }

    def "a mistyped option, verb or subcommand gets the nearest one suggested (exit 2)"() {
        expect:
        with(Cli.run('uki', 'inspect', '--jsn', 'x.efi')) { exitCode == 2 && err.contains("Unknown option: '--jsn'; did you mean --json?") }
        with(Cli.run('lusk', 'dump', 'x.img')) { exitCode == 2 && err.contains("unknown command 'lusk' for sealwright; did you mean luks?") }
        with(Cli.run('luks', 'dumb', 'x.img')) { exitCode == 2 && err.contains("unknown command 'dumb' for sealwright luks; did you mean dump?") }
        with(Cli.run('steps', 'extrct')) { exitCode == 2 && err.startsWith("sealwright: unknown step type 'extrct'; did you mean extract?") }
    }

    def "a recipe typo names the nearest step type or step option"() {
        given:
        def recipe = work.resolve('typo.groovy')
        Files.writeString(recipe, "pipeline('t') {\n    def a = archive { from file('.') }\n    extrct { archive a.archive }\n}\n")
        def option = work.resolve('option.groovy')
        Files.writeString(option, "pipeline('t') {\n    def a = archive { form file('.') }\n}\n")

        expect:
        with(Cli.run('plan', recipe.toString(), '-C', work.toString())) {
            exitCode == 1 && err.readLines()[0] == "typo.groovy:3:5: no step or function 'extrct({ })'; did you mean extract?"
        }
        with(Cli.run('plan', option.toString(), '-C', work.toString())) {
            exitCode == 1 && err.readLines()[0].startsWith("option.groovy:2:23: unknown option 'form' for step archive; did you mean from? (known: ")
        }
    }

    def "usage errors exit 2 on every kind of verb: bad -p value, options that exclude or need each other, bad option values"() {
        given:
        def data = work.resolve('data.img')
        Files.write(data, new byte[8192])
        def checksummed = Repo.path('samples/checksummed.groovy').toString()

        expect:
        args.collect { it.replace('DATA', data.toString()).replace('RECIPE', checksummed).replace('WORK', work.toString()) }.with { a ->
            def r = Cli.run(*a)
            assert r.exitCode == 2: "${a}: ${r}"
            assert r.err.startsWith("sealwright: ${message}"): "${a}: ${r}"
            assert r.err.contains('try: sealwright '): "${a}: ${r}"
            true
        }

        where:
        args                                                                             | message
        ['run', 'RECIPE', '-p', 'epoch=abc', '-C', 'WORK']                               | '-p epoch=abc: expected integer'
        ['plan', 'RECIPE', '-p', 'epoch=abc', '-C', 'WORK']                              | '-p epoch=abc: expected integer'
        ['run', 'RECIPE', '-p', 'nosuch=1', '-C', 'WORK']                                | 'unknown parameter nosuch'
        ['verity', 'format', 'DATA', 'WORK/h', '--salt', 'xyz']                          | '--salt: not a hex string'
        ['verity', 'format', 'DATA', 'WORK/h', '--data-block-size', '1000']              | '--data-block-size: verity format: block size 1000'
        ['verity', 'verify', 'DATA', 'DATA']                                             | 'verity verify: give ROOT_HASH or --root-hash-file'
        ['disk', 'encrypt', 'DATA', '--generate-key', 'WORK/k']                          | 'disk encrypt: -o OUT (or --in-place) is required'
        ['luks', 'format', 'DATA', '--generate-key', 'WORK/k', '--pbkdf', 'scrypt']      | "--pbkdf must be pbkdf2, argon2id or argon2i"
        ['measure', 'tdx', '--initrd', 'DATA']                                           | '--initrd and --cmdline go with --kernel'
        ['initramfs', 'WORK', '-o', 'WORK/i.cpio.gz', '--level', '12']                   | '--level must be 1-9'
        ['uefi', 'config', '-o', 'WORK/u.json']                                          | 'uefi config needs exactly one of'
        ['verity', 'verify', 'DATA', 'DATA', 'zz']                                       | 'ROOT_HASH: the root hash is not hex'
        ['recipes', 'show', 'nosuchlib']                                                 | "unknown recipe library 'nosuchlib'"
        ['completion', 'tcsh']                                                           | "unknown shell 'tcsh'"
        ['verity', 'format', 'DATA']                                                     | "Missing required parameter: 'HASH'"
        ['measure', 'profiles', 'extra']                                                 | 'Unmatched argument'
        ['measure', 'tdx', '--firmware', 'DATA', '--memory', '2X']                       | "--memory: memory '2X' is not a size like 512M or 2G"
        ['launch', '--firmware', 'DATA', '--kernel', 'DATA', '--tee', 'sev']             | "--tee: unknown tee 'sev'"
    }

    def "an unreadable input file is reported as permission denied, naming the file (CLI run as nobody: root reads everything)"() {
        given:
        def setpriv = Repo.requireTool('setpriv')
        Files.setPosixFilePermissions(work, PosixFilePermissions.fromString('rwxr-xr-x'))
        def file = work.resolve('secret.img')
        Files.write(file, new byte[65536])
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString('rw-------'))
        def target = Repo.path('dsl/target')

        expect:
        [['uki', 'inspect'], ['quote', 'show'], ['luks', 'dump'], ['eventlog', 'show']].every { List<String> verb ->
            def cmd = [setpriv.toString(), '--reuid=nobody', '--regid=nogroup', '--clear-groups', 'java', '-XX:TieredStopAtLevel=1',
                       '-cp', "${target}/classes:${target}/lib/*".toString(), 'dev.sealwright.cli.Main'] + verb + [file.toString()]
            def p = new ProcessBuilder(cmd).directory(work.toFile()).start()
            String err = p.errorStream.text
            int code = p.waitFor()
            assert code == 1: "${verb}: exit ${code}: ${err}"
            assert err.readLines().size() == 1 && err.contains("${file}: permission denied"): "${verb}: ${err}"
            true
        }
    }

    static List<String> shell(List<String> cmd) {
        def p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start()
        String out = p.inputStream.text
        assert p.waitFor() == 0: "${cmd}: ${out}"
        out.readLines()
    }

    def "completion scripts load in bash, zsh and fish and complete a verb, an option, a step type and a profile"() {
        given:
        Repo.requireTool('zsh')
        Repo.requireTool('fish')
        def bashScript = work.resolve('sealwright.bash')
        Files.writeString(bashScript, Cli.run('completion', 'bash').out)
        def zshScript = work.resolve('sealwright.zsh')
        Files.writeString(zshScript, Cli.run('completion', 'zsh').out)
        def fishScript = work.resolve('sealwright.fish')
        Files.writeString(fishScript, Cli.run('completion', 'fish').out)
        def driver = work.resolve('driver.zsh')
        Files.writeString(driver, getClass().getResource('complete-on-pty.zsh').text)
        def bash = { String... words ->
            shell(['bash', '-c', 'source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}; ' +
                    '_complete_sealwright; printf "%s\\n" "${COMPREPLY[@]}"', 'bash', bashScript.toString()] + (words as List))
        }
        def fish = { String line -> shell(['fish', '-c', 'source $argv[1]; complete -C $argv[2]', fishScript.toString(), line])*.replaceAll(/\t.*/, '') }

        expect: 'bash: the completion function on COMP_WORDS, as bash calls it'
        bash('sealwright', 'lu') == ['luks']
        bash('sealwright', 'uki', 'inspect', '--js') == ['--json']
        bash('sealwright', 'steps', 'extr') == ['extract']
        bash('sealwright', 'measure', 'tdx', '--profile', 'qemu') == ['qemu-10']
        bash('sealwright', 'recipes', 'show', '') .size() > 0

        and: 'zsh: TAB pressed in an interactive zsh (compinit + bashcompinit) on a pty'
        shell(['zsh', '-f', driver.toString(), zshScript.toString(), 'sealwright lu', 'sealwright uki inspect --js', 'sealwright steps extr',
               'sealwright measure tdx --profile qemu']) ==
                ['LINE:sealwright luks', 'LINE:sealwright uki inspect --json', 'LINE:sealwright steps extract', 'LINE:sealwright measure tdx --profile qemu-10']

        and: 'fish: complete -C'
        fish('sealwright lu') == ['luks']
        fish('sealwright uki inspect --js') == ['--json']
        fish('sealwright steps extr') == ['extract']
        fish('sealwright measure tdx --profile qemu') == ['qemu-10']
        fish('sealwright luks token ').toSet() == ['add', 'list', 'remove'] as Set
    }
}
