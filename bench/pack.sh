#!/bin/sh
# Initramfs packing: sealwright vs GNU cpio + gzip on the same generated tree, same compression level.
#   bench/pack.sh [SIZE_MB]   (default 200)
# Prints both wall-clock times and the ratio ours/theirs (target <= 1.0), and checks that both
# archives hold the same member list once decompressed.
set -eu
SIZE_MB=${1:-200}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
WORK=$(mktemp -d /tmp/sealwright-bench-pack.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
TREE=$WORK/tree
mkdir -p "$TREE"

# A tree like a container root: many small text-ish files, some medium binaries, a few large ones.
# Content is half compressible (repeated text) and half random, generated deterministically.
python3 - "$TREE" "$SIZE_MB" <<'PY'
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

"$ROOT/sealwright" --version >/dev/null   # build first, so the timing below is packing only

now() { date +%s.%N; }
t0=$(now)
"$ROOT/sealwright" initramfs "$TREE" -o "$WORK/ours.cpio.gz" --level 9 >/dev/null
t1=$(now)
(cd "$TREE" && find . | LC_ALL=C sort | cpio -o -H newc --reproducible --quiet | gzip -9 -n > "$WORK/theirs.cpio.gz")
t2=$(now)

gzip -dc "$WORK/ours.cpio.gz" | cpio -t --quiet | sed 's|^\./||' | grep -v '^\.$' | LC_ALL=C sort > "$WORK/ours.list"
gzip -dc "$WORK/theirs.cpio.gz" | cpio -t --quiet | sed 's|^\./||' | grep -v '^\.$' | LC_ALL=C sort > "$WORK/theirs.list"
if cmp -s "$WORK/ours.list" "$WORK/theirs.list"; then same=yes; else same=NO; fi

python3 - "$t0" "$t1" "$t2" "$(stat -c %s "$WORK/ours.cpio.gz")" "$(stat -c %s "$WORK/theirs.cpio.gz")" "$same" "$(wc -l < "$WORK/ours.list")" <<'PY'
import sys
t0, t1, t2 = map(float, sys.argv[1:4])
ours, theirs = t1 - t0, t2 - t1
print("sealwright initramfs (gzip -9, incl. JVM start): %.2f s, %s bytes" % (ours, sys.argv[4]))
print("find|sort|cpio --reproducible|gzip -9 -n:        %.2f s, %s bytes" % (theirs, sys.argv[5]))
print("ratio ours/theirs: %.2f (target <= 1.0)" % (ours / theirs))
print("same member list (%s entries): %s" % (sys.argv[7], sys.argv[6]))
PY
[ "$same" = yes ]
