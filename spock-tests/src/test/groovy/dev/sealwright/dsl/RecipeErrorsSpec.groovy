package dev.sealwright.dsl

import dev.sealwright.base.RecipeException
import spock.lang.Specification
import spock.lang.TempDir

import java.nio.file.Files
import java.nio.file.Path

/** Mistakes in a recipe are reported as recipe.groovy:LINE:COL with the offending line, at plan time. */
class RecipeErrorsSpec extends Specification {
    @TempDir
    Path dir

    Path recipe(String text) {
        Files.createDirectories(dir.resolve('data'))
        Files.writeString(dir.resolve('data/x.txt'), 'x')
        def f = dir.resolve('recipe.groovy')
        Files.writeString(f, text.stripIndent().strip() + '\n')
        f
    }

    String error(String text, Map<String, String> params = [:]) {
        try {
            RecipeLoader.load(recipe(text), params)
        } catch (RecipeException e) {
            return RecipeErrors.render(e)
        }
        throw new AssertionError('recipe loaded without error')
    }

    def "a valid recipe builds a pipeline whose graph follows the handles"() {
        when:
        def r = RecipeLoader.load(recipe('''
            pipeline('ok') {
                params { label = 'x' }
                def sums = digest { from file('data') }
                manifest('m') { files file('data'); sums sums.sums; title params.label }
            }'''.replace('sums sums.sums', 'sums(sums.sums)').replace('def sums', 'def list').replace('(sums.sums)', '(list.sums)')))

        then:
        r.pipeline.name() == 'ok'
        r.pipeline.steps()*.name() == ['digest', 'm']
        r.pipeline.step('m').dependencies() == ['digest'] as Set
        r.params == [label: 'x']
    }

    def "a syntax error points at its line and column"() {
        expect:
        error('''
            pipeline('p') {
                digest {
                    from file('data'
                }
            }''').readLines()[0] == "recipe.groovy:4:5: syntax error: unexpected input here (is a '(', '{' or quote above left open?)"
    }

    def "an unknown step option is an error at its own line, naming the known options"() {
        when:
        def msg = error('''
            pipeline('p') {
                digest {
                    from file('data')
                    algorithm 'md5'
                }
            }''')

        then:
        msg.readLines()[0] == "recipe.groovy:4:9: unknown option 'algorithm' for step digest (known: from)"
        msg.readLines()[1] == ' 4 |         algorithm \'md5\''
        msg.readLines()[2] == '   |         ^'
    }

    def "assigning an unknown option is caught too"() {
        expect:
        error('''
            pipeline('p') {
                digest {
                    from file('data')
                    colour = 'red'
                }
            }''').readLines()[0] == "recipe.groovy:4:9: unknown option 'colour' for step digest (known: from)"
    }

    def "a missing required option is reported at the step"() {
        expect:
        error('''
            pipeline('p') {
                def t = extract { }
            }''').readLines()[0] == "recipe.groovy:2:13: step extract (extract) needs option 'archive': tar or tar.gz file"
    }

    def "asking a handle for an output it lacks names the outputs it has"() {
        expect:
        error('''
            pipeline('p') {
                def s = digest { from file('data') }
                manifest { files s.checksums }
            }''').readLines()[0] == "recipe.groovy:3:24: step digest (digest) has no output 'checksums' (outputs: sums)"
    }

    def "an undeclared parameter and an unknown -p override are both errors"() {
        expect:
        error('''
            pipeline('p') {
                params { name = 'a' }
                manifest { files file('data'); title params.nmae }
            }''').readLines()[0] == "recipe.groovy:3:49: parameter 'nmae' is not declared in params { }; did you mean name? (declared: name)"

        and:
        error('''
            pipeline('p') {
                params { name = 'a' }
                manifest { files file('data'); title params.name }
            }''', [nmae: 'b']).readLines()[0] == 'unknown parameter nmae given with -p; did you mean name? (declared: name)'
    }

    def "-p overrides convert to the type of the default"() {
        when:
        def r = RecipeLoader.load(recipe('''
            pipeline('p') {
                params { epoch = 0; label = 'a'; strict = false }
                archive { from file('data'); mtime params.epoch }
            }'''), [epoch: '1700000000', label: 'b', strict: 'true'])

        then:
        r.params == [epoch: 1700000000, label: 'b', strict: true]
        r.pipeline.step('archive').options().mtime == 1700000000L

        expect: 'a value that does not convert is a command-line (usage) error, like an unknown name'
        error('''
            pipeline('p') {
                params { epoch = 0 }
                archive { from file('data'); mtime params.epoch }
            }''', [epoch: 'yesterday']).readLines()[0] == '-p epoch=yesterday: expected integer like the default (0)'
    }

    def "an unknown name or step is reported at its line"() {
        expect:
        error('''
            pipeline('p') {
                def t = extract { archive bundle.archive }
            }''').readLines()[0] == "recipe.groovy:2:31: unknown name 'bundle' in step extract"
        error('''
            pipeline('p') {
                frobnicate { }
            }''').readLines()[0].startsWith("recipe.groovy:2:5: no step or function 'frobnicate(")
    }

    def "a missing input file is reported at the step that names it"() {
        expect:
        error('''
            pipeline('p') {
                digest { from file('nope') }
            }''').readLines()[0] ==~ /recipe\.groovy:2:5: option 'from' of step digest: .*\/nope does not exist/
    }

    def "a recipe without a pipeline, or with two, is refused"() {
        expect:
        error('def x = 1').readLines()[0] == 'recipe.groovy:1:1: recipe.groovy declares no pipeline: add pipeline(\'name\') { ... }'
        error('''
            pipeline('a') { digest { from file('data') } }
            pipeline('b') { digest { from file('data') } }''').readLines()[0].startsWith("recipe.groovy:2:1: a recipe declares one pipeline")
    }
}
