package dev.sealwright.cli

import dev.sealwright.testkit.Cli
import dev.sealwright.testkit.Repo
import groovy.json.JsonSlurper
import spock.lang.Specification
import spock.lang.TempDir

import java.nio.file.Files
import java.nio.file.Path

/** --json output of the real CLI validated against docs/schemas/ by an independent validator (python3-jsonschema). */
class JsonSchemaSpec extends Specification {
    @TempDir
    Path work

    static final String VALIDATE = '''import json, sys, jsonschema
schema = json.load(open(sys.argv[1]))
jsonschema.Draft202012Validator.check_schema(schema)
jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker()).validate(json.load(open(sys.argv[2])))
'''

    /** Exit status and output of python3-jsonschema validating DOC against SCHEMA. */
    Map validate(Path schema, String document) {
        def doc = Files.createTempFile(work, 'doc', '.json')
        Files.writeString(doc, document)
        def p = new ProcessBuilder('/usr/bin/python3', '-c', VALIDATE, schema.toString(), doc.toString()).redirectErrorStream(true).start()
        String out = p.inputStream.text
        [exit: p.waitFor(), out: out]
    }

    def "#args --json validates against docs/schemas/#schema, in snake_case; --json=short is the same document on one line"() {
        given:
        Repo.requireTool('/usr/bin/python3')
        def schemaFile = Repo.path("docs/schemas/${schema}")

        when:
        def pretty = Cli.run(*(args + ['--json']))
        def short_ = Cli.run(*(args + ['--json=short']))
        def checked = validate(schemaFile, pretty.out)

        then:
        pretty.exitCode == 0
        assert checked.exit == 0: checked.out
        short_.exitCode == 0
        short_.out.readLines().size() == 1
        new JsonSlurper().parseText(short_.out) == new JsonSlurper().parseText(pretty.out)
        keys(new JsonSlurper().parseText(pretty.out)).every { it ==~ /[a-z0-9]+(_[a-z0-9]+)*/ }

        and: 'the schema is not vacuous: a camelCase key is rejected'
        validate(schemaFile, pretty.out.replaceFirst(/"([a-z0-9]+)_([a-z])/, { all, a, b -> "\"${a}${b.toUpperCase()}" })).exit != 0 || !pretty.out.contains('_')

        where:
        args                    | schema
        ['steps']               | 'steps.schema.json'
        ['steps', 'extract']    | 'steps.schema.json'
        ['measure', 'profiles'] | 'measure-profiles.schema.json'
        ['doctor']              | 'doctor.schema.json'
    }

    def "--json takes pretty or short only (usage error otherwise)"() {
        expect:
        with(Cli.run('steps', '--json=xml')) { exitCode == 2 && err.startsWith('sealwright: --json=xml: expected pretty or short') }
    }

    static List<String> keys(Object json) {
        json instanceof Map ? ((Map) json).collectMany { k, v -> [k as String] + keys(v) } :
                json instanceof List ? ((List) json).collectMany { keys(it) } : []
    }
}
