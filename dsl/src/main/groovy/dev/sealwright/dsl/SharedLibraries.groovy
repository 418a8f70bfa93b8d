package dev.sealwright.dsl

import dev.sealwright.base.AtomicFiles
import dev.sealwright.base.RecipeException

import java.nio.charset.StandardCharsets
import java.nio.file.Files
import java.nio.file.Path
import java.security.MessageDigest
import java.util.zip.ZipFile

/**
 * Recipe libraries shared outside the distribution, pinned in {@code recipes.lock} beside the recipe:
 * <ul>
 * <li>{@code use 'git+https://host/tee-recipes.git@v1.2'} (or {@code git+file://}): the repository is cloned bare into
 *     the workspace cache ({@code .sealwright/recipes/git/}); its {@code library.groovy} at the tag's commit is loaded and
 *     the commit is locked;</li>
 * <li>{@code use 'org.example:tee-recipes:1.2.0'}: a jar holding {@code sealwright/recipes/NAME/library.groovy} (and an
 *     {@code INDEX}), resolved in Maven repository layout from the recipe's {@code repository:} URLs, the user's local
 *     repository ({@code ~/.m2/repository}) and Maven Central, copied into the workspace cache
 *     ({@code .sealwright/recipes/maven/}); its SHA-256 is locked.</li>
 * </ul>
 * A locked entry is reproduced exactly (the locked commit, a jar of the locked SHA-256); when the source cannot be
 * reached, the cached copy is used and a line says so.
 */
class SharedLibraries {
    /** Maven Central; the system property sealwright.recipes.central replaces it ('' leaves it out: tests, air-gapped hosts). */
    static String central() { System.getProperty('sealwright.recipes.central', 'https://repo.maven.apache.org/maven2/') }

    final Path cache
    final RecipesLock lock
    /** Where "offline: ..." notes go (the run's standard error). */
    final PrintStream notes

    SharedLibraries(Path workdir, Path recipeDir, PrintStream notes = System.err) {
        this.cache = workdir.toAbsolutePath().resolve('.sealwright/recipes')
        this.lock = new RecipesLock(recipeDir.resolve('recipes.lock'))
        this.notes = notes
    }

    static boolean isGit(String spec) { spec.startsWith('git+') }

    /** group:artifact:version (no path, no URL). */
    static boolean isMaven(String spec) { spec ==~ /[A-Za-z0-9_.\-]+:[A-Za-z0-9_.\-]+:[A-Za-z0-9_.\-]+/ }

    // ---- git ----

    RecipeLibrary git(String spec) {
        int at = spec.lastIndexOf('@')
        if (at < 0 || at < spec.indexOf('://')) throw new RecipeException("recipe library ${spec}: name a tag or commit, e.g. ${spec}@v1.0")
        String url = spec.substring(4, at), ref = spec.substring(at + 1)
        if (!(url ==~ /[a-z][a-z0-9+.\-]*:\/\/.+/) || ref.startsWith('-') || ref.isEmpty())
            throw new RecipeException("recipe library ${spec}: not git+SCHEME://…@TAG (e.g. git+https://host/lib.git@v1.0)")
        Path dir = cache.resolve('git').resolve(sha256(url.getBytes(StandardCharsets.UTF_8)).substring(0, 24) + '.git')
        Map locked = lock.get(spec)
        String commit = locked?.commit as String
        if (!Files.isDirectory(dir)) {
            Files.createDirectories(dir.parent)
            gitOk(null, "init", "--quiet", "--bare", dir.toString())
        }
        if (commit == null || !has(dir, commit)) {
            def fetch = run(dir, 'fetch', '--quiet', '--force', url, '+refs/tags/*:refs/tags/*', '+refs/heads/*:refs/heads/*')
            if (fetch.exit != 0) {
                String cached = commit ?: revParse(dir, ref)
                if (cached == null || !has(dir, cached))
                    throw new RecipeException("recipe library ${spec}: cannot fetch ${url}: ${fetch.err.readLines().find { it.trim() } ?: 'git fetch failed'}")
                notes.println("recipe library ${spec}: offline (${fetch.err.readLines().find { it.trim() }?.trim() ?: 'fetch failed'}), using the cached clone at ${cached}")
                commit = cached
            }
        }
        if (commit == null) commit = revParse(dir, ref)
        if (commit == null) throw new RecipeException("recipe library ${spec}: ${url} has no tag, branch or commit '${ref}'")
        def show = run(dir, 'show', "${commit}:library.groovy")
        if (show.exit != 0) throw new RecipeException("recipe library ${spec}: no library.groovy at the top of ${url} at ${ref} (${commit})")
        def lib = RecipeLibraries.load(show.out, "${spec} (${commit})")
        checkVersion(spec, lib, ref.replaceFirst(/^v(?=\d)/, ''))
        lock.put(spec, [name: lib.name, version: lib.version, commit: commit])
        lib.pin = [from: spec, commit: commit]
        lib
    }

