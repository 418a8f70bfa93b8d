/* cli-client protocol: the request bytes it sends, how it relays answer frames, and what it does
 * when nobody listens. The Java side of the same protocol is checked by DaemonProtocolSpec, and
 * both together by CliDaemonSpec (a real daemon). */
#include "../src/cli-client/client.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>

static int failures;
#define CHECK(cond) do { if (!(cond)) { fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); failures++; } } while (0)

static size_t drain(int fd, uint8_t *buf, size_t max) {
    size_t n = 0;
    ssize_t r;
    while (n < max && (r = read(fd, buf + n, max - n)) > 0) n += (size_t)r;
    return n;
}

static void test_request_bytes(void) {
    int sv[2];
    CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
    const char *args[] = {"measure", "snp", ""};
    CHECK(client_send_request(sv[0], CLIENT_COLOUR, "/w", 3, args) == 0);
    close(sv[0]);
    uint8_t got[64];
    size_t n = drain(sv[1], got, sizeof got);
    static const uint8_t want[] = {'S', 'W', 'D', '2', 1, 0, 0, 0, 4,
                                   0, 0, 0, 2, '/', 'w',
                                   0, 0, 0, 7, 'm', 'e', 'a', 's', 'u', 'r', 'e',
                                   0, 0, 0, 3, 's', 'n', 'p',
                                   0, 0, 0, 0};
    CHECK(n == sizeof want);
    CHECK(memcmp(got, want, sizeof want) == 0);
    close(sv[1]);
}

/* The colour rule without a terminal (the test's stdin is not one): the variables decide. */
static void test_colour(void) {
    unsetenv("NO_COLOR");
    unsetenv("CLICOLOR");
    unsetenv("ConEmuANSI");
    unsetenv("CLICOLOR_FORCE");
    int tty = isatty(STDIN_FILENO) && isatty(STDOUT_FILENO);
    CHECK(client_colour() == (tty ? CLIENT_COLOUR : 0u));
    setenv("CLICOLOR_FORCE", "1", 1);
    CHECK(client_colour() == CLIENT_COLOUR);
    setenv("CLICOLOR_FORCE", "0", 1);
    CHECK(client_colour() == (tty ? CLIENT_COLOUR : 0u));
    setenv("CLICOLOR_FORCE", "1", 1);
    setenv("NO_COLOR", "", 1);                   /* set, even empty: off, as picocli */
    CHECK(client_colour() == 0);
    unsetenv("NO_COLOR");
    unsetenv("CLICOLOR_FORCE");
    setenv("CLICOLOR", "0", 1);
    CHECK(client_colour() == 0);
    unsetenv("CLICOLOR");
}

/* Relays `answer` through a socket pair into two pipes; returns the status and fills out/err. */
static int relay(const uint8_t *answer, size_t len, char *out, char *err) {
    int sv[2], po[2], pe[2];
    CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0 && pipe(po) == 0 && pipe(pe) == 0);
    CHECK(client_write_all(sv[1], answer, len) == 0);
    close(sv[1]);
    int code = client_relay(sv[0], po[1], pe[1]);
    close(sv[0]);
    close(po[1]);
    close(pe[1]);
    out[drain(po[0], (uint8_t *)out, 63)] = 0;
    err[drain(pe[0], (uint8_t *)err, 63)] = 0;
    close(po[0]);
    close(pe[0]);
    return code;
}

static void test_relay(void) {
    char out[64], err[64];
    static const uint8_t ok[] = {'O', 0, 0, 0, 3, 'a', 'b', '\n', 'E', 0, 0, 0, 2, 'e', '\n',
                                 'O', 0, 0, 0, 1, 'c', 'X', 0, 0, 0, 4, 0, 0, 0, 2};
    CHECK(relay(ok, sizeof ok, out, err) == 2);
    CHECK(strcmp(out, "ab\nc") == 0);
    CHECK(strcmp(err, "e\n") == 0);

    static const uint8_t not_served[] = {'N', 0, 0, 0, 0};
    CHECK(relay(not_served, sizeof not_served, out, err) == CLIENT_NOT_SERVED);
    CHECK(out[0] == 0 && err[0] == 0);

    static const uint8_t cut[] = {'O', 0, 0, 0, 9, 'a', 'b'};             /* hung up mid-frame */
    CHECK(relay(cut, sizeof cut, out, err) == CLIENT_LOST);
    static const uint8_t no_exit[] = {'O', 0, 0, 0, 1, 'a'};              /* hung up without a status */
    CHECK(relay(no_exit, sizeof no_exit, out, err) == CLIENT_LOST);
    static const uint8_t bad_type[] = {'Q', 0, 0, 0, 0};
    CHECK(relay(bad_type, sizeof bad_type, out, err) == CLIENT_LOST);
    static const uint8_t bad_exit[] = {'X', 0, 0, 0, 2, 0, 0};
    CHECK(relay(bad_exit, sizeof bad_exit, out, err) == CLIENT_LOST);
}

static void test_no_daemon(void) {
    CHECK(client_connect("/nonexistent/sealwright-daemon.sock") == -1);
    char longpath[200];
    memset(longpath, 'a', sizeof longpath - 1);
    longpath[sizeof longpath - 1] = 0;
    CHECK(client_connect(longpath) == -1);   /* longer than sun_path */
    /* a socket file nobody listens on (a daemon that was killed) */
    char path[] = "/tmp/cli_client_test_XXXXXX";
    CHECK(mkdtemp(path) != NULL);
    char sock[64];
    snprintf(sock, sizeof sock, "%s/s", path);
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    strcpy(addr.sun_path, sock);
    CHECK(bind(fd, (struct sockaddr *)&addr, sizeof addr) == 0);
    close(fd);
    CHECK(client_connect(sock) == -1);
    unlink(sock);
    rmdir(path);
}

int main(void) {
    test_request_bytes();
    test_colour();
    test_relay();
    test_no_daemon();
    if (failures) {
        fprintf(stderr, "cli_client_test: %d failure(s)\n", failures);
        return 1;
    }
    printf("cli_client_test: ok\n");
    return 0;
}
