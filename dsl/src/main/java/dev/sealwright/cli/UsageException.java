package dev.sealwright.cli;

/**
 * A usage error found by a command after parsing (options that exclude or need each other, a value
 * out of range): reported like picocli's parse errors, with exit code 2.
 */
public class UsageException extends RuntimeException {
    public UsageException(String message) { super(message); }
}
