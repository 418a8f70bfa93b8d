#!/usr/bin/env bash
# Initramfs packing, same generated tree, same run, same compression level, against the fair peers:
#   gzip: `sealwright initramfs --level 9`            vs  find | sort | cpio --reproducible -o -H newc | pigz -9 -n
#   zstd: `sealwright initramfs --compression zstd -L` vs  find | sort | cpio --reproducible -o -H newc | zstd -T0 -L
# pigz and zstd -T0 use every core, as ours does. Ours runs twice: through the warm CLI daemon (docs/daemon.md;
# how the launcher runs `initramfs` outside CI; its CPU is read from the daemon's /proc/PID/stat) and in a
# fresh JVM (SEALWRIGHT_DAEMON=off, JVM start and JIT warm-up included). Best of RUNS (default 3) alternating
# runs each, wall and CPU (user+sys of the whole process tree) taken separately. Prints both, the ratios
# ours/theirs (target <= 1.0 for wall and CPU), the sizes, and the load average before and after; checks that
# both archives of each pair hold the same member list.
#   bench/pack.sh [SIZE_MB] [ZSTD_LEVEL]   (defaults 200 and 9; needs pigz, zstd, cpio, python3, /usr/bin/time)
set -euo pipefail
SIZE_MB=${1:-200}
ZLEVEL=${2:-9}
RUNS=${RUNS:-3}
ROOT="$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)"
for t in pigz zstd cpio python3; do command -v "$t" >/dev/null || { echo "bench/pack.sh: $t not found (apt-get install $t)" >&2; exit 1; }; done
[ -x /usr/bin/time ] || { echo "bench/pack.sh: /usr/bin/time not found (apt-get install time)" >&2; exit 1; }
W=$(mktemp -d "${TMPDIR:-/tmp}/sealwright-bench-pack.XXXXXX")
SW="$ROOT/sealwright"
export SEALWRIGHT_DAEMON_DIR="$W/daemon"
trap '"$SW" daemon stop >/dev/null 2>&1 || true; rm -rf "$W"' EXIT
TREE=$W/tree
mkdir -p "$TREE" "$W/small"

