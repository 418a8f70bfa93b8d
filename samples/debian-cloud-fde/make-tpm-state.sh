#!/bin/sh
# Writes a DEMO swtpm state directory (tpm2-00.permall) whose ECC P-256 SRK (tpm2_createprimary
# defaults) is persisted at 0x81000001, and that SRK's public area: the TPM the sample's launch steps
# give the VM (launch tpmState) and the srk.pub disk.deploy seals to. Public, like DEMO-root.key:
# anyone holding this state can unseal what is sealed to it. Needs the Debian packages swtpm and tpm2-tools.
# Usage: make-tpm-state.sh [STATE_DIR [SRK_PUB]]   (default: tpm-state, srk.pub)
set -eu
state=${1:-tpm-state}
out=${2:-srk.pub}
mkdir -p "$state"
dir=$(mktemp -d)
trap 'kill "$pid" 2>/dev/null || true; rm -rf "$dir"' EXIT
swtpm socket --tpm2 --server type=unixio,path="$dir/tpm.sock" --ctrl type=unixio,path="$dir/tpm.sock.ctrl" \
    --tpmstate dir="$state" --flags not-need-init,startup-clear &
pid=$!
while [ ! -S "$dir/tpm.sock" ]; do sleep 0.1; done
export TPM2TOOLS_TCTI="swtpm:path=$dir/tpm.sock"
tpm2_createprimary -Q -C o -G ecc -c "$dir/srk.ctx"
tpm2_evictcontrol -Q -C o -c "$dir/srk.ctx" 0x81000001
tpm2_flushcontext -t
tpm2_readpublic -Q -c 0x81000001 -o "$out"
tpm2_shutdown 2>/dev/null || true
kill "$pid"; wait "$pid" 2>/dev/null || true
echo "wrote $state and $out"
