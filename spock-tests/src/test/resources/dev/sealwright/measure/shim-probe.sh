#!/bin/busybox sh
# /init of ShimBootSpec's initrd (booted by shim -> GRUB -> kernel): prints the PCRs, the binary TPM
# event log (base64) and the result of unsealing each blob of the tar at the start of /dev/vda2
# (or in the disk's last MiB; directories NAME with sealed.pub/.dpriv/.seed and a file "pcrs", e.g.
# sha256:4,7), then powers off.
B=/bin/busybox
$B mkdir -p /proc /sys /dev /tmp
$B mount -t proc proc /proc
$B mount -t sysfs sysfs /sys
$B mount -t devtmpfs devtmpfs /dev
$B mount -t securityfs securityfs /sys/kernel/security
echo 1 > /proc/sys/kernel/printk
exec > /dev/ttyS0 2>&1
for bank in sha256 sha384; do
    for f in /sys/class/tpm/tpm0/pcr-$bank/*; do echo "SW-PCR $bank $($B basename $f) $($B cat $f)"; done
done
echo SW-EVENTLOG-BEGIN
$B base64 /sys/kernel/security/tpm0/binary_bios_measurements
echo SW-EVENTLOG-END
for m in /modules/*.ko; do $B insmod $m; done
i=0; while [ ! -b /dev/vda2 ] && [ $i -lt 50 ]; do $B sleep 0.1; i=$((i+1)); done
$B mkdir -p /tmp/sealed && cd /tmp/sealed
# the tar is at the start of partition 2, or (when that is LUKS2, after disk deploy) in the last MiB of the disk
$B tar -xf /dev/vda2 2>/dev/null || $B dd if=/dev/vda bs=512 skip=$(( $($B cat /sys/block/vda/size) - 2048 )) 2>/dev/null | $B tar -x
export TPM2TOOLS_TCTI=device:/dev/tpmrm0 LD_LIBRARY_PATH=/lib/x86_64-linux-gnu:/usr/lib/x86_64-linux-gnu
for d in /tmp/sealed/*/; do
    n=$($B basename $d); cd $d
    if /usr/bin/tpm2 import -C 0x81000001 -u sealed.pub -i sealed.dpriv -s sealed.seed -r imported.priv 2>err \
        && /usr/bin/tpm2 load -C 0x81000001 -u sealed.pub -r imported.priv -c sealed.ctx 2>>err \
        && /usr/bin/tpm2 unseal -c sealed.ctx -p pcr:$($B cat pcrs) -o secret 2>>err; then
        echo "SW-UNSEAL $n ok sha256=$($B sha256sum secret | $B cut -d' ' -f1)"
        echo "SW-SECRET $n $($B base64 -w0 secret)"   # a test secret: the spec opens the keyslot with it
    else
        echo "SW-UNSEAL $n failed: $($B tr '\n' ' ' < err)"
    fi
    /usr/bin/tpm2 flushcontext -t 2>/dev/null
done
echo SW-READY
$B poweroff -f
