/* HPKE (RFC 9180) base mode for DHKEM(P-256, HKDF-SHA256) / HKDF-SHA256 / AES-GCM, written from the
 * RFC on OpenSSL 3.0 primitives (EC keys and ECDH, the HKDF KDF in extract-only and expand-only
 * modes, AES-GCM): Debian 12's OpenSSL 3.0 has no EVP_HPKE (it came in 3.2). The broker's Java side
 * uses Bouncy Castle's HPKE; both pass the same published vectors and interoperate (docs/kbs.md).
 * kbs-client uses AES-256-GCM (aead id 2); the key schedule takes the AEAD id as the RFC does, and
 * AES-128-GCM (id 1) is accepted too so that RFC 9180 appendix A.3's own vector can be run.
 * Header-only (static functions): included by kbs.h, test/kbs_test.c and test/hpke_tool.c. */
#ifndef HPKE_H
#define HPKE_H

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/param_build.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define HPKE_KEM_P256_SHA256 0x0010
#define HPKE_KDF_HKDF_SHA256 0x0001
#define HPKE_AEAD_AES128GCM 0x0001
#define HPKE_AEAD_AES256GCM 0x0002
#define HPKE_NPK 65 /* uncompressed P-256 point: enc and serialized public keys */
#define HPKE_NH 32  /* SHA-256 output: Nsecret, Nh */
#define HPKE_NN 12
#define HPKE_NT 16

/* A context of one direction: key, base nonce and the sequence number of the next message. */
struct hpke_ctx {
    const EVP_CIPHER *cipher;
    size_t nk;
    uint8_t key[32], base_nonce[HPKE_NN];
    uint64_t seq;
};

/* A fresh P-256 key and its uncompressed public point. */
static EVP_PKEY *hpke_keygen(uint8_t pub[HPKE_NPK]) {
    EVP_PKEY *k = EVP_EC_gen("P-256");
    size_t len = 0;
    if (!k || !EVP_PKEY_get_octet_string_param(k, OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, pub, HPKE_NPK, &len) || len != HPKE_NPK) {
        EVP_PKEY_free(k);
        return NULL;
    }
    return k;
}

/* A P-256 key from an uncompressed point (checked to be on the curve) and, optionally, a 32-byte private scalar. */
static EVP_PKEY *hpke_key_from(const uint8_t pub[HPKE_NPK], const uint8_t *priv32) {
    if (pub[0] != 4) return NULL;
    OSSL_PARAM_BLD *b = OSSL_PARAM_BLD_new();
    BIGNUM *d = priv32 ? BN_bin2bn(priv32, 32, NULL) : NULL;
    OSSL_PARAM *params = NULL;
    EVP_PKEY *key = NULL;
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
    if (b && ctx && (!priv32 || d) && OSSL_PARAM_BLD_push_utf8_string(b, OSSL_PKEY_PARAM_GROUP_NAME, "prime256v1", 0) &&
        OSSL_PARAM_BLD_push_octet_string(b, OSSL_PKEY_PARAM_PUB_KEY, pub, HPKE_NPK) &&
        (!d || OSSL_PARAM_BLD_push_BN(b, OSSL_PKEY_PARAM_PRIV_KEY, d)) && (params = OSSL_PARAM_BLD_to_param(b)) &&
        EVP_PKEY_fromdata_init(ctx) > 0)
        if (EVP_PKEY_fromdata(ctx, &key, d ? EVP_PKEY_KEYPAIR : EVP_PKEY_PUBLIC_KEY, params) <= 0) key = NULL;
    OSSL_PARAM_free(params);
    OSSL_PARAM_BLD_free(b);
    BN_clear_free(d);
    EVP_PKEY_CTX_free(ctx);
    return key;
}

