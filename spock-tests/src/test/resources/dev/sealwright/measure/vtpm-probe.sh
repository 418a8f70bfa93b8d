#!/bin/busybox sh
# Guest workload of VtpmBootSpec: print the PCRs, the binary TPM event log (base64) and the result of
# unsealing the blob on the second virtio disk (/dev/vdb, a tar) with tpm2-tools through /dev/tpmrm0,
# then again after one more PCR 4 extend.
B=/bin/busybox
$B mount -t securityfs securityfs /sys/kernel/security
for bank in sha256 sha384; do
    for f in /sys/class/tpm/tpm0/pcr-$bank/*; do echo "SW-PCR $bank $($B basename $f) $($B cat $f)"; done
done
echo SW-EVENTLOG-BEGIN
$B base64 /sys/kernel/security/tpm0/binary_bios_measurements
echo SW-EVENTLOG-END
$B mkdir -p /tmp/sealed
cd /tmp/sealed || exit 1
$B tar -xf /dev/vdb
export TPM2TOOLS_TCTI=device:/dev/tpmrm0 LD_LIBRARY_PATH=/lib/x86_64-linux-gnu:/usr/lib/x86_64-linux-gnu
if /usr/bin/tpm2 import -C 0x81000001 -u sealed.pub -i sealed.dpriv -s sealed.seed -r imported.priv 2>err \
    && /usr/bin/tpm2 load -C 0x81000001 -u sealed.pub -r imported.priv -c sealed.ctx 2>>err \
    && /usr/bin/tpm2 unseal -c sealed.ctx -p pcr:sha256:4,7 -o secret 2>>err; then
    echo "SW-UNSEAL ok sha256=$($B sha256sum secret | $B cut -d' ' -f1)"
    # as if another image had been loaded: one more PCR 4 extend must make the TPM refuse the same blob
    /usr/bin/tpm2 pcrextend 4:sha256=0000000000000000000000000000000000000000000000000000000000000000 2>>err
    if /usr/bin/tpm2 unseal -c sealed.ctx -p pcr:sha256:4,7 -o secret2 2>>err; then
        echo "SW-UNSEAL-AFTER-EXTEND ok"
    else
        echo "SW-UNSEAL-AFTER-EXTEND failed"
    fi
else
    echo "SW-UNSEAL failed: $($B tr '\n' ' ' < err)"
fi
