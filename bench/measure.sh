#!/usr/bin/env bash
# TDX measurement benchmark: `sealwright measure tdx` on Debian's 2 MiB OVMF.fd and a ~30 MB UKI-shaped
# UKI (systemd-stub + Debian's cloud kernel + a random .initrd, built with objcopy as ukify does), profile qemu-10 (the
# image is hashed: Authenticode over 30 MB + MRTD over 2 MB). Prints the median whole-process time of
# several runs, in a fresh JVM each (SEALWRIGHT_DAEMON=off) and through the warm CLI daemon (docs/daemon.md,
# how the launcher runs `measure` outside CI), and the median in-process warm time.
# Targets: < 1.0 s whole-process; in-process warm <= 1.3x the hashing floor of these inputs, which it prints:
# the SHA-384 work a prediction cannot avoid (Authenticode of the UKI, Authenticode of its .linux, the .initrd
# for the Linux initrd event, MRTD's records over OVMF's pages, about 1.5x its size) at `openssl speed -evp
# sha384`'s per-core rate, spread over two cores but never below the largest single hash.
# No peer tool (dstack-mr, tdx-measure) is packaged for Debian, so the floor is the yardstick.
# KERNEL=/path/to/vmlinuz picks the kernel put into the UKI (default: the quickstart's Debian cloud kernel).
set -euo pipefail
ROOT="$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)"
RUNS="${1:-7}"
OVMF=/usr/share/ovmf/OVMF.fd
STUB=/usr/lib/systemd/boot/efi/linuxx64.efi.stub
for f in "$OVMF" "$STUB"; do [ -f "$f" ] || { echo "missing $f (apt-get install ovmf systemd-boot-efi)" >&2; exit 1; }; done
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
ARGS=(measure tdx --firmware "$OVMF" --kernel "$WORK/uki.efi" --cpus 2 --memory 2G --profile qemu-10)

now() { date +%s.%N; }
median_of() { # command...: median wall seconds over RUNS runs
  local times=() s e
  for _ in $(seq 1 "$RUNS"); do
    s=$(now); "$@" >/dev/null; e=$(now)
    times+=("$(echo "$e - $s" | bc -l)")
  done
  printf '%s\n' "${times[@]}" | sort -n | sed -n "$(( (RUNS + 1) / 2 ))p"
}
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
median=$(SEALWRIGHT_DAEMON=off median_of "$ROOT/sealwright" "${ARGS[@]}")
export SEALWRIGHT_DAEMON_DIR="$WORK/daemon"
trap '"$ROOT/sealwright" daemon stop >/dev/null; rm -rf "$WORK"' EXIT
for _ in 1 2 3 4 5; do SEALWRIGHT_DAEMON=on "$ROOT/sealwright" "${ARGS[@]}" >/dev/null; done   # start and warm the daemon
daemon=$(SEALWRIGHT_DAEMON=on median_of "$ROOT/sealwright" "${ARGS[@]}")

TARGET="$ROOT/dsl/target"
cat > "$WORK/Warm.java" <<'JAVA'
public class Warm {
    public static void main(String[] a) throws Exception {
        var os = (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean();
        java.io.PrintStream out = System.out;
        System.setOut(new java.io.PrintStream(java.io.OutputStream.nullOutputStream()));
        for (int i = 0; i < 8; i++) dev.sealwright.cli.Main.execute(a);          // warm-up
        long[] t = new long[15];
        long c0 = os.getProcessCpuTime();
        for (int i = 0; i < t.length; i++) { long s = System.nanoTime(); dev.sealwright.cli.Main.execute(a); t[i] = System.nanoTime() - s; }
        long cpu = os.getProcessCpuTime() - c0;
        java.util.Arrays.sort(t);
        out.printf("%.1f %.1f%n", t[t.length / 2] / 1e6, cpu / 1e6 / t.length);
    }
}
JAVA
read -r warm warm_cpu < <(java -XX:+UseSerialGC -Dsealwright.home="$ROOT" -cp "$TARGET/sealwright-dsl.jar:$TARGET/lib/*" "$WORK/Warm.java" "${ARGS[@]}")
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)

# the hashing floor: bytes that must go through SHA-384, at openssl's per-core rate (CPU time, not wall)
sha384=$(openssl speed -seconds 2 -bytes 16384 -evp sha384 2>/dev/null | awk '/^sha384/ {print $NF}' | tr -d k)
read -r floor floor_bytes <<<"$(awk -v uki="$(stat -c %s "$WORK/uki.efi")" -v k="$(stat -c %s "$KERNEL")" -v i="$(stat -c %s "$WORK/initrd.bin")" \
  -v fw="$(stat -c %s "$OVMF")" -v r="$sha384" 'BEGIN { total = uki + k + i + 1.5 * fw; big = uki; two = total / 2 > big ? total / 2 : big;
  printf "%.1f %.0f", two / (r * 1000) * 1000, total }')"

printf 'load average before %s, after %s; %s cores (figures need an idle machine)\n' "$LOAD_BEFORE" "$LOAD_AFTER" "$(nproc)"
printf 'inputs                     OVMF.fd %d B, uki.efi %d B (kernel %d B, initrd %d B)\n' "$(stat -c %s "$OVMF")" "$(stat -c %s "$WORK/uki.efi")" "$(stat -c %s "$KERNEL")" "$(stat -c %s "$WORK/initrd.bin")"
printf 'whole process (median/%d)  %.2f s through the CLI daemon, %.2f s in a fresh JVM   (target < 1.0 s)\n' "$RUNS" "$daemon" "$median"
printf 'hashing floor              %.1f ms: %.0f MB of SHA-384 at openssl'"'"'s %.0f MB/s per core, on 2 cores\n' "$floor" "$(awk -v b="$floor_bytes" 'BEGIN { print b / 1e6 }')" "$(awk -v r="$sha384" 'BEGIN { print r / 1000 }')"
printf 'in-process warm (median/15) %s ms, %s ms CPU per run; ratio to the floor %s  (target <= 1.3)\n' "$warm" "$warm_cpu" "$(awk -v w="$warm" -v f="$floor" 'BEGIN { printf "%.2f", w / f }')"
# one verdict line for the goal of issue 21 (in-process warm <= 1.3x the floor); the lead reruns this on an idle machine
ratio=$(awk -v w="$warm" -v f="$floor" 'BEGIN { printf "%.2f", w / f }')
printf 'GOAL measure (in-process warm <= 1.3x the hashing floor): %s  ratio %s (%s ms vs floor %.1f ms; %s ms CPU per run vs the floor'"'"'s %.1f ms of CPU); load average %s -> %s\n' \
  "$(awk -v r="$ratio" 'BEGIN { print r <= 1.3 ? "PASS" : "FAIL" }')" "$ratio" "$warm" "$floor" "$warm_cpu" \
  "$(awk -v b="$floor_bytes" -v r="$sha384" 'BEGIN { printf "%.1f", b / (r * 1000) * 1000 }')" "$LOAD_BEFORE" "$LOAD_AFTER"
