/* Quote/report providers for the `quote` helper: configfs-tsm (TDX and SNP quotes/reports),
 * the /dev/tdx_guest TDREPORT ioctl and the /dev/sev-guest SNP_GET_REPORT ioctl.
 * Included by main.c and by test/quote_test.c (which drives it against a fake configfs tree).
 * No parsing or verification here: that is done in Java where the fixtures test it. */
#ifndef QUOTE_PROVIDERS_H
#define QUOTE_PROVIDERS_H

#include "sw.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* Exit codes (documented in --help and mirrored by the Java bridge). */
enum {
    Q_OK = 0,
    Q_FAILED = 1,       /* the interface exists but the request failed */
    Q_USAGE = 2,
    Q_NO_INTERFACE = 3, /* no usable interface (each one tried is named in the message) */
    Q_RACE = 4,         /* configfs-tsm generation changed under us: a concurrent writer */
    Q_PROVIDER = 5      /* configfs-tsm provider is not the TEE asked for */
};

#define Q_REPORT_DATA 64
#define Q_MAX_OUT (64 * 1024)
#define TDX_REPORT_SIZE 1024
#define SNP_REPORT_SIZE 1184

/* What went wrong, for the caller to print: one line naming the interface. */
struct q_error {
    char msg[1024];
};

static int q_fail(struct q_error *err, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int q_fail(struct q_error *err, int code, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->msg, sizeof err->msg, fmt, ap);
    va_end(ap);
    return code;
}

static int q_write_all(const char *path, const uint8_t *buf, size_t len) {
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0) return -1;
    size_t done = 0;
    while (done < len) {
        ssize_t n = write(fd, buf + done, len - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            int saved = errno;
            close(fd);
            errno = saved;
            return -1;
        }
        done += (size_t)n;
    }
    return close(fd);
}

/* dir/name into path (directories are length-checked on entry, so this never truncates). */
static void q_attr(char *path, size_t size, const char *dir, const char *name) {
    size_t d = strlen(dir), n = strlen(name);
    if (d + n + 2 > size) {
        path[0] = 0;
        return;
    }
    memcpy(path, dir, d);
    path[d] = '/';
    memcpy(path + d + 1, name, n + 1);
}

/* Reads a decimal attribute such as `generation`. */
static int q_read_number(const char *path, unsigned long *out) {
    uint8_t buf[64];
    long n = sw_read_file(path, buf, sizeof buf - 1);
    if (n <= 0) return -1;
    buf[n] = 0;
    char *end;
    errno = 0;
    *out = strtoul((char *)buf, &end, 10);
    return errno != 0 || end == (char *)buf ? -1 : 0;
}

/* One configfs-tsm request in an existing report directory (as the kernel creates on mkdir):
 * check `provider`, write `privlevel` (SNP, when >= 0) and `inblob`, read `outblob`, and check
 * that `generation` advanced by exactly our writes (otherwise someone else wrote meanwhile). */
static int tsm_request_in(const char *dir, const char *provider, const uint8_t report_data[Q_REPORT_DATA],
                          int privlevel, uint8_t *out, long *out_len, struct q_error *err) {
    char path[4096];
    uint8_t buf[64];
    q_attr(path, sizeof path, dir, "provider");
    long n = sw_read_file(path, buf, sizeof buf - 1);
    if (n < 0) return q_fail(err, Q_FAILED, "configfs-tsm: cannot read %s: %s", path, strerror(errno));
    buf[n] = 0;
    while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == ' ')) buf[--n] = 0;
    if (strcmp((char *)buf, provider) != 0)
        return q_fail(err, Q_PROVIDER, "configfs-tsm: provider is '%s', not '%s' (%s)", (char *)buf, provider, path);
    unsigned long gen_before, gen_after;
    q_attr(path, sizeof path, dir, "generation");
    if (q_read_number(path, &gen_before) != 0)
        return q_fail(err, Q_FAILED, "configfs-tsm: cannot read %s: %s", path, strerror(errno));
    unsigned long writes = 0;
    if (privlevel >= 0) {
        char level[16];
        int len = snprintf(level, sizeof level, "%d\n", privlevel);
        q_attr(path, sizeof path, dir, "privlevel");
        if (q_write_all(path, (const uint8_t *)level, (size_t)len) != 0)
            return q_fail(err, Q_FAILED, "configfs-tsm: cannot write privlevel %d to %s: %s", privlevel, path, strerror(errno));
        writes++;
    }
    q_attr(path, sizeof path, dir, "inblob");
    if (q_write_all(path, report_data, Q_REPORT_DATA) != 0)
        return q_fail(err, Q_FAILED, "configfs-tsm: cannot write 64 bytes of report data to %s: %s", path, strerror(errno));
    writes++;
    q_attr(path, sizeof path, dir, "outblob");
    *out_len = sw_read_file(path, out, Q_MAX_OUT);
    if (*out_len < 0)
        return q_fail(err, Q_FAILED, "configfs-tsm: reading %s failed: %s (the host quote service may be unreachable)",
                      path, strerror(errno));
    if (*out_len == 0) return q_fail(err, Q_FAILED, "configfs-tsm: %s is empty", path);
    q_attr(path, sizeof path, dir, "generation");
    if (q_read_number(path, &gen_after) != 0)
        return q_fail(err, Q_FAILED, "configfs-tsm: cannot read %s: %s", path, strerror(errno));
    if (gen_after != gen_before + writes)
        return q_fail(err, Q_RACE, "configfs-tsm: generation went from %lu to %lu over our %lu write(s): "
                      "another writer used %s concurrently; retry", gen_before, gen_after, writes, dir);
    return Q_OK;
}

