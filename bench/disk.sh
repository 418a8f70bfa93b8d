#!/usr/bin/env bash
# Disk benchmark, same machine, same run, same 1 GiB of data:
#   1. rootfs encryption: `sealwright disk encrypt` (copying, GPT image) vs `cryptsetup reencrypt --encrypt`
#      (in place, encrypt-cloud-image parameters). Target ratio ours/theirs <= 1.0.
#   2. dm-verity: `sealwright verity format` vs `veritysetup format`. Target ratio <= 0.7.
#   3. Throughput next to the limits: `openssl speed -evp aes-256-xts` and `openssl speed -evp sha256`.
# Usage: bench/disk.sh [SIZE_MIB]   (default 1024; needs ~4x SIZE free in $TMPDIR)
set -euo pipefail
ROOT="$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)"
MIB="${1:-1024}"
for t in cryptsetup veritysetup sgdisk openssl; do
  command -v "$t" >/dev/null || { echo "bench/disk.sh: $t not found (apt-get install cryptsetup-bin gdisk openssl)" >&2; exit 1; }
done
W="$(mktemp -d "${TMPDIR:-/tmp}/sealwright-bench.XXXXXX")"
trap 'rm -rf "$W"' EXIT
SW="$ROOT/sealwright"
"$SW" --version >/dev/null  # build once, outside the timings

now() { date +%s.%N; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
mbs() { awk -v s="$1" -v m="$MIB" 'BEGIN { printf "%.0f", m / s }'; }

echo "data: $MIB MiB of random bytes ($W)"
head -c "$((MIB << 20))" /dev/urandom > "$W/plain.bin"
printf 'bench-passphrase' > "$W/key"

# --- 1. encryption ---------------------------------------------------------------------------
# ours: a GPT disk with BIOS boot (1 MiB) + rootfs holding the same bytes
DISK_MIB=$((MIB + 4))
truncate -s "$((DISK_MIB << 20))" "$W/disk.img"
sgdisk -o -n 14:2048:+1M -t 14:ef02 -n 1:0:+"${MIB}M" -t 1:8300 -c 1:cloudimg-rootfs "$W/disk.img" >/dev/null
START=$(sgdisk -i 1 "$W/disk.img" | awk '/First sector/ {print $3}')
dd if="$W/plain.bin" of="$W/disk.img" bs=1M seek="$((START * 512))" oflag=seek_bytes conv=notrunc status=none
sync
t0=$(now); "$SW" disk encrypt "$W/disk.img" -o "$W/ours.img" --key-file "$W/key" >/dev/null; t1=$(now)
ours_enc=$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')
rm -f "$W/ours.img" "$W/disk.img"

# theirs: the plaintext followed by the 32 MiB reencrypt needs, encrypted in place
cp "$W/plain.bin" "$W/theirs.img"; truncate -s "$(((MIB + 32) << 20))" "$W/theirs.img"; sync
t0=$(now)
cryptsetup -q reencrypt --encrypt --type luks2 --key-file "$W/key" --cipher aes-xts-plain64 --key-size 512 \
  --pbkdf pbkdf2 --pbkdf-force-iterations 1000 --luks2-metadata-size 512k --luks2-keyslots-size 15360k \
  --reduce-device-size 32m "$W/theirs.img"
t1=$(now)
theirs_enc=$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')
rm -f "$W/theirs.img"

# --- 2. verity --------------------------------------------------------------------------------
SALT=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
t0=$(now); "$SW" verity format "$W/plain.bin" "$W/ours.hash" --salt "$SALT" >"$W/ours.out"; t1=$(now)
ours_ver=$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')
t0=$(now); veritysetup format "$W/plain.bin" "$W/theirs.hash" --salt "$SALT" >"$W/theirs.out"; t1=$(now)
theirs_ver=$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')
ours_root=$(awk '/Root hash/ {print $3}' "$W/ours.out"); theirs_root=$(awk '/Root hash/ {print $3}' "$W/theirs.out")
[ "$ours_root" = "$theirs_root" ] || { echo "verity root hashes differ: $ours_root vs $theirs_root" >&2; exit 1; }

# --- 3. limits ----------------------------------------------------------------------------------
xts=$(openssl speed -elapsed -seconds 2 -bytes 4096 -evp aes-256-xts 2>/dev/null | awk '/^AES-256-XTS|^aes-256-xts/ {print $NF}' | tr -d k)
sha=$(openssl speed -elapsed -seconds 2 -bytes 4096 -evp sha256 2>/dev/null | awk '/^sha256/ {print $NF}' | tr -d k)
to_mbs() { awk -v k="$1" 'BEGIN { printf "%.0f", k * 1000 / 1048576 }'; }

printf '\n%-34s %10s %10s %8s %s\n' "task ($MIB MiB)" "ours s" "theirs s" "ratio" "target"
printf '%-34s %10.2f %10.2f %8s %s\n' "encrypt vs cryptsetup reencrypt" "$ours_enc" "$theirs_enc" "$(ratio "$ours_enc" "$theirs_enc")" "<= 1.0"
printf '%-34s %10.2f %10.2f %8s %s\n' "verity format vs veritysetup" "$ours_ver" "$theirs_ver" "$(ratio "$ours_ver" "$theirs_ver")" "<= 0.7"
printf '\nthroughput MB/s: encrypt ours %s, cryptsetup %s, openssl aes-256-xts limit %s (1 core)\n' \
  "$(mbs "$ours_enc")" "$(mbs "$theirs_enc")" "$(to_mbs "$xts")"
printf 'throughput MB/s: verity  ours %s, veritysetup %s, openssl sha256 limit %s (1 core; ours uses %s cores)\n' \
  "$(mbs "$ours_ver")" "$(mbs "$theirs_ver")" "$(to_mbs "$sha")" "$(nproc)"
