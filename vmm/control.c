/*
 * Guest control channel (protocol in control.h): a listening socket, at
 * most one connection (the VMM's chardev; a new one replaces the old), and
 * a bounded line parser for what the guest says.
 */
#include "vmm/control.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>
#include <wayland-server-core.h>
#include <wlr/util/log.h>

// Bounded work per dispatch so a chatty guest cannot starve the loop.
#define MAX_READS_PER_DISPATCH 8

// A decimal number from `*p` up to `max`, without sign or leading zeros.
static bool parse_number(const char **p, const char *end, unsigned max, unsigned *out)
{
	const char *s = *p;
	if (s >= end || *s < '0' || *s > '9' ||
		(*s == '0' && s + 1 < end && s[1] >= '0' && s[1] <= '9')) {
		return false;
	}
	unsigned value = 0;
	while (s < end && *s >= '0' && *s <= '9') {
		value = value * 10 + (unsigned)(*s - '0');
		if (value > max) {
			return false;
		}
		s++;
	}
	*p = s;
	*out = value;
	return true;
}

static bool word_is(const char **p, const char *end, const char *word)
{
	size_t n = strlen(word);
	if ((size_t)(end - *p) < n || memcmp(*p, word, n) != 0) {
		return false;
	}
	*p += n;
	return true;
}

bool control_parse_line(const char *untrusted, size_t len, struct tinct_control_msg *msg)
{
	const char *p = untrusted, *end = untrusted + len;
	if (len > 0 && end[-1] == '\r') {
		end--;
	}
	*msg = (struct tinct_control_msg){0};
	unsigned value = 0;
	if (word_is(&p, end, "ready")) {
		msg->kind = TINCT_CONTROL_READY;
		return p == end;
	}
	if (word_is(&p, end, "ok ")) {
		msg->kind = TINCT_CONTROL_OK;
		return parse_number(&p, end, TINCT_CONTROL_MAX_APP, &msg->app) && p == end;
	}
	if (word_is(&p, end, "exit ")) {
		msg->kind = TINCT_CONTROL_EXIT;
		if (!parse_number(&p, end, TINCT_CONTROL_MAX_APP, &msg->app) ||
			!word_is(&p, end, " ") || !parse_number(&p, end, 255, &value) || p != end) {
			return false;
		}
		msg->status = (int)value;
		return true;
	}
	if (word_is(&p, end, "error ")) {
		msg->kind = TINCT_CONTROL_ERROR;
		if (!parse_number(&p, end, TINCT_CONTROL_MAX_APP, &msg->app)) {
			return false;
		}
		if (p < end && !word_is(&p, end, " ")) {
			return false;
		}
		size_t n = 0;
		for (; p < end && n < sizeof(msg->text) - 1; p++) {
			unsigned char c = (unsigned char)*p;
			msg->text[n++] = c >= 0x20 && c < 0x7f ? (char)c : '?';
		}
		msg->text[n] = '\0';
		return true;
	}
	return false;
}

size_t control_parser_feed(struct tinct_control_parser *parser, const char *untrusted, size_t len,
	tinct_control_msg_func handle, void *data)
{
	size_t rejected = 0;
	for (size_t i = 0; i < len; i++) {
		char c = untrusted[i];
		if (c != '\n') {
			if (parser->overlong) {
				continue;
			}
			// One byte stays free for the '\n' the limit counts.
			if (parser->len >= sizeof(parser->line) - 1) {
				parser->overlong = true;
				parser->len = 0;
				rejected++;
				continue;
			}
			parser->line[parser->len++] = c;
			continue;
		}
		if (parser->overlong) {
			parser->overlong = false;
			continue;
		}
		struct tinct_control_msg msg;
		if (control_parse_line(parser->line, parser->len, &msg)) {
			handle(data, &msg);
		} else {
			rejected++;
		}
		parser->len = 0;
	}
	return rejected;
}

struct tinct_control {
	struct wl_event_loop *loop;
	char *path;
	char *vm_name;
	tinct_control_msg_func handle;
	void *data;
	int listen_fd;
	struct wl_event_source *listen_source;
	int fd; // the connection, -1 when none
	struct wl_event_source *source;
	struct tinct_control_parser parser;
	bool warned; // about malformed lines, once per connection
};

