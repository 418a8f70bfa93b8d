// Runs quex's getAcpi (quex-tech/td-report-web docs/acpi.mjs, unmodified) over a grid of TD shapes and
// prints one line per shape: "cpus memMiB disks sha256(etc/acpi/tables)[0..16]". The output is the
// oracle file spock-tests/src/test/resources/acpi/quex-grid.txt (see docs/measure.md).
// usage: node bench/quex-acpi-grid.mjs /path/to/td-report-web/docs/acpi.mjs
import { createHash } from "node:crypto";
import { pathToFileURL } from "node:url";

const { getAcpi } = await import(pathToFileURL(process.argv[2]).href);
const cpus = [1, 2, 3, 4, 5, 7, 8, 9, 12, 15, 16, 17, 24, 31, 32, 33, 48, 63, 64, 65, 96, 100, 127, 128];
const mib = [512, 1024, 2000, 2048, 2815, 2817, 3072, 4096, 8192, 16384, 32768, 65536];
for (const c of cpus)
  for (const m of mib)
    for (let d = 0; d <= 8; d++) {
      const h = createHash("sha256").update(getAcpi(c, m * 1024 * 1024, d)).digest("hex");
      console.log(`${c} ${m} ${d} ${h.slice(0, 16)}`);
    }
