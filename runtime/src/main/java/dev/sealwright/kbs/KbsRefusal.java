package dev.sealwright.kbs;

/**
 * A request the broker refuses: the HTTP status and a one-line reason, sent to the client and
 * written to the audit log. Never carries secret values.
 */
public final class KbsRefusal extends RuntimeException {
    private final int status;

    public KbsRefusal(int status, String reason) {
        super(reason, null, false, false);
        this.status = status;
    }

    public int status() {
        return status;
    }
}