static void connection_close(struct tinct_control *control)
{
	if (control->fd < 0) {
		return;
	}
	wl_event_source_remove(control->source);
	control->source = NULL;
	close(control->fd);
	control->fd = -1;
}

static int handle_readable(int fd, uint32_t mask, void *data)
{
	struct tinct_control *control = data;
	for (int i = 0; i < MAX_READS_PER_DISPATCH; i++) {
		char untrusted[1024];
		ssize_t n = recv(fd, untrusted, sizeof(untrusted), MSG_DONTWAIT);
		if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
			return 0;
		}
		if (n <= 0) {
			wlr_log(WLR_DEBUG, "VM %s: control channel closed", control->vm_name);
			connection_close(control);
			return 0;
		}
		size_t rejected = control_parser_feed(
			&control->parser, untrusted, (size_t)n, control->handle, control->data);
		if (rejected > 0 && !control->warned) {
			control->warned = true;
			wlr_log(WLR_INFO, "VM %s: ignoring malformed control messages",
				control->vm_name);
		}
		if (control->fd != fd) {
			return 0; // the handler closed or replaced it
		}
	}
	return 0;
}

static int handle_accept(int fd, uint32_t mask, void *data)
{
	struct tinct_control *control = data;
	int conn = accept4(fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
	if (conn < 0) {
		return 0;
	}
	connection_close(control);
	control->source = wl_event_loop_add_fd(
		control->loop, conn, WL_EVENT_READABLE, handle_readable, control);
	if (control->source == NULL) {
		close(conn);
		return 0;
	}
	control->fd = conn;
	control->parser = (struct tinct_control_parser){0};
	control->warned = false;
	wlr_log(WLR_DEBUG, "VM %s: control channel connected", control->vm_name);
	return 0;
}

struct tinct_control *control_create(struct wl_event_loop *loop, const char *path,
	const char *vm_name, tinct_control_msg_func handle, void *data)
{
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	if (strlen(path) >= sizeof(addr.sun_path)) {
		wlr_log(WLR_ERROR, "Socket path too long: %s", path);
		return NULL;
	}
	strcpy(addr.sun_path, path);
	struct tinct_control *control = calloc(1, sizeof(*control));
	if (control == NULL) {
		return NULL;
	}
	control->loop = loop;
	control->handle = handle;
	control->data = data;
	control->fd = -1;
	control->listen_fd = -1;
	control->path = strdup(path);
	control->vm_name = strdup(vm_name);
	control->listen_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (control->path == NULL || control->vm_name == NULL || control->listen_fd < 0) {
		goto fail;
	}
	unlink(path);
	if (bind(control->listen_fd, (struct sockaddr *)&addr, sizeof(addr)) < 0 ||
		chmod(path, 0600) < 0 || listen(control->listen_fd, 2) < 0) {
		wlr_log_errno(WLR_ERROR, "Cannot listen on %s", path);
		goto fail;
	}
	control->listen_source = wl_event_loop_add_fd(
		loop, control->listen_fd, WL_EVENT_READABLE, handle_accept, control);
	if (control->listen_source == NULL) {
		goto fail;
	}
	return control;

fail:
	wlr_log(WLR_ERROR, "VM %s: cannot create the control channel", vm_name);
	control_destroy(control);
	return NULL;
}

void control_destroy(struct tinct_control *control)
{
	if (control == NULL) {
		return;
	}
	connection_close(control);
	if (control->listen_source != NULL) {
		wl_event_source_remove(control->listen_source);
	}
	if (control->listen_fd >= 0) {
		close(control->listen_fd);
		unlink(control->path);
	}
	free(control->path);
	free(control->vm_name);
	free(control);
}

bool control_connected(struct tinct_control *control)
{
	return control != NULL && control->fd >= 0;
}

bool control_send_run(struct tinct_control *control, unsigned app)
{
	if (!control_connected(control) || app > TINCT_CONTROL_MAX_APP) {
		return false;
	}
	char line[32];
	int n = snprintf(line, sizeof(line), "run %u\n", app);
	// A short line on a fresh stream: it fits, or the guest is stuck.
	return send(control->fd, line, (size_t)n, MSG_NOSIGNAL | MSG_DONTWAIT) == n;
}
