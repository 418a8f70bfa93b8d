/* quex key-enrollment protocol, TD side: checks a vault response and decrypts the TD key.
 * Layouts and checks follow quex-pack src/init (key.c, quote.c, types.h); crypto via OpenSSL
 * libcrypto (secp256k1 ECDH, HKDF-SHA256, AES-128-GCM, ECDSA P-256, X.509 chains).
 * Included by main.c and by test/quex_test.c (which runs the quex-pack known-answer vector). */
#ifndef QUEX_H
#define QUEX_H
#define OPENSSL_API_COMPAT 10101
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/obj_mac.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/sha.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define QUEX_PORT 24516
#define QUEX_REPORT 1024
#define QUEX_MASK 7
#define QUEX_REQUEST (QUEX_MASK + QUEX_REPORT)          /* 1031 */
#define QUEX_RESPONSE (QUEX_MASK + QUEX_REPORT + 128)   /* 1159 */
#define QUEX_QUOTE_FIXED 436
#define QUEX_SIG_MIN 584
#define QUEX_SIG_MAX 16384

static const uint8_t QUEX_DEFAULT_MASK[QUEX_MASK] = {0x04, 0x03, 0x00, 0x00, 0xc7, 0x00, 0x00};
static const uint8_t INTEL_VENDOR[16] = {0x93, 0x9a, 0x72, 0x33, 0xf7, 0x9c, 0x4c, 0xa9, 0x94, 0x0a, 0x0d, 0xb3, 0x95, 0x7f, 0x06, 0x07};

#define QFAIL(...) do { snprintf(err, errlen, __VA_ARGS__); goto out; } while (0)

/* Zeroes every report field whose mask bit is clear (types.h field order). */
static void quex_apply_mask(const uint8_t mask[QUEX_MASK], const uint8_t *in, uint8_t *out) {
    static const int mac[][2] = {{0, 4}, {4, 12}, {16, 16}, {32, 48}, {80, 48}, {128, 64}, {192, 32}, {224, 32}};
    static const int tcb[][2] = {{0, 8}, {8, 16}, {24, 48}, {72, 48}, {120, 8}, {128, 1}, {129, 1}, {130, 1}, {131, 13}, {144, 95}};
    static const int td[][2] = {{0, 8}, {8, 8}, {16, 48}, {64, 48}, {112, 48}, {160, 48}, {208, 48}, {256, 48}, {304, 48}, {352, 48}, {400, 48}};
    unsigned m0 = mask[0], m1 = mask[1] | mask[2] << 8, m3 = mask[3], m4 = mask[4] | mask[5] << 8, m6 = mask[6];
    memcpy(out, in, QUEX_REPORT);
    for (int i = 0; i < 8; i++) if (!(m0 >> i & 1)) memset(out + mac[i][0], 0, (size_t)mac[i][1]);
    for (int i = 0; i < 10; i++) if (!(m1 >> i & 1)) memset(out + 256 + tcb[i][0], 0, (size_t)tcb[i][1]);
    if (!(m3 & 1)) memset(out + 495, 0, 17);
    for (int i = 0; i < 11; i++) if (!(m4 >> i & 1)) memset(out + 512 + td[i][0], 0, (size_t)td[i][1]);
    if (!(m6 & 1)) memset(out + 512 + 448, 0, 64);
}

/* x‖y (64 bytes) of a point */
static int point_raw(const EC_GROUP *g, const EC_POINT *p, uint8_t out[64], BN_CTX *ctx) {
    BIGNUM *x = BN_new(), *y = BN_new();
    int ok = x && y && EC_POINT_get_affine_coordinates(g, p, x, y, ctx) && BN_bn2binpad(x, out, 32) == 32 && BN_bn2binpad(y, out + 32, 32) == 32;
    BN_free(x);
    BN_free(y);
    return ok;
}

static EC_POINT *point_from_raw(const EC_GROUP *g, const uint8_t raw[64], BN_CTX *ctx) {
    uint8_t enc[65];
    enc[0] = 4;
    memcpy(enc + 1, raw, 64);
    EC_POINT *p = EC_POINT_new(g);
    if (p && EC_POINT_oct2point(g, p, enc, sizeof enc, ctx) == 1 && EC_POINT_is_on_curve(g, p, ctx) == 1) return p;
    EC_POINT_free(p);
    return NULL;
}

