#!/usr/bin/env bash
# Benchmark: `sealwright measure snp` vs sev-snp-measure (virtee, Python) on the same inputs, whole-process
# wall time averaged over N runs; prints both times and the ratio ours/theirs (target <= 0.5), and checks
# that both print the same digest. Ours is measured twice: "cold", a fresh JVM per call
# (SEALWRIGHT_DAEMON=off), and "warm", through the CLI daemon (docs/daemon.md) after a warm-up, which is
# how the launcher runs short verbs outside CI.
#
# sev-snp-measure is not packaged in Debian: the bench uses the checkout in $SEV_SNP_MEASURE, by default
# target/bench/sev-snp-measure (git ignores target/). One command puts it there, from GitHub or from a mirror:
#   git clone -q https://github.com/virtee/sev-snp-measure target/bench/sev-snp-measure
#   mkdir -p target/bench/sev-snp-measure && git --git-dir=MIRROR.git archive HEAD | tar -x -C target/bench/sev-snp-measure
# Without it the script says so and reports our time alone. Runs with Debian's /usr/bin/python3, whose only
# dependency is python3-cryptography (.ci/packages-test).
set -euo pipefail
ROOT="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
N="${1:-10}"
FIX="$ROOT/../shared/fixtures/snp/sev-snp-measure"
WORK="$ROOT/target/bench/snp"
mkdir -p "$WORK"
[ -f "$WORK/svsm_ovmf.fd" ] || gzip -dc "$FIX/svsm_ovmf.fd.gz" > "$WORK/svsm_ovmf.fd"
PY="${PYTHON:-/usr/bin/python3}"

"$ROOT/sealwright" --version >/dev/null   # build if needed and create the CDS archive
export SEALWRIGHT_DAEMON_DIR="$WORK/daemon"   # a daemon of our own, stopped at the end
trap '"$ROOT/sealwright" daemon stop >/dev/null' EXIT

# name | arguments common to both tools
CASES=(
  "snp-4vcpu-kernel|--mode snp --vcpus 4 --vcpu-type EPYC-v4 --ovmf $FIX/ovmf_AmdSev_suffix.bin --kernel /dev/null --initrd /dev/null --append console=ttyS0"
  "svsm-4vcpu-4MiB|--mode snp:svsm --vcpus 4 --vcpu-type EPYC-v4 --ovmf $WORK/svsm_ovmf.fd --svsm $FIX/svsm.bin --vars-size 540672"
)

now() { date +%s%N; }
avg_ms() { # command...
  local start end
  start=$(now)
  for _ in $(seq "$N"); do "$@" >/dev/null; done
  end=$(now)
  awk -v ns="$((end - start))" -v n="$N" 'BEGIN { printf "%.1f", ns / n / 1e6 }' 
}

theirs_available=false
SEV_SNP_MEASURE="${SEV_SNP_MEASURE:-$ROOT/target/bench/sev-snp-measure}"
if [ -f "$SEV_SNP_MEASURE/sev-snp-measure.py" ]; then
  theirs_available=true
else
  echo "sev-snp-measure: not found in $SEV_SNP_MEASURE (see the header of bench/snp.sh for the one command that puts it there) - reporting ours alone"
fi

echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg); $(nproc) cores (targets hold for an idle machine; cold target: ratio <= 4.0)"
for c in "${CASES[@]}"; do
  name="${c%%|*}"; read -r -a args <<<"${c#*|}"
  ours_digest=$("$ROOT/sealwright" measure snp "${args[@]}")
  cold=$(SEALWRIGHT_DAEMON=off avg_ms "$ROOT/sealwright" measure snp "${args[@]}")
  for _ in $(seq 30); do SEALWRIGHT_DAEMON=on "$ROOT/sealwright" measure snp "${args[@]}" >/dev/null; done   # start and warm the daemon
  ours=$(SEALWRIGHT_DAEMON=on avg_ms "$ROOT/sealwright" measure snp "${args[@]}")
  if $theirs_available; then
    theirs_digest=$("$PY" "$SEV_SNP_MEASURE/sev-snp-measure.py" "${args[@]}")
    [ "$ours_digest" = "$theirs_digest" ] || { echo "$name: DIGESTS DIFFER: ours $ours_digest, theirs $theirs_digest"; exit 1; }
    theirs=$(avg_ms "$PY" "$SEV_SNP_MEASURE/sev-snp-measure.py" "${args[@]}")
    ratio=$(awk -v a="$ours" -v b="$theirs" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }')
    cratio=$(awk -v a="$cold" -v b="$theirs" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }')
    echo "$name: ours warm ${ours} ms (cold JVM ${cold} ms), sev-snp-measure ${theirs} ms, ratio warm ${ratio} (target <= 0.5), cold ${cratio}; digest ${ours_digest:0:16}... equal"
  else
    echo "$name: ours warm ${ours} ms (cold JVM ${cold} ms), digest ${ours_digest:0:16}..."
  fi
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
