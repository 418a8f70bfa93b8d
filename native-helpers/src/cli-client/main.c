/*
 * cli-client: hands one `sealwright` command line to a running CLI daemon (a warm JVM, see
 * docs/daemon.md) and replays its answer: standard output, standard error and the exit status.
 *
 *   cli-client SOCKET [ARG...]
 *
 * Exit status 111 with no output means no daemon answered (no socket, or nobody listening), 112
 * that the daemon does not serve this verb; the launcher then runs the command in a fresh JVM.
 * Any other status is the command's own.
 */
#include "client.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: cli-client SOCKET [ARG...]\n");
        return 2;
    }
    char cwd[PATH_MAX];
    if (!getcwd(cwd, sizeof cwd)) {
        fprintf(stderr, "cli-client: cannot read the working directory: %s\n", strerror(errno));
        return CLIENT_NO_DAEMON;
    }
    int fd = client_connect(argv[1]);
    if (fd < 0) return CLIENT_NO_DAEMON;
    if (client_send_request(fd, client_colour(), cwd, argc - 2, (const char *const *)argv + 2) != 0) {
        close(fd);
        return CLIENT_NO_DAEMON;
    }
    int code = client_relay(fd, STDOUT_FILENO, STDERR_FILENO);
    close(fd);
    if (code == CLIENT_LOST) {
        fprintf(stderr, "sealwright: the CLI daemon ended without an answer (its log is next to %s)\n", argv[1]);
        return 1;
    }
    return code;
}
