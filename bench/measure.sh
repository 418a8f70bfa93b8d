#!/usr/bin/env bash
# TDX measurement benchmark: `sealwright measure tdx` on Debian's 2 MiB OVMF.fd and a ~30 MB UKI-shaped
# UKI (systemd-stub + Debian's cloud kernel + a random .initrd, built with objcopy as ukify does), profile qemu-10 (the
# image is hashed: Authenticode over 30 MB + MRTD over 2 MB). Prints the median whole-process time of
# several runs, in a fresh JVM each (SEALWRIGHT_DAEMON=off) and through the warm CLI daemon (docs/daemon.md,
# how the launcher runs `measure` outside CI), and the median in-process warm time.
# Targets: < 1.0 s whole-process, < 150 ms warm.
# No peer tool (dstack-mr, tdx-measure) is packaged for Debian, so no ratio is printed.
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
KERNEL=$(ls "${XDG_CACHE_HOME:-$HOME/.cache}"/sealwright/kernels/*/root/boot/vmlinuz-* /boot/vmlinuz-* 2>/dev/null | head -1 || true)
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
median=$(SEALWRIGHT_DAEMON=off median_of "$ROOT/sealwright" "${ARGS[@]}")
export SEALWRIGHT_DAEMON_DIR="$WORK/daemon"
trap '"$ROOT/sealwright" daemon stop >/dev/null; rm -rf "$WORK"' EXIT
for _ in 1 2 3 4 5; do SEALWRIGHT_DAEMON=on "$ROOT/sealwright" "${ARGS[@]}" >/dev/null; done   # start and warm the daemon
daemon=$(SEALWRIGHT_DAEMON=on median_of "$ROOT/sealwright" "${ARGS[@]}")

TARGET="$ROOT/dsl/target"
cat > "$WORK/Warm.java" <<'JAVA'
public class Warm {
    public static void main(String[] a) throws Exception {
        java.io.PrintStream out = System.out;
        System.setOut(new java.io.PrintStream(java.io.OutputStream.nullOutputStream()));
        for (int i = 0; i < 5; i++) dev.sealwright.cli.Main.execute(a);          // warm-up
        long[] t = new long[9];
        for (int i = 0; i < t.length; i++) { long s = System.nanoTime(); dev.sealwright.cli.Main.execute(a); t[i] = System.nanoTime() - s; }
        java.util.Arrays.sort(t);
        out.printf("%.1f%n", t[t.length / 2] / 1e6);
    }
}
JAVA
warm=$(java -Dsealwright.home="$ROOT" -cp "$TARGET/sealwright-dsl.jar:$TARGET/lib/*" "$WORK/Warm.java" "${ARGS[@]}")

printf 'inputs                     OVMF.fd %d B, uki.efi %d B\n' "$(stat -c %s "$OVMF")" "$(stat -c %s "$WORK/uki.efi")"
printf 'whole process (median/%d)  %.2f s through the CLI daemon, %.2f s in a fresh JVM   (target < 1.0 s)\n' "$RUNS" "$daemon" "$median"
printf 'in-process warm (median/9) %s ms  (target < 150 ms)\n' "$warm"
