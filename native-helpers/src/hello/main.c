/* hello: the sample workload. Prints one greeting line naming the TEE it sees,
 * so a test reading the serial console knows the guest reached its workload. After a quex
 * enrollment it adds what it was given: key-sha256= (SHA-256 of the 32-byte TD_SECRET_KEY, never
 * the key) and public-key= (REPORTDATA of the hex quote or TD report in /var/data/quote.txt). */
#define OPENSSL_API_COMPAT 10101 /* the SHA256_* calls link 0.8 MB statically; EVP pulls in all of libcrypto */
#include "sw.h"

#include <openssl/sha.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

/* " key-sha256=HEX" from TD_SECRET_KEY (64 hex digits), or "" when absent or malformed. */
static void key_digest(char *out, size_t outlen) {
    const char *hex = getenv("TD_SECRET_KEY");
    uint8_t key[32], h[32];
    char digest[65];
    out[0] = 0;
    if (!hex || strlen(hex) != 64 || sw_unhex(hex, key, 32) != 0) return;
    SHA256_CTX c;
    SHA256_Init(&c);
    SHA256_Update(&c, key, sizeof key);
    SHA256_Final(h, &c);
    sw_hex(h, 32, digest);
    snprintf(out, outlen, " key-sha256=%s", digest);
}

/* " public-key=HEX" from quote.txt: a TDREPORT (1024 bytes, REPORTDATA at 128) or a TDX quote
 * v4/v5 (48-byte header, TD report body with REPORTDATA at 520). "" when absent. */
static void quote_public_key(const char *path, char *out, size_t outlen) {
    static char text[2 * 65536 + 1];
    static uint8_t q[65536];
    out[0] = 0;
    long n = sw_read_file(path, (uint8_t *)text, sizeof text - 1);
    if (n <= 0 || n % 2) return;
    text[n] = 0;
    if (sw_unhex(text, q, (size_t)n / 2) != 0) return;
    size_t len = (size_t)n / 2, off;
    if (len == 1024 && q[0] == 0x81) off = 128;
    else if (len >= 48 + 584 && (q[0] == 4 || q[0] == 5)) off = 48 + 520 + (q[0] == 5 ? 6 : 0);
    else return;
    char hex[129];
    sw_hex(q + off, 64, hex);
    snprintf(out, outlen, " public-key=%s", hex);
}

int main(int argc, char **argv) {
    const char *root = "/";
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--root") == 0 && i + 1 < argc) root = argv[++i];
        else if (strcmp(argv[i], "--help") == 0) {
            printf("usage: hello [--root DIR]\n");
            return 0;
        } else sw_die("hello", "unknown argument '%s' (try --help)", argv[i]);
    }
    struct utsname u;
    if (uname(&u) != 0) sw_die("hello", "uname failed");
    char key[96], pub[160], quote[4096];
    snprintf(quote, sizeof quote, "%s/var/data/quote.txt", strcmp(root, "/") == 0 ? "" : root);
    key_digest(key, sizeof key);
    quote_public_key(quote, pub, sizeof pub);
    printf("hello from sealwright: tee=%s kernel=%s%s%s\n", sw_detect_tee(root), u.release, key, pub);
    return 0;
}
