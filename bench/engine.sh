#!/usr/bin/env bash
# Engine overhead benchmark: a generated recipe of N small steps (default 200).
# Prints whole-process wall time of the first run and of the fully cached re-run (median of RUNS; the
# re-run takes the evaluated pipeline from the configuration cache, docs/engine.md; with its CPU time:
# on a loaded machine wall time mostly measures the other processes), and, in one warm JVM, the CPU
# of the whole `run` verb (pipeline from the configuration cache) and of the engine alone per
# cached step; `./sealwright --help` for scale; the load average before and after.
# Targets (issue 18): cached re-run <= 1.0 s whole-process including JVM start, a cached step well
# under 1 ms in the engine; on an idle 2-core machine.
# Usage: bench/engine.sh [N] [RUNS]
set -euo pipefail
ROOT="$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)"
N="${1:-200}"
RUNS="${2:-5}"
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
# median_cpu CMD...: "WALL CPU" seconds, the run with the median wall time of RUNS runs
median_cpu() {
  local i
  for i in $(seq 1 "$RUNS"); do
    /usr/bin/time -f '%e %U %S' -o "$WORK/time" "$@" >/dev/null
    read -r w u s < "$WORK/time"; echo "$w $(echo "$u + $s" | bc -l)"
  done | sort -n | sed -n "$(( (RUNS + 1) / 2 ))p"
}
[ -x /usr/bin/time ] || { echo "bench/engine.sh: /usr/bin/time not found (apt-get install time)" >&2; exit 1; }

LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
help=$(t "$ROOT/sealwright" --help)
first=$(t "$ROOT/sealwright" run -C "$WORK" "$WORK/bench.groovy")
sleep 2.1   # ContentDigests remembers only files older than 2 s
read -r cached cached_cpu <<<"$(median_cpu "$ROOT/sealwright" run -C "$WORK" "$WORK/bench.groovy")"
plan=$(t "$ROOT/sealwright" plan -C "$WORK" "$WORK/bench.groovy")
"$ROOT/sealwright" run -C "$WORK" "$WORK/bench.groovy" | grep -q "0 executed, $N cached" || { echo "cached re-run executed steps" >&2; exit 1; }

# in one warm JVM: the whole run verb, and Engine.run alone on the loaded pipeline (CPU per run)
TARGET="$ROOT/dsl/target"
cat > "$WORK/Warm.java" <<'JAVA'
import dev.sealwright.engine.Engine;
import dev.sealwright.engine.EngineOptions;
import dev.sealwright.engine.Pipeline;
import dev.sealwright.engine.Workspace;
import java.nio.file.Path;
public class Warm {
    static final com.sun.management.OperatingSystemMXBean OS =
            (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean();
    interface Body { void run() throws Exception; }
    static double cpuMs(int n, Body b) throws Exception {
        for (int i = 0; i < n; i++) b.run();   // warm-up
        long c0 = OS.getProcessCpuTime();
        for (int i = 0; i < n; i++) b.run();
        return (OS.getProcessCpuTime() - c0) / 1e6 / n;
    }
    public static void main(String[] a) throws Exception {
        Path dir = Path.of(a[0]), recipe = Path.of(a[1]);
        java.io.PrintStream out = System.out;
        System.setOut(new java.io.PrintStream(java.io.OutputStream.nullOutputStream()));
        double verb = cpuMs(10, () -> dev.sealwright.cli.Main.execute("run", "-C", dir.toString(), recipe.toString()));
        Pipeline p = dev.sealwright.dsl.RecipeLoader.load(recipe).getPipeline();
        double engine = cpuMs(20, () -> { try (Workspace ws = new Workspace(dir).open()) { new Engine(ws, new EngineOptions()).run(p); } });
        out.printf("%.1f %.1f%n", verb, engine);
    }
}
JAVA
read -r warm_verb warm_engine < <(java -XX:+UseSerialGC -Dsealwright.home="$ROOT" -cp "$TARGET/sealwright-dsl.jar:$TARGET/lib/*" "$WORK/Warm.java" "$WORK" "$WORK/bench.groovy")
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)

printf 'load average before %s, after %s; %s cores (the targets hold for an idle machine)\n' "$LOAD_BEFORE" "$LOAD_AFTER" "$(nproc)"
printf 'steps                     %d\n' "$N"
printf 'sealwright --help         %.2f s\n' "$help"
printf 'first run                 %.2f s\n' "$first"
printf 'cached re-run             %.2f s wall, %.2f s CPU (median of %d; target <= 1.0 s wall)\n' "$cached" "$cached_cpu" "$RUNS"
printf 'plan (all cached)         %.2f s\n' "$plan"
printf 'warm JVM, run verb        %.1f ms CPU (%.3f ms per step; the pipeline from the configuration cache)\n' "$warm_verb" "$(echo "$warm_verb / $N" | bc -l)"
printf 'warm JVM, engine alone    %.1f ms CPU (%.3f ms per cached step; target well under 1 ms)\n' "$warm_engine" "$(echo "$warm_engine / $N" | bc -l)"
