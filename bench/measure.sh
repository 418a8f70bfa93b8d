#!/usr/bin/env bash
# TDX measurement benchmark: `sealwright measure tdx` on Debian's OVMF.fd and a ~30 MB UKI (systemd-stub +
# Debian's cloud kernel + a random .initrd, built with objcopy as ukify does), profile ubuntu-24.04 (its QEMU 8.2
# ACPI build is modelled, so the prediction is complete: MRTD and RTMR0-3, nothing missing) for quex's TD shape
# (--cpus 2 --memory 2G --disks 0, SecureBoot measured as quex does: --secure-boot absent).
# The peer runs on the same inputs in the same invocation: quex's verifier (quex-tech/td-report-web d857138,
# docs/reproduce.mjs + acpi.mjs, unmodified, under node; bench/quex-measure.mjs drives it as its web page does).
# Its MRTD and RTMR0-3 must equal ours. Prints the median whole-process time of several runs of each: ours in a
# fresh JVM (SEALWRIGHT_DAEMON=off) and through the warm CLI daemon (docs/daemon.md, how the launcher runs
# `measure` outside CI), quex under node, and the ratios; then the in-process warm time (whole CLI requests,
# Main.execute, after 100 requests of warm-up: the lowest of five medians of 15, since this host's neighbours come
# and go; all five are printed), and for information the verb alone (its options parsed once, then its call()).
# Goals: issue 16: warm daemon / quex <= 0.5 and in-process < 150 ms; issue 21: in-process warm <= 1.3x the
# hashing floor of these inputs, which it prints: the SHA-384 work a prediction cannot avoid (Authenticode of the
# UKI, Authenticode of its .linux, the .initrd for the Linux initrd event, MRTD's records over OVMF's pages, about
# 1.5x its size) at `openssl speed -evp sha384`'s per-core rate, spread over two cores but never below the largest
# single hash.
# QUEX_DOCS=/path/to/td-report-web/docs picks quex's checkout (default: cloned once into
# ~/.cache/sealwright/peers/td-report-web-d857138). KERNEL=/path/to/vmlinuz picks the kernel put into the UKI
# (default: the quickstart's Debian cloud kernel).
set -euo pipefail
[ -x /usr/bin/time ] || { echo "bench/measure.sh: /usr/bin/time not found (apt-get install time)" >&2; exit 1; }
ROOT="$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)"
RUNS="${1:-7}"
OVMF=/usr/share/ovmf/OVMF.fd
STUB=/usr/lib/systemd/boot/efi/linuxx64.efi.stub
for f in "$OVMF" "$STUB"; do [ -f "$f" ] || { echo "missing $f (apt-get install ovmf systemd-boot-efi)" >&2; exit 1; }; done
command -v node >/dev/null || { echo "bench/measure.sh: node not found (apt-get install nodejs): it runs quex's verifier" >&2; exit 1; }
QUEX_COMMIT=d857138
QUEX_DOCS=${QUEX_DOCS:-${XDG_CACHE_HOME:-$HOME/.cache}/sealwright/peers/td-report-web-$QUEX_COMMIT/docs}
if [ ! -f "$QUEX_DOCS/reproduce.mjs" ]; then
  clone="$(dirname "$QUEX_DOCS")"
  { git clone -q https://github.com/quex-tech/td-report-web "$clone.part" && git -C "$clone.part" checkout -q "$QUEX_COMMIT" &&
    mv "$clone.part" "$clone"; } >&2 ||
    { rm -rf "$clone.part"; echo "bench/measure.sh: $QUEX_DOCS/reproduce.mjs not found and cloning quex-tech/td-report-web failed: set QUEX_DOCS to the docs directory of a checkout of $QUEX_COMMIT" >&2; exit 1; }
fi
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
"$ROOT/sealwright" --version >/dev/null   # build if needed, outside the timings

