package dev.sealwright.base;

import java.util.concurrent.ThreadFactory;

/** Named daemon threads for worker pools, so a pool never keeps the JVM alive after the CLI is done. */
public final class DaemonThreads {
    private DaemonThreads() {}

    public static ThreadFactory named(String name) {
        return r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        };
    }
}
