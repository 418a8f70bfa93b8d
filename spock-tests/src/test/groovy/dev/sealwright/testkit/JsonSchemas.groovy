package dev.sealwright.testkit

import java.nio.file.Files
import java.nio.file.Path

/** A JSON document validated against a schema of docs/schemas/ by an independent validator: python3-jsonschema, Draft 2020-12. */
class JsonSchemas {
    /** A {@code $ref} to another schema (e.g. {@code vm.schema.json}) resolves among the schemas of the same folder, by their {@code $id}. */
    static final String VALIDATE = '''import glob, json, os, sys, jsonschema
schema = json.load(open(sys.argv[1]))
jsonschema.Draft202012Validator.check_schema(schema)
others = [json.load(open(f)) for f in sorted(glob.glob(os.path.join(os.path.dirname(os.path.abspath(sys.argv[1])), '*.schema.json')))]
store = {s['$id']: s for s in others if '$id' in s}
resolver = jsonschema.RefResolver.from_schema(schema, store=store)   # Debian's python3-jsonschema 4.10 (no referencing package)
jsonschema.Draft202012Validator(schema, resolver=resolver, format_checker=jsonschema.FormatChecker()).validate(json.load(open(sys.argv[2])))
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
