/*
 * Per-VM listening sockets. The accept handler creates the wl_client and tags
 * it in the same dispatch, so the client's first request is already handled
 * as the VM's. Socket files are created inside the VM's 0700 runtime
 * directory; a stale file left by a crash is replaced.
 */
#include "vm_display.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>
#include <wlr/util/log.h>

#include "client_tag.h"

struct vm_socket {
	struct tinct_vm_display *vm_display;
	char *name; // "wayland" or "wayland-NAME"
	char *path;
	int fd;
	struct wl_event_source *source;
	struct wl_list link; // tinct_vm_display.sockets
};

static int handle_connection(int fd, uint32_t mask, void *data)
{
	struct vm_socket *sock = data;
	int client_fd = accept4(fd, NULL, NULL, SOCK_CLOEXEC);
	if (client_fd < 0) {
		if (errno != EAGAIN && errno != EINTR) {
			wlr_log_errno(WLR_ERROR, "accept on %s", sock->path);
		}
		return 0;
	}
	struct tinct_vm_display *vm_display = sock->vm_display;
	struct wl_client *client = client_tagger_create_vm_client(
		vm_display->tagger, vm_display->display, client_fd, vm_display->owner);
	if (client == NULL) {
		return 0;
	}
	wlr_log(WLR_DEBUG, "VM client connected on %s", sock->path);
	return 0;
}

static void socket_destroy(struct vm_socket *sock)
{
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
	if (sock->source == NULL) {
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

void vm_display_destroy(struct tinct_vm_display *vm_display)
{
	if (vm_display == NULL) {
		return;
	}
	disconnect_clients(vm_display->display, vm_display->owner);
	struct vm_socket *sock, *tmp;
	wl_list_for_each_safe (sock, tmp, &vm_display->sockets, link) {
		socket_destroy(sock);
	}
	free(vm_display);
}
