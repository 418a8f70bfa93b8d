/* Unit tests for the quote helper's providers against fake configfs-tsm trees and fake devices.
 * A forked "fake kernel" serves inblob/outblob FIFOs and advances `generation` like configfs-tsm. */
#include "../src/quote/providers.h"

#include <signal.h>
#include <sys/wait.h>

static int failures;
#define CHECK(cond) do { if (!(cond)) { fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); failures++; } } while (0)

static void put(const char *dir, const char *name, const char *text) {
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    CHECK(f != NULL);
    if (f) {
        fputs(text, f);
        fclose(f);
    }
}

static void fake_dir(char *dir, const char *provider, const char *generation) {
    strcpy(dir, "/tmp/quote_tsm_XXXXXX");
    CHECK(mkdtemp(dir) != NULL);
    put(dir, "provider", provider);
    put(dir, "generation", generation);
    put(dir, "inblob", "");
    put(dir, "outblob", "QUOTEBYTES");
}

static void rm_tree(const char *dir) {
    char cmd[4200];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    CHECK(system(cmd) == 0);
}

static void test_abi_constants(void) {
    CHECK(TDX_CMD_GET_REPORT0 == 0xC4405401u);
    CHECK(SNP_GET_REPORT == 0xC0205300u);
    CHECK(sizeof(struct tdx_report_req) == 1088);
    CHECK(sizeof(struct snp_guest_request_ioctl) == 32);
    CHECK(sizeof(struct snp_report_req) == 96);
}

static void test_missing_root_is_no_interface(void) {
    uint8_t rd[64] = {0}, out[Q_MAX_OUT];
    long len;
    struct q_error err;
    CHECK(tsm_request("/tmp/quote_no_such_tsm_root", "tdx_guest", rd, -1, out, &len, &err) == Q_NO_INTERFACE);
    CHECK(strstr(err.msg, "configfs-tsm: /tmp/quote_no_such_tsm_root") != NULL);
    CHECK(strstr(err.msg, "CONFIG_TSM_REPORTS") != NULL);
}

static void test_wrong_provider(void) {
    char dir[64];
    uint8_t rd[64] = {0}, out[Q_MAX_OUT];
    long len;
    struct q_error err;
    fake_dir(dir, "sev_guest\n", "0\n");
    CHECK(tsm_request_in(dir, "tdx_guest", rd, -1, out, &len, &err) == Q_PROVIDER);
    CHECK(strstr(err.msg, "provider is 'sev_guest', not 'tdx_guest'") != NULL);
    rm_tree(dir);
}

static void test_generation_not_advancing_is_a_race(void) {
    char dir[64];
    uint8_t rd[64] = {0}, out[Q_MAX_OUT];
    long len;
    struct q_error err;
    fake_dir(dir, "tdx_guest\n", "7\n");
    CHECK(tsm_request_in(dir, "tdx_guest", rd, -1, out, &len, &err) == Q_RACE);
    CHECK(strstr(err.msg, "generation went from 7 to 7 over our 1 write(s)") != NULL);
    rm_tree(dir);
}

/* Fake kernel: reads the 64-byte inblob (and privlevel when asked), bumps generation per write,
 * then serves outblob = "QUOTE:" + report data. */
static void fake_kernel(const char *dir, int expect_privlevel, int extra_bump) {
    char path[4096], tmp[4096];
    unsigned long gen = 41;
    uint8_t rd[64];
    if (expect_privlevel) {
        snprintf(path, sizeof path, "%s/privlevel", dir);
        uint8_t lvl[8];
        if (sw_read_file(path, lvl, sizeof lvl) <= 0) _exit(10);
        gen++;
    }
    snprintf(path, sizeof path, "%s/inblob", dir);
    if (sw_read_file(path, rd, sizeof rd) != 64) _exit(11);
    gen += 1 + (unsigned long)extra_bump;
    snprintf(tmp, sizeof tmp, "%s/generation.tmp", dir);
    FILE *g = fopen(tmp, "w");
    if (!g) _exit(12);
    fprintf(g, "%lu\n", gen);
    fclose(g);
    snprintf(path, sizeof path, "%s/generation", dir);
    if (rename(tmp, path) != 0) _exit(13);
    snprintf(path, sizeof path, "%s/outblob", dir);
    int fd = open(path, O_WRONLY);
    if (fd < 0) _exit(14);
    if (write(fd, "QUOTE:", 6) != 6 || write(fd, rd, 64) != 64) _exit(15);
    close(fd);
    _exit(0);
}

