#!/usr/bin/env bash
# Key broker load: [--replicas N] [--store SPEC] CLIENTS (default 50) concurrent clients against the broker on loopback, each
# running the full exchange (challenge → SIMULATED TDX quote → DCAP verification with collateral →
# policy → sealed secret → decrypt) for SECONDS (default 20) after a warm-up (WARMUP, default 15 s: JIT compilation competes for the same cores). Prints grants/s
# (target >= 300/s on 2 cores), p50/p99 latency and the grant accounting (client-side grants vs
# audit-log grants, lost, wrong-secret and duplicated grants: all must be zero). The load driver
# (which also signs the SIMULATED quotes) shares the JVM and the cores with the broker, and other
# work on the machine competes too: the load average is printed alongside. STALLED (default 256; 0 for
# the normal run alone) adds a second phase of SECONDS with that many connections from 127.0.0.2 and up
# that each send half a request and stall (slowloris), and a third after they left, printed beside the normal run.
# Options (before the positional arguments): --replicas N (default 1) starts N broker replicas in the one
# JVM, each with its own pool on the one store and its own port; clients go round-robin (challenge on one
# replica, attest on the next). --store SPEC (default: an embedded H2 file in a temporary directory,
# h2:PATH) or a JDBC URL such as jdbc:postgresql://127.0.0.1:5432/kbs?user=…
set -euo pipefail
ROOT="$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)"
REPLICAS=1
STORE=
while [ $# -gt 0 ]; do
  case "$1" in
    --replicas) [ $# -ge 2 ] && [[ "$2" =~ ^[1-9][0-9]*$ ]] || { echo "bench/kbs.sh: --replicas needs a positive number" >&2; exit 2; }
                REPLICAS="$2"; shift 2 ;;
    --store) [ $# -ge 2 ] || { echo "bench/kbs.sh: --store needs h2:PATH or a JDBC URL" >&2; exit 2; }
             STORE="$2"; shift 2 ;;
    --*) echo "bench/kbs.sh: unknown option $1 (--replicas N, --store SPEC)" >&2; exit 2 ;;
    *) break ;;
  esac
done
CLIENTS="${1:-50}"
SECS="${2:-20}"
WARMUP="${3:-15}"
STALLED="${4:-256}"
"$ROOT/sealwright" --version >/dev/null   # build if needed, outside the timings
CP="$ROOT/dsl/target/sealwright-dsl.jar:$ROOT/dsl/target/lib/*"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg), cores: $(nproc), replicas: $REPLICAS"
java -cp "$CP" "$ROOT/bench/KbsBench.java" "$CLIENTS" "$SECS" "$WARMUP" "$STALLED" "$REPLICAS" "$STORE"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