    private String revParse(Path dir, String ref) {
        def r = run(dir, 'rev-parse', '--verify', '--quiet', "${ref}^{commit}")
        r.exit == 0 ? r.out.trim() : null
    }

    private boolean has(Path dir, String commit) { run(dir, 'cat-file', '-e', "${commit}^{commit}").exit == 0 }

    private static Map run(Path dir, String... args) {
        def cmd = ['git'] + (dir == null ? [] : ['--git-dir', dir.toString()]) + (args as List)
        def pb = new ProcessBuilder(cmd)
        pb.environment().put('GIT_TERMINAL_PROMPT', '0')
        def p = pb.start()
        def out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream()
        p.waitForProcessOutput(out, err)      // both streams read to the end before the exit value is taken
        int exit = p.waitFor()
        [exit: exit, out: out.toString('UTF-8'), err: err.toString('UTF-8')]
    }

    private static void gitOk(Path dir, String... args) {
        def r = run(dir, args)
        if (r.exit != 0) throw new RecipeException("git ${args[0]} failed: ${(r.err as String).readLines().find { it.trim() }}")
    }

    // ---- Maven ----

    RecipeLibrary maven(String spec, List<String> repositories, String name) {
        def (String group, String artifact, String version) = spec.split(':') as List
        String rel = "${group.replace('.', '/')}/${artifact}/${version}/${artifact}-${version}.jar"
        Path jar = cache.resolve('maven').resolve(rel)
        Map locked = lock.get(spec)
        if (!(locked != null && Files.isRegularFile(jar) && sha256(Files.readAllBytes(jar)) == locked.sha256)) {
            def sources = repositories + [Path.of(System.getProperty('user.home'), '.m2/repository').toUri().toString(), central()].findAll { it }
            List<String> tried = []
            byte[] bytes = null
            for (String repo : sources) {
                String url = repo.endsWith('/') ? repo + rel : repo + '/' + rel
                try {
                    bytes = new URL(url).openConnection().with { connectTimeout = 10_000; readTimeout = 60_000; inputStream.withCloseable { it.bytes } }
                    break
                } catch (IOException e) {
                    tried << "${url} (${e.getClass().simpleName})"
                }
            }
            if (bytes == null) {
                if (!Files.isRegularFile(jar)) throw new RecipeException("recipe library ${spec}: not found in ${tried.join(', ')}")
                notes.println("recipe library ${spec}: offline (no repository answered), using the cached jar ${jar}")
            } else {
                if (locked != null && sha256(bytes) != locked.sha256)
                    throw new RecipeException("recipe library ${spec}: recipes.lock pins sha256 ${locked.sha256} but the repository serves ${sha256(bytes)}; delete its entry to accept the new jar")
                Files.createDirectories(jar.parent)
                AtomicFiles.write(jar, bytes)
            }
        }
        def lib = fromJar(spec, jar, name)
        checkVersion(spec, lib, version)
        String digest = sha256(Files.readAllBytes(jar))
        lock.put(spec, [name: lib.name, version: lib.version, sha256: digest])
        lib.pin = [from: spec, sha256: digest]
        lib
    }

    private static RecipeLibrary fromJar(String spec, Path jar, String wanted) {
        new ZipFile(jar.toFile()).withCloseable { zip ->
            def index = zip.getEntry('sealwright/recipes/INDEX')
            List<String> names = index == null ? [] : zip.getInputStream(index).getText('UTF-8').readLines()*.trim().findAll { it }
            if (names.isEmpty()) throw new RecipeException("recipe library ${spec}: ${jar.fileName} has no sealwright/recipes/INDEX")
            String name = wanted ?: (names.size() == 1 ? names[0] : null)
            if (name == null) throw new RecipeException("recipe library ${spec} holds ${names.join(', ')}: name one, e.g. use '${spec}', library: '${names[0]}'")
            def entry = zip.getEntry("sealwright/recipes/${name}/library.groovy")
            if (entry == null) throw new RecipeException("recipe library ${spec}: ${jar.fileName} has no library ${name} (it holds ${names.join(', ')})")
            RecipeLibraries.load(zip.getInputStream(entry).getText('UTF-8'), "${spec}!sealwright/recipes/${name}/library.groovy")
        }
    }

    /** The library must declare a version the tag or artifact version names (tag v1.2 → 1.2.x). */
    private static void checkVersion(String spec, RecipeLibrary lib, String wanted) {
        if (wanted ==~ /\d+(\.\d+)*/ && !lib.satisfies(wanted))
            throw new RecipeException("recipe library ${spec}: it declares ${lib.name} version ${lib.version}, not ${wanted}")
    }

    static String sha256(byte[] b) { MessageDigest.getInstance('SHA-256').digest(b).encodeHex().toString() }
}