# .linux must be a real kernel (the stub model hashes it as a PE image): Debian's cloud kernel as the
# quickstart fetched it, else /boot's; a random .initrd brings the UKI to about 30 MB
KERNEL=${KERNEL:-$(ls "${XDG_CACHE_HOME:-$HOME/.cache}"/sealwright/kernels/*/root/boot/vmlinuz-* /boot/vmlinuz-* 2>/dev/null | head -1 || true)}
[ -n "$KERNEL" ] || { echo "no Debian kernel found: run ./sealwright quickstart once (it fetches one)" >&2; exit 1; }
head -c $((30 * 1024 * 1024 - $(stat -c %s "$KERNEL"))) /dev/urandom > "$WORK/initrd.bin"
objcopy --add-section .linux="$KERNEL" --change-section-vma .linux=0x2000000 --set-section-flags .linux=data,readonly \
        --add-section .initrd="$WORK/initrd.bin" --change-section-vma .initrd=0x3000000 --set-section-flags .initrd=data,readonly \
        "$STUB" "$WORK/uki.efi"
CPUS=2 MIB=2048 DISKS=0
ARGS=(measure tdx --firmware "$OVMF" --kernel "$WORK/uki.efi" --cpus "$CPUS" --memory "${MIB}M" --disks "$DISKS" --profile ubuntu-24.04 --secure-boot absent)
QUEX=(node "$ROOT/bench/quex-measure.mjs" "$QUEX_DOCS" "$OVMF" "$WORK/uki.efi" "$CPUS" "$MIB" "$DISKS")

# the same registers from both, or the timings compare different work
registers() { grep -E '^(mrtd|rtmr[0-3]) ' | awk '{ print $1, $2 }'; }   # "rtmr0 not" when not computed
ours_regs=$(SEALWRIGHT_DAEMON=off "$ROOT/sealwright" "${ARGS[@]}" | registers)
quex_regs=$("${QUEX[@]}" | registers)
[ "$(grep -cE '^(mrtd|rtmr[0-3]) [0-9a-f]{96}$' <<<"$ours_regs")" = 5 ] ||
  { echo "bench/measure.sh: the prediction is incomplete:" >&2; echo "$ours_regs" >&2; exit 1; }
[ "$ours_regs" = "$quex_regs" ] || { echo "bench/measure.sh: our registers differ from quex's:" >&2; diff <(echo "$ours_regs") <(echo "$quex_regs") >&2; exit 1; }

now() { date +%s.%N; }
TICK=$(getconf CLK_TCK)
daemon_ticks() { # user+system ticks of the CLI daemon so far (0 when none runs)
  local f; f=$(ls "${SEALWRIGHT_DAEMON_DIR:-/nonexistent}"/*.pid 2>/dev/null | head -1)
  if [ -n "$f" ] && [ -r "/proc/$(cat "$f")/stat" ]; then awk '{ print $14 + $15 }' "/proc/$(cat "$f")/stat"; else echo 0; fi
}
median() { sort -n | sed -n "$(( (RUNS + 1) / 2 ))p"; }
median_of() { # command...: "WALL CPU", the medians over RUNS runs of wall seconds and of CPU seconds (the command's
  local walls=() cpus=() s e d0 d1 u y   # user+system, plus the CLI daemon's when one runs)
  for _ in $(seq 1 "$RUNS"); do
    d0=$(daemon_ticks); s=$(now)
    /usr/bin/time -f '%U %S' -o "$WORK/time" "$@" >/dev/null
    e=$(now); d1=$(daemon_ticks)
    read -r u y < "$WORK/time"
    walls+=("$(echo "$e - $s" | bc -l)")
    cpus+=("$(awk -v u="$u" -v y="$y" -v d=$((d1 - d0)) -v t="$TICK" 'BEGIN { print u + y + d / t }')")
  done
  echo "$(printf '%s\n' "${walls[@]}" | median) $(printf '%s\n' "${cpus[@]}" | median)"
}
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
read -r median median_cpu <<<"$(SEALWRIGHT_DAEMON=off median_of "$ROOT/sealwright" "${ARGS[@]}")"
read -r quex quex_cpu <<<"$(median_of "${QUEX[@]}")"
export SEALWRIGHT_DAEMON_DIR="$WORK/daemon"
trap '"$ROOT/sealwright" daemon stop >/dev/null; rm -rf "$WORK"' EXIT
for _ in 1 2 3 4 5; do SEALWRIGHT_DAEMON=on "$ROOT/sealwright" "${ARGS[@]}" >/dev/null; done   # start and warm the daemon
read -r daemon daemon_cpu <<<"$(SEALWRIGHT_DAEMON=on median_of "$ROOT/sealwright" "${ARGS[@]}")"

TARGET="$ROOT/dsl/target"
cat > "$WORK/Warm.java" <<'JAVA'
public class Warm {
    static final com.sun.management.OperatingSystemMXBean OS =
            (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean();

    /** Five blocks of 15 runs: "MEDIAN CPU ALL" for the block with the lowest median (this host's neighbours come and go). */
    static String best(java.util.concurrent.Callable<?> run) throws Exception {
        double bestMedian = Double.MAX_VALUE, bestCpu = 0;
        StringBuilder all = new StringBuilder();
        for (int block = 0; block < 5; block++) {
            long[] t = new long[15];
            long c0 = OS.getProcessCpuTime();
            for (int i = 0; i < t.length; i++) { long s = System.nanoTime(); run.call(); t[i] = System.nanoTime() - s; }
            double cpu = (OS.getProcessCpuTime() - c0) / 1e6 / t.length;
            java.util.Arrays.sort(t);
            double median = t[t.length / 2] / 1e6;
            all.append(block == 0 ? "" : "/").append(String.format("%.1f", median));
            if (median < bestMedian) { bestMedian = median; bestCpu = cpu; }
            SHA384.add(opensslSha384());   // the floor's rate, measured between our blocks
        }
        return String.format("%.1f %.1f %s", bestMedian, bestCpu, all);
    }

    static final java.util.List<Double> SHA384 = new java.util.ArrayList<>();

    /** openssl speed -seconds 1 -bytes 16384 -evp sha384 on one core, in k (1000 bytes) per second as it prints. */
    static double opensslSha384() throws Exception {
        Process p = new ProcessBuilder("openssl", "speed", "-seconds", "1", "-bytes", "16384", "-evp", "sha384")
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) throw new IllegalStateException("openssl speed failed");
        for (String line : out.split("\n")) if (line.startsWith("sha384")) return Double.parseDouble(line.replaceAll(".*\\s([0-9.]+)k\\s*$", "$1"));
        throw new IllegalStateException("no sha384 line in openssl speed's output");
    }

    public static void main(String[] a) throws Exception {
        java.io.PrintStream out = System.out;
        System.setOut(new java.io.PrintStream(java.io.OutputStream.nullOutputStream()));
        // warm-up: with both cores hashing, C2 compiles the per-request paths (picocli's model and parse, the verb)
        // over the first ~100 requests (after 8 the median was 5-25 ms above steady state, after 40 still 3-15 ms);
        // "warm" is a CLI daemon after its first few seconds of requests
        for (int i = 0; i < 100; i++) dev.sealwright.cli.Main.execute(a);
        String whole = best(() -> dev.sealwright.cli.Main.execute(a));
        // the verb alone: its options parsed once, then its call() (the operation and its output) in the same JVM
        picocli.CommandLine.ParseResult parsed = dev.sealwright.cli.Main.commandLine(a).parseArgs(a);
        while (parsed.hasSubcommand()) parsed = parsed.subcommand();
        java.util.concurrent.Callable<?> verb = (java.util.concurrent.Callable<?>) parsed.commandSpec().userObject();
        for (int i = 0; i < 20; i++) verb.call();
        String alone = best(verb);
        double top = SHA384.stream().mapToDouble(Double::doubleValue).max().orElseThrow();
        out.println(whole + " " + alone + " " + String.format("%.0f", top) + " "
                + SHA384.stream().map(r -> String.format("%.0f", r / 1000)).collect(java.util.stream.Collectors.joining("/")));
    }
}
JAVA
read -r warm warm_cpu warm_all verb verb_cpu verb_all sha384 sha384_all < <(java -XX:+UseSerialGC -Dsealwright.home="$ROOT" -cp "$TARGET/sealwright-dsl.jar:$TARGET/lib/*" "$WORK/Warm.java" "${ARGS[@]}")
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)

