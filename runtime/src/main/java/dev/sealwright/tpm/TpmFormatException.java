package dev.sealwright.tpm;

import dev.sealwright.base.RecipeException;

/** A TPM structure could not be decoded (truncated, oversized field, unknown algorithm, trailing bytes). */
public class TpmFormatException extends RecipeException {
    public TpmFormatException(String message) {
        super(message);
    }
}
