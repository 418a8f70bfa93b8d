#!/bin/sh
# rootfs.sh OUT KBS_CLIENT UNLOCK WORKLOAD: the guest's root directory as a reproducible tar in OUT:
# busybox, Debian's cryptsetup with its ldd closure, the static kbs-client and the two scripts.
set -eu
out=$1 kbs_client=$2 unlock=$3 workload=$4
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
copy() { # copy FILE to the same path under $root, following symlinks
    mkdir -p "$root$(dirname "$1")"
    cp -L "$1" "$root$1"
}
mkdir -p "$root/bin" "$root/cczoo" "$root/run" "$root/mnt/data" "$root/tmp"
cp -L "$(command -v busybox)" "$root/bin/busybox"
cryptsetup=$(command -v cryptsetup)
copy "$cryptsetup"
ldd "$cryptsetup" | sed -n 's/.*=> \(\/[^ ]*\) (0x.*/\1/p; s/^[[:space:]]*\(\/[^ ]*\) (0x.*/\1/p' | while read -r lib; do copy "$lib"; done
# libgcc_s is loaded at run time (pthread_cancel) and ldd does not list it
for lib in /lib/x86_64-linux-gnu/libgcc_s.so.1; do [ -e "$lib" ] && copy "$lib"; done
cp "$kbs_client" "$root/cczoo/kbs-client"
cp "$unlock" "$root/cczoo/unlock.sh"
cp "$workload" "$root/cczoo/workload.sh"
chmod 0755 "$root/cczoo/kbs-client" "$root/cczoo/unlock.sh" "$root/cczoo/workload.sh" "$root/bin/busybox"
tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -C "$root" -cf "$out" .
