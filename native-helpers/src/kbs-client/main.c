/* kbs-client: fetch a secret from the sealwright key broker at boot (docs/kbs.md), e.g. the LUKS key
 * of the rootfs (the cczoo flow). One exchange (protocol sealwright-kbs/2): fresh P-256 key → POST
 * /kbs/v0/challenge → evidence with REPORTDATA = SHA-512(nonce ‖ key) → POST /kbs/v0/attest → open the
 * secret sealed with HPKE (RFC 9180) → write it
 * to a 0400 file (temp file + rename; an existing file is never overwritten). Nothing secret is
 * printed. Evidence: configfs-tsm (TDX quote / SNP report, as the `quote` helper), or — only when
 * told with --simulated-quote-url — a SIMULATED quote service on the host.
 *
 * Exit codes: 0 ok, 1 refused or failed, 2 usage, 3 no evidence. */
#include "kbs.h"
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-function" /* tdx_report_ioctl: a TDREPORT is not remote evidence */
#include "../quote/providers.h"
#pragma GCC diagnostic pop

#include <fcntl.h>
#include <libgen.h>
#include <sys/stat.h>

#define MAX_RESP (256 * 1024)

struct options {
    const char *url, *resource, *tee, *out, *sim_url, *tsm, *vcek;
    int retries, timeout;
};

static uint8_t resp[MAX_RESP], evidence[Q_MAX_OUT];
static char req[MAX_RESP];

static int usage(const char *msg) {
    fprintf(stderr, "kbs-client: %s\n"
            "usage: kbs-client --url http://HOST:PORT --resource NAME [--tee tdx|snp] [--out FILE]\n"
            "                  [--simulated-quote-url http://HOST:PORT/sim/v0/quote] [--tsm DIR] [--vcek FILE]\n"
            "                  [--retries N] [--timeout SECONDS]\n"
            "  --out   where the secret goes (0400; default /run/sealwright/kbs/NAME); never overwritten\n"
            "  --simulated-quote-url  SIMULATED evidence from a host service instead of configfs-tsm\n"
            "exit: 0 ok, 1 refused or failed, 2 usage, 3 no evidence\n", msg);
    return 2;
}

/* POST and split; 1 on a parsed reply. Retries connection failures only (the broker may still be starting). */
static int post(const struct options *o, const char *url, const char *type, const uint8_t *body, size_t len, int *status,
                uint8_t **rbody, size_t *rlen, char *err, size_t errlen) {
    char host[256], port[16], path[512];
    if (!kbs_parse_url(url, host, sizeof host, port, sizeof port, path, sizeof path)) {
        snprintf(err, errlen, "bad URL %s (http://HOST:PORT[/PATH])", url);
        return 0;
    }
    for (int attempt = 0;; attempt++) {
        long n = kbs_http_post(host, port, path, type, body, len, resp, sizeof resp - 1, o->timeout, err, errlen);
        if (n >= 0) {
            resp[n] = 0;
            if (!kbs_http_split(resp, (size_t)n, status, rbody, rlen)) {
                snprintf(err, errlen, "malformed or truncated HTTP response from %s", url);
                return 0;
            }
            (*rbody)[*rlen] = 0;
            return 1;
        }
        if (attempt >= o->retries) return 0;
        fprintf(stderr, "kbs-client: %s; retrying in 2 s\n", err);
        sleep(2);
    }
}

static int api(const struct options *o, const char *endpoint, const char *json, char **reply, char *err, size_t errlen) {
    char url[600];
    snprintf(url, sizeof url, "%s%s", o->url, endpoint);
    int status;
    uint8_t *body;
    size_t blen;
    if (!post(o, url, "application/json", (const uint8_t *)json, strlen(json), &status, &body, &blen, err, errlen)) return 0;
    if (status != 200) {
        char reason[1024] = "(no reason given)";
        kbs_json_string((char *)body, "error", reason, sizeof reason);
        snprintf(err, errlen, "refused (%d): %s", status, reason);
        return 0;
    }
    *reply = (char *)body;
    return 1;
}