/* HKDF-SHA256 in one mode: EXTRACT_ONLY (out = PRK, 32 bytes) or EXPAND_ONLY (key = PRK). */
static int hpke_hkdf(int mode, const uint8_t *key, size_t key_len, const uint8_t *salt, size_t salt_len, const uint8_t *info,
                     size_t info_len, uint8_t *out, size_t out_len) {
    EVP_KDF *kdf = EVP_KDF_fetch(NULL, "HKDF", NULL);
    EVP_KDF_CTX *c = kdf ? EVP_KDF_CTX_new(kdf) : NULL;
    OSSL_PARAM p[6], *q = p;
    *q++ = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, (char *)"SHA256", 0);
    *q++ = OSSL_PARAM_construct_int(OSSL_KDF_PARAM_MODE, &mode);
    *q++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, (void *)key, key_len);
    if (salt_len) *q++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, (void *)salt, salt_len);
    if (info_len) *q++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, (void *)info, info_len);
    *q = OSSL_PARAM_construct_end();
    int ok = c && EVP_KDF_derive(c, out, out_len, p) > 0;
    EVP_KDF_CTX_free(c);
    EVP_KDF_free(kdf);
    return ok;
}

/* LabeledExtract(salt, label, ikm) = Extract(salt, "HPKE-v1" ‖ suite_id ‖ label ‖ ikm). */
static int hpke_labeled_extract(const uint8_t *suite_id, size_t sid_len, const uint8_t *salt, size_t salt_len, const char *label,
                                const uint8_t *ikm, size_t ikm_len, uint8_t out[HPKE_NH]) {
    size_t ll = strlen(label), n = 7 + sid_len + ll + ikm_len;
    uint8_t *buf = malloc(n);
    if (!buf) return 0;
    memcpy(buf, "HPKE-v1", 7);
    memcpy(buf + 7, suite_id, sid_len);
    memcpy(buf + 7 + sid_len, label, ll);
    if (ikm_len) memcpy(buf + 7 + sid_len + ll, ikm, ikm_len);
    int ok = hpke_hkdf(EVP_KDF_HKDF_MODE_EXTRACT_ONLY, buf, n, salt, salt_len, NULL, 0, out, HPKE_NH);
    OPENSSL_clear_free(buf, n);
    return ok;
}

/* LabeledExpand(prk, label, info, L) = Expand(prk, I2OSP(L, 2) ‖ "HPKE-v1" ‖ suite_id ‖ label ‖ info, L). */
static int hpke_labeled_expand(const uint8_t *suite_id, size_t sid_len, const uint8_t prk[HPKE_NH], const char *label,
                               const uint8_t *info, size_t info_len, uint8_t *out, size_t L) {
    size_t ll = strlen(label), n = 2 + 7 + sid_len + ll + info_len;
    uint8_t *buf = malloc(n);
    if (!buf) return 0;
    buf[0] = (uint8_t)(L >> 8);
    buf[1] = (uint8_t)L;
    memcpy(buf + 2, "HPKE-v1", 7);
    memcpy(buf + 9, suite_id, sid_len);
    memcpy(buf + 9 + sid_len, label, ll);
    if (info_len) memcpy(buf + 9 + sid_len + ll, info, info_len);
    int ok = hpke_hkdf(EVP_KDF_HKDF_MODE_EXPAND_ONLY, prk, HPKE_NH, NULL, 0, buf, n, out, L);
    free(buf);
    return ok;
}

/* DH(sk, pk): the X coordinate of the shared point. */
static int hpke_dh(EVP_PKEY *sk, EVP_PKEY *pk, uint8_t out[32]) {
    EVP_PKEY_CTX *c = EVP_PKEY_CTX_new(sk, NULL);
    size_t len = 32;
    int ok = c && EVP_PKEY_derive_init(c) > 0 && EVP_PKEY_derive_set_peer(c, pk) > 0 && EVP_PKEY_derive(c, out, &len) > 0 && len == 32;
    EVP_PKEY_CTX_free(c);
    return ok;
}

