/* Unit tests for src/lib/sw.c. */
#include "sw.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int failures;
#define CHECK(cond) do { if (!(cond)) { fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); failures++; } } while (0)

static void test_hex_round_trip(void) {
    const uint8_t in[] = {0x00, 0x7f, 0xa5, 0xff};
    char hex[9];
    sw_hex(in, sizeof in, hex);
    CHECK(strcmp(hex, "007fa5ff") == 0);
    uint8_t back[4];
    CHECK(sw_unhex("007FA5ff", back, 4) == 0);
    CHECK(memcmp(in, back, 4) == 0);
    CHECK(sw_unhex("007fa5f", back, 4) == -1);  /* odd length */
    CHECK(sw_unhex("007fa5fg", back, 4) == -1); /* not hex */
}

static void test_read_file(void) {
    char path[] = "/tmp/sw_test_XXXXXX";
    int fd = mkstemp(path);
    CHECK(fd >= 0);
    CHECK(write(fd, "abcdef", 6) == 6);
    close(fd);
    uint8_t buf[16];
    CHECK(sw_read_file(path, buf, sizeof buf) == 6);
    CHECK(memcmp(buf, "abcdef", 6) == 0);
    CHECK(sw_read_file(path, buf, 3) == 3);
    unlink(path);
    CHECK(sw_read_file(path, buf, sizeof buf) == -1);
}

static void test_detect_tee(void) {
    char root[] = "/tmp/sw_root_XXXXXX";
    CHECK(mkdtemp(root) != NULL);
    CHECK(strcmp(sw_detect_tee(root), "none") == 0);
    char dev[256], node[300];
    snprintf(dev, sizeof dev, "%s/dev", root);
    CHECK(mkdir(dev, 0755) == 0);
    snprintf(node, sizeof node, "%s/sev-guest", dev);
    FILE *f = fopen(node, "w");
    CHECK(f != NULL);
    fclose(f);
    CHECK(strcmp(sw_detect_tee(root), "snp") == 0);
    snprintf(node, sizeof node, "%s/tdx_guest", dev);
    f = fopen(node, "w");
    fclose(f);
    CHECK(strcmp(sw_detect_tee(root), "tdx") == 0);
    unlink(node);
    snprintf(node, sizeof node, "%s/sev-guest", dev);
    unlink(node);
    rmdir(dev);
    rmdir(root);
}

int main(void) {
    test_hex_round_trip();
    test_read_file();
    test_detect_tee();
    if (failures) {
        fprintf(stderr, "sw_test: %d failure(s)\n", failures);
        return 1;
    }
    printf("sw_test: ok\n");
    return 0;
}
