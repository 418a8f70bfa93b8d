#!/bin/sh
# Initramfs packing: sealwright vs GNU cpio + gzip on the same generated tree, same compression level.
#   bench/pack.sh [SIZE_MB]   (default 200)
# Prints both wall-clock times (best of RUNS=3) and the ratio ours/theirs (target <= 1.0), and checks that both
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

# Best of RUNS alternating runs each, wall clock and CPU (user+sys of the whole process tree):
# the cores here are shared with other work, so wall time alone is noisy.
RUNS=${RUNS:-3} python3 - "$ROOT" "$TREE" "$WORK" <<'PY'
import os, resource, subprocess, sys, time
root, tree, work = sys.argv[1:4]
runs = int(os.environ.get("RUNS", "3"))
ours_cmd = [root + "/sealwright", "initramfs", tree, "-o", work + "/ours.cpio.gz", "--level", "9", "--force"]
theirs_cmd = "cd '%s' && find . | LC_ALL=C sort | cpio -o -H newc --reproducible --quiet | gzip -9 -n > '%s/theirs.cpio.gz'" % (tree, work)

def measure(cmd, shell):
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.monotonic()
    subprocess.run(cmd, shell=shell, check=True, stdout=subprocess.DEVNULL)
    wall = time.monotonic() - t
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)

ours, theirs = [], []
for _ in range(runs):
    ours.append(measure(ours_cmd, False))
    theirs.append(measure(theirs_cmd, True))
ow, oc = min(w for w, _ in ours), min(c for _, c in ours)
tw, tc = min(w for w, _ in theirs), min(c for _, c in theirs)
size = lambda f: os.path.getsize(os.path.join(work, f))
print("best of %d runs, load average %.1f on %d cores" % (runs, os.getloadavg()[0], os.cpu_count()))
print("sealwright initramfs --level 9 (incl. JVM start): wall %6.2f s  cpu %6.2f s  %d bytes" % (ow, oc, size("ours.cpio.gz")))
print("find|sort|cpio --reproducible|gzip -9 -n:         wall %6.2f s  cpu %6.2f s  %d bytes" % (tw, tc, size("theirs.cpio.gz")))
print("ratio ours/theirs: wall %.2f, cpu %.2f (target <= 1.0)" % (ow / tw, oc / tc))
PY

gzip -dc "$WORK/ours.cpio.gz" | cpio -t --quiet | sed 's|^\./||' | grep -v '^\.$' | LC_ALL=C sort > "$WORK/ours.list"
gzip -dc "$WORK/theirs.cpio.gz" | cpio -t --quiet | sed 's|^\./||' | grep -v '^\.$' | LC_ALL=C sort > "$WORK/theirs.list"
if cmp -s "$WORK/ours.list" "$WORK/theirs.list"; then same=yes; else same=NO; fi
echo "same member list ($(wc -l < "$WORK/ours.list") entries): $same"
[ "$same" = yes ]
