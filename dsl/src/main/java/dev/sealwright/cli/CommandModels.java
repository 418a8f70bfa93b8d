package dev.sealwright.cli;

import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.ArgGroupSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.IGetter;
import picocli.CommandLine.Model.ISetter;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.UsageMessageSpec;
import picocli.CommandLine.Range;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Field;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The picocli models of the Java verbs a fresh JVM runs most ({@link #CLASSES}), read from their annotations at build
 * time (the {@code verb-index} execution in dsl/pom.xml, with {@link VerbIndex}) into {@code dev/sealwright/cli/models/NAME.bin},
 * and rebuilt at run time through picocli's programmatic API, bound to the same fields. Reading an annotation makes the
 * JDK generate a proxy class per annotation type; on JDK 25 that spins the ClassFile API up, tens of milliseconds of a
 * start-up that is otherwise ~100 ms, and no class-data archive can hold such a class. The annotations stay the one
 * declaration of each verb; {@code CommandModelsSpec} checks that the rebuilt model prints the same usage and parses
 * the same values as the annotated one. A class with no model (every Groovy verb) is reflected on as before.
 * <p>
 * Supported: options (of the command, its {@code @Mixin}s and its {@code @ArgGroup}s, whose fields must be set in a new
 * instance), {@code mixinStandardHelpOptions}, a version provider, {@code @Spec} fields and the usage texts; a class using
 * more (positional parameters, converters, subcommands declared in the annotation) fails the build.
 */
public final class CommandModels {
    /** The verbs with a model: {@code --version}, {@code measure snp|tdx|profiles} and their group. */
    static final List<Class<?>> CLASSES = List.of(Main.class, MeasureCommand.class, MeasureSnpCommand.class,
            MeasureTdxCommand.class, MeasureProfilesCommand.class);
    private static final String DIR = "models/";

    private CommandModels() {}

    /** A new command line for a new instance of {@code type}, from its model; null when it has none. */
    static CommandLine commandLine(Class<?> type) {
        try (InputStream in = CommandModels.class.getResourceAsStream(DIR + type.getSimpleName() + ".bin")) {
            if (in == null) return null;
            return new CommandLine(read(new DataInputStream(in), type));
        } catch (Exception e) {
            throw new IllegalStateException("command model of " + type.getName() + " unreadable: " + e, e);
        }
    }

    // ---- build time: from the annotations ----

    /** Writes the model of each of {@link #CLASSES} into the class directory {@code classDir}. */
    static void write(Path classDir) throws IOException {
        Path dir = classDir.resolve(CommandModels.class.getPackageName().replace('.', '/')).resolve(DIR);
        Files.createDirectories(dir);
        for (Class<?> type : CLASSES) {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            write(new DataOutputStream(bytes), type);
            Files.write(dir.resolve(type.getSimpleName() + ".bin"), bytes.toByteArray());
        }
    }

    private static void write(DataOutputStream out, Class<?> type) throws IOException {
        CommandSpec spec = new CommandLine(type).getCommandSpec();
        require(spec.positionalParameters().isEmpty(), type, "positional parameters");
        require(spec.subcommands().isEmpty(), type, "subcommands in the annotation");
        Map<Field, List<String>> paths = new HashMap<>();   // Field.equals: the same field from another lookup
        List<List<String>> specPaths = new ArrayList<>();
        List<List<String>> groupPaths = new ArrayList<>();
        fieldPaths(type, new ArrayList<>(), paths, specPaths, groupPaths, type);
        out.writeUTF(spec.name());
        UsageMessageSpec u = spec.usageMessage();
        strings(out, u.header());
        strings(out, u.description());
        strings(out, u.footer());
        strings(out, u.customSynopsis());
        for (String s : new String[] {u.headerHeading(), u.synopsisHeading(), u.descriptionHeading(), u.parameterListHeading(),
                u.optionListHeading(), u.commandListHeading(), u.footerHeading()}) out.writeUTF(s);
        out.writeBoolean(u.sortOptions());
        out.writeBoolean(u.abbreviateSynopsis());
        out.writeBoolean(u.showDefaultValues());
        out.writeBoolean(u.hidden());
        out.writeUTF(spec.versionProvider() == null ? "" : spec.versionProvider().getClass().getName());
        out.writeInt(specPaths.size());
        for (List<String> p : specPaths) strings(out, p.toArray(new String[0]));
        List<ArgGroupSpec> groups = spec.argGroups();
        require(groups.size() == groupPaths.size(), type, "argument groups not on a field of the command");
        out.writeInt(groups.size());
        for (int g = 0; g < groups.size(); g++) {
            ArgGroupSpec group = groups.get(g);
            require(group.subgroups().isEmpty() && group.positionalParameters().isEmpty(), type, "nested groups or positional parameters in a group");
            out.writeUTF(group.heading() == null ? "" : group.heading());
            out.writeBoolean(group.exclusive());
            out.writeUTF(group.multiplicity().toString());
            out.writeBoolean(group.validate());
            out.writeInt(group.order());
        }
        out.writeInt(spec.options().size());
        for (OptionSpec o : spec.options()) {
            require(o.converters().length == 0 && !o.interactive() && o.splitRegex().isEmpty(), type,
                    "converters, interactive or split (option " + o.longestName() + ")");
            strings(out, o.names());
            out.writeUTF(o.paramLabel());
            out.writeBoolean(o.hideParamSyntax());
            strings(out, o.description());
            out.writeUTF(o.descriptionKey() == null ? "" : o.descriptionKey());
            out.writeUTF(field(o) == null || o.arity().equals(Range.defaultArity(field(o))) ? "" : o.arity().toString());   // "": inferred from the type
            out.writeBoolean(o.required());
            out.writeUTF(o.type().getName());
            String[] aux = new String[o.auxiliaryTypes().length];
            for (int i = 0; i < aux.length; i++) aux[i] = o.auxiliaryTypes()[i].getName();
            strings(out, aux);
            nullable(out, o.defaultValue());
            nullable(out, o.fallbackValue());
            out.writeBoolean(o.hidden());
            out.writeBoolean(o.usageHelp());
            out.writeBoolean(o.versionHelp());
            out.writeBoolean(o.negatable());
            out.writeUTF(o.scopeType().name());
            out.writeInt(o.order());
            out.writeUTF(o.showDefaultValue().name());
            require(o.completionCandidates() == null || !o.completionCandidates().getClass().getName().startsWith("picocli."), type,
                    "completion candidates picocli makes (option " + o.longestName() + ")");
            out.writeUTF(className(o.completionCandidates()));
            out.writeUTF(className(o.parameterConsumer()));
            out.writeUTF(className(o.preprocessor() == null || o.preprocessor().getClass().getName().startsWith("picocli.") ? null : o.preprocessor()));
            out.writeInt(o.group() == null ? -1 : groups.indexOf(o.group()));
            List<String> path = paths.get(field(o));
            strings(out, path == null ? new String[0] : path.toArray(new String[0]));   // none: picocli's own help options
        }
    }

    private static Field field(OptionSpec o) {
        return o.userObject() instanceof Field ? (Field) o.userObject() : null;
    }

    /** Records the path from the command to each option field, {@code @Spec} field and {@code @ArgGroup} field. */
    private static void fieldPaths(Class<?> type, List<String> prefix, Map<Field, List<String>> options, List<List<String>> specs,
                                   List<List<String>> groups, Class<?> command) {
        for (Class<?> c = type; c != null && c != Object.class; c = c.getSuperclass()) {
            for (Field f : c.getDeclaredFields()) {
                List<String> path = new ArrayList<>(prefix);
                path.add(f.getName());
                if (f.isAnnotationPresent(CommandLine.Option.class)) options.put(f, path);
                else if (f.isAnnotationPresent(Spec.class)) specs.add(path);
                else if (f.isAnnotationPresent(Mixin.class)) fieldPaths(f.getType(), path, options, specs, groups, command);
                else if (f.isAnnotationPresent(ArgGroup.class)) {
                    require(prefix.isEmpty() && initialised(command, f), command, "an @ArgGroup field left null in a new instance");
                    groups.add(path);
                    fieldPaths(f.getType(), path, options, specs, groups, command);
                }
                else require(!f.isAnnotationPresent(CommandLine.Parameters.class) && !f.isAnnotationPresent(CommandLine.ParentCommand.class)
                        && !f.isAnnotationPresent(CommandLine.Unmatched.class), command, "field " + f.getName());
            }
        }
    }

    private static boolean initialised(Class<?> command, Field f) {
        try {
            f.setAccessible(true);
            return f.get(command.getDeclaredConstructor().newInstance()) != null;
        } catch (ReflectiveOperationException e) {
            return false;
        }
    }

    private static void require(boolean ok, Class<?> type, String what) {
        if (!ok) throw new IllegalStateException(type.getName() + ": CommandModels does not support " + what);
    }

    private static String className(Object o) {
        return o == null ? "" : o.getClass().getName();
    }

    private static void strings(DataOutputStream out, String[] values) throws IOException {
        out.writeInt(values.length);
        for (String v : values) out.writeUTF(v);
    }

    private static void nullable(DataOutputStream out, String value) throws IOException {
        out.writeBoolean(value != null);
        if (value != null) out.writeUTF(value);
    }

    // ---- run time: picocli's programmatic API, no annotation read ----

    private static CommandSpec read(DataInputStream in, Class<?> type) throws Exception {
        Object command = type.getDeclaredConstructor().newInstance();
        CommandSpec spec = CommandSpec.wrapWithoutInspection(command).name(in.readUTF());
        UsageMessageSpec u = spec.usageMessage();
        u.header(strings(in)).description(strings(in)).footer(strings(in)).customSynopsis(strings(in));
        u.headerHeading(in.readUTF()).synopsisHeading(in.readUTF()).descriptionHeading(in.readUTF()).parameterListHeading(in.readUTF())
                .optionListHeading(in.readUTF()).commandListHeading(in.readUTF()).footerHeading(in.readUTF());
        u.sortOptions(in.readBoolean()).abbreviateSynopsis(in.readBoolean()).showDefaultValues(in.readBoolean()).hidden(in.readBoolean());
        String versionProvider = in.readUTF();
        if (!versionProvider.isEmpty()) spec.versionProvider((CommandLine.IVersionProvider) newInstance(versionProvider));
        for (int i = in.readInt(); i > 0; i--) new FieldRef(command, strings(in)).set(spec);
        int groupCount = in.readInt();
        List<ArgGroupSpec.Builder> groups = new ArrayList<>();
        for (int g = 0; g < groupCount; g++) {
            String heading = in.readUTF();
            groups.add(ArgGroupSpec.builder().heading(heading.isEmpty() ? null : heading).exclusive(in.readBoolean())
                    .multiplicity(in.readUTF()).validate(in.readBoolean()).order(in.readInt()));
        }
        for (int i = in.readInt(); i > 0; i--) {
            OptionSpec.Builder o = OptionSpec.builder(strings(in)).paramLabel(in.readUTF()).hideParamSyntax(in.readBoolean()).description(strings(in));
            String descriptionKey = in.readUTF();
            if (!descriptionKey.isEmpty()) o.descriptionKey(descriptionKey);
            String arity = in.readUTF();
            if (!arity.isEmpty()) o.arity(arity);
            o.required(in.readBoolean()).type(type(in.readUTF()));
            String[] aux = strings(in);
            if (aux.length > 0) {
                Class<?>[] types = new Class<?>[aux.length];
                for (int a = 0; a < aux.length; a++) types[a] = type(aux[a]);
                o.auxiliaryTypes(types);
            }
            if (in.readBoolean()) o.defaultValue(in.readUTF());
            if (in.readBoolean()) o.fallbackValue(in.readUTF());
            o.hidden(in.readBoolean()).usageHelp(in.readBoolean()).versionHelp(in.readBoolean()).negatable(in.readBoolean())
                    .scopeType(ScopeType.valueOf(in.readUTF())).order(in.readInt())
                    .showDefaultValue(CommandLine.Help.Visibility.valueOf(in.readUTF()));
            String candidates = in.readUTF(), consumer = in.readUTF(), preprocessor = in.readUTF();
            if (!candidates.isEmpty()) o.completionCandidates((Iterable<String>) newInstance(candidates));
            if (!consumer.isEmpty()) o.parameterConsumer((CommandLine.IParameterConsumer) newInstance(consumer));
            if (!preprocessor.isEmpty()) o.preprocessor((CommandLine.IParameterPreprocessor) newInstance(preprocessor));
            int group = in.readInt();
            String[] path = strings(in);
            if (path.length > 0) {
                FieldRef ref = new FieldRef(command, path);
                o.getter(ref).setter(ref).hasInitialValue(false);
            }
            if (group >= 0) groups.get(group).addArg(o.build());
            else spec.addOption(o.build());
        }
        for (ArgGroupSpec.Builder g : groups) spec.addArgGroup(g.build());
        return spec;
    }

    private static Object newInstance(String className) throws ReflectiveOperationException {
        var constructor = Class.forName(className, true, CommandModels.class.getClassLoader()).getDeclaredConstructor();
        constructor.setAccessible(true);
        return constructor.newInstance();
    }

    private static Class<?> type(String name) throws ClassNotFoundException {
        switch (name) {
            case "boolean": return boolean.class;
            case "int": return int.class;
            case "long": return long.class;
            default: return Class.forName(name, false, CommandModels.class.getClassLoader());
        }
    }

    private static String[] strings(DataInputStream in) throws IOException {
        String[] values = new String[in.readInt()];
        for (int i = 0; i < values.length; i++) values[i] = in.readUTF();
        return values;
    }

    /** A field reached from the command through mixin and group fields; the objects on the way are created when null, as picocli does for a mixin. */
    private static final class FieldRef implements IGetter, ISetter {
        private final Object root;
        private final String[] path;

        FieldRef(Object root, String[] path) {
            this.root = root;
            this.path = path;
            holder();   // mixins exist before parsing, as with picocli's own model
        }

        private Object holder() {
            try {
                Object o = root;
                for (int i = 0; i < path.length - 1; i++) {
                    Field f = field(o.getClass(), path[i]);
                    Object next = f.get(o);
                    if (next == null) {
                        var constructor = f.getType().getDeclaredConstructor();
                        constructor.setAccessible(true);
                        next = constructor.newInstance();
                        f.set(o, next);
                    }
                    o = next;
                }
                return o;
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException(e);
            }
        }

        private static Field field(Class<?> type, String name) throws NoSuchFieldException {
            for (Class<?> c = type; c != null; c = c.getSuperclass()) {
                try {
                    Field f = c.getDeclaredField(name);
                    f.setAccessible(true);
                    return f;
                } catch (NoSuchFieldException e) {
                    // in a superclass
                }
            }
            throw new NoSuchFieldException(type.getName() + "." + name);
        }

        @Override
        @SuppressWarnings("unchecked")
        public <T> T get() throws Exception {
            Object o = holder();
            return (T) field(o.getClass(), path[path.length - 1]).get(o);
        }

        @Override
        public <T> T set(T value) throws Exception {
            Object o = holder();
            Field f = field(o.getClass(), path[path.length - 1]);
            @SuppressWarnings("unchecked") T old = (T) f.get(o);
            f.set(o, value);
            return old;
        }
    }
}
