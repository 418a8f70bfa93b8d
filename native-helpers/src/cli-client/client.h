/*
 * The CLI daemon protocol, client side (the Java side is dev.sealwright.cli.daemon.DaemonProtocol).
 *
 * Request:  "SWD2", u8 flags, u32 count, then count items of (u32 length, bytes): the working
 *           directory, then the arguments. Integers are big-endian. Flags: bit 0 (CLIENT_COLOUR) the
 *           caller's terminal gets coloured help, as picocli would decide in a JVM started there
 *           (client_colour); the other bits are zero.
 * Answer:   frames of (u8 type, u32 length, payload): 'O' standard output bytes, 'E' standard error
 *           bytes, 'X' exit status (4-byte signed integer, ends the answer), 'N' not served (ends
 *           the answer before any output; the caller runs the command itself).
 * Only a process of the daemon's own user may connect (the daemon checks SO_PEERCRED).
 */
#ifndef CLI_CLIENT_H
#define CLI_CLIENT_H

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#define CLIENT_NO_DAEMON 111
#define CLIENT_NOT_SERVED 112
#define CLIENT_LOST (-1)
#define CLIENT_MAX_FRAME (64u << 20)
#define CLIENT_COLOUR 1u

/* picocli 4.7's Help.Ansi.AUTO on Linux, which a fresh JVM applies to its help: never with NO_COLOR
 * set; always with CLICOLOR_FORCE set and not "0"; never with CLICOLOR=0 or ConEmuANSI=OFF; else when
 * standard input and output are both terminals (System.console() exists / Console.isTerminal()).
 * The daemon has no terminal and no environment of the caller, so the client decides and says so. */
static unsigned client_colour(void) {
    const char *force = getenv("CLICOLOR_FORCE"), *hint = getenv("CLICOLOR"), *conemu = getenv("ConEmuANSI");
    if (getenv("NO_COLOR")) return 0;
    if (force && strcmp(force, "0") != 0) return CLIENT_COLOUR;
    if ((hint && strcmp(hint, "0") == 0) || (conemu && strcmp(conemu, "OFF") == 0)) return 0;
    return isatty(STDIN_FILENO) && isatty(STDOUT_FILENO) ? CLIENT_COLOUR : 0;
}

static int client_connect(const char *path) {
    struct sockaddr_un addr;
    memset(&addr, 0, sizeof addr);
    addr.sun_family = AF_UNIX;
    if (strlen(path) >= sizeof addr.sun_path) return -1;
    strcpy(addr.sun_path, path);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return -1;
    if (connect(fd, (struct sockaddr *)&addr, sizeof addr) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

static int client_write_all(int fd, const void *buf, size_t len) {
    const uint8_t *p = buf;
    while (len > 0) {
        ssize_t n = write(fd, p, len);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return -1;
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

static int client_read_all(int fd, void *buf, size_t len) {
    uint8_t *p = buf;
    while (len > 0) {
        ssize_t n = read(fd, p, len);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return -1;
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

static void client_be32(uint8_t *out, uint32_t v) {
    out[0] = (uint8_t)(v >> 24);
    out[1] = (uint8_t)(v >> 16);
    out[2] = (uint8_t)(v >> 8);
    out[3] = (uint8_t)v;
}

static int client_send_item(int fd, const char *s) {
    uint8_t len[4];
    size_t n = strlen(s);
    client_be32(len, (uint32_t)n);
    return client_write_all(fd, len, 4) || client_write_all(fd, s, n) ? -1 : 0;
}

/* Sends the flags, the working directory and argc arguments; 0 on success. */
static int client_send_request(int fd, unsigned flags, const char *cwd, int argc, const char *const *argv) {
    uint8_t head[9] = {'S', 'W', 'D', '2', (uint8_t)flags};
    client_be32(head + 5, (uint32_t)argc + 1);
    if (client_write_all(fd, head, sizeof head) || client_send_item(fd, cwd)) return -1;
    for (int i = 0; i < argc; i++)
        if (client_send_item(fd, argv[i])) return -1;
    return 0;
}

/* Copies output frames to out/err until the exit frame; returns the exit status, CLIENT_NOT_SERVED
 * for a 'N' frame, or CLIENT_LOST when the daemon hung up or sent something malformed. */
static int client_relay(int fd, int out, int err) {
    static uint8_t buf[65536];
    for (;;) {
        uint8_t head[5];
        if (client_read_all(fd, head, sizeof head)) return CLIENT_LOST;
        uint32_t len = (uint32_t)head[1] << 24 | (uint32_t)head[2] << 16 | (uint32_t)head[3] << 8 | head[4];
        if (head[0] == 'X') {
            uint8_t code[4];
            if (len != 4 || client_read_all(fd, code, 4)) return CLIENT_LOST;
            return (int32_t)((uint32_t)code[0] << 24 | (uint32_t)code[1] << 16 | (uint32_t)code[2] << 8 | code[3]);
        }
        if (head[0] == 'N') return len == 0 ? CLIENT_NOT_SERVED : CLIENT_LOST;
        if ((head[0] != 'O' && head[0] != 'E') || len > CLIENT_MAX_FRAME) return CLIENT_LOST;
        int target = head[0] == 'O' ? out : err;
        while (len > 0) {
            size_t chunk = len < sizeof buf ? len : sizeof buf;
            if (client_read_all(fd, buf, chunk)) return CLIENT_LOST;
            /* a closed output (| head) ends us by SIGPIPE, like any other program */
            client_write_all(target, buf, chunk);
            len -= (uint32_t)chunk;
        }
    }
}

#endif
