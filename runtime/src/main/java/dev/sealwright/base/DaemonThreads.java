package dev.sealwright.base;

import java.util.concurrent.ThreadFactory;

/** Named daemon threads for worker pools, so a pool never keeps the JVM alive after the CLI is done. */
public final class DaemonThreads {
    private DaemonThreads() {}

    public static ThreadFactory named(String name) {
        return r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            t.setUncaughtExceptionHandler(DaemonThreads::uncaught);
            return t;
        };
    }

    /**
     * The JVM's error for a mapped page lost to truncation, thrown in compiled code at the worker's next call into the
     * VM, may come after the worker's task is done, with no caller left: the code that read the mapping checks the
     * file's size afterwards and says so in one line, so it is not printed here. Anything else is, as by default.
     */
    private static void uncaught(Thread t, Throwable e) {
        if (e instanceof InternalError && InputFiles.isMappedReadFault((InternalError) e)) return;
        System.err.print("Exception in thread \"" + t.getName() + "\" ");
        e.printStackTrace();
    }
}