/* secp256k1: raw public key of a 32-byte private scalar. */
static int quex_public_key(const uint8_t priv[32], uint8_t pub[64]) {
    EC_GROUP *g = EC_GROUP_new_by_curve_name(NID_secp256k1);
    BN_CTX *ctx = BN_CTX_new();
    BIGNUM *d = BN_bin2bn(priv, 32, NULL);
    EC_POINT *p = g ? EC_POINT_new(g) : NULL;
    int ok = g && ctx && d && p && !BN_is_zero(d) && BN_cmp(d, EC_GROUP_get0_order(g)) < 0
             && EC_POINT_mul(g, p, d, NULL, NULL, ctx) && point_raw(g, p, pub, ctx);
    EC_POINT_free(p);
    BN_clear_free(d);
    BN_CTX_free(ctx);
    EC_GROUP_free(g);
    return ok;
}

/* A fresh secp256k1 private scalar (rejection-sampled below the group order). */
static int quex_new_private_key(uint8_t priv[32]) {
    uint8_t pub[64];
    for (int tries = 0; tries < 16; tries++) {
        if (RAND_priv_bytes(priv, 32) != 1) return 0;
        if (quex_public_key(priv, pub)) return 1;
    }
    return 0;
}

/* 0x04‖vault_pub ‖ 0x04‖(td_priv·vault_pub) → HKDF-SHA256(salt "quex_salt") → AES-128-GCM open. */
static int quex_decrypt(const uint8_t td_priv[32], const uint8_t ct[128], uint8_t secret[32], char *err, size_t errlen) {
    int ok = 0, n = 0;
    uint8_t ikm[130], okm[32], plain[32];
    EC_GROUP *g = EC_GROUP_new_by_curve_name(NID_secp256k1);
    BN_CTX *ctx = BN_CTX_new();
    BIGNUM *d = BN_bin2bn(td_priv, 32, NULL);
    EC_POINT *vault = g ? point_from_raw(g, ct, ctx) : NULL, *shared = g ? EC_POINT_new(g) : NULL;
    EVP_PKEY_CTX *kdf = EVP_PKEY_CTX_new_id(EVP_PKEY_HKDF, NULL);
    EVP_CIPHER_CTX *aes = EVP_CIPHER_CTX_new();
    size_t okmlen = sizeof okm;
    if (!vault) QFAIL("vault public key is not on secp256k1");
    if (!EC_POINT_mul(g, shared, NULL, vault, d, ctx)) QFAIL("ECDH failed");
    ikm[0] = 4;
    memcpy(ikm + 1, ct, 64);
    ikm[65] = 4;
    if (!point_raw(g, shared, ikm + 66, ctx)) QFAIL("ECDH failed");
    if (EVP_PKEY_derive_init(kdf) <= 0 || EVP_PKEY_CTX_set_hkdf_md(kdf, EVP_sha256()) <= 0
        || EVP_PKEY_CTX_set1_hkdf_salt(kdf, (const unsigned char *)"quex_salt", 9) <= 0
        || EVP_PKEY_CTX_set1_hkdf_key(kdf, ikm, sizeof ikm) <= 0 || EVP_PKEY_derive(kdf, okm, &okmlen) <= 0)
        QFAIL("HKDF failed");
    if (EVP_DecryptInit_ex(aes, EVP_aes_128_gcm(), NULL, NULL, NULL) != 1
        || EVP_CIPHER_CTX_ctrl(aes, EVP_CTRL_GCM_SET_IVLEN, 12, NULL) != 1
        || EVP_DecryptInit_ex(aes, NULL, NULL, okm, ct + 64) != 1
        || EVP_DecryptUpdate(aes, plain, &n, ct + 96, 32) != 1 || n != 32
        || EVP_CIPHER_CTX_ctrl(aes, EVP_CTRL_GCM_SET_TAG, 16, (void *)(ct + 80)) != 1
        || EVP_DecryptFinal_ex(aes, plain + 32, &n) != 1)
        QFAIL("response does not decrypt (GCM tag mismatch)");
    memcpy(secret, plain, 32);
    ok = 1;
out:
    OPENSSL_cleanse(okm, sizeof okm);
    OPENSSL_cleanse(plain, sizeof plain);
    EVP_CIPHER_CTX_free(aes);
    EVP_PKEY_CTX_free(kdf);
    EC_POINT_free(vault);
    EC_POINT_free(shared);
    BN_clear_free(d);
    BN_CTX_free(ctx);
    EC_GROUP_free(g);
    return ok;
}

