/* quote: obtain a TDX quote / TDREPORT or an SEV-SNP report for 64 bytes of report data.
 *
 *   quote tdx HEX128 [--tsm DIR] [--device PATH] [--out FILE]
 *   quote snp HEX128 [--tsm DIR] [--device PATH] [--vmpl N] [--out FILE]
 *
 * tdx: configfs-tsm quote (provider tdx_guest); if configfs-tsm is absent, the 1024-byte
 *      TDREPORT from the /dev/tdx_guest ioctl (stderr says which was produced).
 * snp: configfs-tsm report (provider sev_guest), else the /dev/sev-guest SNP_GET_REPORT ioctl.
 * Output: raw bytes on stdout (or --out FILE). Exit codes: 0 ok, 1 request failed, 2 usage,
 * 3 no interface available, 4 configfs-tsm generation race, 5 wrong configfs-tsm provider. */
#include "providers.h"

static const char *USAGE_TEXT =
    "usage: quote tdx|snp HEX128 [--tsm DIR] [--device PATH] [--vmpl N] [--out FILE]\n"
    "  HEX128      64 bytes of report data as 128 hex digits\n"
    "  --tsm DIR   configfs-tsm report root (default /sys/kernel/config/tsm/report)\n"
    "  --device P  fallback device (default /dev/tdx_guest or /dev/sev-guest)\n"
    "  --vmpl N    SNP VMPL / configfs privlevel (default: not written)\n"
    "  --out FILE  write the bytes to FILE instead of stdout\n"
    "exit: 0 ok, 1 request failed, 2 usage, 3 no interface, 4 configfs-tsm race, 5 wrong provider\n";

static int usage(const char *fmt, const char *arg) {
    fprintf(stderr, "quote: ");
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\n%s", USAGE_TEXT);
    return Q_USAGE;
}

static int emit(const char *out_path, const uint8_t *buf, long len) {
    FILE *f = out_path ? fopen(out_path, "wb") : stdout;
    if (!f) {
        fprintf(stderr, "quote: cannot open %s: %s\n", out_path, strerror(errno));
        return Q_FAILED;
    }
    if (fwrite(buf, 1, (size_t)len, f) != (size_t)len || (out_path ? fclose(f) : fflush(f)) != 0) {
        fprintf(stderr, "quote: writing output failed: %s\n", strerror(errno));
        return Q_FAILED;
    }
    return Q_OK;
}

int main(int argc, char **argv) {
    if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        fputs(USAGE_TEXT, stdout);
        return Q_OK;
    }
    if (argc < 3) return usage("%s", "missing TEE and report data");
    const char *tee = argv[1];
    int tdx = strcmp(tee, "tdx") == 0;
    if (!tdx && strcmp(tee, "snp") != 0) return usage("unknown TEE '%s' (tdx or snp)", tee);
    uint8_t report_data[Q_REPORT_DATA];
    if (sw_unhex(argv[2], report_data, sizeof report_data) != 0)
        return usage("report data must be exactly 128 hex digits, got '%s'", argv[2]);
    const char *tsm = "/sys/kernel/config/tsm/report", *device = tdx ? "/dev/tdx_guest" : "/dev/sev-guest", *out = NULL;
    int vmpl = -1;
    for (int i = 3; i < argc; i++) {
        if (i + 1 >= argc) return usage("option %s needs a value", argv[i]);
        if (strcmp(argv[i], "--tsm") == 0) tsm = argv[++i];
        else if (strcmp(argv[i], "--device") == 0) device = argv[++i];
        else if (strcmp(argv[i], "--out") == 0) out = argv[++i];
        else if (strcmp(argv[i], "--vmpl") == 0) {
            char *end;
            vmpl = (int)strtol(argv[++i], &end, 10);
            if (*end || vmpl < 0 || vmpl > 3) return usage("--vmpl must be 0..3, got '%s'", argv[i]);
        } else return usage("unknown argument '%s'", argv[i]);
    }
    static uint8_t buf[Q_MAX_OUT];
    long len = 0;
    struct q_error tsm_err, dev_err;
    int rc = tsm_request(tsm, tdx ? "tdx_guest" : "sev_guest", report_data, tdx ? -1 : vmpl, buf, &len, &tsm_err);
    if (rc == Q_OK) return emit(out, buf, len);
    if (rc != Q_NO_INTERFACE) {
        fprintf(stderr, "quote: %s\n", tsm_err.msg);
        return rc;
    }
    rc = tdx ? tdx_report_ioctl(device, report_data, buf, &dev_err) : snp_report_ioctl(device, report_data, vmpl, buf, &dev_err);
    if (rc != Q_OK) {
        fprintf(stderr, "quote: no %s interface worked: %s; %s\n", tee, tsm_err.msg, dev_err.msg);
        return rc;
    }
    if (tdx) fprintf(stderr, "quote: configfs-tsm unavailable; wrote a 1024-byte TDREPORT from %s (not a quote)\n", device);
    return emit(out, buf, tdx ? TDX_REPORT_SIZE : SNP_REPORT_SIZE);
}
