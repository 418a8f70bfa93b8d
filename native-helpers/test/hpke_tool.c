/* hpke_tool: the C side of HpkeInteropSpec (test-only, never shipped). RFC 9180 base mode,
 * DHKEM(P-256, HKDF-SHA256), HKDF-SHA256, AES-256-GCM through src/kbs-client/hpke.h, one message.
 *   hpke_tool seal PKR INFO AAD PT          → prints "ENC CT"
 *   hpke_tool open SKR PKR ENC INFO AAD CT  → prints "PT", exit 1 if it does not authenticate
 * All arguments and outputs are hex ("" for empty). Exit 2 on usage errors. */
#include "../src/kbs-client/hpke.h"
#include "sw.h"

#include <stdio.h>

static size_t arg(const char *hex, uint8_t **out) {
    size_t n = strlen(hex) / 2;
    *out = malloc(n + 1);
    if (!*out || strlen(hex) % 2 || sw_unhex(hex, *out, n) != 0) sw_die("hpke_tool", "not hex: %.40s", hex);
    return n;
}

static void print_hex(const uint8_t *b, size_t n, const char *end) {
    for (size_t i = 0; i < n; i++) printf("%02x", b[i]);
    fputs(end, stdout);
}

int main(int argc, char **argv) {
    uint8_t *a[6];
    size_t n[6];
    struct hpke_ctx c;
    if (argc == 6 && !strcmp(argv[1], "seal")) {
        for (int i = 0; i < 4; i++) n[i] = arg(argv[2 + i], &a[i]);
        uint8_t enc[HPKE_NPK], *out = malloc(n[3] + HPKE_NT);
        if (n[0] != HPKE_NPK || !out) sw_die("hpke_tool", "PKR must be a 65-byte point");
        if (!hpke_setup_base_s(HPKE_AEAD_AES256GCM, a[0], a[1], n[1], NULL, enc, &c)) sw_die("hpke_tool", "SetupBaseS failed");
        long len = hpke_seal(&c, a[2], n[2], a[3], n[3], out);
        if (len < 0) sw_die("hpke_tool", "Seal failed");
        print_hex(enc, HPKE_NPK, " ");
        print_hex(out, (size_t)len, "\n");
        return 0;
    }
    if (argc == 8 && !strcmp(argv[1], "open")) {
        for (int i = 0; i < 6; i++) n[i] = arg(argv[2 + i], &a[i]);
        if (n[0] != 32 || n[1] != HPKE_NPK || n[2] != HPKE_NPK) sw_die("hpke_tool", "SKR is 32 bytes, PKR and ENC 65");
        EVP_PKEY *skR = hpke_key_from(a[1], a[0]);
        uint8_t *out = malloc(n[5] + 1);
        if (!skR || !out) sw_die("hpke_tool", "not a P-256 key pair");
        if (!hpke_setup_base_r(HPKE_AEAD_AES256GCM, skR, a[2], a[3], n[3], &c)) sw_die("hpke_tool", "SetupBaseR failed");
        long len = hpke_open(&c, a[4], n[4], a[5], n[5], out);
        if (len < 0) {
            fprintf(stderr, "hpke_tool: does not authenticate\n");
            return 1;
        }
        print_hex(out, (size_t)len, "\n");
        return 0;
    }
    fprintf(stderr, "usage: hpke_tool seal PKR INFO AAD PT | open SKR PKR ENC INFO AAD CT (hex)\n");
    return 2;
}
