#!/usr/bin/env bash
# Key broker load: CLIENTS (default 50) concurrent clients against the broker on loopback, each
# running the full exchange (challenge → SIMULATED TDX quote → DCAP verification with collateral →
# policy → sealed secret → decrypt) for SECONDS (default 20) after a warm-up (WARMUP, default 15 s: JIT compilation competes for the same cores). Prints grants/s
# (target >= 300/s on 2 cores), p50/p99 latency and the grant accounting (client-side grants vs
# audit-log grants, lost, wrong-secret and duplicated grants: all must be zero). The load driver
# (which also signs the SIMULATED quotes) shares the JVM and the cores with the broker, and other
# work on the machine competes too: the load average is printed alongside. STALLED (default 256; 0 for
# the normal run alone) adds a second phase of SECONDS with that many connections from 127.0.0.2 and up
# that each send half a request and stall (slowloris), and a third after they left, printed beside the normal run.
set -euo pipefail
ROOT="$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)"
CLIENTS="${1:-50}"
SECS="${2:-20}"
WARMUP="${3:-15}"
STALLED="${4:-256}"
"$ROOT/sealwright" --version >/dev/null   # build if needed, outside the timings
CP="$ROOT/dsl/target/sealwright-dsl.jar:$ROOT/dsl/target/lib/*"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg), cores: $(nproc)"
java -cp "$CP" "$ROOT/bench/KbsBench.java" "$CLIENTS" "$SECS" "$WARMUP" "$STALLED"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