# the hashing floor: bytes that must go through SHA-384, at openssl's per-core rate (CPU time, not wall): the best of
# its ten runs between our blocks above (sha384, in k = 1000 bytes/s), never one taken at another moment
read -r floor floor_bytes <<<"$(awk -v uki="$(stat -c %s "$WORK/uki.efi")" -v k="$(stat -c %s "$KERNEL")" -v i="$(stat -c %s "$WORK/initrd.bin")" \
  -v fw="$(stat -c %s "$OVMF")" -v r="$sha384" 'BEGIN { total = uki + k + i + 1.5 * fw; big = uki; two = total / 2 > big ? total / 2 : big;
  printf "%.1f %.0f", two / (r * 1000) * 1000, total }')"

printf 'load average before %s, after %s; %s cores (figures need an idle machine)\n' "$LOAD_BEFORE" "$LOAD_AFTER" "$(nproc)"
printf 'inputs                     OVMF.fd %d B, uki.efi %d B (kernel %d B, initrd %d B)\n' "$(stat -c %s "$OVMF")" "$(stat -c %s "$WORK/uki.efi")" "$(stat -c %s "$KERNEL")" "$(stat -c %s "$WORK/initrd.bin")"
printf 'registers                  MRTD, RTMR0-3 equal quex'"'"'s (profile ubuntu-24.04, %s vCPUs, %s MiB, %s disks, --secure-boot absent)\n' "$CPUS" "$MIB" "$DISKS"
warm_ratio=$(awk -v a="$daemon" -v b="$quex" 'BEGIN { printf "%.2f", a / b }')
cold_ratio=$(awk -v a="$median" -v b="$quex" 'BEGIN { printf "%.2f", a / b }')
warm_cpu_ratio=$(awk -v a="$daemon_cpu" -v b="$quex_cpu" 'BEGIN { printf "%.2f", a / b }')
cold_cpu_ratio=$(awk -v a="$median_cpu" -v b="$quex_cpu" 'BEGIN { printf "%.2f", a / b }')
printf 'whole process (median/%d)  wall: %.3f s through the CLI daemon, %.3f s in a fresh JVM, quex (node) %.3f s; ratios %s warm, %s fresh (target warm <= 0.5)\n' \
  "$RUNS" "$daemon" "$median" "$quex" "$warm_ratio" "$cold_ratio"
