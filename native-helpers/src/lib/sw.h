/* Shared helpers for sealwright's static native programs. */
#ifndef SW_H
#define SW_H
#include <stddef.h>
#include <stdint.h>

/* Writes 2*len lowercase hex digits and a NUL into out (size >= 2*len+1). */
void sw_hex(const uint8_t *in, size_t len, char *out);

/* Parses exactly 2*len hex digits; returns 0 on success, -1 on bad input. */
int sw_unhex(const char *in, uint8_t *out, size_t len);

/* Reads at most max bytes of path into buf; returns the byte count or -1 (errno set). */
long sw_read_file(const char *path, uint8_t *buf, size_t max);

/* TEE visible to this guest, found below root ("/" in a guest): "tdx", "snp" or "none". */
const char *sw_detect_tee(const char *root);

/* Prints "<prog>: <message>" to stderr and exits with status 1. */
void sw_die(const char *prog, const char *fmt, ...) __attribute__((noreturn, format(printf, 2, 3)));

#endif
