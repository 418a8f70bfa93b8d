import dev.sealwright.disk.luks2.AesXts;
import dev.sealwright.disk.verity.VeritySuperblock;
import dev.sealwright.disk.verity.VerityTree;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.UUID;

/**
 * In-process rates behind bench/disk.sh, after warm-up (the daemon's state):
 *   xts    AES-256-XTS (plain64, 4096-byte sectors) on one thread over an 8 MiB buffer: MB/s per core
 *          (bytes per CPU-second of that thread) and MB/s of wall time;
 *   verity VerityTree.compute (sha256, 4096-byte blocks, salt) over DATA with all cores: MB/s of wall
 *          time and the CPU it used (the JVM's process CPU time), the best of 6 rounds;
 *   sha256 the limit's per-core rate: the best of 4 runs of openssl speed (sha256, 4096 bytes) taken between
 *          the verity rounds, and all four.
 * Usage: java -cp ... bench/DiskRates.java DATA_FILE [SECONDS]
 */
public class DiskRates {
    public static void main(String[] a) throws Exception {
        Path data = Path.of(a[0]);
        double seconds = a.length > 1 ? Double.parseDouble(a[1]) : 2;
        ThreadMXBean tm = ManagementFactory.getThreadMXBean();
        byte[] key = new byte[64];
        new Random(1).nextBytes(key);
        AesXts xts = new AesXts(key);
        byte[] buf = new byte[8 << 20];
        new Random(2).nextBytes(buf);
        double best = 0, bestWall = 0;
        for (int round = 0; round < 6; round++) {   // the first rounds warm the JIT up; the best round counts
            long c0 = tm.getCurrentThreadCpuTime(), w0 = System.nanoTime(), n = 0;
            while (System.nanoTime() - w0 < seconds / 3 * 1e9) {
                xts.encrypt(buf, 0, buf.length, 4096, n * 2048, 8);
                n++;
            }
            double cpu = (tm.getCurrentThreadCpuTime() - c0) / 1e9, wall = (System.nanoTime() - w0) / 1e9;
            best = Math.max(best, n * buf.length / cpu / 1e6);
            bestWall = Math.max(bestWall, n * buf.length / wall / 1e6);
        }
        System.out.printf("xts %.0f %.0f%n", best, bestWall);

        com.sun.management.OperatingSystemMXBean os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        long size = Files.size(data);
        byte[] salt = new byte[32];
        VerityTree tree = new VerityTree(new VeritySuperblock(1, new UUID(0, 1), "sha256", 4096, 4096, size / 4096, salt));
        double vBest = 0, vCpu = 0, shaBest = 0;
        StringBuilder shaAll = new StringBuilder();
        for (int round = 0; round < 6; round++) {   // the first rounds warm the JIT up; the best round counts
            long c0 = os.getProcessCpuTime(), w0 = System.nanoTime();
            tree.compute(data, dev.sealwright.base.Progress.NONE);
            double wall = (System.nanoTime() - w0) / 1e9, cpu = (os.getProcessCpuTime() - c0) / 1e9;
            if (size / wall / 1e6 > vBest) { vBest = size / wall / 1e6; vCpu = cpu; }
            // the limit, measured between our rounds: this host's neighbours come and go, and the best of our rounds
            // is compared with the best of openssl's, never with one taken at another moment
            if (round >= 2) {
                double rate = opensslSha256();
                shaBest = Math.max(shaBest, rate);
                shaAll.append(shaAll.length() == 0 ? "" : "/").append(String.format("%.0f", rate));
            }
        }
        System.out.printf("sha256 %.0f %s%n", shaBest, shaAll);
        System.out.printf("verity %.0f %.3f%n", vBest, vCpu);
    }

    /** {@code openssl speed -seconds 1 -bytes 4096 -evp sha256} on one core: MB/s (10^6 bytes). */
    static double opensslSha256() throws Exception {
        Process p = new ProcessBuilder("openssl", "speed", "-seconds", "1", "-bytes", "4096", "-evp", "sha256")
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) throw new IllegalStateException("openssl speed failed");
        for (String line : out.split("\n"))
            if (line.startsWith("sha256")) return Double.parseDouble(line.replaceAll(".*\\s([0-9.]+)k\\s*$", "$1")) / 1000;
        throw new IllegalStateException("no sha256 line in openssl speed's output");
    }
}
