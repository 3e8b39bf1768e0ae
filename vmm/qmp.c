/*
 * QMP: `system_powerdown` over QEMU's monitor socket (see qmp.h).
 */
#include "vmm/qmp.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include <wayland-server-core.h>
#include <wlr/util/log.h>

struct tinct_qmp {
	int fd; // -1 once QEMU closed the connection
	struct wl_event_source *source;
	char *vm_name;
};

static void qmp_close(struct tinct_qmp *qmp)
{
	if (qmp->source != NULL) {
		wl_event_source_remove(qmp->source);
		qmp->source = NULL;
	}
	if (qmp->fd >= 0) {
		close(qmp->fd);
		qmp->fd = -1;
	}
}

static int handle_readable(int fd, uint32_t mask, void *data)
{
	struct tinct_qmp *qmp = data;
	char untrusted_reply[1024];
	ssize_t n = read(fd, untrusted_reply, sizeof(untrusted_reply));
	if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
		qmp_close(qmp);
	}
	return 0;
}

struct tinct_qmp *qmp_powerdown(struct wl_event_loop *loop, const char *path, const char *vm_name)
{
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	if (strlen(path) >= sizeof(addr.sun_path)) {
		return NULL;
	}
	strcpy(addr.sun_path, path);
	struct tinct_qmp *qmp = calloc(1, sizeof(*qmp));
	if (qmp == NULL || (qmp->vm_name = strdup(vm_name)) == NULL) {
		wlr_log(WLR_ERROR, "VM %s: out of memory stopping it", vm_name);
		free(qmp);
		return NULL;
	}
	qmp->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (qmp->fd < 0 || connect(qmp->fd, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
		wlr_log_errno(WLR_ERROR, "VM %s: cannot connect to QMP socket %s", vm_name, path);
		qmp_destroy(qmp);
		return NULL;
	}
	static const char request[] = "{\"execute\":\"qmp_capabilities\"}\r\n"
				      "{\"execute\":\"system_powerdown\"}\r\n";
	if (send(qmp->fd, request, sizeof(request) - 1, MSG_NOSIGNAL) != sizeof(request) - 1) {
		wlr_log_errno(WLR_ERROR, "VM %s: cannot send system_powerdown", vm_name);
		qmp_destroy(qmp);
		return NULL;
	}
	qmp->source = wl_event_loop_add_fd(loop, qmp->fd, WL_EVENT_READABLE, handle_readable, qmp);
	if (qmp->source == NULL) {
		// The request is out; only further presses are lost.
		qmp_close(qmp);
	}
	return qmp;
}

bool qmp_powerdown_again(struct tinct_qmp *qmp)
{
	static const char request[] = "{\"execute\":\"system_powerdown\"}\r\n";
	if (qmp->fd < 0 ||
		send(qmp->fd, request, sizeof(request) - 1, MSG_NOSIGNAL | MSG_DONTWAIT) < 0) {
		wlr_log(WLR_DEBUG, "VM %s: cannot repeat system_powerdown", qmp->vm_name);
		return false;
	}
	return true;
}

void qmp_destroy(struct tinct_qmp *qmp)
{
	if (qmp == NULL) {
		return;
	}
	qmp_close(qmp);
	free(qmp->vm_name);
	free(qmp);
}
