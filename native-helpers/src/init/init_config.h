/* Parsing for the guest init: /sealwright/init.conf (written by `pack`) and the kernel command line.
 * Header-only so that test/init_test.c can exercise it without init's main(). */
#ifndef INIT_CONFIG_H
#define INIT_CONFIG_H
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define INIT_MAX_ITEMS 256
#define INIT_MAX_LINE 4096
#define INIT_MAX_HOOK_ARGS 16

/* init.conf, one "key=value" per line, '#' comments:
 *   module=/lib/modules/R/kernel/x.ko.xz   load in this order
 *   hook=/path                               run before the workload, must exit 0 (enrollment seam)
 *   hookarg=WORD                             one more argv word for the hook declared last
 *   secret=/run/dir/file                     a tmpfs is mounted on the file's directory before the hooks;
 *                                            afterwards the file (written by a hook) is handed to the workload
 *   secretenv=1|0                            also export the file's content as TD_SECRET_KEY (quex compatibility)
 *   arg=WORD                                 workload argv, in order (Entrypoint + Cmd)
 *   env=K=V                                  workload environment
 *   workdir=/dir  user=UID:GID  poweroff=1|0 */
struct init_config {
    char *modules[INIT_MAX_ITEMS]; int n_modules;
    char *hooks[INIT_MAX_ITEMS]; int n_hooks;
    char *hook_argv[INIT_MAX_ITEMS][INIT_MAX_HOOK_ARGS + 2]; int n_hook_argv[INIT_MAX_ITEMS]; /* [0] = the hook */
    char secret[INIT_MAX_LINE]; int secret_env;
    char *argv[INIT_MAX_ITEMS + 1]; int n_args;
    char *env[INIT_MAX_ITEMS + 1]; int n_env;
    char workdir[INIT_MAX_LINE];
    unsigned uid, gid;
    int poweroff;
};

/* Network settings from the kernel command line: sealwright.ip=A.B.C.D/N sealwright.gw=A.B.C.D
 * sealwright.poweroff=0|1 (overrides init.conf); sealwright.tpmreport=1 prints the TPM's PCRs and
 * event log on the console before the hooks (what launch's seal check reads). */
struct init_cmdline {
    int has_ip; struct in_addr addr; int prefix;
    int has_gw; struct in_addr gw;
    int poweroff; /* -1 = not given */
    int tpmreport;
};

static char *init_strdup_range(const char *s, size_t n) {
    char *r = malloc(n + 1);
    if (!r) return NULL;
    memcpy(r, s, n);
    r[n] = 0;
    return r;
}

/* Returns 0, or the 1-based line number of the first bad line. */
static int init_parse_config(const char *text, struct init_config *c) {
    memset(c, 0, sizeof *c);
    strcpy(c->workdir, "/");
    c->poweroff = 1;
    int lineno = 0;
    const char *p = text;
    while (*p) {
        const char *end = strchr(p, '\n');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        lineno++;
        if (len > 0 && p[0] != '#') {
            const char *eq = memchr(p, '=', len);
            if (!eq) return lineno;
            size_t klen = (size_t)(eq - p);
            const char *v = eq + 1;
            size_t vlen = len - klen - 1;
#define KEY(k) (klen == strlen(k) && strncmp(p, k, klen) == 0)
            if (KEY("module") && c->n_modules < INIT_MAX_ITEMS) c->modules[c->n_modules++] = init_strdup_range(v, vlen);
            else if (KEY("hook") && c->n_hooks < INIT_MAX_ITEMS) {
                c->hooks[c->n_hooks] = c->hook_argv[c->n_hooks][0] = init_strdup_range(v, vlen);
                c->n_hook_argv[c->n_hooks++] = 1;
            } else if (KEY("hookarg")) {
                if (c->n_hooks == 0 || c->n_hook_argv[c->n_hooks - 1] > INIT_MAX_HOOK_ARGS) return lineno;
                int h = c->n_hooks - 1;
                c->hook_argv[h][c->n_hook_argv[h]++] = init_strdup_range(v, vlen);
            }
            else if (KEY("secret")) { if (vlen == 0 || v[0] != '/' || vlen >= sizeof c->secret) return lineno; memcpy(c->secret, v, vlen); c->secret[vlen] = 0; }
            else if (KEY("secretenv")) c->secret_env = vlen > 0 && v[0] == '1';
            else if (KEY("arg") && c->n_args < INIT_MAX_ITEMS) c->argv[c->n_args++] = init_strdup_range(v, vlen);
            else if (KEY("env") && c->n_env < INIT_MAX_ITEMS && memchr(v, '=', vlen)) c->env[c->n_env++] = init_strdup_range(v, vlen);
            else if (KEY("workdir") && vlen > 0 && vlen < sizeof c->workdir) { memcpy(c->workdir, v, vlen); c->workdir[vlen] = 0; }
            else if (KEY("user")) { if (sscanf(v, "%u:%u", &c->uid, &c->gid) != 2) return lineno; }
            else if (KEY("poweroff")) c->poweroff = vlen > 0 && v[0] == '1';
            else return lineno;
#undef KEY
        }
        p += len + (end ? 1 : 0);
    }
    c->argv[c->n_args] = NULL;
    c->env[c->n_env] = NULL;
    return 0;
}

/* "10.0.2.15/24" → addr, prefix; returns 0 or -1. */
static int init_parse_cidr(const char *s, struct in_addr *addr, int *prefix) {
    char buf[64];
    const char *slash = strchr(s, '/');
    size_t n = slash ? (size_t)(slash - s) : strlen(s);
    if (n == 0 || n >= sizeof buf) return -1;
    memcpy(buf, s, n);
    buf[n] = 0;
    if (inet_pton(AF_INET, buf, addr) != 1) return -1;
    *prefix = 24;
    if (slash) {
        char *e;
        long v = strtol(slash + 1, &e, 10);
        if (e == slash + 1 || *e || v < 0 || v > 32) return -1;
        *prefix = (int)v;
    }
    return 0;
}

/* Returns 0, or -1 when a sealwright.* parameter is malformed. */
static int init_parse_cmdline(const char *cmdline, struct init_cmdline *k) {
    memset(k, 0, sizeof *k);
    k->poweroff = -1;
    char word[512];
    const char *p = cmdline;
    while (*p) {
        while (*p == ' ' || *p == '\n' || *p == '\t') p++;
        size_t n = strcspn(p, " \n\t");
        if (n == 0) break;
        if (n < sizeof word) {
            memcpy(word, p, n);
            word[n] = 0;
            if (strncmp(word, "sealwright.ip=", 14) == 0) {
                if (init_parse_cidr(word + 14, &k->addr, &k->prefix) != 0) return -1;
                k->has_ip = 1;
            } else if (strncmp(word, "sealwright.gw=", 14) == 0) {
                if (inet_pton(AF_INET, word + 14, &k->gw) != 1) return -1;
                k->has_gw = 1;
            } else if (strncmp(word, "sealwright.poweroff=", 20) == 0) {
                k->poweroff = word[20] == '1';
            } else if (strncmp(word, "sealwright.tpmreport=", 21) == 0) {
                k->tpmreport = word[21] == '1';
            }
        }
        p += n;
    }
    return 0;
}

/* Netmask for a prefix length, network byte order. */
static struct in_addr init_netmask(int prefix) {
    struct in_addr m;
    m.s_addr = prefix == 0 ? 0 : htonl(0xffffffffu << (32 - prefix));
    return m;
}
#endif