static int run_with_fake_kernel(int privlevel, int extra_bump, uint8_t *out, long *len, struct q_error *err) {
    char dir[64];
    fake_dir(dir, "sev_guest\n", "41\n");
    char path[4096];
    const char *fifos[] = {"inblob", "outblob", privlevel >= 0 ? "privlevel" : NULL};
    for (int i = 0; i < 3 && fifos[i]; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, fifos[i]);
        unlink(path);
        CHECK(mkfifo(path, 0600) == 0);
    }
    pid_t pid = fork();
    if (pid == 0) fake_kernel(dir, privlevel >= 0, extra_bump);
    uint8_t rd[64];
    for (int i = 0; i < 64; i++) rd[i] = (uint8_t)i;
    int rc = tsm_request_in(dir, "sev_guest", rd, privlevel, out, len, err);
    int status;
    CHECK(waitpid(pid, &status, 0) == pid);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    rm_tree(dir);
    return rc;
}

static void test_request_against_fake_kernel(void) {
    static uint8_t out[Q_MAX_OUT];
    long len = 0;
    struct q_error err;
    CHECK(run_with_fake_kernel(-1, 0, out, &len, &err) == Q_OK);
    CHECK(len == 70);
    CHECK(memcmp(out, "QUOTE:", 6) == 0);
    CHECK(out[6] == 0 && out[69] == 63);
    CHECK(run_with_fake_kernel(2, 0, out, &len, &err) == Q_OK);
    CHECK(len == 70);
    /* a concurrent writer bumped generation once more */
    CHECK(run_with_fake_kernel(-1, 1, out, &len, &err) == Q_RACE);
    CHECK(strstr(err.msg, "generation went from 41 to 43 over our 1 write(s)") != NULL);
}

static void test_private_directory_is_removed(void) {
    char root[] = "/tmp/quote_root_XXXXXX";
    CHECK(mkdtemp(root) != NULL);
    uint8_t rd[64] = {0};
    static uint8_t out[Q_MAX_OUT];
    long len;
    struct q_error err;
    /* a plain directory does not populate attributes on mkdir as configfs does */
    CHECK(tsm_request(root, "tdx_guest", rd, -1, out, &len, &err) == Q_FAILED);
    CHECK(strstr(err.msg, "/provider") != NULL);
    CHECK(rmdir(root) == 0); /* empty again: the request directory was removed */
}

static void test_devices(void) {
    uint8_t rd[64] = {0}, out[SNP_REPORT_SIZE];
    struct q_error err;
    CHECK(tdx_report_ioctl("/tmp/quote_no_such_device", rd, out, &err) == Q_NO_INTERFACE);
    CHECK(strstr(err.msg, "tdx_guest: cannot open /tmp/quote_no_such_device") != NULL);
    char file[] = "/tmp/quote_dev_XXXXXX";
    int fd = mkstemp(file);
    CHECK(fd >= 0);
    close(fd);
    CHECK(tdx_report_ioctl(file, rd, out, &err) == Q_FAILED);
    CHECK(strstr(err.msg, "ioctl TDX_CMD_GET_REPORT0") != NULL);
    CHECK(snp_report_ioctl(file, rd, 0, out, &err) == Q_FAILED);
    CHECK(strstr(err.msg, "ioctl SNP_GET_REPORT") != NULL);
    unlink(file);
}

int main(void) {
    signal(SIGPIPE, SIG_IGN);
    test_abi_constants();
    test_missing_root_is_no_interface();
    test_wrong_provider();
    test_generation_not_advancing_is_a_race();
    test_request_against_fake_kernel();
    test_private_directory_is_removed();
    test_devices();
    if (failures) {
        fprintf(stderr, "quote_test: %d check(s) failed\n", failures);
        return 1;
    }
    printf("quote_test: ok\n");
    return 0;
}
