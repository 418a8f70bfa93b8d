#!/bin/busybox sh
# Init hook (runs as root before the workload): fetch the LUKS key from the broker with a SIMULATED TDX
# quote, open /dev/vdb with it, mount it read-only on /mnt/data. The key lives only in a 0400 file on a
# tmpfs and is deleted once the volume is open. URLs come from the (measured) kernel command line.
bb=/bin/busybox
for w in $($bb cat /proc/cmdline); do
    case $w in cczoo.kbs=*) kbs=${w#cczoo.kbs=} ;; cczoo.sim=*) sim=${w#cczoo.sim=} ;; cczoo.resource=*) resource=${w#cczoo.resource=} ;; esac
done
$bb mkdir -p /run/cczoo /run/cryptsetup
$bb mount -t tmpfs -o mode=0700,size=64k,nosuid,nodev,noexec tmpfs /run/cczoo || exit 1
if ! /cczoo/kbs-client --url "$kbs" --resource "$resource" --out /run/cczoo/key --simulated-quote-url "$sim/sim/v0/quote"; then
    echo "cczoo: key refused by the broker; the disk stays locked"
    exit 1
fi
echo "cczoo: key received (SIMULATED TDX quote), mode $($bb stat -c %a /run/cczoo/key) on tmpfs"
/usr/sbin/cryptsetup open --type luks2 --key-file /run/cczoo/key --disable-locks /dev/vdb cczoo-data
rc=$?
$bb rm -f /run/cczoo/key
[ $rc -eq 0 ] || { echo "cczoo: cryptsetup open failed ($rc)"; exit 1; }
$bb mount -t ext4 -o ro /dev/mapper/cczoo-data /mnt/data || { echo "cczoo: mount failed"; exit 1; }
echo "cczoo: /dev/vdb unlocked and mounted on /mnt/data"