/* ECDSA P-256 over SHA-256(msg) with a raw r‖s signature and an EC key. */
static int ecdsa_p256_verify(EC_KEY *key, const uint8_t *msg, size_t len, const uint8_t sig[64]) {
    uint8_t h[32];
    SHA256(msg, len, h);
    ECDSA_SIG *s = ECDSA_SIG_new();
    BIGNUM *r = BN_bin2bn(sig, 32, NULL), *ss = BN_bin2bn(sig + 32, 32, NULL);
    int ok = s && r && ss && ECDSA_SIG_set0(s, r, ss) && ECDSA_do_verify(h, 32, s, key) == 1;
    if (!s || !ECDSA_SIG_get0_r(s)) { BN_free(r); BN_free(ss); }
    ECDSA_SIG_free(s);
    return ok;
}

static uint32_t le32(const uint8_t *p) { return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24; }
static uint16_t le16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }

/* Checks the fixed 436-byte quote header as quex does; returns signature_data_len or -1. */
static long quex_quote_header(const uint8_t q[QUEX_QUOTE_FIXED], char *err, size_t errlen) {
    long len = -1;
    if (le16(q) != 3) QFAIL("vault quote version %u is not 3", le16(q));
    if (le16(q + 2) != 2) QFAIL("vault quote attestation key type %u is not ECDSA-P256", le16(q + 2));
    if (le32(q + 4) != 0) QFAIL("vault quote is not an SGX quote");
    if (memcmp(q + 12, INTEL_VENDOR, 16) != 0) QFAIL("vault quote vendor is not Intel");
    len = le32(q + 432);
    if (len < QUEX_SIG_MIN || len > QUEX_SIG_MAX) { snprintf(err, errlen, "vault quote signature data length %ld out of range", len); len = -1; }
out:
    return len;
}

/* SGX quote v3 of the vault: PCK chain to the pinned root, QE report signature, attestation key
 * binding, quote signature. Certificate times are not checked (a guest clock proves nothing). */
