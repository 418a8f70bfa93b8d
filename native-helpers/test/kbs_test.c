/* kbs-client protocol pieces. HPKE (hpke.h) against RFC 9180's published vectors, read from the
 * file the Java specs use (HPKE_VECTORS, set by the Makefile; its README names the sources). The
 * sealed-secret known answer was made with an independent HPKE implementation (pyca/cryptography,
 * test/kbs_vector.py); base64 with RFC 4648 §10. */
#include "../src/kbs-client/kbs.h"

static int failures;
#define CHECK(cond) do { if (!(cond)) { fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); failures++; } } while (0)

static void unhex(const char *h, uint8_t *out, size_t n) {
    if (strlen(h) != 2 * n || sw_unhex(h, out, n) != 0) sw_die("kbs_test", "bad hex in test or vector file");
}

/* The hex string of "key" in json (the first after the given position), decoded; returns its length. */
static size_t field(const char *json, const char *key, uint8_t *out, size_t max) {
    static char hex[4096];
    if (!kbs_json_string(json, key, hex, sizeof hex) || strlen(hex) % 2 || strlen(hex) / 2 > max)
        sw_die("kbs_test", "vector file: field %s missing or too long", key);
    unhex(hex, out, strlen(hex) / 2);
    return strlen(hex) / 2;
}

static long number(const char *json, const char *key) {
    char pat[64];
    snprintf(pat, sizeof pat, "\"%s\":", key);
    const char *p = strstr(json, pat);
    if (!p) sw_die("kbs_test", "vector file: field %s missing", key);
    return strtol(p + strlen(pat), NULL, 10);
}

/* One vector entry: SetupBaseS with the vector's ephemeral key gives its enc, key and base nonce and seals
 * to its ciphertexts; SetupBaseR from enc opens them; a changed byte or another sequence number does not. */
static int vector(const char *entry) {
    uint8_t skR[32], pkR[65], skE[32], pkE[65], enc[65], info[128], key[32], nonce[12], got_enc[65];
    uint16_t aead = (uint16_t)number(entry, "aead_id");
    CHECK(number(entry, "mode") == 0 && number(entry, "kem_id") == 16 && number(entry, "kdf_id") == 1);
    field(entry, "skRm", skR, 32);
    field(entry, "pkRm", pkR, 65);
    field(entry, "skEm", skE, 32);
    field(entry, "pkEm", pkE, 65);
    field(entry, "enc", enc, 65);
    size_t info_len = field(entry, "info", info, sizeof info), nk = field(entry, "key", key, sizeof key);
    field(entry, "base_nonce", nonce, 12);
    EVP_PKEY *r = hpke_key_from(pkR, skR), *e = hpke_key_from(pkE, skE);
    struct hpke_ctx s, o;
    CHECK(r && e);
    CHECK(hpke_setup_base_s(aead, pkR, info, info_len, e, got_enc, &s) && memcmp(got_enc, enc, 65) == 0);
    CHECK(s.nk == nk && memcmp(s.key, key, nk) == 0 && memcmp(s.base_nonce, nonce, 12) == 0);
    CHECK(hpke_setup_base_r(aead, r, enc, info, info_len, &o) && memcmp(o.key, key, nk) == 0 && memcmp(o.base_nonce, nonce, 12) == 0);
    int n = 0;
    const char *end = strstr(entry + 1, "{\"source\"");
    for (const char *p = strstr(entry, "{\"seq\""); p && (!end || p < end); p = strstr(p + 1, "{\"seq\"")) {
        uint8_t aad[64], pt[64], ct[96], out[96];
        size_t al = field(p, "aad", aad, sizeof aad), pl = field(p, "pt", pt, sizeof pt), cl = field(p, "ct", ct, sizeof ct);
        s.seq = o.seq = (uint64_t)number(p, "seq");
        CHECK(hpke_seal(&s, aad, al, pt, pl, out) == (long)cl && memcmp(out, ct, cl) == 0);
        o.seq++; /* the wrong sequence number does not open */
        CHECK(hpke_open(&o, aad, al, ct, cl, out) == -1);
        o.seq--;
        ct[cl - 1] ^= 1;
        CHECK(hpke_open(&o, aad, al, ct, cl, out) == -1);
        ct[cl - 1] ^= 1;
        CHECK(hpke_open(&o, aad, al, ct, cl, out) == (long)pl && memcmp(out, pt, pl) == 0);
        n++;
    }
    CHECK(n >= 2);
    EVP_PKEY_free(r);
    EVP_PKEY_free(e);
    return n;
}

