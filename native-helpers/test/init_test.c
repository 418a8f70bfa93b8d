/* Unit tests for the guest init's parsers (src/init/init_config.h). */
#include "../src/init/init_config.h"

static int failures;
#define CHECK(cond) do { if (!(cond)) { fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); failures++; } } while (0)

static void test_config(void) {
    struct init_config c;
    const char *text = "# written by sealwright pack\n"
                       "module=/lib/modules/r/kernel/a.ko.xz\nmodule=/lib/modules/r/kernel/b.ko.xz\n"
                       "hook=/sealwright/enroll\nhookarg=--port\nhookarg=24516\nhook=/b\n"
                       "secret=/run/sealwright/secret\nsecretenv=1\n"
                       "arg=/hello\narg=--root\narg=/ with space\n"
                       "env=PATH=/bin\nenv=A=b=c\n"
                       "workdir=/srv\nuser=1000:100\npoweroff=0\n";
    CHECK(init_parse_config(text, &c) == 0);
    CHECK(c.n_modules == 2 && strcmp(c.modules[1], "/lib/modules/r/kernel/b.ko.xz") == 0);
    CHECK(c.n_hooks == 2 && strcmp(c.hooks[0], "/sealwright/enroll") == 0);
    CHECK(c.n_hook_argv[0] == 3 && strcmp(c.hook_argv[0][0], "/sealwright/enroll") == 0 && strcmp(c.hook_argv[0][2], "24516") == 0
          && c.hook_argv[0][3] == NULL);
    CHECK(c.n_hook_argv[1] == 1 && strcmp(c.hook_argv[1][0], "/b") == 0 && c.hook_argv[1][1] == NULL);
    CHECK(strcmp(c.secret, "/run/sealwright/secret") == 0 && c.secret_env == 1);
    CHECK(c.n_args == 3 && strcmp(c.argv[2], "/ with space") == 0 && c.argv[3] == NULL);
    CHECK(c.n_env == 2 && strcmp(c.env[1], "A=b=c") == 0 && c.env[2] == NULL);
    CHECK(strcmp(c.workdir, "/srv") == 0);
    CHECK(c.uid == 1000 && c.gid == 100);
    CHECK(c.poweroff == 0);
}

static void test_config_defaults_and_errors(void) {
    struct init_config c;
    CHECK(init_parse_config("arg=/x", &c) == 0);
    CHECK(c.poweroff == 1 && strcmp(c.workdir, "/") == 0 && c.uid == 0 && c.n_args == 1);
    CHECK(init_parse_config("arg=/x\nnonsense\n", &c) == 2);
    CHECK(init_parse_config("arg=/x\nfrobnicate=1\n", &c) == 2);
    CHECK(init_parse_config("user=root\n", &c) == 1);
    CHECK(init_parse_config("env=NOEQUALS\n", &c) == 1);
    CHECK(init_parse_config("hookarg=--early\n", &c) == 1);      /* an argument before any hook */
    CHECK(init_parse_config("secret=relative/path\n", &c) == 1);
    CHECK(init_parse_config("arg=/x\n", &c) == 0 && c.secret[0] == 0 && c.secret_env == 0 && c.n_hooks == 0);
}

static void test_cmdline(void) {
    struct init_cmdline k;
    CHECK(init_parse_cmdline("console=ttyS0 sealwright.ip=10.0.2.15/24 sealwright.gw=10.0.2.2 sealwright.poweroff=0\n", &k) == 0);
    CHECK(k.has_ip && k.prefix == 24 && k.addr.s_addr == inet_addr("10.0.2.15"));
    CHECK(k.has_gw && k.gw.s_addr == inet_addr("10.0.2.2"));
    CHECK(k.poweroff == 0 && k.tpmreport == 0);
    CHECK(init_parse_cmdline("console=ttyS0 sealwright.tpmreport=1", &k) == 0 && k.tpmreport == 1 && !k.has_ip);
    CHECK(init_netmask(24).s_addr == inet_addr("255.255.255.0"));
    CHECK(init_netmask(0).s_addr == 0);
    CHECK(init_parse_cmdline("quiet", &k) == 0 && !k.has_ip && k.poweroff == -1);
    CHECK(init_parse_cmdline("sealwright.ip=10.0.2.300/24", &k) == -1);
    CHECK(init_parse_cmdline("sealwright.ip=10.0.2.15/33", &k) == -1);
}

int main(void) {
    test_config();
    test_config_defaults_and_errors();
    test_cmdline();
    if (failures) { fprintf(stderr, "init_test: %d failure(s)\n", failures); return 1; }
    printf("init_test: ok\n");
    return 0;
}
