#!/usr/bin/env bash
# Lists the dependencies and build plugins pinned in pom.xml for which Maven Central serves a newer
# version (versions-maven-plugin, pinned below; it and the metadata it reads are downloaded, so this
# needs the network and is not part of the test suite).
# Usage: bench/deps.sh [--all]
#   Without --all, pre-releases (alpha, beta, RC, M, milestone, preview, SNAPSHOT) are not offered.
# Prints one "groupId:artifactId  current -> newest" line per outdated item; exits 0 either way.
set -euo pipefail
ROOT="$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)"
VERSIONS=org.codehaus.mojo:versions-maven-plugin:2.16.2
case "${1:-}" in
  '') IGNORE='(?i).*[-.](alpha|beta|rc|cr|m|milestone|preview|ea|snapshot)[-.]?[0-9]*.*' ;;
  --all) IGNORE='' ;;
  *) sed -n '2,7p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2 ;;
esac
OUT="$(mktemp -d)"
trap 'rm -rf "$OUT"' EXIT
cd "$ROOT"
for goal in display-dependency-updates display-plugin-updates; do   # one report file each: the second would overwrite the first
  mvn -B -ntp -q -N "$VERSIONS:$goal" \
    -DprocessDependencyManagement=true -DprocessDependencies=true -DprocessPluginDependencies=false \
    ${IGNORE:+"-Dmaven.version.ignore=$IGNORE"} \
    -Dversions.outputFile="$OUT/$goal.txt" -DoutputEncoding=UTF-8 >"$OUT/mvn.log" 2>&1 \
    || { cat "$OUT/mvn.log" >&2; exit 1; }
done
# the plugin writes "  group:artifact ....... current -> newest" lines, wrapping long ones
cat "$OUT"/display-*.txt | sed -e 's/^\[INFO\] *//' | awk '
  /->/ { line = prev $0; prev = ""; gsub(/ \.+ /, "  ", line); gsub(/\.\.+/, " ", line); gsub(/  +/, "  ", line); sub(/^ +/, "", line); print line; next }
  /^ *[A-Za-z0-9_.-]+:[A-Za-z0-9_.-]+ *\.*$/ { prev = $0; next }
  { prev = "" }' |
  # the plugin report also lists the newest release for each older Maven: keep upgrades only, the newest per item
  while read -r name current arrow newest; do
    [ "$arrow" = "->" ] && [ "$current" != "$newest" ] || continue
    [ "$(printf '%s\n%s\n' "$current" "$newest" | sort -V | tail -n1)" = "$newest" ] && printf '%s %s %s\n' "$name" "$current" "$newest"
  done | sort -k1,1 -k3,3V | awk '{ newest[$1] = $3; current[$1] = $2 } END { for (n in newest) printf "%-55s %s -> %s\n", n, current[n], newest[n] }' | sort
