package dev.sealwright.image.kernel;

import dev.sealwright.base.RecipeException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Kernel modules chosen by name plus everything they need, read from {@code modules.dep}
 * ("kernel/x/a.ko.xz: kernel/y/b.ko.xz ..."). Names compare with '-' and '_' equal, as modprobe
 * does. The result is in load order: every module after its dependencies. Modules built into the
 * kernel ({@code modules.builtin}) are satisfied without a file.
 */
public final class ModuleClosure {
    private ModuleClosure() {}

    /** Paths relative to the modules directory, dependencies first. */
    public static List<String> resolve(Path modulesDir, List<String> names) throws IOException {
        return resolve(modulesDir, names, List.of());
    }

    /** As {@link #resolve(Path, List)}, then the {@code ifPresent} modules this kernel has as files (others are skipped). */
    public static List<String> resolve(Path modulesDir, List<String> names, List<String> ifPresent) throws IOException {
        Path depFile = modulesDir.resolve("modules.dep");
        if (!Files.isRegularFile(depFile)) throw new RecipeException(modulesDir + ": no modules.dep (run depmod)");
        Map<String, String> pathByName = new HashMap<>();
        Map<String, List<String>> deps = new HashMap<>();
        for (String line : Files.readAllLines(depFile)) {
            int c = line.indexOf(':');
            if (c < 0) continue;
            String mod = line.substring(0, c).strip();
            pathByName.put(moduleName(mod), mod);
            String rest = line.substring(c + 1).strip();
            deps.put(mod, rest.isEmpty() ? List.of() : List.of(rest.split("\\s+")));
        }
        Set<String> builtin = new HashSet<>();
        Path builtinFile = modulesDir.resolve("modules.builtin");
        if (Files.isRegularFile(builtinFile)) for (String l : Files.readAllLines(builtinFile)) if (!l.isBlank()) builtin.add(moduleName(l.strip()));
        LinkedHashSet<String> order = new LinkedHashSet<>();
        for (String n : names) {
            String key = canonical(n);
            String path = pathByName.get(key);
            if (path == null) {
                if (builtin.contains(key)) continue;
                throw new RecipeException(modulesDir + ": no kernel module named '" + n + "' in modules.dep or modules.builtin");
            }
            visit(path, deps, order, new ArrayList<>());
        }
        for (String n : ifPresent) {
            String path = pathByName.get(canonical(n));
            if (path != null) visit(path, deps, order, new ArrayList<>());
        }
        return List.copyOf(order);
    }

    private static void visit(String mod, Map<String, List<String>> deps, LinkedHashSet<String> order, List<String> stack) {
        if (order.contains(mod)) return;
        if (stack.contains(mod)) throw new RecipeException("modules.dep: dependency cycle through " + mod);
        stack.add(mod);
        for (String d : deps.getOrDefault(mod, List.of())) visit(d, deps, order, stack);
        stack.remove(stack.size() - 1);
        order.add(mod);
    }

    /** "kernel/drivers/net/virtio_net.ko.xz" → "virtio_net". */
    static String moduleName(String path) {
        String base = path.substring(path.lastIndexOf('/') + 1);
        int ko = base.indexOf(".ko");
        return canonical(ko < 0 ? base : base.substring(0, ko));
    }

    static String canonical(String name) {
        return name.replace('-', '_');
    }
}
