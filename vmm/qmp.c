/*
 * QMP: `system_powerdown` and one-off commands over QEMU's monitor socket
 * (see qmp.h).
 */
#include "vmm/qmp.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include <wayland-server-core.h>
#include <wlr/util/log.h>

#include "common/untrusted_dir.h"

struct tinct_qmp {
	int fd; // -1 once QEMU closed the connection
	struct wl_event_source *source;
	char *vm_name;
	// qmp_execute: answers still awaited (capabilities, the command) and
	// the start of the reply line being read, to spot answers by.
	int answers_left;
	char head[16];
	size_t head_len;
	void (*done)(void *data);
	void *data;
};

#define ANSWER_RETURN "{\"return\""
#define ANSWER_ERROR "{\"error\""

// Counts the answers among untrusted reply bytes: lines that start like
// one. Events and the greeting are lines too, and start otherwise.
static void count_answers(struct tinct_qmp *qmp, const char *untrusted, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		if (untrusted[i] == '\n') {
			qmp->head_len = 0;
			continue;
		}
		if (qmp->head_len >= sizeof(qmp->head) - 1) {
			continue;
		}
		qmp->head[qmp->head_len++] = untrusted[i];
		qmp->head[qmp->head_len] = '\0';
		if (strcmp(qmp->head, ANSWER_RETURN) == 0 || strcmp(qmp->head, ANSWER_ERROR) == 0) {
			qmp->answers_left--;
			qmp->head_len = sizeof(qmp->head) - 1; // the rest of the line
		}
	}
}

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
	if (n > 0 && qmp->done != NULL) {
		count_answers(qmp, untrusted_reply, (size_t)n);
	}
	bool answered = qmp->done != NULL && qmp->answers_left <= 0;
	if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR) || answered) {
		qmp_close(qmp);
		if (qmp->done != NULL) {
			void (*done)(void *data) = qmp->done;
			qmp->done = NULL;
			done(qmp->data); // may destroy qmp
		}
	}
	return 0;
}

// Connects, negotiates and sends `command` (JSON, without line end).
static struct tinct_qmp *qmp_send(struct wl_event_loop *loop, const char *path, const char *vm_name,
	const char *command, void (*done)(void *data), void *data)
{
	struct tinct_qmp *qmp = calloc(1, sizeof(*qmp));
	char *request = NULL;
	if (qmp == NULL || (qmp->vm_name = strdup(vm_name)) == NULL ||
		asprintf(&request, "{\"execute\":\"qmp_capabilities\"}\r\n%s\r\n", command) < 0) {
		wlr_log(WLR_ERROR, "VM %s: out of memory talking QMP", vm_name);
		if (qmp != NULL) {
			free(qmp->vm_name);
		}
		free(qmp);
		return NULL;
	}
	qmp->answers_left = 2;
	qmp->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	// The VM's uid owns the directory: never a link it put there.
	if (qmp->fd < 0 || untrusted_connect(qmp->fd, path) < 0) {
		wlr_log_errno(WLR_ERROR, "VM %s: cannot connect to QMP socket %s", vm_name, path);
		goto fail;
	}
	size_t len = strlen(request);
	if (send(qmp->fd, request, len, MSG_NOSIGNAL) != (ssize_t)len) {
		wlr_log_errno(WLR_ERROR, "VM %s: cannot send %s", vm_name, command);
		goto fail;
	}
	free(request);
	qmp->source = wl_event_loop_add_fd(loop, qmp->fd, WL_EVENT_READABLE, handle_readable, qmp);
	if (qmp->source == NULL) {
		// The request is out; nothing more can be learnt or sent.
		qmp_close(qmp);
	} else {
		qmp->done = done;
		qmp->data = data;
	}
	return qmp;

fail:
	free(request);
	qmp_destroy(qmp);
	return NULL;
}

struct tinct_qmp *qmp_powerdown(struct wl_event_loop *loop, const char *path, const char *vm_name)
{
	return qmp_send(loop, path, vm_name, "{\"execute\":\"system_powerdown\"}", NULL, NULL);
}

struct tinct_qmp *qmp_execute(struct wl_event_loop *loop, const char *path, const char *vm_name,
	const char *command, void (*done)(void *data), void *data)
{
	return qmp_send(loop, path, vm_name, command, done, data);
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
