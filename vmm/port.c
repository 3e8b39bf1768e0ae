/*
 * A network VM's port: its socket pair, made, checked and drained (see
 * port.h).
 */
#include "vmm/port.h"

#include <errno.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/sock_diag.h>
#include <linux/unix_diag.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>
#include <wlr/util/log.h>

// sock_diag's "any socket with this inode" cookie (inet_diag.h).
#define NO_COOKIE (~0U)

void port_init(struct tinct_net_port *port)
{
	*port = (struct tinct_net_port){.ends = {-1, -1}};
}

void port_close(struct tinct_net_port *port)
{
	for (int side = 0; side < 2; side++) {
		if (port->ends[side] >= 0) {
			close(port->ends[side]);
		}
	}
	port_init(port);
}

static bool get_int(int fd, int option, int *value)
{
	socklen_t len = sizeof(*value);
	return getsockopt(fd, SOL_SOCKET, option, value, &len) == 0;
}

bool port_make(struct tinct_net_port *port)
{
	port_close(port);
	int ends[2];
	if (socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, ends) < 0) {
		wlr_log_errno(WLR_ERROR, "Cannot make a network port");
		return false;
	}
	port->ends[0] = ends[0];
	port->ends[1] = ends[1];
	for (int side = 0; side < 2; side++) {
		struct stat st;
		if (fstat(ends[side], &st) < 0 ||
			!get_int(ends[side], SO_SNDBUF, &port->sndbuf[side]) ||
			!get_int(ends[side], SO_RCVBUF, &port->rcvbuf[side])) {
			wlr_log_errno(WLR_ERROR, "Cannot inspect a network port");
			port_close(port);
			return false;
		}
		port->ino[side] = st.st_ino;
	}
	return true;
}

struct diag {
	bool named;
	bool has_peer;
	uint32_t peer;
	bool has_shutdown;
	uint8_t shutdown;
};

// What the kernel knows of the Unix socket with inode `ino`.
static bool unix_diag(ino_t ino, struct diag *out)
{
	int nl = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
	if (nl < 0) {
		return false;
	}
	struct {
		struct nlmsghdr nlh;
		struct unix_diag_req req;
	} request = {
		.nlh =
			{
				.nlmsg_len = sizeof(request),
				.nlmsg_type = SOCK_DIAG_BY_FAMILY,
				.nlmsg_flags = NLM_F_REQUEST,
			},
		.req =
			{
				.sdiag_family = AF_UNIX,
				.udiag_states = UINT32_MAX,
				.udiag_ino = (uint32_t)ino,
				.udiag_show = UDIAG_SHOW_NAME | UDIAG_SHOW_PEER,
				.udiag_cookie = {NO_COOKIE, NO_COOKIE},
			},
	};
	struct sockaddr_nl kernel = {.nl_family = AF_NETLINK};
	_Alignas(struct nlmsghdr) char reply[8192];
	ssize_t len = -1;
	if (sendto(nl, &request, sizeof(request), 0, (struct sockaddr *)&kernel, sizeof(kernel)) ==
		(ssize_t)sizeof(request)) {
		do {
			len = recv(nl, reply, sizeof(reply), 0);
		} while (len < 0 && errno == EINTR);
	}
	close(nl);
	*out = (struct diag){0};
	const struct nlmsghdr *nlh = (const struct nlmsghdr *)reply;
	if (len < 0 || !NLMSG_OK(nlh, (size_t)len) || nlh->nlmsg_type != SOCK_DIAG_BY_FAMILY ||
		nlh->nlmsg_len < NLMSG_LENGTH(sizeof(struct unix_diag_msg))) {
		return false;
	}
	const struct unix_diag_msg *msg = NLMSG_DATA(nlh);
	if (msg->udiag_ino != (uint32_t)ino) {
		return false;
	}
	int attrs_len = (int)(nlh->nlmsg_len - NLMSG_LENGTH(sizeof(*msg)));
	for (const struct rtattr *attr = (const struct rtattr *)(msg + 1); RTA_OK(attr, attrs_len);
		attr = RTA_NEXT(attr, attrs_len)) {
		switch (attr->rta_type) {
		case UNIX_DIAG_NAME:
			out->named = true;
			break;
		case UNIX_DIAG_PEER:
			if (RTA_PAYLOAD(attr) >= sizeof(uint32_t)) {
				memcpy(&out->peer, RTA_DATA(attr), sizeof(uint32_t));
				out->has_peer = true;
			}
			break;
		case UNIX_DIAG_SHUTDOWN:
			if (RTA_PAYLOAD(attr) >= 1) {
				out->shutdown = *(const uint8_t *)RTA_DATA(attr);
				out->has_shutdown = true;
			}
			break;
		}
	}
	return out->has_shutdown;
}

// Drops the frames that queued in `fd` while no VMM read it (the peer
// keeps sending into a VMM that is gone; its send buffer bounds them).
static void drain(int fd)
{
	char frame[2048];
	for (int i = 0; i < 65536; i++) {
		ssize_t n = recv(fd, frame, sizeof(frame), MSG_DONTWAIT | MSG_TRUNC);
		// An empty datagram is one too: only an error ends the queue.
		if (n < 0 && errno != EINTR) {
			return;
		}
	}
}

void port_drain(struct tinct_net_port *port, int side)
{
	if (port->ends[side] >= 0) {
		drain(port->ends[side]);
	}
}

bool port_end_check(struct tinct_net_port *port, int side, char *why, size_t size)
{
	int fd = port->ends[side];
	struct diag diag;
	int lock = 0, sndbuf = 0, rcvbuf = 0;
	if (fd < 0) {
		snprintf(why, size, "it is not made");
	} else if (!unix_diag(port->ino[side], &diag)) {
		snprintf(why, size, "the kernel cannot say what it is (sock_diag)");
	} else if (diag.named) {
		snprintf(why, size, "it was bound to a name");
	} else if (!diag.has_peer || diag.peer != (uint32_t)port->ino[!side]) {
		snprintf(why, size, "it was connected elsewhere");
	} else if (diag.shutdown != 0) {
		snprintf(why, size, "it was shut down");
	} else if (!get_int(fd, SO_LOCK_FILTER, &lock) || lock != 0) {
		snprintf(why, size, "its socket filter is locked");
	} else if (setsockopt(fd, SOL_SOCKET, SO_DETACH_FILTER, &lock, sizeof(lock)) < 0 &&
		   errno != ENOENT) {
		snprintf(why, size, "its socket filter cannot be removed");
	} else if (!get_int(fd, SO_SNDBUF, &sndbuf) || !get_int(fd, SO_RCVBUF, &rcvbuf) ||
		   sndbuf != port->sndbuf[side] || rcvbuf != port->rcvbuf[side]) {
		snprintf(why, size, "its buffer sizes were changed");
	} else {
		drain(fd);
		return true;
	}
	return false;
}