printf '                           CPU:  %.3f s through the CLI daemon (client + daemon), %.3f s in a fresh JVM, quex %.3f s; ratios %s warm, %s fresh\n' \
  "$daemon_cpu" "$median_cpu" "$quex_cpu" "$warm_cpu_ratio" "$cold_cpu_ratio"
printf 'hashing floor              %.1f ms: %.0f MB of SHA-384 at openssl'"'"'s %.0f MB/s per core (the best of its runs between ours: %s), on 2 cores\n' "$floor" "$(awk -v b="$floor_bytes" 'BEGIN { print b / 1e6 }')" "$(awk -v r="$sha384" 'BEGIN { print r / 1000 }')" "$sha384_all"
printf 'in-process warm (best of 5 medians/15: %s) %s ms, %s ms CPU per run; ratio to the floor %s  (target <= 1.3)\n' "$warm_all" "$warm" "$warm_cpu" "$(awk -v w="$warm" -v f="$floor" 'BEGIN { printf "%.2f", w / f }')"
printf '  the verb alone (%s)     %s ms, %s ms CPU per run (options parsed once, then its call(): no picocli model per request); ratio to the floor %s (information; the goal is the line above)\n' \
  "$verb_all" "$verb" "$verb_cpu" "$(awk -v w="$verb" -v f="$floor" 'BEGIN { printf "%.2f", w / f }')"
# one verdict line per goal (issues 16 and 21); the lead reruns this on an idle machine
printf 'GOAL measure vs quex (warm daemon / quex <= 0.5 wall and in-process < 150 ms): %s  ratio %s (%.3f s vs %.3f s; CPU ratio %s; fresh JVM %.3f s, ratio %s), in-process %s ms; load average %s -> %s\n' \
  "$(awk -v r="$warm_ratio" -v w="$warm" 'BEGIN { print r <= 0.5 && w < 150 ? "PASS" : "FAIL" }')" "$warm_ratio" "$daemon" "$quex" "$warm_cpu_ratio" "$median" "$cold_ratio" "$warm" "$LOAD_BEFORE" "$LOAD_AFTER"
# issue 21 (in-process warm <= 1.3x the floor); the lead reruns this on an idle machine
ratio=$(awk -v w="$warm" -v f="$floor" 'BEGIN { printf "%.2f", w / f }')
printf 'GOAL measure (in-process warm <= 1.3x the hashing floor): %s  ratio %s (%s ms vs floor %.1f ms; %s ms CPU per run vs the floor'"'"'s %.1f ms of CPU); load average %s -> %s\n' \
  "$(awk -v r="$ratio" 'BEGIN { print r <= 1.3 ? "PASS" : "FAIL" }')" "$ratio" "$warm" "$floor" "$warm_cpu" \
  "$(awk -v b="$floor_bytes" -v r="$sha384" 'BEGIN { printf "%.1f", b / (r * 1000) * 1000 }')" "$LOAD_BEFORE" "$LOAD_AFTER"