static int quex_verify_quote(const uint8_t *q, size_t qlen, const char *root_pem, char *err, size_t errlen) {
    int ok = 0;
    X509_STORE *store = X509_STORE_new();
    X509_STORE_CTX *vctx = X509_STORE_CTX_new();
    STACK_OF(X509) *chain = sk_X509_new_null();
    EC_KEY *ak = NULL;
    BIO *bio = NULL;
    EC_GROUP *p256 = EC_GROUP_new_by_curve_name(NID_X9_62_prime256v1);
    BN_CTX *bn = BN_CTX_new();
    EC_POINT *akp = NULL;
    long siglen = quex_quote_header(q, err, errlen);
    if (siglen < 0) goto out;
    if ((size_t)siglen + QUEX_QUOTE_FIXED != qlen) QFAIL("vault quote is %zu bytes, its header says %ld", qlen, siglen + QUEX_QUOTE_FIXED);
    const uint8_t *sd = q + QUEX_QUOTE_FIXED, *qe = sd + 128, *qesig = qe + 384;
    uint16_t auth = le16(qesig + 64);
    const uint8_t *cert = qesig + 66 + auth;
    if (576u + 2u + (size_t)auth + 6u > (size_t)siglen) QFAIL("vault quote signature data truncated");
    uint16_t ctype = le16(cert);
    uint32_t csize = le32(cert + 2);
    if (ctype != 5) QFAIL("vault quote certification data type %u is not a PCK chain (5)", ctype);
    if (576 + 2 + (size_t)auth + 6 + csize != (size_t)siglen) QFAIL("vault quote certification data length mismatch");
    /* attestation key binding: QE report_data = SHA-256(AK ‖ auth data) ‖ 0^32 */
    uint8_t bind[64] = {0};
    SHA256_CTX sc;
    SHA256_Init(&sc);
    SHA256_Update(&sc, sd + 64, 64);
    SHA256_Update(&sc, qesig + 66, auth);
    SHA256_Final(bind, &sc);
    if (CRYPTO_memcmp(qe + 320, bind, 64) != 0) QFAIL("QE report does not bind the attestation key");
    /* quote signature by the attestation key over header ‖ body (432 bytes) */
    akp = point_from_raw(p256, sd + 64, bn);
    ak = EC_KEY_new();
    if (!akp || !ak || !EC_KEY_set_group(ak, p256) || !EC_KEY_set_public_key(ak, akp)) QFAIL("attestation key is not a P-256 point");
    if (!ecdsa_p256_verify(ak, q, 432, sd)) QFAIL("vault quote signature does not verify");
    /* PCK chain, leaf first */
    bio = BIO_new_mem_buf(cert + 6, (int)csize);
    X509 *x;
    while ((x = PEM_read_bio_X509(bio, NULL, NULL, NULL)) != NULL) sk_X509_push(chain, x);
    if (sk_X509_num(chain) < 2) QFAIL("vault quote carries no PCK certificate chain");
    if (X509_STORE_load_file(store, root_pem) != 1) QFAIL("cannot read pinned root %.180s", root_pem);
    X509_STORE_set_flags(store, X509_V_FLAG_NO_CHECK_TIME);
    if (X509_STORE_CTX_init(vctx, store, sk_X509_value(chain, 0), chain) != 1 || X509_verify_cert(vctx) != 1)
        QFAIL("PCK chain does not lead to the pinned root: %s", X509_verify_cert_error_string(X509_STORE_CTX_get_error(vctx)));
    EVP_PKEY *pck = X509_get0_pubkey(sk_X509_value(chain, 0));
    const EC_KEY *pck_ec = pck ? EVP_PKEY_get0_EC_KEY(pck) : NULL;
    if (!pck_ec || !ecdsa_p256_verify((EC_KEY *)pck_ec, qe, 384, qesig)) QFAIL("QE report signature does not verify with the PCK key");
    ok = 1;
out:
    BIO_free(bio);
    sk_X509_pop_free(chain, X509_free);
    X509_STORE_CTX_free(vctx);
    X509_STORE_free(store);
    EC_KEY_free(ak);
    EC_POINT_free(akp);
    BN_CTX_free(bn);
    EC_GROUP_free(p256);
    return ok;
}

/* Every check of quex key.c, then decryption. On success writes the 32-byte TD key. */
static int quex_accept_response(const uint8_t mask[QUEX_MASK], const uint8_t own_report[QUEX_REPORT], const uint8_t td_priv[32],
                                const uint8_t resp[QUEX_RESPONSE], const uint8_t *quote, size_t quote_len,
                                const uint8_t mrenclave[32], const char *root_pem, uint8_t secret[32], char *err, size_t errlen) {
    uint8_t a[QUEX_REPORT], b[QUEX_REPORT], h[32];
    if (CRYPTO_memcmp(resp, mask, QUEX_MASK) != 0) { snprintf(err, errlen, "response mask differs from the request's"); return 0; }
    quex_apply_mask(mask, resp + QUEX_MASK, a);
    quex_apply_mask(mask, own_report, b);
    if (CRYPTO_memcmp(a, b, QUEX_REPORT) != 0) { snprintf(err, errlen, "response echoes a different TD report"); return 0; }
    if (quote_len < QUEX_QUOTE_FIXED) { snprintf(err, errlen, "vault quote truncated"); return 0; }
    if (CRYPTO_memcmp(quote + 48 + 64, mrenclave, 32) != 0) { snprintf(err, errlen, "vault MRENCLAVE is not the pinned one"); return 0; }
    if (!quex_verify_quote(quote, quote_len, root_pem, err, errlen)) return 0;
    SHA256(resp, QUEX_RESPONSE, h);
    if (CRYPTO_memcmp(quote + 48 + 320, h, 32) != 0) { snprintf(err, errlen, "vault quote does not commit to this response"); return 0; }
    return quex_decrypt(td_priv, resp + QUEX_MASK + QUEX_REPORT, secret, err, errlen);
}
#endif