/* mkdir a private report directory below root, run the request, rmdir it again. */
static int tsm_request(const char *root, const char *provider, const uint8_t report_data[Q_REPORT_DATA], int privlevel,
                       uint8_t *out, long *out_len, struct q_error *err) {
    struct stat st;
    if (stat(root, &st) != 0 || !S_ISDIR(st.st_mode))
        return q_fail(err, Q_NO_INTERFACE, "configfs-tsm: %s: %s (kernel without CONFIG_TSM_REPORTS, or configfs not mounted)",
                      root, stat(root, &st) != 0 ? strerror(errno) : "not a directory");
    if (strlen(root) > 3000) return q_fail(err, Q_USAGE, "configfs-tsm: root path too long");
    char dir[4096], name[64];
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    snprintf(name, sizeof name, "sealwright-%ld-%ld", (long)getpid(), (long)ts.tv_nsec);
    q_attr(dir, sizeof dir, root, name);
    if (mkdir(dir, 0700) != 0)
        return q_fail(err, Q_FAILED, "configfs-tsm: mkdir %s: %s", dir, strerror(errno));
    int rc = tsm_request_in(dir, provider, report_data, privlevel, out, out_len, err);
    if (rmdir(dir) != 0 && rc == Q_OK)
        rc = q_fail(err, Q_FAILED, "configfs-tsm: rmdir %s: %s", dir, strerror(errno));
    return rc;
}

/* Linux uapi <linux/tdx-guest.h>: struct tdx_report_req, TDX_CMD_GET_REPORT0 = _IOWR('T', 1, ...). */
struct tdx_report_req {
    uint8_t reportdata[64];
    uint8_t tdreport[TDX_REPORT_SIZE];
};
#define TDX_CMD_GET_REPORT0 _IOWR('T', 1, struct tdx_report_req)

static int tdx_report_ioctl(const char *device, const uint8_t report_data[Q_REPORT_DATA], uint8_t out[TDX_REPORT_SIZE],
                            struct q_error *err) {
    int fd = open(device, O_RDWR | O_CLOEXEC);
    if (fd < 0)
        return q_fail(err, errno == ENOENT ? Q_NO_INTERFACE : Q_FAILED, "tdx_guest: cannot open %s: %s", device, strerror(errno));
    struct tdx_report_req req;
    memset(&req, 0, sizeof req);
    memcpy(req.reportdata, report_data, Q_REPORT_DATA);
    int rc = ioctl(fd, TDX_CMD_GET_REPORT0, &req);
    int saved = errno;
    close(fd);
    if (rc != 0) return q_fail(err, Q_FAILED, "tdx_guest: ioctl TDX_CMD_GET_REPORT0 on %s failed: %s", device, strerror(saved));
    memcpy(out, req.tdreport, TDX_REPORT_SIZE);
    return Q_OK;
}

/* Linux uapi <linux/sev-guest.h>. */
struct snp_report_req {
    uint8_t user_data[64];
    uint32_t vmpl;
    uint8_t rsvd[28];
};
struct snp_report_resp {
    uint8_t data[4000];
};
struct snp_guest_request_ioctl {
    uint8_t msg_version;
    uint64_t req_data;
    uint64_t resp_data;
    union {
        uint64_t exitinfo2;
        struct {
            uint32_t fw_error;
            uint32_t vmm_error;
        };
    };
};
#define SNP_GET_REPORT _IOWR('S', 0x0, struct snp_guest_request_ioctl)

static int snp_report_ioctl(const char *device, const uint8_t report_data[Q_REPORT_DATA], int vmpl,
                            uint8_t out[SNP_REPORT_SIZE], struct q_error *err) {
    int fd = open(device, O_RDWR | O_CLOEXEC);
    if (fd < 0)
        return q_fail(err, errno == ENOENT ? Q_NO_INTERFACE : Q_FAILED, "sev-guest: cannot open %s: %s", device, strerror(errno));
    struct snp_report_req req;
    struct snp_report_resp resp;
    memset(&req, 0, sizeof req);
    memset(&resp, 0, sizeof resp);
    memcpy(req.user_data, report_data, Q_REPORT_DATA);
    req.vmpl = (uint32_t)(vmpl < 0 ? 0 : vmpl);
    struct snp_guest_request_ioctl io = {.msg_version = 1, .req_data = (uint64_t)(uintptr_t)&req,
                                         .resp_data = (uint64_t)(uintptr_t)&resp};
    int rc = ioctl(fd, SNP_GET_REPORT, &io);
    int saved = errno;
    close(fd);
    if (rc != 0)
        return q_fail(err, Q_FAILED, "sev-guest: ioctl SNP_GET_REPORT on %s failed: %s (fw_error 0x%x, vmm_error 0x%x)",
                      device, strerror(saved), io.fw_error, io.vmm_error);
    uint32_t status, size;
    memcpy(&status, resp.data, 4);
    memcpy(&size, resp.data + 4, 4);
    if (status != 0) return q_fail(err, Q_FAILED, "sev-guest: firmware status 0x%x for SNP_GET_REPORT", status);
    if (size != SNP_REPORT_SIZE) return q_fail(err, Q_FAILED, "sev-guest: report size %u, expected %d", size, SNP_REPORT_SIZE);
    memcpy(out, resp.data + 32, SNP_REPORT_SIZE);
    return Q_OK;
}

#endif
