package dev.sealwright.testkit

import java.nio.file.Files
import java.nio.file.Path

/** A JSON document validated against a schema of docs/schemas/ by an independent validator: python3-jsonschema, Draft 2020-12. */
class JsonSchemas {
    static final String VALIDATE = '''import json, sys, jsonschema
schema = json.load(open(sys.argv[1]))
jsonschema.Draft202012Validator.check_schema(schema)
jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker()).validate(json.load(open(sys.argv[2])))
'''

    /** Exit status (0: valid) and output of the validator on DOCUMENT against SCHEMA. */
    static Map validate(Path schema, String document) {
        Repo.requireTool('/usr/bin/python3')
        def doc = Files.createTempFile('doc', '.json')
        try {
            Files.writeString(doc, document)
            def p = new ProcessBuilder('/usr/bin/python3', '-c', VALIDATE, schema.toString(), doc.toString()).redirectErrorStream(true).start()
            String out = p.inputStream.text
            [exit: p.waitFor(), out: out]
        } finally {
            Files.delete(doc)
        }
    }
}
