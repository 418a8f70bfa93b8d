package dev.sealwright.cli.daemon

import groovy.transform.CompileStatic

/**
 * What System.out and System.err write to in the CLI daemon: the requesting client's stream for
 * threads serving a request (and threads they start), the daemon's log for everything else.
 */
@CompileStatic
final class RoutedOutput extends OutputStream {
    private final InheritableThreadLocal<OutputStream> target = new InheritableThreadLocal<>()
    private final OutputStream fallback

    RoutedOutput(OutputStream fallback) {
        this.fallback = fallback
    }

    void route(OutputStream to) { if (to == null) target.remove() else target.set(to) }

    private OutputStream current() {
        OutputStream t = target.get()
        t != null ? t : fallback
    }

    @Override void write(int b) { current().write(b) }

    @Override void write(byte[] b, int off, int len) { current().write(b, off, len) }

    @Override void flush() { current().flush() }
}
