#!/bin/sh
# filesystem.sh OUT DATA_DIR: a 16 MiB ext4 image holding DATA_DIR, reproducible (fixed UUID, hash seed, time).
set -eu
out=$1 data=$2
rm -f "$out"
E2FSPROGS_FAKE_TIME=0 mkfs.ext4 -q -F -t ext4 -L cczoo-data -U 6b1f0c6e-0000-4000-8000-00000000cc20 \
    -E hash_seed=6b1f0c6e-0000-4000-8000-00000000cc20,root_owner=0:0 -d "$data" "$out" 16M
