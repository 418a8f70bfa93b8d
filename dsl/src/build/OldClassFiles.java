import java.lang.classfile.ClassFile;
import java.lang.classfile.ClassFileVersion;
import java.lang.classfile.ClassHierarchyResolver;
import java.lang.classfile.ClassModel;
import java.lang.classfile.ClassTransform;
import java.lang.classfile.CodeTransform;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;

/**
 * {@code java OldClassFiles.java IN.jar OUT.jar} (JDK 24+, java.lang.classfile): copies IN.jar, rewriting
 * every class file older than Java 6 (major version 49 and below) as version 52 with stack maps
 * generated for its unchanged code; other entries are copied as they are. Run by the launcher's build
 * on its copy of picocli in dsl/target/lib: the JVM never puts an old class into a class-data archive
 * once it is linked, so without this every fresh JVM loads picocli's ~170 classes from the jar and
 * verifies them with the old verifier (docs/daemon.md, "Start-up without the daemon"). Prints how
 * many classes it rewrote.
 */
public class OldClassFiles {
    public static void main(String[] args) throws Exception {
        Path in = Path.of(args[0]), out = Path.of(args[1]);
        // stack maps need the common superclass of two types: the jar's own classes, then the JDK's
        ClassHierarchyResolver jarClasses = ClassHierarchyResolver.ofResourceParsing(new URLClassLoader(new URL[] {in.toUri().toURL()}, null));
        ClassFile classFile = ClassFile.of(ClassFile.StackMapsOption.GENERATE_STACK_MAPS,
                ClassFile.ClassHierarchyResolverOption.of(ClassHierarchyResolver.defaultResolver().orElse(jarClasses)));
        ClassTransform upgrade = ClassTransform.transformingMethodBodies(CodeTransform.ACCEPT_ALL)   // rebuilt code gets stack maps
                .andThen((builder, element) -> builder.with(element instanceof ClassFileVersion ? ClassFileVersion.of(ClassFile.JAVA_8_VERSION, 0) : element));
        int rewritten = 0;
        try (ZipInputStream zin = new ZipInputStream(Files.newInputStream(in)); ZipOutputStream zout = new ZipOutputStream(Files.newOutputStream(out))) {
            for (ZipEntry e; (e = zin.getNextEntry()) != null; ) {
                byte[] bytes = zin.readAllBytes();
                if (e.getName().endsWith(".class") && !e.getName().startsWith("META-INF/") && !e.getName().endsWith("module-info.class")) {
                    ClassModel model = classFile.parse(bytes);
                    if (model.majorVersion() < ClassFile.JAVA_6_VERSION) {
                        bytes = classFile.transformClass(model, upgrade);
                        rewritten++;
                    }
                }
                ZipEntry copy = new ZipEntry(e.getName());
                copy.setTime(e.getTime());
                zout.putNextEntry(copy);
                zout.write(bytes);
                zout.closeEntry();
            }
        }
        System.out.println(rewritten);
    }
}
