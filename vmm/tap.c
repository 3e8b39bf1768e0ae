/*
 * TAP device creation (see tap.h). TUNSETPERSIST is deliberately never
 * used: a persistent device would outlive the VM.
 */
#include "vmm/tap.h"

#include <fcntl.h>
#include <linux/if_tun.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <wlr/util/log.h>

int tap_create(const char *template, char name[IFNAMSIZ])
{
	int fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		wlr_log_errno(WLR_ERROR, "Cannot open /dev/net/tun");
		return -1;
	}
	struct ifreq ifr = {0};
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI | IFF_VNET_HDR;
	strncpy(ifr.ifr_name, template, IFNAMSIZ - 1);
	if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
		wlr_log_errno(WLR_ERROR, "Cannot create TAP device %s", template);
		close(fd);
		return -1;
	}
	memcpy(name, ifr.ifr_name, IFNAMSIZ);
	name[IFNAMSIZ - 1] = '\0';
	return fd;
}
