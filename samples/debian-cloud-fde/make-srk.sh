#!/bin/sh
# Writes srk.pub: the public area (TPM2B_PUBLIC) of the storage root key tpm2_createprimary makes
# (ECC P-256, owner hierarchy) on a fresh swtpm. Sealing needs only this public half; replace it with
# your target's SRK (on the target: tpm2_createprimary -C o -G ecc -c srk.ctx; tpm2_readpublic -c srk.ctx -o srk.pub).
# Needs the Debian packages swtpm and tpm2-tools.
set -eu
out=${1:-srk.pub}
dir=$(mktemp -d)
trap 'kill "$pid" 2>/dev/null || true; rm -rf "$dir"' EXIT
swtpm socket --tpm2 --server type=unixio,path="$dir/tpm.sock" --ctrl type=unixio,path="$dir/tpm.sock.ctrl" \
    --tpmstate dir="$dir" --flags not-need-init,startup-clear &
pid=$!
while [ ! -S "$dir/tpm.sock" ]; do sleep 0.1; done
export TPM2TOOLS_TCTI="swtpm:path=$dir/tpm.sock"
tpm2_createprimary -Q -C o -G ecc -c "$dir/srk.ctx"
tpm2_readpublic -Q -c "$dir/srk.ctx" -o "$out"
echo "wrote $out"
