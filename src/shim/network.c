/* SPDX-License-Identifier: Apache-2.0 */
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include "child-report.h"
#include "network.h"

int loopback_up(void)
{
        struct ifreq ifr = {.ifr_name = "lo"};

        _cleanup_close_ int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        if (fd < 0)
                return child_error(errno, 125, "Failed to open a socket to configure lo: %m");
        if (ioctl(fd, SIOCGIFFLAGS, &ifr) < 0)
                return child_error(errno, 125, "Failed to read flags of lo: %m");
        if (ifr.ifr_flags & IFF_UP)
                return 0;
        ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
        if (ioctl(fd, SIOCSIFFLAGS, &ifr) < 0)
                return child_error(errno, 125, "Failed to bring lo up: %m");
        return 0;
}
