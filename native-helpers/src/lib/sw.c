#include "sw.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

void sw_hex(const uint8_t *in, size_t len, char *out) {
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < len; i++) {
        out[2 * i] = digits[in[i] >> 4];
        out[2 * i + 1] = digits[in[i] & 0xf];
    }
    out[2 * len] = '\0';
}

static int nibble(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

int sw_unhex(const char *in, uint8_t *out, size_t len) {
    if (strlen(in) != 2 * len) return -1;
    for (size_t i = 0; i < len; i++) {
        int hi = nibble(in[2 * i]), lo = nibble(in[2 * i + 1]);
        if (hi < 0 || lo < 0) return -1;
        out[i] = (uint8_t)(hi << 4 | lo);
    }
    return 0;
}

long sw_read_file(const char *path, uint8_t *buf, size_t max) {
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return -1;
    size_t total = 0;
    while (total < max) {
        ssize_t n = read(fd, buf + total, max - total);
        if (n < 0) {
            if (errno == EINTR) continue;
            int saved = errno;
            close(fd);
            errno = saved;
            return -1;
        }
        if (n == 0) break;
        total += (size_t)n;
    }
    close(fd);
    return (long)total;
}

static int exists_below(const char *root, const char *rel) {
    char path[4096];
    struct stat st;
    if (snprintf(path, sizeof path, "%s%s", strcmp(root, "/") == 0 ? "" : root, rel) >= (int)sizeof path)
        return 0;
    return stat(path, &st) == 0;
}

const char *sw_detect_tee(const char *root) {
    if (exists_below(root, "/dev/tdx_guest")) return "tdx";
    if (exists_below(root, "/dev/sev-guest")) return "snp";
    return "none";
}

void sw_die(const char *prog, const char *fmt, ...) {
    va_list ap;
    fprintf(stderr, "%s: ", prog);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    exit(1);
}