static long get_evidence(const struct options *o, const uint8_t rd[64], int *simulated, char *err, size_t errlen) {
    if (o->sim_url) {
        char hex[129];
        sw_hex(rd, 64, hex);
        int status;
        uint8_t *body;
        size_t blen;
        if (!post(o, o->sim_url, "text/plain", (const uint8_t *)hex, 128, &status, &body, &blen, err, errlen)) return -1;
        if (status != 200 || blen > sizeof evidence) {
            snprintf(err, errlen, "SIMULATED quote service answered %d", status);
            return -1;
        }
        memcpy(evidence, body, blen);
        *simulated = 1;
        return (long)blen;
    }
    struct q_error qe;
    long len = 0;
    int tdx = strcmp(o->tee, "tdx") == 0;
    int rc = tsm_request(o->tsm, tdx ? "tdx_guest" : "sev_guest", rd, -1, evidence, &len, &qe);
    if (rc == Q_NO_INTERFACE && !tdx) {
        struct q_error de;
        if (snp_report_ioctl("/dev/sev-guest", rd, 0, evidence, &de) == Q_OK) return SNP_REPORT_SIZE;
        snprintf(err, errlen, "no evidence: %.400s; %.400s", qe.msg, de.msg);
        return -1;
    }
    if (rc != Q_OK) {
        snprintf(err, errlen, "no evidence: %.800s%s", qe.msg,
                 rc == Q_NO_INTERFACE ? " (a TDX quote needs configfs-tsm; /dev/tdx_guest gives only a local TDREPORT)" : "");
        return -1;
    }
    return len;
}

/* A reply of another protocol version (e.g. a broker of the retired sealwright-kbs/v1 envelope) stops here, by name. */
static void check_version(const char *step, const char *reply) {
    char v[64];
    if (!kbs_json_string(reply, "version", v, sizeof v))
        sw_die("kbs-client", "%s: the broker's reply names no \"version\" (a broker of the retired sealwright-kbs/v1 envelope?): "
               "this kbs-client speaks %s", step, KBS_PROTOCOL);
    for (char *p = v; *p; p++)
        if ((unsigned char)*p < 0x20 || *p == 0x7f) *p = '?';
    if (strcmp(v, KBS_PROTOCOL) != 0)
        sw_die("kbs-client", "%s: the broker speaks protocol version \"%s\"; this kbs-client speaks %s", step, v, KBS_PROTOCOL);
}

static int write_secret(const char *path, const uint8_t *secret, size_t len, char *err, size_t errlen) {
    char dir[4096], tmp[4200];
    if (strlen(path) >= sizeof dir) { snprintf(err, errlen, "output path too long"); return 0; }
    strcpy(dir, path);
    char *d = dirname(dir);
    for (char *p = d + 1; *p; p++)
        if (*p == '/') { *p = 0; mkdir(d, 0700); *p = '/'; }
    mkdir(d, 0700);
    if (access(path, F_OK) == 0) { snprintf(err, errlen, "%.300s exists; refusing to overwrite it", path); return 0; }
    snprintf(tmp, sizeof tmp, "%s.tmp%ld", path, (long)getpid());
    int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0400);
    if (fd < 0) { snprintf(err, errlen, "cannot create %.300s: %s", tmp, strerror(errno)); return 0; }
    size_t off = 0;
    while (off < len) {
        ssize_t w = write(fd, secret + off, len - off);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) break;
        off += (size_t)w;
    }
    int ok = off == len && fsync(fd) == 0;
    ok = close(fd) == 0 && ok;
    if (!ok || link(tmp, path) != 0) { /* link: fails if path appeared meanwhile */
        snprintf(err, errlen, "cannot write %.300s: %s", path, strerror(errno));
        unlink(tmp);
        return 0;
    }
    unlink(tmp);
    return 1;
}

