/* quex enrollment, TD side: the quex-pack known-answer vector (../shared/fixtures/quex/quex-pack,
 * expected values from the fixtures README E-20 / quex-pack key_test.c and quote_test.c). */
#include "../src/enroll-agent/quex.h"
#include "sw.h"

#include <stdlib.h>

static int failures;
#define CHECK(cond) do { if (!(cond)) { fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); failures++; } } while (0)

static uint8_t report[QUEX_REPORT], resp[QUEX_RESPONSE], quote[8192];
static long quote_len;
static char root[4096];

static void load(const char *dir) {
    char p[4096];
    snprintf(p, sizeof p, "%s/quex/quex-pack/report.dat", dir);
    if (sw_read_file(p, report, sizeof report) != QUEX_REPORT) sw_die("quex_test", "fixture %s missing or short (FIXTURES=%s)", p, dir);
    snprintf(p, sizeof p, "%s/quex/quex-pack/key_msg.dat", dir);
    if (sw_read_file(p, resp, sizeof resp) != QUEX_RESPONSE) sw_die("quex_test", "fixture %s missing or short", p);
    snprintf(p, sizeof p, "%s/quex/quex-pack/quote.dat", dir);
    quote_len = sw_read_file(p, quote, sizeof quote);
    if (quote_len != 4730) sw_die("quex_test", "fixture %s missing or short", p);
    snprintf(root, sizeof root, "%s/quex/quex-pack/root.pem", dir);
}

static void unhex(const char *h, uint8_t *out, size_t n) {
    if (sw_unhex(h, out, n) != 0) sw_die("quex_test", "bad hex in test");
}

int main(void) {
    const char *dir = getenv("FIXTURES");
    if (!dir) sw_die("quex_test", "FIXTURES is not set (the Makefile points it at ../shared/fixtures)");
    load(dir);
    uint8_t td_priv[32], mrenclave[32], secret[32], pub[64], want[64];
    char err[256] = "", hex[129];
    unhex("3103c6b1e9ebe98c46b1f169e68ee3034733dea1651f7d0400de7fc1c8f09c9c", td_priv, 32);
    unhex("231c8240fb43d8ee81a813a3a3fb05e3b9f1ae9064fe4d8629cf691a58d74112", mrenclave, 32);

    /* the TD's REPORTDATA is its raw ephemeral public key */
    CHECK(quex_public_key(td_priv, pub));
    CHECK(memcmp(pub, report + 128, 64) == 0);
    /* the request mask the TD sends */
    CHECK(memcmp(resp, QUEX_DEFAULT_MASK, QUEX_MASK) == 0);

    /* E-20: the full check + decryption yields the asserted secret and public key */
    CHECK(quex_accept_response(QUEX_DEFAULT_MASK, report, td_priv, resp, quote, (size_t)quote_len, mrenclave, root, secret, err, sizeof err));
    if (err[0]) fprintf(stderr, "quex_test: %s\n", err);
    sw_hex(secret, 32, hex);
    CHECK(strcmp(hex, "1ce6ca8f269a7b09defe608e1cd92959f752be0c9dd1cd5424e783d8c4f7d1ab") == 0);
    CHECK(quex_public_key(secret, pub));
    unhex("9f4681953cb9b53e1a6c90f3e64b5f3841aff3376051168a70bc9500fcf495ec079df19bde642a7a5692ca20a80eaad0f023966ea372e7f15ae6020f532d3ee7", want, 64);
    CHECK(memcmp(pub, want, 64) == 0);

    /* quote_test.c: header checks */
    uint8_t q[QUEX_QUOTE_FIXED];
    memcpy(q, quote, sizeof q);
    uint32_t lens_ok[] = {584, 1024, 16384}, lens_bad[] = {0, 583, 16385};
    for (int i = 0; i < 3; i++) {
        q[432] = (uint8_t)lens_ok[i]; q[433] = (uint8_t)(lens_ok[i] >> 8); q[434] = 0; q[435] = 0;
        CHECK(quex_quote_header(q, err, sizeof err) == (long)lens_ok[i]);
        q[432] = (uint8_t)lens_bad[i]; q[433] = (uint8_t)(lens_bad[i] >> 8);
        CHECK(quex_quote_header(q, err, sizeof err) == -1);
    }
    memcpy(q, quote, sizeof q);
    for (int v = 0; v <= 5; v++) {
        if (v == 3) continue;
        q[0] = (uint8_t)v;
        CHECK(quex_quote_header(q, err, sizeof err) == -1);
    }
    memcpy(q, quote, sizeof q);
    q[2] = 3;
    CHECK(quex_quote_header(q, err, sizeof err) == -1);
    memcpy(q, quote, sizeof q);
    q[4] = 1;
    CHECK(quex_quote_header(q, err, sizeof err) == -1);
    memcpy(q, quote, sizeof q);
    q[12] ^= 1;
    CHECK(quex_quote_header(q, err, sizeof err) == -1);

    /* refusals: tampered response, wrong vault identity, tampered quote signature, other TD key */
    resp[QUEX_RESPONSE - 1] ^= 1;
    CHECK(!quex_accept_response(QUEX_DEFAULT_MASK, report, td_priv, resp, quote, (size_t)quote_len, mrenclave, root, secret, err, sizeof err));
    CHECK(strcmp(err, "vault quote does not commit to this response") == 0);
    resp[QUEX_RESPONSE - 1] ^= 1;
    mrenclave[0] ^= 1;
    CHECK(!quex_accept_response(QUEX_DEFAULT_MASK, report, td_priv, resp, quote, (size_t)quote_len, mrenclave, root, secret, err, sizeof err));
    CHECK(strcmp(err, "vault MRENCLAVE is not the pinned one") == 0);
    mrenclave[0] ^= 1;
    quote[436] ^= 1;
    CHECK(!quex_accept_response(QUEX_DEFAULT_MASK, report, td_priv, resp, quote, (size_t)quote_len, mrenclave, root, secret, err, sizeof err));
    CHECK(strcmp(err, "vault quote signature does not verify") == 0);
    quote[436] ^= 1;
    report[512 + 16] ^= 1; /* our MRTD differs from the echoed one */
    CHECK(!quex_accept_response(QUEX_DEFAULT_MASK, report, td_priv, resp, quote, (size_t)quote_len, mrenclave, root, secret, err, sizeof err));
    CHECK(strcmp(err, "response echoes a different TD report") == 0);
    report[512 + 16] ^= 1;
    report[128] ^= 1; /* REPORTDATA is masked out: the echo check passes, decryption with another key must not */
    uint8_t other[32];
    CHECK(quex_new_private_key(other));
    CHECK(!quex_accept_response(QUEX_DEFAULT_MASK, report, other, resp, quote, (size_t)quote_len, mrenclave, root, secret, err, sizeof err));
    CHECK(strcmp(err, "response does not decrypt (GCM tag mismatch)") == 0);

    if (failures) {
        fprintf(stderr, "quex_test: %d failure(s)\n", failures);
        return 1;
    }
    printf("quex_test: ok (quex-pack known-answer vector)\n");
    return 0;
}
