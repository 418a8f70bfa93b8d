package dev.sealwright.vm;

import dev.sealwright.base.RecipeException;
import dev.sealwright.base.BadValueException;

import java.util.Locale;

/** Which confidential-computing mode a VM runs in. */
public enum Tee {
    NONE, TDX, SNP;

    public static Tee parse(String s) {
        if (s == null || s.isBlank()) return NONE;
        try {
            return valueOf(s.strip().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new BadValueException("tee", "unknown tee '" + s + "': use none, tdx or snp");
        }
    }

    public String lower() {
        return name().toLowerCase(Locale.ROOT);
    }
}