int main(int argc, char **argv) {
    struct options o = {.tee = "tdx", .tsm = "/sys/kernel/config/tsm/report", .retries = 5, .timeout = 60};
    char default_out[512];
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) { usage("fetch a secret from the sealwright key broker"); return 0; }
        if (i + 1 >= argc) return usage("every option needs a value");
        const char *v = argv[++i];
        if (!strcmp(a, "--url")) o.url = v;
        else if (!strcmp(a, "--resource")) o.resource = v;
        else if (!strcmp(a, "--tee")) o.tee = v;
        else if (!strcmp(a, "--out")) o.out = v;
        else if (!strcmp(a, "--simulated-quote-url")) o.sim_url = v;
        else if (!strcmp(a, "--tsm")) o.tsm = v;
        else if (!strcmp(a, "--vcek")) o.vcek = v;
        else if (!strcmp(a, "--retries")) o.retries = atoi(v);
        else if (!strcmp(a, "--timeout")) o.timeout = atoi(v);
        else return usage("unknown option");
    }
    if (!o.url || !o.resource) return usage("--url and --resource are required");
    if (strcmp(o.tee, "tdx") != 0 && strcmp(o.tee, "snp") != 0) return usage("--tee must be tdx or snp");
    if (o.sim_url && strcmp(o.tee, "tdx") != 0) return usage("--simulated-quote-url makes TDX quotes only");
    if (strlen(o.resource) > 200 || strpbrk(o.resource, "\"\\/")) return usage("--resource: at most 200 characters, no quotes, slashes or backslashes");
    if (!o.out) {
        snprintf(default_out, sizeof default_out, "/run/sealwright/kbs/%s", o.resource);
        o.out = default_out;
    }
    char err[1200] = "";
    uint8_t pub[KBS_POINT], rd[64], nonce[KBS_NONCE_MAX];
    EVP_PKEY *key = hpke_keygen(pub);
    if (!key) sw_die("kbs-client", "cannot generate a P-256 key");

    char pub64[128], b64[256], *reply = NULL;
    kbs_b64encode(pub, KBS_POINT, pub64);
    snprintf(req, sizeof req, "{\"version\":\"%s\",\"resource\":\"%s\",\"tee\":\"%s\",\"tee_pubkey\":\"%s\"}", KBS_PROTOCOL,
             o.resource, o.tee, pub64);
    if (!api(&o, "/kbs/v0/challenge", req, &reply, err, sizeof err)) sw_die("kbs-client", "challenge: %s", err);
    check_version("challenge", reply);
    long nlen;
    if (!kbs_json_string(reply, "nonce", b64, sizeof b64) || (nlen = kbs_b64decode(b64, nonce, sizeof nonce)) <= 0)
        sw_die("kbs-client", "challenge: reply has no valid \"nonce\"");
    if (!kbs_report_data(nonce, (size_t)nlen, pub, rd)) sw_die("kbs-client", "SHA-512 failed");

    int simulated = 0;
    long elen = get_evidence(&o, rd, &simulated, err, sizeof err);
    if (elen < 0) { fprintf(stderr, "kbs-client: %s\n", err); return 3; }
    size_t off = (size_t)snprintf(req, sizeof req, "{\"nonce\":\"%s\",\"evidence\":\"", b64);
    if (off + 4 * ((size_t)elen / 3 + 1) + 8 > sizeof req) sw_die("kbs-client", "evidence too large");
    off += kbs_b64encode(evidence, (size_t)elen, req + off);
    if (o.vcek) {
        static uint8_t vcek[8192];
        long vlen = sw_read_file(o.vcek, vcek, sizeof vcek);
        if (vlen <= 0) sw_die("kbs-client", "cannot read --vcek %s", o.vcek);
        off += (size_t)snprintf(req + off, sizeof req - off, "\",\"vcek\":\"");
        off += kbs_b64encode(vcek, (size_t)vlen, req + off);
    }
    snprintf(req + off, sizeof req - off, "\"}");
    if (!api(&o, "/kbs/v0/attest", req, &reply, err, sizeof err)) sw_die("kbs-client", "attest: %s", err);

    check_version("attest", reply);
    static char enc64[200], ct64[MAX_RESP / 2];
    static uint8_t enc[KBS_POINT + 3], ct[MAX_RESP / 2], secret[MAX_RESP / 2];
    if (!kbs_json_string(reply, "enc", enc64, sizeof enc64) || kbs_b64decode(enc64, enc, sizeof enc) != KBS_POINT ||
        !kbs_json_string(reply, "ciphertext", ct64, sizeof ct64))
        sw_die("kbs-client", "attest: reply lacks enc/ciphertext");
    long clen = kbs_b64decode(ct64, ct, sizeof ct);
    if (clen < 16) sw_die("kbs-client", "attest: ciphertext is not base64 or too short");
    long slen = kbs_open(key, enc, nonce, (size_t)nlen, o.resource, ct, (size_t)clen, secret, err, sizeof err);
    EVP_PKEY_free(key);
    if (slen < 0) sw_die("kbs-client", "attest: %s", err);
    int ok = write_secret(o.out, secret, (size_t)slen, err, sizeof err);
    OPENSSL_cleanse(secret, sizeof secret);
    if (!ok) sw_die("kbs-client", "%s", err);
    printf("kbs-client: ok resource=%s bytes=%ld file=%s%s\n", o.resource, slen, o.out, simulated ? " (SIMULATED quote)" : "");
    return 0;
}
