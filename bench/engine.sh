#!/usr/bin/env bash
# Engine overhead benchmark: a generated recipe of N small steps (default 200).
# Prints whole-process wall time of the first run and of the fully cached re-run, the engine's
# overhead per cached step, and `./sealwright --help` for scale. Targets: cached re-run < 2 s,
# --help < 1 s on a 2-core machine.
set -euo pipefail
ROOT="$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)"
N="${1:-200}"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
"$ROOT/sealwright" --version >/dev/null   # build if needed, outside the timings

mkdir -p "$WORK/data"
for i in $(seq 1 "$N"); do printf 'file %d\n' "$i" > "$WORK/data/f$i.txt"; done
{
  echo "pipeline('bench') {"
  echo "    def prev = null"
  for i in $(seq 1 "$N"); do
    if (( i % 4 == 1 )); then
      echo "    prev = digest('s$i') { from file('data/f$i.txt') }"
    else
      echo "    digest('s$i') { from file('data/f$i.txt') }"
    fi
  done
  echo "}"
} > "$WORK/bench.groovy"

now() { date +%s.%N; }
t() { local s e; s=$(now); "$@" >/dev/null; e=$(now); echo "$e - $s" | bc -l; }

help=$(t "$ROOT/sealwright" --help)
first=$(t "$ROOT/sealwright" run -C "$WORK" "$WORK/bench.groovy")
cached=$(t "$ROOT/sealwright" run -C "$WORK" "$WORK/bench.groovy")
plan=$(t "$ROOT/sealwright" plan -C "$WORK" "$WORK/bench.groovy")
"$ROOT/sealwright" run -C "$WORK" "$WORK/bench.groovy" | grep -q "0 executed, $N cached" || { echo "cached re-run executed steps" >&2; exit 1; }

printf 'steps                     %d\n' "$N"
printf 'sealwright --help         %.2f s   (target < 1 s)\n' "$help"
printf 'first run                 %.2f s\n' "$first"
printf 'cached re-run             %.2f s   (target < 2 s)\n' "$cached"
printf 'plan (all cached)         %.2f s\n' "$plan"
printf 'overhead per cached step  %.2f ms  ((cached - --help) / steps)\n' "$(echo "($cached - $help) * 1000 / $N" | bc -l)"
