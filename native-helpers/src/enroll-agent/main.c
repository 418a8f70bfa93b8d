/* enroll-agent: the TD side of the quex key-enrollment protocol (port 24516), started by init
 * before the workload. Per connection: fresh secp256k1 key, TD report with REPORTDATA = raw public
 * key, send mask ‖ report, read the vault's response and SGX quote, check everything (see quex.h),
 * decrypt the TD key. On success: the key as hex in a 0400 file on tmpfs (default
 * /run/sealwright/secret), the hex TD quote whose REPORTDATA is the TD public key in --quote-file
 * (quex's /var/data/quote.txt) and one status line; on any failure: close, say why (never a
 * secret), wait for the next connection. Exit 0 once a key is enrolled. */
#include "quex.h"
#include "sw.h"
/* configfs-tsm quotes and the TDREPORT ioctl, shared with the quote helper (its SNP provider is unused here) */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-function"
#include "../quote/providers.h"
#pragma GCC diagnostic pop

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

struct options {
    int port;
    uint8_t mask[QUEX_MASK];
    uint8_t mrenclave[32];
    const char *root;
    const char *secret_file;
    const char *quote_file;       /* hex quote with REPORTDATA = TD public key, or NULL */
    const char *simulated_report; /* SIMULATED: a report template instead of /dev/tdx_guest */
};

static int read_all(int fd, uint8_t *buf, size_t n) {
    size_t got = 0;
    while (got < n) {
        ssize_t r = recv(fd, buf + got, n - got, MSG_WAITALL);
        if (r <= 0) { if (r < 0 && errno == EINTR) continue; return 0; }
        got += (size_t)r;
    }
    return 1;
}

static int write_all(int fd, const uint8_t *buf, size_t n) {
    while (n > 0) {
        ssize_t w = send(fd, buf, n, MSG_NOSIGNAL);
        if (w <= 0) { if (w < 0 && errno == EINTR) continue; return 0; }
        buf += w;
        n -= (size_t)w;
    }
    return 1;
}

/* TD report with the given REPORTDATA: the TDX guest ioctl, or a SIMULATED template. */
static int td_report(const struct options *o, const uint8_t data[64], uint8_t report[QUEX_REPORT], char *err, size_t errlen) {
    if (o->simulated_report) {
        if (sw_read_file(o->simulated_report, report, QUEX_REPORT) != QUEX_REPORT) {
            snprintf(err, errlen, "SIMULATED report template %s unreadable or not 1024 bytes", o->simulated_report);
            return 0;
        }
        memcpy(report + 128, data, 64);
        return 1;
    }
    struct q_error qe;
    if (tdx_report_ioctl("/dev/tdx_guest", data, report, &qe) != Q_OK) { snprintf(err, errlen, "%.200s", qe.msg); return 0; }
    return 1;
}

static int store_secret(const char *path, const uint8_t secret[32], char *err, size_t errlen) {
    char hex[65], dir[4096], tmp[4200];
    sw_hex(secret, 32, hex);
    snprintf(dir, sizeof dir, "%s", path);
    char *slash = strrchr(dir, '/');
    if (slash && slash != dir) { *slash = 0; mkdir(dir, 0700); }
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0400);
    int ok = fd >= 0 && write(fd, hex, 64) == 64 && fsync(fd) == 0;
    if (fd >= 0) close(fd);
    ok = ok && rename(tmp, path) == 0;
    if (!ok) snprintf(err, errlen, "cannot store the key in %s: %s", path, strerror(errno));
    OPENSSL_cleanse(hex, sizeof hex);
    return ok;
}

/* The TD public key's quote as lowercase hex, no newline (quex save_quote): a configfs-tsm TDX quote,
 * else the TDREPORT; with a SIMULATED template, the template (a report, not a quote). */
static int store_quote(const struct options *o, const uint8_t tdpub[64], char *err, size_t errlen) {
    static uint8_t buf[Q_MAX_OUT];
    static char hex[2 * Q_MAX_OUT + 1];
    uint8_t data[64];
    memcpy(data, tdpub, 64);
    long len = 0;
    struct q_error qe;
    if (o->simulated_report || tsm_request("/sys/kernel/config/tsm/report", "tdx_guest", data, -1, buf, &len, &qe) != Q_OK) {
        if (!td_report(o, data, buf, err, errlen)) return 0;
        len = QUEX_REPORT;
    }
    sw_hex(buf, (size_t)len, hex);
    char dir[4096], tmp[4200];
    snprintf(dir, sizeof dir, "%s", o->quote_file);
    char *slash = strrchr(dir, '/');
    if (slash && slash != dir) { *slash = 0; mkdir(dir, 0755); }
    snprintf(tmp, sizeof tmp, "%s.tmp", o->quote_file);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0444);
    size_t n = (size_t)len * 2;
    int ok = fd >= 0 && write(fd, hex, n) == (ssize_t)n && fsync(fd) == 0;
    if (fd >= 0) close(fd);
    ok = ok && rename(tmp, o->quote_file) == 0;
    if (!ok) snprintf(err, errlen, "cannot write %s: %s", o->quote_file, strerror(errno));
    else printf("enroll: wrote %s (%s)\n", o->quote_file,
                o->simulated_report ? "SIMULATED TD report, not a quote" : len == QUEX_REPORT ? "TDREPORT: configfs-tsm quotes unavailable" : "TDX quote");
    return ok;
}