static void rfc9180_vectors(void) {
    const char *path = getenv("HPKE_VECTORS");
    static char json[65536];
    if (!path) sw_die("kbs_test", "HPKE_VECTORS is not set (the Makefile points it at the spock-tests resource)");
    long len = sw_read_file(path, (uint8_t *)json, sizeof json - 1);
    if (len <= 0) sw_die("kbs_test", "cannot read %s", path);
    json[len] = 0;
    int suites = 0, ours = 0;
    for (const char *p = strstr(json, "{\"source\""); p; p = strstr(p + 1, "{\"source\"")) {
        int n = vector(p);
        suites++;
        if (number(p, "aead_id") == HPKE_AEAD_AES256GCM) ours += n;
    }
    CHECK(suites == 2 && ours == 2);
    printf("kbs_test: RFC 9180 vectors: %d suites, %d encryptions of DHKEM(P-256)/HKDF-SHA256/AES-256-GCM\n", suites, ours);
}

#define TEE_PRIV "1f2e3d4c5b6a79881f2e3d4c5b6a79881f2e3d4c5b6a79881f2e3d4c5b6a7988"
#define TEE_PUB "04bd7c73b88b2e9b4ceda62022b2da8be13193a5b56edc26e7df7842e24cd0b5eb0605ada7bda83ac6a2b80d7e314040fa47ff16b83bac85cedb014451bb7ce71a"
#define NONCE "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
#define REPORTDATA "d41ec6b2a7e47550790138e45b3a0b6e609e9a30db375e0fe3999e5ebb1e5f4bb3deaf6ab4658e254e1294c21711b7adbcfb606b52d2319a1ffde18c946a8115"
#define ENC "04952619b84e01180bf2b17e0d046ac70ee16922aa85c7521955255dd6b064b3d3e84ce5ec00f9931473c5cb29aced5a7b30d69d7305e97f4e2eaa637d9a4a092f"
#define CT "be01293830cf5153fd1d10e4d9944d306a5467021399318221adfaa55897750847b5b8b3f12831593e7a53f7"
#define SECRET "correct horse battery staple"

static void envelope(void) {
    uint8_t priv[32], pub[65], nonce[32], rd[64], want[64], enc[65], ct[44], out[64];
    char err[256];
    unhex(TEE_PRIV, priv, 32);
    unhex(TEE_PUB, pub, 65);
    unhex(NONCE, nonce, 32);
    unhex(REPORTDATA, want, 64);
    unhex(ENC, enc, 65);
    unhex(CT, ct, 44);
    CHECK(kbs_report_data(nonce, 32, pub, rd) && memcmp(rd, want, 64) == 0);

    EVP_PKEY *tee = hpke_key_from(pub, priv);
    CHECK(tee != NULL);
    long n = kbs_open(tee, enc, nonce, 32, "luks-root", ct, sizeof ct, out, err, sizeof err);
    CHECK(n == (long)strlen(SECRET) && memcmp(out, SECRET, strlen(SECRET)) == 0);

    /* anything changed → refused */
    CHECK(kbs_open(tee, enc, nonce, 32, "luks-roof", ct, sizeof ct, out, err, sizeof err) == -1);
    CHECK(strstr(err, "does not authenticate") != NULL);
    nonce[0] ^= 1;
    CHECK(kbs_open(tee, enc, nonce, 32, "luks-root", ct, sizeof ct, out, err, sizeof err) == -1);
    nonce[0] ^= 1;
    CHECK(kbs_open(tee, enc, nonce, 31, "luks-root", ct, sizeof ct, out, err, sizeof err) == -1);
    ct[3] ^= 0x80;
    CHECK(kbs_open(tee, enc, nonce, 32, "luks-root", ct, sizeof ct, out, err, sizeof err) == -1);
    ct[3] ^= 0x80;
    CHECK(kbs_open(tee, enc, nonce, 32, "luks-root", ct, 15, out, err, sizeof err) == -1);
    enc[10] ^= 1; /* no longer on the curve */
    CHECK(kbs_open(tee, enc, nonce, 32, "luks-root", ct, sizeof ct, out, err, sizeof err) == -1);
    CHECK(strstr(err, "not a P-256 point") != NULL);
    enc[10] ^= 1;
    EVP_PKEY_free(tee);

    /* another key cannot open it; a fresh key has an uncompressed point */
    uint8_t other[65];
    EVP_PKEY *k = hpke_keygen(other);
    CHECK(k != NULL && other[0] == 4);
    CHECK(kbs_open(k, enc, nonce, 32, "luks-root", ct, sizeof ct, out, err, sizeof err) == -1);
    EVP_PKEY_free(k);
}

