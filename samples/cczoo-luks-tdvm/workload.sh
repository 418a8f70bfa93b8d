#!/bin/busybox sh
# The workload: reads the file that exists only inside the encrypted volume.
f=/mnt/data/secret-data.txt
echo "cczoo: secret-data.txt content: $(/bin/busybox cat $f)"
echo "cczoo: secret-data.txt sha256=$(/bin/busybox sha256sum $f | /bin/busybox cut -d' ' -f1)"