# A tree like a container root: many small text-ish files, some medium binaries, a few large ones.
# Content is half compressible (repeated text) and half random, generated deterministically.
gen() { python3 - "$1" "$2" <<'PY'
import os, random, sys
root, size_mb = sys.argv[1], int(sys.argv[2])
rnd = random.Random(42)
target, total, n = size_mb * 1024 * 1024, 0, 0
text = b"".join(b"line %d of a configuration file with some words in it\n" % i for i in range(2000))
while total < target:
    d = os.path.join(root, "usr/lib/pkg%03d/sub%02d" % (n // 400, (n // 40) % 10))
    os.makedirs(d, exist_ok=True)
    r = rnd.random()
    size = rnd.randint(200, 8000) if r < 0.85 else rnd.randint(50_000, 400_000) if r < 0.99 else rnd.randint(2_000_000, 8_000_000)
    size = min(size, target - total) or 1
    half = size // 2
    body = (text * (half // len(text) + 1))[:half] + rnd.randbytes(size - half)
    with open(os.path.join(d, "f%05d" % n), "wb") as f:
        f.write(body)
    total += size
    n += 1
print("generated %d files, %d MB" % (n, total // (1024 * 1024)))
PY
}
gen "$TREE" "$SIZE_MB"
gen "$W/small" 16 >/dev/null

"$SW" --version >/dev/null   # build first, so the timings below are packing only
TICK=$(getconf CLK_TCK)
daemon_ticks() { local pid; pid=$(cat "$SEALWRIGHT_DAEMON_DIR"/*.pid); awk '{ print $14 + $15 }' "/proc/$pid/stat"; }
# timed LABEL CMD...: appends "wall cpu" (seconds; user+sys of the process tree) to $W/LABEL
timed() {
  local label=$1; shift
  /usr/bin/time -f '%e %U %S' -o "$W/t" "$@" >/dev/null
  awk '{ printf "%s %.2f\n", $1, $2 + $3 }' "$W/t" >> "$W/$label"
}
# timed_warm LABEL CMD...: the same through the daemon, adding the daemon's CPU to the client's
timed_warm() {
  local label=$1 t0 t1; shift
  t0=$(daemon_ticks)
  SEALWRIGHT_DAEMON=on /usr/bin/time -f '%e %U %S' -o "$W/t" "$@" >/dev/null
  t1=$(daemon_ticks)
  awk -v d=$((t1 - t0)) -v tick="$TICK" '{ printf "%s %.2f\n", $1, $2 + $3 + d / tick }' "$W/t" >> "$W/$label"
}
peer() { # COMPRESSOR OUT: GNU cpio newc of the tree through COMPRESSOR
  echo "cd '$TREE' && find . | LC_ALL=C sort | cpio -o -H newc --reproducible --quiet | $1 > '$2'"
}

LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
# start and warm the daemon on a small tree (JIT, not caches: the timed tree is another one)
for _ in 1 2 3 4 5; do
  SEALWRIGHT_DAEMON=on "$SW" initramfs "$W/small" -o "$W/small.gz" >/dev/null; rm -f "$W/small.gz"
  SEALWRIGHT_DAEMON=on "$SW" initramfs "$W/small" -o "$W/small.zst" --compression zstd --level "$ZLEVEL" >/dev/null; rm -f "$W/small.zst"
done
find "$TREE" -type f -exec cat {} + > /dev/null   # the tree in the page cache for everybody
for _ in $(seq "$RUNS"); do
  rm -f "$W"/*.cpio.*
  timed_warm ours_gz "$SW" initramfs "$TREE" -o "$W/ours.cpio.gz" --level 9
  SEALWRIGHT_DAEMON=off timed cold_gz "$SW" initramfs "$TREE" -o "$W/cold.cpio.gz" --level 9
  timed theirs_gz sh -c "$(peer 'pigz -9 -n' "$W/theirs.cpio.gz")"
  timed_warm ours_zst "$SW" initramfs "$TREE" -o "$W/ours.cpio.zst" --compression zstd --level "$ZLEVEL"
  timed theirs_zst sh -c "$(peer "zstd -q -T0 -$ZLEVEL" "$W/theirs.cpio.zst")"
done
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)
cmp -s "$W/ours.cpio.gz" "$W/cold.cpio.gz" || { echo "daemon and fresh JVM wrote different bytes" >&2; exit 1; }

best() { sort -n "$W/$1" | head -1 | cut -d' ' -f1; }           # best wall
bestcpu() { sort -n -k2 "$W/$1" | head -1 | cut -d' ' -f2; }     # best CPU
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
row() { # LABEL OURS THEIRS FILE
  local ow oc tw tc
  ow=$(best "$2"); oc=$(bestcpu "$2"); tw=$(best "$3"); tc=$(bestcpu "$3")
  printf '%-44s %7.2f %7.2f %6s %8.2f %8.2f %6s\n' "$1" "$ow" "$tw" "$(ratio "$ow" "$tw")" "$oc" "$tc" "$(ratio "$oc" "$tc")"
}
printf '\nload average before %s, after %s; %s cores (ratios need an idle machine to mean much)\n' "$LOAD_BEFORE" "$LOAD_AFTER" "$(nproc)"
printf '%-44s %7s %7s %6s %8s %8s %6s\n' "best of $RUNS, $SIZE_MB MB tree" "ours s" "their s" "ratio" "ours cpu" "thr cpu" "ratio"
row "gzip -9: initramfs (daemon) vs cpio|pigz -9 -n" ours_gz theirs_gz
row "  (fresh JVM)" cold_gz theirs_gz
row "zstd -$ZLEVEL: initramfs (daemon) vs cpio|zstd -T0" ours_zst theirs_zst
printf 'sizes: gzip ours %d, pigz %d; zstd ours %d, zstd -T0 %d bytes; uncompressed tree %d MB\n' \
  "$(stat -c %s "$W/ours.cpio.gz")" "$(stat -c %s "$W/theirs.cpio.gz")" "$(stat -c %s "$W/ours.cpio.zst")" "$(stat -c %s "$W/theirs.cpio.zst")" "$SIZE_MB"
printf 'target: ratio <= 1.0 (wall and CPU) against pigz, through the warm daemon\n'
# one verdict line per goal (issue 21): gzip -9 against pigz -9 -n, wall and CPU, warm daemon
gz_wall=$(ratio "$(best ours_gz)" "$(best theirs_gz)"); gz_cpu=$(ratio "$(bestcpu ours_gz)" "$(bestcpu theirs_gz)")
verdict=$(awk -v w="$gz_wall" -v c="$gz_cpu" 'BEGIN { print (w <= 1.0 && c <= 1.0) ? "PASS" : "FAIL" }')
printf 'GOAL pack (gzip -9 vs pigz -9 -n, wall and CPU ratio <= 1.0): %s  wall %s, CPU %s; load average %s -> %s\n' \
  "$verdict" "$gz_wall" "$gz_cpu" "$LOAD_BEFORE" "$LOAD_AFTER"

list() { "$1" -dc "$2" | cpio -t --quiet | sed 's|^\./||' | grep -v '^\.$' | LC_ALL=C sort; }
same=yes
cmp -s <(list gzip "$W/ours.cpio.gz") <(list gzip "$W/theirs.cpio.gz") || same=NO
cmp -s <(list zstd "$W/ours.cpio.zst") <(list zstd "$W/theirs.cpio.zst") || same=NO
echo "same member lists (gzip and zstd pairs, $(list gzip "$W/ours.cpio.gz" | wc -l) entries): $same"
[ "$same" = yes ]