/* DHKEM ExtractAndExpand: shared_secret from dh and kem_context = enc ‖ pkRm. */
static int hpke_extract_and_expand(const uint8_t dh[32], const uint8_t enc[HPKE_NPK], const uint8_t pkR[HPKE_NPK],
                                   uint8_t shared[HPKE_NH]) {
    static const uint8_t kem_id[5] = {'K', 'E', 'M', 0x00, 0x10};
    uint8_t prk[HPKE_NH], ctx[2 * HPKE_NPK];
    memcpy(ctx, enc, HPKE_NPK);
    memcpy(ctx + HPKE_NPK, pkR, HPKE_NPK);
    int ok = hpke_labeled_extract(kem_id, sizeof kem_id, NULL, 0, "eae_prk", dh, 32, prk) &&
             hpke_labeled_expand(kem_id, sizeof kem_id, prk, "shared_secret", ctx, sizeof ctx, shared, HPKE_NH);
    OPENSSL_cleanse(prk, sizeof prk);
    return ok;
}

/* KeyScheduleS/R for mode_base (psk and psk_id empty). */
static int hpke_key_schedule(uint16_t aead, const uint8_t shared[HPKE_NH], const uint8_t *info, size_t info_len, struct hpke_ctx *c) {
    const uint8_t sid[10] = {'H', 'P', 'K', 'E', 0x00, 0x10, 0x00, 0x01, (uint8_t)(aead >> 8), (uint8_t)aead};
    uint8_t ks_context[1 + 2 * HPKE_NH], secret[HPKE_NH];
    if (aead == HPKE_AEAD_AES256GCM) c->cipher = EVP_aes_256_gcm(), c->nk = 32;
    else if (aead == HPKE_AEAD_AES128GCM) c->cipher = EVP_aes_128_gcm(), c->nk = 16;
    else return 0;
    ks_context[0] = 0x00; /* mode_base */
    int ok = hpke_labeled_extract(sid, sizeof sid, NULL, 0, "psk_id_hash", NULL, 0, ks_context + 1) &&
             hpke_labeled_extract(sid, sizeof sid, NULL, 0, "info_hash", info, info_len, ks_context + 1 + HPKE_NH) &&
             hpke_labeled_extract(sid, sizeof sid, shared, HPKE_NH, "secret", NULL, 0, secret) &&
             hpke_labeled_expand(sid, sizeof sid, secret, "key", ks_context, sizeof ks_context, c->key, c->nk) &&
             hpke_labeled_expand(sid, sizeof sid, secret, "base_nonce", ks_context, sizeof ks_context, c->base_nonce, HPKE_NN);
    c->seq = 0;
    OPENSSL_cleanse(secret, sizeof secret);
    return ok;
}

/* SetupBaseS: encapsulates to pkR with the ephemeral key eph (a fresh one when eph is NULL); writes enc.
 * The sender side (this and hpke_seal) is inline because kbs-client only opens: the vectors in
 * test/kbs_test.c and the C → Java direction of HpkeInteropSpec (test/hpke_tool.c) seal. */
static inline int hpke_setup_base_s(uint16_t aead, const uint8_t pkR[HPKE_NPK], const uint8_t *info, size_t info_len, EVP_PKEY *eph,
                             uint8_t enc[HPKE_NPK], struct hpke_ctx *c) {
    EVP_PKEY *pk = hpke_key_from(pkR, NULL), *e = eph;
    size_t len = 0;
    uint8_t dh[32], shared[HPKE_NH];
    int ok = pk != NULL;
    if (ok && !e) ok = (e = hpke_keygen(enc)) != NULL;
    else if (ok) ok = EVP_PKEY_get_octet_string_param(e, OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, enc, HPKE_NPK, &len) && len == HPKE_NPK;
    ok = ok && hpke_dh(e, pk, dh) && hpke_extract_and_expand(dh, enc, pkR, shared) && hpke_key_schedule(aead, shared, info, info_len, c);
    OPENSSL_cleanse(dh, sizeof dh);
    OPENSSL_cleanse(shared, sizeof shared);
    if (e != eph) EVP_PKEY_free(e);
    EVP_PKEY_free(pk);
    return ok;
}

