package dev.sealwright.attest.dcap;

import dev.sealwright.base.RecipeException;

/** Verification failed: {@link #check()} names the failing check (e.g. "quote-signature"). */
public class QuoteRejectedException extends RecipeException {
    private final String check;

    public QuoteRejectedException(String check, String detail) {
        super("quote rejected: " + check + ": " + detail);
        this.check = check;
    }

    public String check() {
        return check;
    }
}
