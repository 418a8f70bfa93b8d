/*
 * lifeline: runs a long-lived program (QEMU, swtpm) for the sealwright JVM and ends it when the JVM
 * goes away, even when the JVM is killed with SIGKILL (Java cannot set PR_SET_PDEATHSIG for its
 * children, and PDEATHSIG would follow the forking thread, not the process).
 *
 *   lifeline PROGRAM [ARG...]
 *
 * Standard input must be a pipe whose write end only the JVM holds. lifeline starts PROGRAM in its
 * own process group with stdin from /dev/null and waits. End of file on its stdin (the JVM is gone)
 * sends SIGTERM to the program's process group and SIGKILL three seconds later. SIGTERM, SIGINT and
 * SIGHUP sent to lifeline are forwarded to the group. lifeline exits with the program's status
 * (128 + signal number if a signal ended it).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define GRACE_MS 3000

static int wake[2] = {-1, -1};
static volatile pid_t group = 0;

static void on_signal(int sig) {
    int saved = errno;
    if (sig != SIGCHLD && group > 0) kill(-group, sig);
    if (write(wake[1], "x", 1) < 0) { /* the pipe is non-blocking; a full pipe already wakes the loop */ }
    errno = saved;
}

static int status_code(int st) {
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* Reaps the child if it has ended; returns 1 and sets *code then. */
static int reaped(pid_t child, int *code) {
    int st;
    pid_t r = waitpid(child, &st, WNOHANG);
    if (r == child) { *code = status_code(st); return 1; }
    return 0;
}

static long now_ms(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1000L + t.tv_nsec / 1000000L;
}

/* The JVM is gone: SIGTERM the group, SIGKILL after the grace period, return the program's status. */
static int end_group(pid_t child) {
    int code;
    kill(-child, SIGTERM);
    long deadline = now_ms() + GRACE_MS;
    while (!reaped(child, &code)) {
        long left = deadline - now_ms();
        if (left <= 0) {
            kill(-child, SIGKILL);
            waitpid(child, &code, 0);
            return status_code(code);
        }
        struct pollfd p = {wake[0], POLLIN, 0};
        if (poll(&p, 1, (int) (left < 100 ? left : 100)) > 0) {
            char buf[64];
            while (read(wake[0], buf, sizeof buf) > 0) {}
        }
    }
    return code;
}

int main(int argc, char **argv) {
    if (argc < 2 || !strcmp(argv[1], "--help")) {
        fprintf(stderr, "usage: lifeline PROGRAM [ARG...]  (stdin: a pipe held by the parent; EOF ends PROGRAM)\n");
        return 2;
    }
    if (pipe2(wake, O_CLOEXEC | O_NONBLOCK) != 0) { perror("lifeline: pipe"); return 1; }
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sa.sa_flags = SA_RESTART;
    sigemptyset(&sa.sa_mask);
    int forwarded[] = {SIGTERM, SIGINT, SIGHUP, SIGCHLD};
    /* Held until the child's group is known: a signal that came before would be lost (group == 0). */
    sigset_t held;
    sigemptyset(&held);
    for (size_t i = 0; i < sizeof forwarded / sizeof forwarded[0]; i++) {
        sigaction(forwarded[i], &sa, NULL);
        sigaddset(&held, forwarded[i]);
    }
    sigprocmask(SIG_BLOCK, &held, NULL);

    pid_t child = fork();
    if (child < 0) { perror("lifeline: fork"); return 1; }
    if (child == 0) {
        setpgid(0, 0);
        int null = open("/dev/null", O_RDONLY);
        if (null < 0 || dup2(null, 0) < 0) { perror("lifeline: /dev/null"); _exit(127); }
        if (null > 0) close(null);
        struct sigaction dfl;
        memset(&dfl, 0, sizeof dfl);
        dfl.sa_handler = SIG_DFL;
        for (size_t i = 0; i < sizeof forwarded / sizeof forwarded[0]; i++) sigaction(forwarded[i], &dfl, NULL);
        sigprocmask(SIG_UNBLOCK, &held, NULL); /* also when the parent inherited them blocked */
        execvp(argv[1], argv + 1);
        fprintf(stderr, "lifeline: exec %s: %s\n", argv[1], strerror(errno));
        _exit(127);
    }
    setpgid(child, child); /* both sides set it: no race with an early signal */
    group = child;
    sigprocmask(SIG_UNBLOCK, &held, NULL); /* a signal held meanwhile is delivered, and forwarded, now */

    int code;
    for (;;) {
        if (reaped(child, &code)) return code;
        struct pollfd p[2] = {{0, POLLIN, 0}, {wake[0], POLLIN, 0}};
        if (poll(p, 2, -1) < 0) {
            if (errno == EINTR) continue;
            perror("lifeline: poll");
            return end_group(child);
        }
        if (p[1].revents) {
            char buf[64];
            while (read(wake[0], buf, sizeof buf) > 0) {}
        }
        if (p[0].revents) {
            char buf[256];
            ssize_t n = read(0, buf, sizeof buf);
            if (n == 0 || (n < 0 && errno != EINTR && errno != EAGAIN)) return end_group(child);
        }
    }
}