static void base64(void) {
    char enc[16];
    uint8_t dec[16];
    CHECK(kbs_b64encode((const uint8_t *)"foobar", 6, enc) == 8 && strcmp(enc, "Zm9vYmFy") == 0);
    CHECK(kbs_b64encode((const uint8_t *)"fo", 2, enc) == 4 && strcmp(enc, "Zm8=") == 0);
    CHECK(kbs_b64decode("Zm8=", dec, sizeof dec) == 2 && memcmp(dec, "fo", 2) == 0);
    CHECK(kbs_b64decode("Zg==", dec, sizeof dec) == 1 && dec[0] == 'f');
    CHECK(kbs_b64decode("Zm9vYmFy", dec, sizeof dec) == 6 && memcmp(dec, "foobar", 6) == 0);
    CHECK(kbs_b64decode("Zm9", dec, sizeof dec) == -1);
    CHECK(kbs_b64decode("Zm9vYmFy", dec, 3) == -1);
}

static void json(void) {
    char v[32];
    CHECK(kbs_json_string("{\"nonce\":\"abc\",\"expires\":\"x\"}", "nonce", v, sizeof v) && strcmp(v, "abc") == 0);
    CHECK(kbs_json_string("{ \"a\" : \"x\\\"y\\\\z\" }", "a", v, sizeof v) && strcmp(v, "x\"y\\z") == 0);
    CHECK(kbs_json_string("{\"x\":\"nonce\",\"nonce\":\"n2\"}", "nonce", v, sizeof v) && strcmp(v, "n2") == 0);
    CHECK(!kbs_json_string("{\"nonce\":42}", "nonce", v, sizeof v));
    CHECK(!kbs_json_string("{\"nonce\":\"unterminated", "nonce", v, sizeof v));
    CHECK(!kbs_json_string("{\"nonce\":\"0123456789012345678901234567890123456789\"}", "nonce", v, sizeof v));
    CHECK(!kbs_json_string("{}", "nonce", v, sizeof v));
}

static void url_and_http(void) {
    char host[64], port[8], path[64];
    CHECK(kbs_parse_url("http://10.0.2.2:8080", host, sizeof host, port, sizeof port, path, sizeof path) &&
          strcmp(host, "10.0.2.2") == 0 && strcmp(port, "8080") == 0 && strcmp(path, "") == 0);
    CHECK(kbs_parse_url("http://h:1/sim/v0/quote", host, sizeof host, port, sizeof port, path, sizeof path) && strcmp(path, "/sim/v0/quote") == 0);
    CHECK(!kbs_parse_url("https://h:1", host, sizeof host, port, sizeof port, path, sizeof path));
    CHECK(!kbs_parse_url("http://h", host, sizeof host, port, sizeof port, path, sizeof path));
    CHECK(!kbs_parse_url("http://h:x1", host, sizeof host, port, sizeof port, path, sizeof path));

    int status;
    uint8_t *body;
    size_t len;
    char ok[] = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}garbage";
    CHECK(kbs_http_split((uint8_t *)ok, strlen(ok), &status, &body, &len) && status == 200 && len == 2 && memcmp(body, "{}", 2) == 0);
    char refused[] = "HTTP/1.1 403 Forbidden\r\ncontent-length: 13\r\n\r\n{\"error\":\"x\"}";
    CHECK(kbs_http_split((uint8_t *)refused, strlen(refused), &status, &body, &len) && status == 403 && len == 13);
    char truncated[] = "HTTP/1.1 200 OK\r\nContent-Length: 50\r\n\r\n{}";
    CHECK(!kbs_http_split((uint8_t *)truncated, strlen(truncated), &status, &body, &len));
    /* nobody listens on port 1 of loopback: a connection error, named */
    uint8_t resp[64];
    char err[256] = "";
    CHECK(kbs_http_post("127.0.0.1", "1", "/kbs/v0/challenge", "application/json", (const uint8_t *)"{}", 2, resp, sizeof resp, 5,
                        err, sizeof err) == -1);
    CHECK(strstr(err, "cannot connect to 127.0.0.1:1") != NULL);
    char garbage[] = "SSH-2.0-OpenSSH\r\n\r\n";
    CHECK(!kbs_http_split((uint8_t *)garbage, strlen(garbage), &status, &body, &len));
}

int main(void) {
    rfc9180_vectors();
    envelope();
    base64();
    json();
    url_and_http();
    if (failures) {
        fprintf(stderr, "kbs_test: %d check(s) failed\n", failures);
        return 1;
    }
    printf("kbs_test: ok\n");
    return 0;
}
