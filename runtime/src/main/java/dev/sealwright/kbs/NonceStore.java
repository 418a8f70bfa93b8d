package dev.sealwright.kbs;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Outstanding challenges: a random 32-byte nonce per request, bound to the resource, TEE type and
 * TEE public key it was issued for, valid for a fixed time and usable once. {@link #consume} removes
 * the entry atomically, so of two concurrent attestations with one nonce exactly one proceeds; used
 * nonces are remembered until they would have expired, so a replay is named as such. Bounded: when
 * {@code capacity} challenges are outstanding, expired ones are dropped and new ones refused.
 */
public final class NonceStore {
    public static final int NONCE_SIZE = 32;

    /** What a nonce was issued for. */
    public record Challenge(byte[] nonce, String resource, String tee, byte[] teePublicKey, Instant expires) {}

    private final Map<String, Challenge> open = new ConcurrentHashMap<>();
    private final Map<String, Instant> used = new ConcurrentHashMap<>();
    private final SecureRandom random = new SecureRandom();
    private final Clock clock;
    private final Duration ttl;
    private final int capacity;

    public NonceStore(Clock clock, Duration ttl, int capacity) {
        this.clock = clock;
        this.ttl = ttl;
        this.capacity = capacity;
    }

    public Challenge issue(String resource, String tee, byte[] teePublicKey) {
        if (open.size() >= capacity) {
            purge();
            if (open.size() >= capacity) {
                throw new KbsRefusal(503, "too many outstanding challenges (" + capacity + "); retry later");
            }
        }
        byte[] nonce = new byte[NONCE_SIZE];
        random.nextBytes(nonce);
        var c = new Challenge(nonce, resource, tee, teePublicKey.clone(), clock.instant().plus(ttl));
        open.put(key(nonce), c);
        return c;
    }

    /** The challenge for this nonce, removed so it can never be used again; refusals say why. */
    public Challenge consume(byte[] nonce) {
        String k = key(nonce);
        Challenge c = open.remove(k);
        Instant now = clock.instant();
        if (c == null) {
            throw new KbsRefusal(401, used.containsKey(k) ? "nonce already used (replay)" : "unknown nonce (not issued by this broker)");
        }
        used.put(k, c.expires());
        if (now.isAfter(c.expires())) {
            throw new KbsRefusal(401, "nonce expired at " + c.expires());
        }
        if (used.size() > capacity) {
            purge();
        }
        return c;
    }

    /** Drops expired challenges and forgets used nonces that would have expired anyway. */
    public void purge() {
        Instant now = clock.instant();
        open.values().removeIf(c -> now.isAfter(c.expires()));
        for (Iterator<Instant> it = used.values().iterator(); it.hasNext(); ) {
            if (now.isAfter(it.next())) {
                it.remove();
            }
        }
    }

    public int outstanding() {
        return open.size();
    }

    private static String key(byte[] nonce) {
        return Base64.getEncoder().encodeToString(nonce);
    }
}
