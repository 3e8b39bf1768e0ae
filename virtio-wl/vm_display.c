/*
 * Per-VM listening sockets. The accept handler creates the wl_client and tags
 * it in the same dispatch, so the client's first request is already handled
 * as the VM's. Socket files are created inside the VM's 0700 runtime
 * directory; a stale file left by a crash is replaced. Connection limits and
 * the back-off on descriptor exhaustion are described in vm_display.h.
 */
#include "virtio-wl/vm_display.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>
#include <wlr/util/log.h>

#include "virtio-wl/client_tag.h"

struct vm_socket {
	struct tinct_vm_display *vm_display;
	char *name; // "wayland" or "wayland-NAME"
	char *path;
	int fd;
	struct wl_event_source *source;
	struct wl_event_source *retry; // re-enables source after a back-off
	int backoff_ms; // 0: not backing off
	/* Rate limit for the log: when it last spoke, and what it held back. */
	int64_t logged_ms;
	unsigned long held_back;
	struct wl_list link; // tinct_vm_display.sockets
};

/* One live client of the VM, counted until libwayland destroys it. */
struct vm_connection {
	struct tinct_vm_display *vm_display;
	struct wl_listener client_destroy;
	struct wl_list link; // tinct_vm_display.connections
};

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Whether to log now: at most once per VM_DISPLAY_LOG_INTERVAL_MS. */
static bool log_allowed(struct vm_socket *sock)
{
	int64_t now = now_ms();
	if (sock->logged_ms != 0 && now - sock->logged_ms < VM_DISPLAY_LOG_INTERVAL_MS) {
		sock->held_back++;
		return false;
	}
	sock->logged_ms = now;
	return true;
}

static void connection_destroy(struct vm_connection *conn)
{
	conn->vm_display->connection_count--;
	wl_list_remove(&conn->client_destroy.link);
	wl_list_remove(&conn->link);
	free(conn);
}

static void handle_client_destroy(struct wl_listener *listener, void *data)
{
	struct vm_connection *conn = wl_container_of(listener, conn, client_destroy);
	connection_destroy(conn);
}

static int handle_retry(void *data)
{
	struct vm_socket *sock = data;
	wl_event_source_fd_update(sock->source, WL_EVENT_READABLE);
	return 0;
}

/*
 * Out of descriptors: the pending connection stays readable, so waiting for
 * readability again would spin. Stop watching the socket for a while,
 * longer each time it happens again in a row.
 */
static void back_off(struct vm_socket *sock, int error)
{
	sock->backoff_ms = sock->backoff_ms == 0 ? VM_DISPLAY_BACKOFF_MIN_MS : sock->backoff_ms * 2;
	if (sock->backoff_ms > VM_DISPLAY_BACKOFF_MAX_MS) {
		sock->backoff_ms = VM_DISPLAY_BACKOFF_MAX_MS;
	}
	if (log_allowed(sock)) {
		wlr_log(WLR_ERROR, "accept on %s: %s; not accepting for %d ms (%lu more held back)",
			sock->path, strerror(error), sock->backoff_ms, sock->held_back);
		sock->held_back = 0;
	}
	wl_event_source_fd_update(sock->source, 0);
	wl_event_source_timer_update(sock->retry, sock->backoff_ms);
}

static int handle_connection(int fd, uint32_t mask, void *data)
{
	struct vm_socket *sock = data;
	struct tinct_vm_display *vm_display = sock->vm_display;
	int client_fd = accept4(fd, NULL, NULL, SOCK_CLOEXEC);
	if (client_fd < 0) {
		int error = errno;
		if (error == EMFILE || error == ENFILE || error == ENOBUFS || error == ENOMEM) {
			back_off(sock, error);
		} else if (error != EAGAIN && error != EINTR && error != ECONNABORTED &&
			   log_allowed(sock)) {
			wlr_log(WLR_ERROR, "accept on %s: %s", sock->path, strerror(error));
		}
		return 0;
	}
	sock->backoff_ms = 0;
	if (vm_display->may_connect != NULL && !vm_display->may_connect(vm_display->owner)) {
		close(client_fd);
		if (log_allowed(sock)) {
			wlr_log(WLR_ERROR, "connection on %s refused (%lu more held back)",
				sock->path, sock->held_back);
			sock->held_back = 0;
		}
		return 0;
	}
	struct vm_connection *conn = calloc(1, sizeof(*conn));
	if (conn == NULL) {
		close(client_fd);
		return 0;
	}
	struct wl_client *client = client_tagger_create_vm_client(
		vm_display->tagger, vm_display->display, client_fd, vm_display->owner);
	if (client == NULL) {
		free(conn);
		return 0;
	}
	conn->vm_display = vm_display;
	conn->client_destroy.notify = handle_client_destroy;
	wl_client_add_destroy_listener(client, &conn->client_destroy);
	wl_list_insert(&vm_display->connections, &conn->link);
	vm_display->connection_count++;
	wlr_log(WLR_DEBUG, "VM client connected on %s", sock->path);
	return 0;
}

