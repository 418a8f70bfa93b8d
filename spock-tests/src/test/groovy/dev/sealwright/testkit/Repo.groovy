package dev.sealwright.testkit

import java.nio.file.Files
import java.nio.file.Path

/** Paths of the repository and the shared fixtures, and a check that a tool a test needs is present. */
class Repo {
    static Path root() {
        def p = System.getProperty('sealwright.repo') ?: System.getenv('SEALWRIGHT_REPO') ?: '.'
        Path.of(p).toAbsolutePath().normalize()
    }

    static Path path(String rel) { root().resolve(rel) }

    /** ../shared/fixtures/... as the specs require (never copied into the project). */
    static Path fixture(String rel) {
        def p = root().resolve('../shared/fixtures').resolve(rel).normalize()
        assert Files.exists(p): "fixture ${p} is missing: the shared fixtures must sit beside the repository"
        return p
    }

    /** Fails (never skips) with the install hint when a tool the test needs is missing. */
    static Path requireTool(String name) {
        def found = new dev.sealwright.tools.Tools().locate(name)
        assert found.isPresent(): "${name} is required by this test: ${new dev.sealwright.tools.ToolNotFoundException(name, dev.sealwright.tools.ToolRegistry.get(name)?.debianPackage()).message}; .ci/install-deps installs it"
        return found.get()
    }
}
