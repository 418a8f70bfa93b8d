package dev.sealwright.engine;

import dev.sealwright.base.RecipeException;
import dev.sealwright.base.Secret;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Replaces every known secret value (as text, hex and base64) in a line with "****".
 * Applied to everything a step logs and to error messages before they reach the console or a report.
 */
public final class SecretMasker {
    public static final String MASK = "****";
    private final List<String> needles = new CopyOnWriteArrayList<>();

    public void register(Secret secret) {
        byte[] v;
        try {
            v = secret.reveal();
        } catch (RecipeException e) {
            return; // unreadable secrets fail later, in the step that needs them
        }
        List<String> forms = new ArrayList<>();
        String text = new String(v, StandardCharsets.UTF_8).strip();
        if (text.length() >= 4) forms.add(text);
        if (v.length >= 2) {
            forms.add(HexFormat.of().formatHex(v));
            forms.add(HexFormat.of().withUpperCase().formatHex(v));
            forms.add(Base64.getEncoder().encodeToString(v));
        }
        for (String f : forms) if (!needles.contains(f)) needles.add(f);
        needles.sort((a, b) -> b.length() - a.length());
    }

    public String mask(String line) {
        if (line == null) return null;
        String out = line;
        for (String n : needles) out = out.replace(n, MASK);
        return out;
    }
}
