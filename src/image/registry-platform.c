/* SPDX-License-Identifier: Apache-2.0 */
#include <sys/utsname.h>

#include "raind/registry.h"

/* uname machine → OCI (GOARCH) architecture and variant. */
static const struct {
        const char *machine;
        const char *architecture;
        const char *variant;
} machine_map[] = {
    {"x86_64", "amd64", NULL},    {"aarch64", "arm64", "v8"}, {"armv7l", "arm", "v7"},
    {"armv6l", "arm", "v6"},      {"i686", "386", NULL},      {"i586", "386", NULL},
    {"ppc64le", "ppc64le", NULL}, {"s390x", "s390x", NULL},   {"riscv64", "riscv64", NULL},
};

int registry_platform_host(RegistryPlatform *ret)
{
        struct utsname u;

        if (uname(&u) < 0)
                return negative_errno();
        for (size_t i = 0; i < ELEMENTSOF(machine_map); i++)
                if (streq(u.machine, machine_map[i].machine)) {
                        /* arm64 images rarely carry "v8"; do not require it. */
                        *ret = (RegistryPlatform){
                            .os = "linux",
                            .architecture = machine_map[i].architecture,
                            .variant =
                                streq(machine_map[i].architecture, "arm64") ? NULL : machine_map[i].variant,
                        };
                        return 0;
                }
        return -EOPNOTSUPP;
}
