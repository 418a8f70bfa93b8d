package dev.sealwright.dsl

import dev.sealwright.Sealwright
import groovy.transform.CompileStatic
import org.codehaus.groovy.control.CompilationUnit
import org.codehaus.groovy.control.CompilerConfiguration
import org.codehaus.groovy.control.Phases
import org.codehaus.groovy.control.customizers.ImportCustomizer

import java.nio.charset.StandardCharsets
import java.nio.file.Files
import java.nio.file.Path
import java.nio.file.StandardCopyOption
import java.security.MessageDigest

/**
 * Compiles recipes to classes and keeps them in a per-user cache keyed by the recipe text, its
 * file name and the DSL build, as Gradle caches compiled build scripts: loading an unchanged
 * recipe skips the Groovy compiler entirely.
 */
@CompileStatic
class CompiledRecipes {
    /**
     * Class-file version of compiled recipes: Java 17's, as the rest of the code, whatever JVM compiles
     * them (Groovy's default is the running JVM's), so that a recipe compiled by the launcher on a newer
     * JDK still loads on Java 17. Part of the cache key.
     */
    static final String TARGET_BYTECODE = CompilerConfiguration.JDK17

    static CompilerConfiguration configuration() {
        def config = new CompilerConfiguration()
        config.targetBytecode = TARGET_BYTECODE
        config.scriptBaseClass = RecipeScript.name
        config.sourceEncoding = 'UTF-8'
        config.addCompilationCustomizers(new ImportCustomizer().addImports('java.nio.file.Path'))
        return config
    }

    static Class<Script> scriptClass(String text, String fileName) {
        System.setProperty('groovy.grape.enable', 'false')
        Path dir = cacheRoot().resolve(key(text, fileName))
        Path mainClass = dir.resolve('main-class')
        if (!Files.isRegularFile(mainClass)) compile(text, fileName, dir)
        def loader = new GroovyClassLoader(RecipeLoader.classLoader)
        loader.addURL(dir.toUri().toURL())
        return (Class<Script>) loader.loadClass(Files.readString(mainClass).trim())
    }

    private static void compile(String text, String fileName, Path dir) {
        Files.createDirectories(dir.parent)
        Path tmp = Files.createTempDirectory(dir.parent, 'compiling-')
        try {
            def config = configuration()
            config.targetDirectory = tmp.toFile()
            def unit = new CompilationUnit(config, null, new GroovyClassLoader(RecipeLoader.classLoader, config))
            unit.addSource(fileName, text)
            unit.compile(Phases.OUTPUT)
            String main = unit.AST.modules.collectMany { it.classes }.find { it.script }?.name
            Files.writeString(tmp.resolve('main-class'), main + '\n')
            try {
                Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE)
            } catch (IOException raced) {
                // another process stored the same recipe first; theirs is identical
            }
        } finally {
            if (Files.exists(tmp)) tmp.toFile().deleteDir()
        }
    }

    private static String key(String text, String fileName) {
        def md = MessageDigest.getInstance('SHA-256')
        md.update("${fileName}\u0000${Sealwright.version()}\u0000${GroovySystem.version}\u0000${dslBuild()}\u0000${TARGET_BYTECODE}\u0000".toString().getBytes(StandardCharsets.UTF_8))
        md.update(text.getBytes(StandardCharsets.UTF_8))
        return md.digest().encodeHex().toString()
    }

    /** Identity of the DSL classes the compiled recipe links against (jar or class dir size and mtime). */
    private static String dslBuild() {
        def location = Path.of(RecipeScript.protectionDomain.codeSource.location.toURI())
        def f = Files.isDirectory(location) ? location.resolve(RecipeScript.name.replace('.', '/') + '.class') : location
        return "${Files.size(f)}-${Files.getLastModifiedTime(f).toMillis()}"
    }

    private static Path cacheRoot() {
        String xdg = System.getenv('XDG_CACHE_HOME')
        Path base = xdg ? Path.of(xdg) : Path.of(System.getProperty('user.home'), '.cache')
        return base.resolve('sealwright').resolve('recipes')
    }
}
