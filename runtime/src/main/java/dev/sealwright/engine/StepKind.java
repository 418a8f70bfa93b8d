package dev.sealwright.engine;

/** How the engine treats a step's results. */
public enum StepKind {
    /** A pure function of its inputs: keyed, cached and reused. */
    CACHED,
    /** Talks to something live (a guest, a broker): runs every time, never cached. */
    LIVE,
    /** Starts something that stays up while its dependants run and is torn down after them. */
    SERVICE
}
