/* The broker protocol sealwright-kbs/2, guest side (docs/kbs.md): P-256 TEE key, REPORTDATA =
 * SHA-512(nonce ‖ key), the secret sealed with HPKE (RFC 9180, hpke.h), base64, flat-JSON string
 * fields and a minimal HTTP/1.1 POST.
 * Included by main.c and by test/kbs_test.c. */
#ifndef KBS_H
#define KBS_H

#include "hpke.h"
#include "sw.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#define KBS_POINT HPKE_NPK
#define KBS_NONCE_MAX 64
#define KBS_PROTOCOL "sealwright-kbs/2" /* the "version" of every request and reply */

/* REPORTDATA binding the nonce and the TEE public key. */
static int kbs_report_data(const uint8_t *nonce, size_t nonce_len, const uint8_t pub[KBS_POINT], uint8_t out[64]) {
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    unsigned int n = 0;
    int ok = md && EVP_DigestInit_ex(md, EVP_sha512(), NULL) && EVP_DigestUpdate(md, nonce, nonce_len) &&
             EVP_DigestUpdate(md, pub, KBS_POINT) && EVP_DigestFinal_ex(md, out, &n) && n == 64;
    EVP_MD_CTX_free(md);
    return ok;
}

/* Opens the sealed secret of an attest reply (docs/kbs.md): HPKE base mode, DHKEM(P-256, HKDF-SHA256),
 * HKDF-SHA256, AES-256-GCM, info = "sealwright-kbs/2" ‖ I2OSP(len(resource), 2) ‖ resource ‖ nonce,
 * empty AAD, sequence number 0. Returns the plaintext length, or -1 with err set. */
static long kbs_open(EVP_PKEY *tee, const uint8_t enc[HPKE_NPK], const uint8_t *nonce, size_t nonce_len, const char *resource,
                     const uint8_t *ct, size_t ct_len, uint8_t *out, char *err, size_t errlen) {
    uint8_t info[sizeof KBS_PROTOCOL - 1 + 2 + 256 + KBS_NONCE_MAX];
    size_t rl = strlen(resource), pl = sizeof KBS_PROTOCOL - 1;
    struct hpke_ctx c;
    if (rl > 256 || nonce_len > KBS_NONCE_MAX) { snprintf(err, errlen, "resource name or nonce too long"); return -1; }
    if (ct_len < HPKE_NT) { snprintf(err, errlen, "ciphertext shorter than the GCM tag"); return -1; }
    memcpy(info, KBS_PROTOCOL, pl);
    info[pl] = (uint8_t)(rl >> 8);
    info[pl + 1] = (uint8_t)rl;
    memcpy(info + pl + 2, resource, rl);
    memcpy(info + pl + 2 + rl, nonce, nonce_len);
    if (!hpke_setup_base_r(HPKE_AEAD_AES256GCM, tee, enc, info, pl + 2 + rl + nonce_len, &c)) {
        snprintf(err, errlen, "HPKE: the broker's enc is not a P-256 point, or decapsulation failed");
        return -1;
    }
    long n = hpke_open(&c, NULL, 0, ct, ct_len, out);
    OPENSSL_cleanse(&c, sizeof c);
    if (n < 0) snprintf(err, errlen, "sealed secret does not authenticate (wrong key, nonce or resource, or tampered)");
    return n;
}

/* Base64 (standard alphabet, padded). Encode returns the length written (out holds 4*ceil(n/3)+1). */
static size_t kbs_b64encode(const uint8_t *in, size_t n, char *out) {
    return (size_t)EVP_EncodeBlock((unsigned char *)out, in, (int)n);
}

/* Returns the decoded length or -1; out must hold 3*strlen(in)/4 bytes. */
static long kbs_b64decode(const char *in, uint8_t *out, size_t max) {
    size_t n = strlen(in);
    if (n % 4 != 0 || n / 4 * 3 > max) return -1;
    int len = EVP_DecodeBlock(out, (const unsigned char *)in, (int)n);
    if (len < 0) return -1;
    if (n >= 1 && in[n - 1] == '=') len--;
    if (n >= 2 && in[n - 2] == '=') len--;
    return len;
}

/* The string value of "key" in a flat JSON object (escapes \" \\ \/ \n \t; other \u escapes rejected).
 * Returns 1 if found and it fit in out. */
static int kbs_json_string(const char *json, const char *key, char *out, size_t max) {
    char pat[128];
    if (snprintf(pat, sizeof pat, "\"%s\"", key) >= (int)sizeof pat) return 0;
    for (const char *p = strstr(json, pat); p; p = strstr(p + 1, pat)) {
        const char *q = p + strlen(pat);
        while (*q == ' ' || *q == '\t' || *q == '\r' || *q == '\n') q++;
        if (*q != ':') continue;
        q++;
        while (*q == ' ' || *q == '\t' || *q == '\r' || *q == '\n') q++;
        if (*q != '"') return 0;
        size_t o = 0;
        for (q++; *q && *q != '"'; q++) {
            char ch = *q;
            if (ch == '\\') {
                q++;
                if (*q == '"' || *q == '\\' || *q == '/') ch = *q;
                else if (*q == 'n') ch = '\n';
                else if (*q == 't') ch = '\t';
                else return 0;
            }
            if (o + 1 >= max) return 0;
            out[o++] = ch;
        }
        if (*q != '"') return 0;
        out[o] = 0;
        return 1;
    }
    return 0;
}