/* SetupBaseR: decapsulates enc with skR. 0 if enc is not a P-256 point or anything fails. */
static int hpke_setup_base_r(uint16_t aead, EVP_PKEY *skR, const uint8_t enc[HPKE_NPK], const uint8_t *info, size_t info_len,
                             struct hpke_ctx *c) {
    EVP_PKEY *pkE = hpke_key_from(enc, NULL);
    uint8_t pkR[HPKE_NPK], dh[32], shared[HPKE_NH];
    size_t len = 0;
    int ok = pkE && EVP_PKEY_get_octet_string_param(skR, OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, pkR, HPKE_NPK, &len) && len == HPKE_NPK &&
             hpke_dh(skR, pkE, dh) && hpke_extract_and_expand(dh, enc, pkR, shared) && hpke_key_schedule(aead, shared, info, info_len, c);
    OPENSSL_cleanse(dh, sizeof dh);
    OPENSSL_cleanse(shared, sizeof shared);
    EVP_PKEY_free(pkE);
    return ok;
}

/* ComputeNonce(seq) = base_nonce XOR I2OSP(seq, Nn). */
static void hpke_nonce(const struct hpke_ctx *c, uint8_t nonce[HPKE_NN]) {
    memcpy(nonce, c->base_nonce, HPKE_NN);
    for (int i = 0; i < 8; i++) nonce[HPKE_NN - 1 - i] ^= (uint8_t)(c->seq >> (8 * i));
}

/* ContextS.Seal: out gets pt_len + 16 bytes (ciphertext ‖ tag). Returns that length or -1. */
static inline long hpke_seal(struct hpke_ctx *c, const uint8_t *aad, size_t aad_len, const uint8_t *pt, size_t pt_len, uint8_t *out) {
    uint8_t nonce[HPKE_NN];
    int len = 0, fin = 0;
    hpke_nonce(c, nonce);
    EVP_CIPHER_CTX *x = EVP_CIPHER_CTX_new();
    int ok = x && EVP_EncryptInit_ex(x, c->cipher, NULL, c->key, nonce) &&
             (!aad_len || EVP_EncryptUpdate(x, NULL, &len, aad, (int)aad_len)) && EVP_EncryptUpdate(x, out, &len, pt, (int)pt_len) &&
             EVP_EncryptFinal_ex(x, out + len, &fin) && EVP_CIPHER_CTX_ctrl(x, EVP_CTRL_GCM_GET_TAG, HPKE_NT, out + pt_len);
    EVP_CIPHER_CTX_free(x);
    if (!ok) return -1;
    c->seq++;
    return (long)(pt_len + HPKE_NT);
}

/* ContextR.Open: out gets ct_len - 16 bytes. Returns that length, or -1 if the tag does not verify. */
static long hpke_open(struct hpke_ctx *c, const uint8_t *aad, size_t aad_len, const uint8_t *ct, size_t ct_len, uint8_t *out) {
    if (ct_len < HPKE_NT) return -1;
    uint8_t nonce[HPKE_NN];
    size_t body = ct_len - HPKE_NT;
    int len = 0, fin = 0;
    hpke_nonce(c, nonce);
    EVP_CIPHER_CTX *x = EVP_CIPHER_CTX_new();
    int ok = x && EVP_DecryptInit_ex(x, c->cipher, NULL, c->key, nonce) &&
             (!aad_len || EVP_DecryptUpdate(x, NULL, &len, aad, (int)aad_len)) && EVP_DecryptUpdate(x, out, &len, ct, (int)body) &&
             EVP_CIPHER_CTX_ctrl(x, EVP_CTRL_GCM_SET_TAG, HPKE_NT, (void *)(ct + body)) && EVP_DecryptFinal_ex(x, out + len, &fin) > 0;
    EVP_CIPHER_CTX_free(x);
    if (!ok) {
        OPENSSL_cleanse(out, body);
        return -1;
    }
    c->seq++;
    return (long)body;
}

#endif
