#!/usr/bin/env bash
# Runs one Jazzer fuzz target of fuzz-tests/ for longer than CI's ~20 s (docs/fuzzing.md).
# Usage: bench/fuzz.sh TARGET [SECONDS]     (default 600)
#   TARGET: dcap-quote snp-report eventlog luks2-header pe-uki ovmf-metadata tpm-uefi archive policy-kbs disk-format,
#           or a class name such as DcapQuoteFuzzTest
# The corpus the fuzzer grows is kept in fuzz-tests/.cifuzz-corpus/ (git ignores it) and is reused by
# later runs; a crashing input is written to fuzz-tests/src/test/resources/dev/sealwright/fuzz/
# <Target>Inputs/fuzz/, where every later test run replays it: fix the parser, keep the input.
# Prints the executions done and exits non-zero when the target found a crash.
set -euo pipefail
ROOT="$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)"
[ $# -ge 1 ] || { sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
SECONDS_WANTED="${2:-600}"
case "$SECONDS_WANTED" in ''|*[!0-9]*) echo "bench/fuzz.sh: SECONDS must be a whole number, got '$SECONDS_WANTED'" >&2; exit 2 ;; esac
case "$1" in
  *FuzzTest) CLASS=$1 ;;
  dcap-quote) CLASS=DcapQuoteFuzzTest ;;
  snp-report) CLASS=SnpReportFuzzTest ;;
  eventlog) CLASS=EventLogFuzzTest ;;
  luks2-header) CLASS=Luks2HeaderFuzzTest ;;
  pe-uki) CLASS=PeUkiFuzzTest ;;
  ovmf-metadata) CLASS=OvmfMetadataFuzzTest ;;
  tpm-uefi) CLASS=TpmUefiFuzzTest ;;
  archive) CLASS=ArchiveFuzzTest ;;
  policy-kbs) CLASS=PolicyKbsFuzzTest ;;
  disk-format) CLASS=DiskFormatFuzzTest ;;
  *) echo "bench/fuzz.sh: unknown target '$1' (dcap-quote snp-report eventlog luks2-header pe-uki ovmf-metadata tpm-uefi archive policy-kbs disk-format)" >&2; exit 2 ;;
esac
[ -f "$ROOT/fuzz-tests/src/test/java/dev/sealwright/fuzz/$CLASS.java" ] || { echo "bench/fuzz.sh: no fuzz target $CLASS" >&2; exit 2; }
LOG="$ROOT/fuzz-tests/target/fuzz-$CLASS.log"
mkdir -p "$ROOT/fuzz-tests/target"
rc=0
(cd "$ROOT" && mvn -B -ntp -pl fuzz-tests -am verify -Dtest="$CLASS" -Dsurefire.failIfNoSpecifiedTests=false \
   -Dfuzz.duration="${SECONDS_WANTED}s" -Dfuzz.forks=1 -Dfuzz.seed=0 -Dfuzz.mode=1) >"$LOG" 2>&1 || rc=$?
grep -a -E '^fuzz |^Done [0-9]+ runs|== Java Exception|Tests run:.*Fuzz' "$LOG" || true
if [ "$rc" -ne 0 ]; then
  echo "bench/fuzz.sh: $CLASS failed (a finding, or a build error): see $LOG" >&2
  exit 1
fi
