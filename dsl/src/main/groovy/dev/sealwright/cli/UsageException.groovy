package dev.sealwright.cli

import groovy.transform.CompileStatic

/**
 * A usage error found by a command after parsing (options that exclude or need each other, a value
 * out of range): reported like picocli's parse errors, with exit code 2.
 */
@CompileStatic
class UsageException extends RuntimeException {
    UsageException(String message) { super(message) }
}
