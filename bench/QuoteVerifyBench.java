import dev.sealwright.attest.dcap.Collateral;
import dev.sealwright.attest.dcap.Quote;
import dev.sealwright.attest.dcap.QuoteVerifier;

import java.nio.file.Path;
import java.time.Instant;

/** In-process DCAP verification rate: args QUOTE COLLATERAL TIME [SECONDS]; warm-up, then a timed loop. */
public class QuoteVerifyBench {
    public static void main(String[] a) {
        Quote quote = Quote.readFile(Path.of(a[0]));
        Collateral collateral = Collateral.read(Path.of(a[1]));
        Instant at = Instant.parse(a[2]);
        double seconds = a.length > 3 ? Double.parseDouble(a[3]) : 5;
        QuoteVerifier verifier = QuoteVerifier.intel();
        String status = "";
        for (int i = 0; i < 200; i++) {
            status = verifier.verify(quote, collateral, at).status().name();
        }
        long start = System.nanoTime(), end = start + (long) (seconds * 1e9);
        int n = 0;
        while (System.nanoTime() < end) {
            verifier.verify(quote, collateral, at);
            n++;
        }
        double elapsed = (System.nanoTime() - start) / 1e9;
        System.out.printf("in-process: %d verifications (%s) in %.2f s = %.0f/s%n", n, status, elapsed, n / elapsed);
    }
}
