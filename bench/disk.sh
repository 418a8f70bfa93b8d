#!/usr/bin/env bash
# Disk benchmark, same machine, same run, same 1 GiB of data:
#   1. rootfs encryption: `sealwright disk encrypt` (copying, GPT image) and `disk encrypt --in-place`
#      (journaled, like cryptsetup's) vs `cryptsetup reencrypt --encrypt` (in place, encrypt-cloud-image
#      parameters). Target ratio ours/theirs <= 1.0.
#   2. dm-verity: `sealwright verity format` vs `veritysetup format`. Target ratio <= 0.7.
#   3. Throughput next to the limits: `openssl speed -evp aes-256-xts` and `openssl speed -evp sha256`.
# Usage: bench/disk.sh [SIZE_MIB]   (default 1024; needs ~4x SIZE free in $TMPDIR)
set -euo pipefail
ROOT="$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)"
MIB="${1:-1024}"
[ -x /usr/bin/time ] || { echo "bench/disk.sh: /usr/bin/time not found (apt-get install time)" >&2; exit 1; }
for t in cryptsetup veritysetup sgdisk openssl; do
  command -v "$t" >/dev/null || { echo "bench/disk.sh: $t not found (apt-get install cryptsetup-bin gdisk openssl)" >&2; exit 1; }
done
W="$(mktemp -d "${TMPDIR:-/tmp}/sealwright-bench.XXXXXX")"
trap 'rm -rf "$W"' EXIT
SW="$ROOT/sealwright"
"$SW" --version >/dev/null  # build once, outside the timings

# timed LABEL CMD...: wall seconds into $LABEL_wall, user+sys CPU seconds into $LABEL_cpu
timed() {
  local label=$1; shift
  /usr/bin/time -f '%e %U %S' -o "$W/$label.time" "$@"
  read -r wall user sys < "$W/$label.time"
  printf -v "${label}_wall" '%s' "$wall"
  printf -v "${label}_cpu" '%s' "$(awk -v u="$user" -v s="$sys" 'BEGIN { print u + s }')"
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
mbs() { awk -v s="$1" -v m="$MIB" 'BEGIN { printf "%.0f", m / s }'; }

LOAD=$(cut -d' ' -f1-3 /proc/loadavg)
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
timed ours_enc "$SW" disk encrypt "$W/disk.img" -o "$W/ours.img" --key-file "$W/key" >/dev/null
rm -f "$W/ours.img"; sync
timed ours_inplace "$SW" disk encrypt "$W/disk.img" --in-place --key-file "$W/key" >/dev/null
rm -f "$W/disk.img"

# theirs: the plaintext followed by the 32 MiB reencrypt needs, encrypted in place
cp "$W/plain.bin" "$W/theirs.img"; truncate -s "$(((MIB + 32) << 20))" "$W/theirs.img"; sync
timed theirs_enc cryptsetup -q reencrypt --encrypt --type luks2 --key-file "$W/key" --cipher aes-xts-plain64 --key-size 512 \
  --pbkdf pbkdf2 --pbkdf-force-iterations 1000 --luks2-metadata-size 512k --luks2-keyslots-size 15360k \
  --reduce-device-size 32m "$W/theirs.img"
rm -f "$W/theirs.img"

# --- 2. verity --------------------------------------------------------------------------------
SALT=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
timed ours_ver "$SW" verity format "$W/plain.bin" "$W/ours.hash" --salt "$SALT" >"$W/ours.out"
timed theirs_ver veritysetup format "$W/plain.bin" "$W/theirs.hash" --salt "$SALT" >"$W/theirs.out"
ours_root=$(awk '/Root hash/ {print $3}' "$W/ours.out"); theirs_root=$(awk '/Root hash/ {print $3}' "$W/theirs.out")
[ "$ours_root" = "$theirs_root" ] || { echo "verity root hashes differ: $ours_root vs $theirs_root" >&2; exit 1; }

# --- 3. limits ----------------------------------------------------------------------------------
xts=$(openssl speed -elapsed -seconds 2 -bytes 4096 -evp aes-256-xts 2>/dev/null | awk '/^AES-256-XTS|^aes-256-xts/ {print $NF}' | tr -d k)
sha=$(openssl speed -elapsed -seconds 2 -bytes 4096 -evp sha256 2>/dev/null | awk '/^sha256/ {print $NF}' | tr -d k)
to_mbs() { awk -v k="$1" 'BEGIN { printf "%.0f", k * 1000 / 1048576 }'; }

printf '\nload average before the run: %s (wall ratios mean little on a busy machine; CPU ratios are steadier)\n' "$LOAD"
printf '\n%-34s %8s %8s %7s %8s %8s %7s  %s\n' "task ($MIB MiB)" "ours s" "their s" "ratio" "ours cpu" "their cpu" "ratio" "target (wall)"
printf '%-34s %8.2f %8.2f %7s %8.2f %8.2f %7s  %s\n' "encrypt vs cryptsetup reencrypt" "$ours_enc_wall" "$theirs_enc_wall" \
  "$(ratio "$ours_enc_wall" "$theirs_enc_wall")" "$ours_enc_cpu" "$theirs_enc_cpu" "$(ratio "$ours_enc_cpu" "$theirs_enc_cpu")" "<= 1.0"
printf '%-34s %8.2f %8.2f %7s %8.2f %8.2f %7s  %s\n' "encrypt --in-place vs reencrypt" "$ours_inplace_wall" "$theirs_enc_wall" \
  "$(ratio "$ours_inplace_wall" "$theirs_enc_wall")" "$ours_inplace_cpu" "$theirs_enc_cpu" "$(ratio "$ours_inplace_cpu" "$theirs_enc_cpu")" "<= 1.0"
printf '%-34s %8.2f %8.2f %7s %8.2f %8.2f %7s  %s\n' "verity format vs veritysetup" "$ours_ver_wall" "$theirs_ver_wall" \
  "$(ratio "$ours_ver_wall" "$theirs_ver_wall")" "$ours_ver_cpu" "$theirs_ver_cpu" "$(ratio "$ours_ver_cpu" "$theirs_ver_cpu")" "<= 0.7"
printf '\nthroughput MB/s (wall): encrypt ours %s (in place %s), cryptsetup %s; openssl aes-256-xts limit %s per core\n' \
  "$(mbs "$ours_enc_wall")" "$(mbs "$ours_inplace_wall")" "$(mbs "$theirs_enc_wall")" "$(to_mbs "$xts")"
printf 'throughput MB/s (wall): verity  ours %s, veritysetup %s; openssl sha256 limit %s per core (ours uses %s cores)\n' \
  "$(mbs "$ours_ver_wall")" "$(mbs "$theirs_ver_wall")" "$(to_mbs "$sha")" "$(nproc)"