/* "http://HOST:PORT[/PATH]" → host, port, path ("" if none). Returns 1 on success. */
static int kbs_parse_url(const char *url, char *host, size_t hmax, char *port, size_t pmax, char *path, size_t pathmax) {
    if (strncmp(url, "http://", 7) != 0) return 0;
    const char *h = url + 7, *colon = strchr(h, ':'), *slash = strchr(h, '/');
    if (!colon || (slash && slash < colon) || colon == h) return 0;
    size_t hl = (size_t)(colon - h), pl = slash ? (size_t)(slash - colon - 1) : strlen(colon + 1);
    if (hl >= hmax || pl == 0 || pl >= pmax || strlen(slash ? slash : "") >= pathmax) return 0;
    memcpy(host, h, hl);
    host[hl] = 0;
    memcpy(port, colon + 1, pl);
    port[pl] = 0;
    for (size_t i = 0; i < pl; i++) if (port[i] < '0' || port[i] > '9') return 0;
    strcpy(path, slash ? slash : "");
    return 1;
}

/* Splits a raw HTTP/1.1 response: status code and body (honouring Content-Length when present).
 * Returns 1 on success. */
static int kbs_http_split(uint8_t *resp, size_t len, int *status, uint8_t **body, size_t *body_len) {
    if (len < 12 || memcmp(resp, "HTTP/1.", 7) != 0) return 0;
    uint8_t *end = NULL;
    for (size_t i = 0; i + 3 < len; i++)
        if (memcmp(resp + i, "\r\n\r\n", 4) == 0) { end = resp + i; break; }
    if (!end) return 0;
    *status = atoi((char *)resp + 9);
    *body = end + 4;
    *body_len = len - (size_t)(*body - resp);
    char *h = (char *)resp;
    *end = 0;
    for (char *line = strstr(h, "\r\n"); line; line = strstr(line + 2, "\r\n")) {
        if (strncasecmp(line + 2, "Content-Length:", 15) == 0) {
            long cl = strtol(line + 17, NULL, 10);
            if (cl < 0 || (size_t)cl > *body_len) return 0; /* truncated */
            *body_len = (size_t)cl;
        }
    }
    return *status >= 100 && *status <= 599;
}

/* POST body to http://host:port/path, Connection: close; reads the whole response into resp.
 * Returns the response length, or -1 with err set. */
static long kbs_http_post(const char *host, const char *port, const char *path, const char *type, const uint8_t *body,
                          size_t body_len, uint8_t *resp, size_t max, int timeout_s, char *err, size_t errlen) {
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM}, *ai = NULL;
    int rc = getaddrinfo(host, port, &hints, &ai);
    if (rc != 0) { snprintf(err, errlen, "cannot resolve %s: %s", host, gai_strerror(rc)); return -1; }
    int fd = -1;
    for (struct addrinfo *a = ai; a; a = a->ai_next) {
        fd = socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
        if (fd < 0) continue;
        struct timeval tv = {.tv_sec = timeout_s};
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
        if (connect(fd, a->ai_addr, a->ai_addrlen) == 0) break;
        close(fd);
        fd = -1;
    }
    freeaddrinfo(ai);
    if (fd < 0) { snprintf(err, errlen, "cannot connect to %s:%s: %s", host, port, strerror(errno)); return -1; }
    char head[1024];
    int hl = snprintf(head, sizeof head, "POST %s HTTP/1.1\r\nHost: %s:%s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n"
                      "Connection: close\r\n\r\n", path, host, port, type, body_len);
    long got = -1;
    if (hl <= 0 || hl >= (int)sizeof head) { snprintf(err, errlen, "request line too long"); goto out; }
    const uint8_t *parts[2] = {(const uint8_t *)head, body};
    size_t lens[2] = {(size_t)hl, body_len};
    for (int i = 0; i < 2; i++) {
        size_t off = 0;
        while (off < lens[i]) {
            ssize_t w = send(fd, parts[i] + off, lens[i] - off, MSG_NOSIGNAL);
            if (w < 0 && errno == EINTR) continue;
            if (w <= 0) { snprintf(err, errlen, "sending to %s:%s failed: %s", host, port, strerror(errno)); goto out; }
            off += (size_t)w;
        }
    }
    size_t total = 0;
    for (;;) {
        if (total == max) { snprintf(err, errlen, "response from %s:%s larger than %zu bytes", host, port, max); goto out; }
        ssize_t r = recv(fd, resp + total, max - total, 0);
        if (r < 0 && errno == EINTR) continue;
        if (r < 0) { snprintf(err, errlen, "reading from %s:%s failed: %s", host, port, strerror(errno)); goto out; }
        if (r == 0) break;
        total += (size_t)r;
    }
    got = (long)total;
out:
    close(fd);
    return got;
}

#endif
