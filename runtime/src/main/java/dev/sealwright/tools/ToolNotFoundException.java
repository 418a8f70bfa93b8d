package dev.sealwright.tools;

import dev.sealwright.base.RecipeException;

/** A program or firmware file is missing; the message names the Debian package that provides it. */
public class ToolNotFoundException extends RecipeException {
    private final String tool;

    public ToolNotFoundException(String tool, String debianPackage) {
        super(tool + " not found: " + (debianPackage == null
                ? "install it and make sure it is on PATH"
                : "install the Debian package " + debianPackage + " (or run: sealwright doctor --install)"));
        this.tool = tool;
    }

    public String tool() {
        return tool;
    }
}
