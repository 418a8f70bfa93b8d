/* hello: the sample workload. Prints one greeting line naming the TEE it sees,
 * so a test reading the serial console knows the guest reached its workload. */
#include "sw.h"

#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>

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
    printf("hello from sealwright: tee=%s kernel=%s\n", sw_detect_tee(root), u.release);
    return 0;
}
