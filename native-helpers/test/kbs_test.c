/* kbs-client protocol pieces. The envelope and REPORTDATA known answers were computed with an
 * independent implementation (Python `cryptography`, test/kbs_vector.py), base64 with RFC 4648 §10. */
#include "../src/kbs-client/kbs.h"

static int failures;
#define CHECK(cond) do { if (!(cond)) { fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); failures++; } } while (0)

static void unhex(const char *h, uint8_t *out, size_t n) {
    if (sw_unhex(h, out, n) != 0) sw_die("kbs_test", "bad hex in test");
}

#define TEE_PRIV "1f2e3d4c5b6a79881f2e3d4c5b6a79881f2e3d4c5b6a79881f2e3d4c5b6a7988"
#define TEE_PUB "04bd7c73b88b2e9b4ceda62022b2da8be13193a5b56edc26e7df7842e24cd0b5eb0605ada7bda83ac6a2b80d7e314040fa47ff16b83bac85cedb014451bb7ce71a"
#define NONCE "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
#define REPORTDATA "d41ec6b2a7e47550790138e45b3a0b6e609e9a30db375e0fe3999e5ebb1e5f4bb3deaf6ab4658e254e1294c21711b7adbcfb606b52d2319a1ffde18c946a8115"
#define EPK "04d8cd12ea5c67f2f8a00c1124893edcfa6754c4d6cede6be13bdf2295c810a97fa5a89d2d2a360c0ca9a4d6c7c9ed4b28d3e199d6627f2e696d689c310a5b0f48"
#define IV "000102030405060708090a0b"
#define CT "85eca5e311afdb726d79a9c44c7d5d955a07d5cd516bfbf6bd36885be8749af9d2729f3f202200f2f22d68e4"
#define SECRET "correct horse battery staple"

static void envelope(void) {
    uint8_t priv[32], pub[65], nonce[32], rd[64], want[64], epk[65], iv[12], ct[44], out[64];
    char err[256];
    unhex(TEE_PRIV, priv, 32);
    unhex(TEE_PUB, pub, 65);
    unhex(NONCE, nonce, 32);
    unhex(REPORTDATA, want, 64);
    unhex(EPK, epk, 65);
    unhex(IV, iv, 12);
    unhex(CT, ct, 44);
    CHECK(kbs_report_data(nonce, 32, pub, rd) && memcmp(rd, want, 64) == 0);

    EVP_PKEY *tee = kbs_key_from(pub, priv);
    CHECK(tee != NULL);
    long n = kbs_open(tee, epk, nonce, 32, "luks-root", iv, ct, sizeof ct, out, err, sizeof err);
    CHECK(n == (long)strlen(SECRET) && memcmp(out, SECRET, strlen(SECRET)) == 0);

    /* anything changed → refused */
    CHECK(kbs_open(tee, epk, nonce, 32, "luks-roof", iv, ct, sizeof ct, out, err, sizeof err) == -1);
    CHECK(strstr(err, "does not authenticate") != NULL);
    nonce[0] ^= 1;
    CHECK(kbs_open(tee, epk, nonce, 32, "luks-root", iv, ct, sizeof ct, out, err, sizeof err) == -1);
    nonce[0] ^= 1;
    ct[3] ^= 0x80;
    CHECK(kbs_open(tee, epk, nonce, 32, "luks-root", iv, ct, sizeof ct, out, err, sizeof err) == -1);
    ct[3] ^= 0x80;
    CHECK(kbs_open(tee, epk, nonce, 32, "luks-root", iv, ct, 15, out, err, sizeof err) == -1);
    epk[10] ^= 1; /* no longer on the curve */
    CHECK(kbs_open(tee, epk, nonce, 32, "luks-root", iv, ct, sizeof ct, out, err, sizeof err) == -1);
    CHECK(strstr(err, "not a P-256 point") != NULL);
    epk[10] ^= 1;
    EVP_PKEY_free(tee);

    /* another key cannot open it; a fresh key has an uncompressed point */
    uint8_t other[65];
    EVP_PKEY *k = kbs_keygen(other);
    CHECK(k != NULL && other[0] == 4);
    CHECK(kbs_open(k, epk, nonce, 32, "luks-root", iv, ct, sizeof ct, out, err, sizeof err) == -1);
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