/* One exchange; 1 when a key was enrolled. */
static int serve(int c, const struct options *o) {
    uint8_t priv[32], pub[64], request[QUEX_REQUEST], resp[QUEX_RESPONSE], *quote = NULL, secret[32];
    char err[256] = "";
    int ok = 0;
    if (!quex_new_private_key(priv) || !quex_public_key(priv, pub)) { snprintf(err, sizeof err, "key generation failed"); goto out; }
    memcpy(request, o->mask, QUEX_MASK);
    if (!td_report(o, pub, request + QUEX_MASK, err, sizeof err)) goto out;
    if (!write_all(c, request, sizeof request)) { snprintf(err, sizeof err, "peer closed before the request was sent"); goto out; }
    if (!read_all(c, resp, sizeof resp)) { snprintf(err, sizeof err, "response truncated"); goto out; }
    uint8_t head[QUEX_QUOTE_FIXED];
    if (!read_all(c, head, sizeof head)) { snprintf(err, sizeof err, "vault quote truncated"); goto out; }
    long siglen = quex_quote_header(head, err, sizeof err);
    if (siglen < 0) goto out;
    quote = malloc(QUEX_QUOTE_FIXED + (size_t)siglen);
    if (!quote) { snprintf(err, sizeof err, "out of memory"); goto out; }
    memcpy(quote, head, sizeof head);
    if (!read_all(c, quote + QUEX_QUOTE_FIXED, (size_t)siglen)) { snprintf(err, sizeof err, "vault quote truncated"); goto out; }
    if (!quex_accept_response(o->mask, request + QUEX_MASK, priv, resp, quote, QUEX_QUOTE_FIXED + (size_t)siglen,
                              o->mrenclave, o->root, secret, err, sizeof err)) goto out;
    if (!store_secret(o->secret_file, secret, err, sizeof err)) goto out;
    uint8_t tdpub[64];
    char hex[129];
    quex_public_key(secret, tdpub);
    if (o->quote_file && !store_quote(o, tdpub, err, sizeof err)) goto out;
    sw_hex(tdpub, 64, hex);
    printf("enroll: ok public-key=%s%s\n", hex, o->simulated_report ? " (SIMULATED TD report)" : "");
    ok = 1;
out:
    if (!ok) printf("enroll: refused: %s\n", err);
    fflush(stdout);
    OPENSSL_cleanse(priv, sizeof priv);
    OPENSSL_cleanse(secret, sizeof secret);
    free(quote);
    return ok;
}

static void usage(void) {
    printf("usage: enroll-agent --vault-mrenclave HEX64 [--port 24516 (0: a free one, printed)] [--mask HEX14] [--root /etc/root.pem]\n"
           "                    [--secret-file /run/sealwright/secret] [--quote-file /var/data/quote.txt]\n"
           "                    [--simulated-report FILE]   (SIMULATED: a TD report template, for non-TD guests)\n");
}

int main(int argc, char **argv) {
    struct options o = {.port = QUEX_PORT, .root = "/etc/root.pem", .secret_file = "/run/sealwright/secret"};
    memcpy(o.mask, QUEX_DEFAULT_MASK, QUEX_MASK);
    int have_mrenclave = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "--help")) { usage(); return 0; }
        if (!v) sw_die("enroll-agent", "%s needs a value (try --help)", a);
        i++;
        if (!strcmp(a, "--port")) o.port = atoi(v);
        else if (!strcmp(a, "--mask")) { if (sw_unhex(v, o.mask, QUEX_MASK)) sw_die("enroll-agent", "--mask must be 14 hex digits"); }
        else if (!strcmp(a, "--vault-mrenclave")) { if (sw_unhex(v, o.mrenclave, 32)) sw_die("enroll-agent", "--vault-mrenclave must be 64 hex digits"); have_mrenclave = 1; }
        else if (!strcmp(a, "--root")) o.root = v;
        else if (!strcmp(a, "--secret-file")) o.secret_file = v;
        else if (!strcmp(a, "--quote-file")) o.quote_file = v;
        else if (!strcmp(a, "--simulated-report")) o.simulated_report = v;
        else sw_die("enroll-agent", "unknown option %s (try --help)", a);
    }
    if (!have_mrenclave) sw_die("enroll-agent", "--vault-mrenclave is required (the vault identity this TD trusts)");
    if (o.port < 0 || o.port > 65535) sw_die("enroll-agent", "--port %d out of range", o.port);
    signal(SIGPIPE, SIG_IGN);
    int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), one = 1;
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((uint16_t)o.port), .sin_addr.s_addr = htonl(INADDR_ANY)};
    setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (s < 0 || bind(s, (struct sockaddr *)&addr, sizeof addr) != 0 || listen(s, 5) != 0)
        sw_die("enroll-agent", "cannot listen on port %d: %s", o.port, strerror(errno));
    socklen_t len = sizeof addr;   /* --port 0: the port the kernel chose, for the line below */
    if (getsockname(s, (struct sockaddr *)&addr, &len) != 0) sw_die("enroll-agent", "getsockname: %s", strerror(errno));
    o.port = ntohs(addr.sin_port);
    printf("enroll: listening on port %d%s\n", o.port, o.simulated_report ? " (SIMULATED TD report)" : "");
    fflush(stdout);
    for (;;) {
        int c = accept(s, NULL, NULL);
        if (c < 0) { if (errno == EINTR) continue; sw_die("enroll-agent", "accept: %s", strerror(errno)); }
        int done = serve(c, &o);
        close(c);
        if (done) break;
    }
    close(s);
    return 0;
}
