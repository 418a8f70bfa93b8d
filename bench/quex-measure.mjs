// Runs quex's TDX verifier (quex-tech/td-report-web docs/reproduce.mjs and acpi.mjs, unmodified) the way its
// web page does (docs/app.mjs getTd: ACPI tables from getAcpi for the libvirt shape, the firmware parsed from
// OVMF.fd, a UKI as the kernel) and prints MRTD and RTMR0-3 in hex, one "name value" line each, like
// `sealwright measure tdx`. bench/measure.sh times this whole process as the peer of `measure tdx`.
// usage: node bench/quex-measure.mjs TD-REPORT-WEB/docs OVMF.fd UKI.efi CPUS MEMORY_MIB DISKS
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const [docs, firmwareFile, ukiFile, cpus, mib, disks] = process.argv.slice(2);
if (disks === undefined) {
  console.error("usage: node bench/quex-measure.mjs TD-REPORT-WEB/docs OVMF.fd UKI.efi CPUS MEMORY_MIB DISKS");
  process.exit(2);
}
const { parseFirmware, reproduceMrtd, reproduceRtmr, bytesToHex } = await import(pathToFileURL(join(docs, "reproduce.mjs")).href);
const { getAcpi } = await import(pathToFileURL(join(docs, "acpi.mjs")).href);

const memoryBytes = Number(mib) * 1024 * 1024;
const firmware = parseFirmware(new Uint8Array(readFileSync(firmwareFile)));
const td = {
  hardware: { totalMemoryBytes: memoryBytes, acpiTables: new Uint8Array(getAcpi(Number(cpus), memoryBytes, Number(disks))) },
  firmware,
  software: { kernel: new Uint8Array(readFileSync(ukiFile)), initrd: undefined, cmdline: undefined },
};
const [mrtd, { registers }] = await Promise.all([reproduceMrtd(firmware), reproduceRtmr(td)]);
console.log(`mrtd     ${bytesToHex(mrtd)}`);
registers.forEach((r, i) => console.log(`rtmr${i}    ${bytesToHex(r)}`));