static void socket_destroy(struct vm_socket *sock)
{
	if (sock->retry != NULL) {
		wl_event_source_remove(sock->retry);
	}
	if (sock->source != NULL) {
		wl_event_source_remove(sock->source);
	}
	if (sock->fd >= 0) {
		close(sock->fd);
		unlink(sock->path);
	}
	wl_list_remove(&sock->link);
	free(sock->name);
	free(sock->path);
	free(sock);
}

static bool socket_create(struct tinct_vm_display *vm_display, const char *dir, const char *name)
{
	struct vm_socket *sock = calloc(1, sizeof(*sock));
	if (sock == NULL) {
		return false;
	}
	sock->vm_display = vm_display;
	sock->fd = -1;
	wl_list_insert(vm_display->sockets.prev, &sock->link);
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	sock->name = strdup(name);
	if (sock->name == NULL || asprintf(&sock->path, "%s/%s", dir, name) < 0) {
		sock->path = NULL;
		goto error;
	}
	if (strlen(sock->path) >= sizeof(addr.sun_path)) {
		wlr_log(WLR_ERROR, "socket path too long: %s", sock->path);
		goto error;
	}
	strcpy(addr.sun_path, sock->path);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0) {
		wlr_log_errno(WLR_ERROR, "socket for %s", sock->path);
		goto error;
	}
	unlink(sock->path);
	if (bind(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0 || listen(fd, 128) < 0) {
		wlr_log_errno(WLR_ERROR, "cannot listen on %s", sock->path);
		close(fd);
		goto error;
	}
	sock->fd = fd;
	chmod(sock->path, 0600);
	struct wl_event_loop *loop = wl_display_get_event_loop(vm_display->display);
	sock->source = wl_event_loop_add_fd(loop, fd, WL_EVENT_READABLE, handle_connection, sock);
	sock->retry = wl_event_loop_add_timer(loop, handle_retry, sock);
	if (sock->source == NULL || sock->retry == NULL) {
		goto error;
	}
	return true;

error:
	socket_destroy(sock);
	return false;
}

struct tinct_vm_display *vm_display_create(struct wl_display *display,
	struct tinct_client_tagger *tagger, void *owner, const char *dir, const char *const *names,
	size_t count)
{
	struct tinct_vm_display *vm_display = calloc(1, sizeof(*vm_display));
	if (vm_display == NULL) {
		return NULL;
	}
	vm_display->display = display;
	vm_display->tagger = tagger;
	vm_display->owner = owner;
	wl_list_init(&vm_display->sockets);
	wl_list_init(&vm_display->connections);
	if (!socket_create(vm_display, dir, "wayland")) {
		goto error;
	}
	for (size_t i = 0; i < count; i++) {
		char name[128];
		snprintf(name, sizeof(name), "wayland-%s", names[i]);
		if (!socket_create(vm_display, dir, name)) {
			goto error;
		}
	}
	struct vm_socket *main_socket =
		wl_container_of(vm_display->sockets.next, main_socket, link);
	vm_display->path = main_socket->path;
	return vm_display;

error:
	vm_display_destroy(vm_display);
	return NULL;
}

static void disconnect_clients(struct wl_display *display, void *owner)
{
	/* Destroying a client unlinks it, so restart from the head each time. */
	struct wl_list *clients = wl_display_get_client_list(display);
	bool found = true;
	while (found) {
		found = false;
		struct wl_list *link;
		for (link = clients->next; link != clients; link = link->next) {
			struct wl_client *client = wl_client_from_link(link);
			if (client_tag_owner(client) == owner) {
				wl_client_destroy(client);
				found = true;
				break;
			}
		}
	}
}

size_t vm_display_connections(const struct tinct_vm_display *vm_display)
{
	return vm_display->connection_count;
}

void vm_display_destroy(struct tinct_vm_display *vm_display)
{
	if (vm_display == NULL) {
		return;
	}
	disconnect_clients(vm_display->display, vm_display->owner);
	/* Clients already on their way out (untagged) are counted no more. */
	struct vm_connection *conn, *conn_tmp;
	wl_list_for_each_safe (conn, conn_tmp, &vm_display->connections, link) {
		connection_destroy(conn);
	}
	struct vm_socket *sock, *tmp;
	wl_list_for_each_safe (sock, tmp, &vm_display->sockets, link) {
		socket_destroy(sock);
	}
	free(vm_display);
}
