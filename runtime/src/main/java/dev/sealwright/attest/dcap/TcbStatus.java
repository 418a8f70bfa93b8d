package dev.sealwright.attest.dcap;

import dev.sealwright.base.RecipeException;

/** TCB statuses as Intel PCS names them, and how platform, TDX-module and QE statuses combine. */
public enum TcbStatus {
    UpToDate, SWHardeningNeeded, ConfigurationNeeded, ConfigurationAndSWHardeningNeeded, OutOfDate,
    OutOfDateConfigurationNeeded, Revoked;

    static TcbStatus parse(String s, String source) {
        try {
            return valueOf(s);
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new RecipeException(source + ": unknown tcbStatus \"" + s + "\"");
        }
    }

    /** Intel QVL convergence: an out-of-date QE or TDX module makes the platform result out of date. */
    TcbStatus convergeWith(TcbStatus other) {
        if (this == Revoked || other == Revoked) {
            return Revoked;
        }
        if (other == OutOfDate || other == OutOfDateConfigurationNeeded) {
            return switch (this) {
                case UpToDate, SWHardeningNeeded, OutOfDate -> OutOfDate;
                default -> OutOfDateConfigurationNeeded;
            };
        }
        return this;
    }
}
