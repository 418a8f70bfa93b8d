/* init: PID 1 of a packed guest. Mounts /proc, /sys, /dev (devtmpfs) and configfs, loads the
 * modules listed in /sealwright/init.conf, configures eth0 from sealwright.ip=/sealwright.gw= on the
 * kernel command line, runs the hooks (the enrollment seam: each must exit 0 before the workload
 * may start), hands the enrolled secret (a file on a tmpfs, optionally also TD_SECRET_KEY) to the
 * workload, then runs the container entrypoint with the image's Env, WorkingDir and User,
 * reaping every child. When the workload exits it powers the machine off (poweroff=0 keeps the
 * guest up). Progress goes to the console as machine-readable lines: "SW-STATUS <event> k=v...". */
#include "sw.h"
#include "init_config.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <net/if.h>
#include <net/route.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdarg.h>
#include <sys/ioctl.h>
#include <sys/klog.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#define CONFIG_PATH "/sealwright/init.conf"
#define DEFAULT_PATH "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
#ifndef MODULE_INIT_COMPRESSED_FILE
#define MODULE_INIT_COMPRESSED_FILE 4
#endif

static void status(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void status(const char *fmt, ...) {
    char line[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    dprintf(1, "SW-STATUS %s\n", line);
}

static void finish(int poweroff) __attribute__((noreturn));
static void finish(int poweroff) {
    if (!poweroff) {
        status("idle poweroff=0");
        for (;;) { if (wait(NULL) < 0) pause(); }
    }
    kill(-1, SIGTERM);
    sleep(1);
    kill(-1, SIGKILL);
    sync();
    status("poweroff");
    /* let the serial console transmit that line before the machine goes away */
    tcdrain(1);
    struct timespec settle = {0, 200 * 1000 * 1000};
    nanosleep(&settle, NULL);
    reboot(RB_POWER_OFF);
    for (;;) pause();
}

static void do_mount(const char *src, const char *dst, const char *type) {
    mkdir(dst, 0755);
    if (mount(src, dst, type, MS_NOSUID | MS_NOEXEC, NULL) != 0 && errno != EBUSY)
        status("mount target=%s result=error errno=%d", dst, errno);
}

static void setup_console(void) {
    mkdir("/dev", 0755);
    if (mount("devtmpfs", "/dev", "devtmpfs", MS_NOSUID, NULL) != 0 && errno != EBUSY) return;
    int fd = open("/dev/console", O_RDWR | O_NOCTTY);
    if (fd < 0) return;
    dup2(fd, 0); dup2(fd, 1); dup2(fd, 2);
    if (fd > 2) close(fd);
}

static void load_module(const char *path) {
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) { status("module path=%s result=missing", path); return; }
    size_t n = strlen(path);
    int flags = n > 3 && (strcmp(path + n - 3, ".xz") == 0 || strcmp(path + n - 4, ".zst") == 0) ? MODULE_INIT_COMPRESSED_FILE : 0;
    long r = syscall(SYS_finit_module, fd, "", flags);
    int err = errno;
    close(fd);
    if (r == 0 || err == EEXIST) status("module path=%s result=ok", path);
    else if (err == ENODEV) status("module path=%s result=no-device", path); /* e.g. tdx-guest outside a TD */
    else status("module path=%s result=error errno=%d", path, err);
}

static int if_flags_up(int s, const char *name) {
    struct ifreq r;
    memset(&r, 0, sizeof r);
    strncpy(r.ifr_name, name, IFNAMSIZ - 1);
    if (ioctl(s, SIOCGIFFLAGS, &r) != 0) return -1;
    r.ifr_flags |= IFF_UP | IFF_RUNNING;
    return ioctl(s, SIOCSIFFLAGS, &r);
}

static int set_addr(int s, const char *name, unsigned long req, struct in_addr a) {
    struct ifreq r;
    memset(&r, 0, sizeof r);
    strncpy(r.ifr_name, name, IFNAMSIZ - 1);
    struct sockaddr_in *sin = (struct sockaddr_in *)&r.ifr_addr;
    sin->sin_family = AF_INET;
    sin->sin_addr = a;
    return ioctl(s, req, &r);
}

static void setup_network(const struct init_cmdline *k) {
    int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (s < 0) return;
    if_flags_up(s, "lo");
    if (k->has_ip) {
        char a[INET_ADDRSTRLEN];
        inet_ntop(AF_INET, &k->addr, a, sizeof a);
        int ok = set_addr(s, "eth0", SIOCSIFADDR, k->addr) == 0
                 && set_addr(s, "eth0", SIOCSIFNETMASK, init_netmask(k->prefix)) == 0
                 && if_flags_up(s, "eth0") == 0;
        if (ok && k->has_gw) {
            struct rtentry rt;
            memset(&rt, 0, sizeof rt);
            struct sockaddr_in *dst = (struct sockaddr_in *)&rt.rt_dst, *gw = (struct sockaddr_in *)&rt.rt_gateway,
                               *mask = (struct sockaddr_in *)&rt.rt_genmask;
            dst->sin_family = gw->sin_family = mask->sin_family = AF_INET;
            gw->sin_addr = k->gw;
            rt.rt_flags = RTF_UP | RTF_GATEWAY;
            ok = ioctl(s, SIOCADDRT, &rt) == 0;
        }
        status("net ifname=eth0 addr=%s/%d result=%s errno=%d", a, k->prefix, ok ? "ok" : "error", ok ? 0 : errno);
    }
    close(s);
}

/* sealwright.tpmreport=1: the TPM's PCRs ("SW-TPM pcr BANK N HEX", as sysfs gives them) and its event log
 * (base64, "SW-TPM eventlog B64" lines of 64 characters) on the console, then "SW-TPM end". The console
 * log level drops to alerts first so that kernel messages do not split these lines. */
static void tpm_report(void) {
    static const char *b64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    static uint8_t log[1 << 20];
    klogctl(8, NULL, 1);
    for (int i = 0; i < 40 && access("/sys/class/tpm/tpm0", F_OK) != 0; i++) {
        struct timespec t = {0, 50 * 1000 * 1000};
        nanosleep(&t, NULL);
    }
    if (access("/sys/class/tpm/tpm0", F_OK) != 0) { dprintf(1, "SW-TPM end result=no-tpm\n"); return; }
    int pcrs = 0;
    const char *banks[] = {"sha256", "sha384"};
    for (int b = 0; b < 2; b++)
        for (int i = 0; i < 24; i++) {
            char path[96], hex[200];
            snprintf(path, sizeof path, "/sys/class/tpm/tpm0/pcr-%s/%d", banks[b], i);
            long n = sw_read_file(path, (uint8_t *)hex, sizeof hex - 1);
            if (n <= 0) continue;
            while (n > 0 && (hex[n - 1] == '\n' || hex[n - 1] == ' ')) n--;
            hex[n] = 0;
            dprintf(1, "SW-TPM pcr %s %d %s\n", banks[b], i, hex);
            pcrs++;
        }
    mkdir("/sys/kernel/security", 0755);
    if (mount("securityfs", "/sys/kernel/security", "securityfs", MS_NOSUID | MS_NOEXEC, NULL) != 0 && errno != EBUSY)
        status("mount target=/sys/kernel/security result=error errno=%d", errno);
    long len = sw_read_file("/sys/kernel/security/tpm0/binary_bios_measurements", log, sizeof log);
    for (long at = 0; at < len; at += 48) {
        char line[80];
        int o = 0;
        for (long i = at; i < at + 48 && i < len; i += 3) {
            uint32_t v = (uint32_t)log[i] << 16 | (i + 1 < len ? (uint32_t)log[i + 1] << 8 : 0) | (i + 2 < len ? log[i + 2] : 0);
            line[o++] = b64[v >> 18 & 63];
            line[o++] = b64[v >> 12 & 63];
            line[o++] = i + 1 < len ? b64[v >> 6 & 63] : '=';
            line[o++] = i + 2 < len ? b64[v & 63] : '=';
        }
        line[o] = 0;
        dprintf(1, "SW-TPM eventlog %s\n", line);
    }
    dprintf(1, "SW-TPM end pcrs=%d eventlog=%ld\n", pcrs, len);
}

/* A tmpfs (0700) on the directory of the secret file, so the key never touches a disk. */
static void mount_secret_dir(const char *secret) {
    char dir[INIT_MAX_LINE];
    snprintf(dir, sizeof dir, "%s", secret);
    char *slash = strrchr(dir, '/');
    if (slash == NULL || slash == dir) return;
    *slash = 0;
    for (char *p = dir + 1; *p; p++) if (*p == '/') { *p = 0; mkdir(dir, 0755); *p = '/'; }
    mkdir(dir, 0700);
    int ok = mount("tmpfs", dir, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=0700,size=64k") == 0;
    status("secret-dir path=%s result=%s errno=%d", dir, ok ? "ok" : "error", ok ? 0 : errno);
}

/* After the hooks: the secret file becomes the workload user's (0400), optionally TD_SECRET_KEY too.
 * Returns 0 when the file is missing or malformed (the boot stops). Never prints the secret. */
static int hand_over_secret(struct init_config *c) {
    static char env[16 + 65];
    char hex[65], dir[INIT_MAX_LINE];
    long n = sw_read_file(c->secret, (uint8_t *)hex, 64);
    if (n != 64) { status("secret path=%s result=missing", c->secret); return 0; }
    hex[64] = 0;
    for (int i = 0; i < 64; i++)
        if (!((hex[i] >= '0' && hex[i] <= '9') || (hex[i] >= 'a' && hex[i] <= 'f'))) { status("secret path=%s result=malformed", c->secret); return 0; }
    snprintf(dir, sizeof dir, "%s", c->secret);
    char *slash = strrchr(dir, '/');
    if (slash && slash != dir) { *slash = 0; if (chown(dir, c->uid, c->gid) != 0) status("secret-dir result=error errno=%d", errno); }
    int ok = chown(c->secret, c->uid, c->gid) == 0 && chmod(c->secret, 0400) == 0;
    if (c->secret_env && c->n_env < INIT_MAX_ITEMS) {
        snprintf(env, sizeof env, "TD_SECRET_KEY=%s", hex);
        c->env[c->n_env++] = env;
        c->env[c->n_env] = NULL;
    }
    memset(hex, 0, sizeof hex);
    status("secret path=%s owner=%u:%u env=%s result=%s", c->secret, c->uid, c->gid, c->secret_env ? "TD_SECRET_KEY" : "none", ok ? "ok" : "error");
    return ok;
}

/* Runs argv with env as uid:gid in workdir; returns the child's pid. */
static pid_t spawn(char *const argv[], char *const env[], const char *workdir, unsigned uid, unsigned gid) {
    pid_t pid = fork();
    if (pid != 0) return pid;
    setsid();
    if (chdir(workdir) != 0) { dprintf(2, "init: chdir %s: %s\n", workdir, strerror(errno)); _exit(126); }
    if (setgroups(0, NULL) != 0 || setgid(gid) != 0 || setuid(uid) != 0) { dprintf(2, "init: cannot switch to %u:%u\n", uid, gid); _exit(126); }
    extern char **environ;
    environ = (char **)env;
    execvp(argv[0], argv);
    dprintf(2, "init: exec %s: %s\n", argv[0], strerror(errno));
    _exit(127);
}

/* Waits for pid, reaping every other child meanwhile; returns its exit code (128+signal if killed). */
static int reap_until(pid_t pid) {
    for (;;) {
        int st;
        pid_t r = wait(&st);
        if (r < 0) { if (errno == EINTR) continue; return 255; }
        if (r == pid) return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
    }
}

int main(void) {
    setup_console();
    status("boot");
    do_mount("proc", "/proc", "proc");
    do_mount("sysfs", "/sys", "sysfs");
    static char conftext[1 << 16], cmdline[4096];
    long n = sw_read_file(CONFIG_PATH, (uint8_t *)conftext, sizeof conftext - 1);
    if (n < 0) { status("config path=%s result=missing", CONFIG_PATH); finish(1); }
    conftext[n] = 0;
    static struct init_config c;
    int bad = init_parse_config(conftext, &c);
    if (bad) { status("config path=%s result=error line=%d", CONFIG_PATH, bad); finish(1); }
    long m = sw_read_file("/proc/cmdline", (uint8_t *)cmdline, sizeof cmdline - 1);
    cmdline[m < 0 ? 0 : m] = 0;
    struct init_cmdline k;
    if (init_parse_cmdline(cmdline, &k) != 0) status("cmdline result=error");
    int poweroff = k.poweroff >= 0 ? k.poweroff : c.poweroff;

    for (int i = 0; i < c.n_modules; i++) load_module(c.modules[i]);
    do_mount("configfs", "/sys/kernel/config", "configfs");
    setup_network(&k);
    if (k.tpmreport) tpm_report();
    status("ready tee=%s", sw_detect_tee("/"));

    /* Enrollment seam: hooks run as root before the workload; any failure stops the boot. */
    if (c.secret[0]) mount_secret_dir(c.secret);
    char *no_env[] = {DEFAULT_PATH, NULL};
    for (int i = 0; i < c.n_hooks; i++) {
        int code = reap_until(spawn(c.hook_argv[i], no_env, "/", 0, 0));
        status("hook path=%s exit=%d", c.hooks[i], code);
        if (code != 0) finish(poweroff);
    }
    if (c.secret[0] && !hand_over_secret(&c)) finish(poweroff);

    if (c.n_args == 0) { status("workload result=error reason=no-entrypoint"); finish(poweroff); }
    int has_path = 0;
    for (int i = 0; i < c.n_env; i++) if (strncmp(c.env[i], "PATH=", 5) == 0) has_path = 1;
    if (!has_path && c.n_env < INIT_MAX_ITEMS) { c.env[c.n_env++] = DEFAULT_PATH; c.env[c.n_env] = NULL; }
    status("workload-start argv0=%s uid=%u gid=%u workdir=%s", c.argv[0], c.uid, c.gid, c.workdir);
    int code = reap_until(spawn(c.argv, c.env, c.workdir, c.uid, c.gid));
    status("workload-exit code=%d", code);
    finish(poweroff);
}
