/* The broker protocol, guest side (docs/kbs.md): P-256 TEE key, REPORTDATA = SHA-512(nonce ‖ key),
 * the sealed-secret envelope (ECDH P-256 → HKDF-SHA256 salt nonce, info "sealwright-kbs/v1 <resource>"
 * → AES-256-GCM, AAD resource), base64, flat-JSON string fields and a minimal HTTP/1.1 POST.
 * Included by main.c and by test/kbs_test.c. */
#ifndef KBS_H
#define KBS_H

#include "sw.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/param_build.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#define KBS_POINT 65
#define KBS_NONCE_MAX 64
#define KBS_INFO_PREFIX "sealwright-kbs/v1 "

/* REPORTDATA binding the nonce and the TEE public key. */
static int kbs_report_data(const uint8_t *nonce, size_t nonce_len, const uint8_t pub[KBS_POINT], uint8_t out[64]) {
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    unsigned int n = 0;
    int ok = md && EVP_DigestInit_ex(md, EVP_sha512(), NULL) && EVP_DigestUpdate(md, nonce, nonce_len) &&
             EVP_DigestUpdate(md, pub, KBS_POINT) && EVP_DigestFinal_ex(md, out, &n) && n == 64;
    EVP_MD_CTX_free(md);
    return ok;
}

/* A fresh P-256 key and its uncompressed public point. */
static EVP_PKEY *kbs_keygen(uint8_t pub[KBS_POINT]) {
    EVP_PKEY *k = EVP_EC_gen("P-256");
    size_t len = 0;
    if (!k || !EVP_PKEY_get_octet_string_param(k, OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, pub, KBS_POINT, &len) || len != KBS_POINT) {
        EVP_PKEY_free(k);
        return NULL;
    }
    return k;
}

/* A P-256 key from an uncompressed point and, optionally, a 32-byte private scalar. */
static EVP_PKEY *kbs_key_from(const uint8_t pub[KBS_POINT], const uint8_t *priv32) {
    OSSL_PARAM_BLD *b = OSSL_PARAM_BLD_new();
    BIGNUM *d = priv32 ? BN_bin2bn(priv32, 32, NULL) : NULL;
    OSSL_PARAM *params = NULL;
    EVP_PKEY *key = NULL;
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
    if (b && ctx && OSSL_PARAM_BLD_push_utf8_string(b, OSSL_PKEY_PARAM_GROUP_NAME, "prime256v1", 0) &&
        OSSL_PARAM_BLD_push_octet_string(b, OSSL_PKEY_PARAM_PUB_KEY, pub, KBS_POINT) &&
        (!d || OSSL_PARAM_BLD_push_BN(b, OSSL_PKEY_PARAM_PRIV_KEY, d)) && (params = OSSL_PARAM_BLD_to_param(b)) &&
        EVP_PKEY_fromdata_init(ctx) > 0)
        if (EVP_PKEY_fromdata(ctx, &key, d ? EVP_PKEY_KEYPAIR : EVP_PKEY_PUBLIC_KEY, params) <= 0) key = NULL;
    OSSL_PARAM_free(params);
    OSSL_PARAM_BLD_free(b);
    BN_clear_free(d);
    EVP_PKEY_CTX_free(ctx);
    return key;
}

/* Opens a sealed secret. Returns the plaintext length, or -1 with err set (tampering, wrong key). */
static long kbs_open(EVP_PKEY *tee, const uint8_t epk[KBS_POINT], const uint8_t *nonce, size_t nonce_len, const char *resource,
                     const uint8_t iv[12], const uint8_t *ct, size_t ct_len, uint8_t *out, char *err, size_t errlen) {
    long result = -1;
    uint8_t z[32], key[32];
    size_t zlen = sizeof z, klen = sizeof key;
    char info[300];
    EVP_PKEY *peer = kbs_key_from(epk, NULL);
    EVP_PKEY_CTX *dh = peer ? EVP_PKEY_CTX_new(tee, NULL) : NULL, *kdf = NULL;
    EVP_CIPHER_CTX *c = NULL;
    if (!peer) { snprintf(err, errlen, "broker ephemeral key is not a P-256 point"); goto done; }
    if (ct_len < 16) { snprintf(err, errlen, "ciphertext shorter than the GCM tag"); goto done; }
    if (!dh || EVP_PKEY_derive_init(dh) <= 0 || EVP_PKEY_derive_set_peer(dh, peer) <= 0 || EVP_PKEY_derive(dh, z, &zlen) <= 0 || zlen != 32) {
        snprintf(err, errlen, "ECDH failed");
        goto done;
    }
    int n = snprintf(info, sizeof info, "%s%s", KBS_INFO_PREFIX, resource);
    kdf = EVP_PKEY_CTX_new_id(EVP_PKEY_HKDF, NULL);
    if (n < 0 || (size_t)n >= sizeof info || !kdf || EVP_PKEY_derive_init(kdf) <= 0 || EVP_PKEY_CTX_set_hkdf_md(kdf, EVP_sha256()) <= 0 ||
        EVP_PKEY_CTX_set1_hkdf_salt(kdf, nonce, (int)nonce_len) <= 0 || EVP_PKEY_CTX_set1_hkdf_key(kdf, z, (int)zlen) <= 0 ||
        EVP_PKEY_CTX_add1_hkdf_info(kdf, (const unsigned char *)info, n) <= 0 || EVP_PKEY_derive(kdf, key, &klen) <= 0 || klen != 32) {
        snprintf(err, errlen, "HKDF failed");
        goto done;
    }
    c = EVP_CIPHER_CTX_new();
    int len = 0, fin = 0;
    size_t body = ct_len - 16;
    if (!c || !EVP_DecryptInit_ex(c, EVP_aes_256_gcm(), NULL, NULL, NULL) || !EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_IVLEN, 12, NULL) ||
        !EVP_DecryptInit_ex(c, NULL, NULL, key, iv) || !EVP_DecryptUpdate(c, NULL, &len, (const uint8_t *)resource, (int)strlen(resource)) ||
        !EVP_DecryptUpdate(c, out, &len, ct, (int)body) ||
        !EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_TAG, 16, (void *)(ct + body)) || EVP_DecryptFinal_ex(c, out + len, &fin) <= 0) {
        snprintf(err, errlen, "sealed secret does not authenticate (wrong key, nonce or resource, or tampered)");
        goto done;
    }
    result = len + fin;
done:
    OPENSSL_cleanse(z, sizeof z);
    OPENSSL_cleanse(key, sizeof key);
    EVP_CIPHER_CTX_free(c);
    EVP_PKEY_CTX_free(kdf);
    EVP_PKEY_CTX_free(dh);
    EVP_PKEY_free(peer);
    return result;
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
