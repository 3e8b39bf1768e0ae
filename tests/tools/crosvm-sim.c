/*
 * Plays crosvm's virtio_wl device against a VM's display sockets, for tests
 * of the compositor side without crosvm or a guest.
 *
 * What crosvm does (devices/src/virtio/wl.rs; ../../../shared/virtio_wl.md
 * §4.2): for every guest VFD_NEW_CTX it connect()s a *new* AF_UNIX stream
 * socket to the `--wayland-sock` path (VFD_NEW_CTX_NAMED: the path given
 * with that name=), and from then on copies the guest's bytes to it
 * unchanged. Guest-allocated shared memory (VFD_NEW) is a host memfd
 * ("virtwl_alloc", size rounded up to pages) that the guest writes through
 * its mapping; a VFD_SEND naming it passes the memfd with SCM_RIGHTS along
 * with the guest's bytes. Here, each context is one connection, spoken with
 * libwayland-client over wl_display_connect_to_fd; the guest's buffer is
 * such a memfd, filled through a mapping, and handed over in
 * wl_shm.create_pool, which libwayland sends with SCM_RIGHTS just the same.
 *
 *   crosvm-sim [--memfd-server PATH] CONTEXT...
 *     CONTEXT: SOCKET:TITLE:RRGGBB  one guest context: a new connection to
 *              SOCKET with one 160x100 xdg toplevel of that colour and title
 *     --memfd-server PATH  take the buffers' memory from the VM's memfd
 *              server instead (what a guest compositor does through the
 *              named context "memfd")
 *
 * Prints "context I mapped TITLE" once each window is committed with its
 * buffer after the first configure, "context I closed" if the compositor
 * disconnects it; runs until SIGTERM. Exit status 3 when a connect fails
 * (crosvm answers such a VFD_NEW_CTX with RESP_ERR).
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include <wayland-client.h>

#include "xdg-shell-client-protocol.h"

#define WIDTH 160
#define HEIGHT 100
#define MAX_CONTEXTS 8

struct context {
	int index;
	char *socket;
	char *title;
	uint32_t colour;
	struct wl_display *display;
	struct wl_compositor *compositor;
	struct wl_shm *shm;
	struct xdg_wm_base *wm_base;
	struct wl_surface *surface;
	struct xdg_surface *xdg_surface;
	struct xdg_toplevel *toplevel;
	bool mapped;
	bool closed;
};

static const char *memfd_server;
static volatile sig_atomic_t stop;

// A new connection for one guest context, as crosvm's new_context makes.
static int connect_context(const char *path)
{
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	if (fd < 0 || strlen(path) >= sizeof(addr.sun_path)) {
		return -1;
	}
	strcpy(addr.sun_path, path);
	if (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
		int saved = errno;
		close(fd);
		errno = saved;
		return -1;
	}
	return fd;
}

// A memfd from the memfd server (wire format: virtio-wl/memfd_server.h).
static int memfd_from_server(size_t size)
{
	int fd = connect_context(memfd_server);
	if (fd < 0) {
		perror(memfd_server);
		return -1;
	}
	uint8_t req[80] = {1};
	for (int i = 0; i < 8; i++) {
		req[8 + i] = (uint8_t)((uint64_t)size >> (8 * i));
	}
	strcpy((char *)req + 16, "crosvm-sim");
	if (send(fd, req, sizeof(req), MSG_NOSIGNAL) != sizeof(req)) {
		close(fd);
		return -1;
	}
	uint8_t status = 0xff;
	struct iovec iov = {.iov_base = &status, .iov_len = 1};
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} control;
	struct msghdr msg = {.msg_iov = &iov,
		.msg_iovlen = 1,
		.msg_control = control.buf,
		.msg_controllen = sizeof(control.buf)};
	int memfd = -1;
	if (recvmsg(fd, &msg, MSG_CMSG_CLOEXEC) == 1 && status == 0) {
		struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
		if (c != NULL && c->cmsg_type == SCM_RIGHTS) {
			memcpy(&memfd, CMSG_DATA(c), sizeof(int));
		}
	}
	close(fd);
	if (memfd < 0) {
		fprintf(stderr, "memfd server refused: status %u\n", status);
	}
	return memfd;
}

// Guest shared memory as crosvm's VFD_NEW allocates it.
static int guest_memory(size_t size)
{
	if (memfd_server != NULL) {
		return memfd_from_server(size);
	}
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	int fd = memfd_create("virtwl_alloc", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (fd >= 0 && ftruncate(fd, (off_t)((size + page - 1) / page * page)) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static void registry_global(void *data, struct wl_registry *registry, uint32_t name,
	const char *interface, uint32_t version)
{
	struct context *c = data;
	if (strcmp(interface, wl_compositor_interface.name) == 0) {
		c->compositor = wl_registry_bind(registry, name, &wl_compositor_interface, 4);
	} else if (strcmp(interface, wl_shm_interface.name) == 0) {
		c->shm = wl_registry_bind(registry, name, &wl_shm_interface, 1);
	} else if (strcmp(interface, xdg_wm_base_interface.name) == 0) {
		c->wm_base = wl_registry_bind(registry, name, &xdg_wm_base_interface, 1);
	}
}

static void registry_global_remove(void *data, struct wl_registry *registry, uint32_t name)
{
}

static const struct wl_registry_listener registry_listener = {
	.global = registry_global,
	.global_remove = registry_global_remove,
};

static void wm_base_ping(void *data, struct xdg_wm_base *wm_base, uint32_t serial)
{
	xdg_wm_base_pong(wm_base, serial);
}

static const struct xdg_wm_base_listener wm_base_listener = {.ping = wm_base_ping};

static void buffer_release(void *data, struct wl_buffer *buffer)
{
}

static const struct wl_buffer_listener buffer_listener = {.release = buffer_release};

static void draw(struct context *c)
{
	size_t stride = WIDTH * 4, size = stride * HEIGHT;
	int fd = guest_memory(size);
	if (fd < 0) {
		fprintf(stderr, "context %d: no memory for a buffer\n", c->index);
		exit(1);
	}
	uint32_t *pixels = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (pixels == MAP_FAILED) {
		perror("mmap");
		exit(1);
	}
	for (size_t i = 0; i < WIDTH * HEIGHT; i++) {
		pixels[i] = 0xff000000 | c->colour;
	}
	munmap(pixels, size);
	struct wl_shm_pool *pool = wl_shm_create_pool(c->shm, fd, (int32_t)size);
	struct wl_buffer *buffer = wl_shm_pool_create_buffer(
		pool, 0, WIDTH, HEIGHT, (int32_t)stride, WL_SHM_FORMAT_XRGB8888);
	wl_buffer_add_listener(buffer, &buffer_listener, c);
	wl_shm_pool_destroy(pool);
	// libwayland has sent fd with SCM_RIGHTS once flushed; ours can go.
	wl_display_flush(c->display);
	close(fd);
	wl_surface_attach(c->surface, buffer, 0, 0);
	wl_surface_damage(c->surface, 0, 0, WIDTH, HEIGHT);
	wl_surface_commit(c->surface);
}

static void xdg_surface_configure(void *data, struct xdg_surface *xdg_surface, uint32_t serial)
{
	struct context *c = data;
	xdg_surface_ack_configure(xdg_surface, serial);
	if (!c->mapped) {
		draw(c);
		c->mapped = true;
		wl_display_flush(c->display);
		printf("context %d mapped %s\n", c->index, c->title);
		fflush(stdout);
	} else {
		wl_surface_commit(c->surface);
	}
}

static const struct xdg_surface_listener xdg_surface_listener = {
	.configure = xdg_surface_configure,
};

static void toplevel_configure(void *data, struct xdg_toplevel *toplevel, int32_t width,
	int32_t height, struct wl_array *states)
{
}

static void toplevel_close(void *data, struct xdg_toplevel *toplevel)
{
}

static const struct xdg_toplevel_listener toplevel_listener = {
	.configure = toplevel_configure,
	.close = toplevel_close,
};

static bool context_open(struct context *c)
{
	int fd = connect_context(c->socket);
	if (fd < 0) {
		fprintf(stderr, "context %d: connect %s: %s\n", c->index, c->socket,
			strerror(errno));
		return false;
	}
	c->display = wl_display_connect_to_fd(fd);
	if (c->display == NULL) {
		fprintf(stderr, "context %d: wl_display_connect_to_fd failed\n", c->index);
		close(fd);
		return false;
	}
	struct wl_registry *registry = wl_display_get_registry(c->display);
	wl_registry_add_listener(registry, &registry_listener, c);
	if (wl_display_roundtrip(c->display) < 0 || c->compositor == NULL || c->shm == NULL ||
		c->wm_base == NULL) {
		fprintf(stderr, "context %d: missing globals\n", c->index);
		return false;
	}
	xdg_wm_base_add_listener(c->wm_base, &wm_base_listener, c);
	c->surface = wl_compositor_create_surface(c->compositor);
	c->xdg_surface = xdg_wm_base_get_xdg_surface(c->wm_base, c->surface);
	xdg_surface_add_listener(c->xdg_surface, &xdg_surface_listener, c);
	c->toplevel = xdg_surface_get_toplevel(c->xdg_surface);
	xdg_toplevel_add_listener(c->toplevel, &toplevel_listener, c);
	xdg_toplevel_set_title(c->toplevel, c->title);
	xdg_toplevel_set_app_id(c->toplevel, "crosvm-sim");
	wl_surface_commit(c->surface);
	wl_display_flush(c->display);
	return true;
}

static void handle_signal(int sig)
{
	stop = 1;
}

int main(int argc, char *argv[])
{
	struct context contexts[MAX_CONTEXTS] = {0};
	int n = 0;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--memfd-server") == 0 && i + 1 < argc) {
			memfd_server = argv[++i];
			continue;
		}
		char *spec = argv[i];
		char *colour = strrchr(spec, ':');
		char *title = colour != NULL ? memrchr(spec, ':', (size_t)(colour - spec)) : NULL;
		if (n == MAX_CONTEXTS || title == NULL) {
			fprintf(stderr, "usage: crosvm-sim [--memfd-server PATH] "
					"SOCKET:TITLE:RRGGBB...\n");
			return 2;
		}
		*colour++ = '\0';
		*title++ = '\0';
		contexts[n] = (struct context){
			.index = n + 1,
			.socket = spec,
			.title = title,
			.colour = (uint32_t)strtoul(colour, NULL, 16),
		};
		n++;
	}
	if (n == 0) {
		fprintf(stderr, "usage: crosvm-sim [--memfd-server PATH] SOCKET:TITLE:RRGGBB...\n");
		return 2;
	}
	signal(SIGTERM, handle_signal);
	signal(SIGINT, handle_signal);
	signal(SIGPIPE, SIG_IGN);
	for (int i = 0; i < n; i++) {
		if (!context_open(&contexts[i])) {
			return 3;
		}
	}

	int open_count = n;
	while (!stop && open_count > 0) {
		struct pollfd pfds[MAX_CONTEXTS];
		for (int i = 0; i < n; i++) {
			struct context *c = &contexts[i];
			pfds[i] = (struct pollfd){.fd = -1};
			if (c->closed) {
				continue;
			}
			wl_display_dispatch_pending(c->display);
			wl_display_flush(c->display);
			pfds[i] = (struct pollfd){
				.fd = wl_display_get_fd(c->display), .events = POLLIN};
		}
		if (poll(pfds, (nfds_t)n, 1000) < 0) {
			if (errno == EINTR) {
				continue;
			}
			break;
		}
		for (int i = 0; i < n; i++) {
			struct context *c = &contexts[i];
			if (c->closed || pfds[i].revents == 0) {
				continue;
			}
			if (wl_display_dispatch(c->display) < 0) {
				printf("context %d closed\n", c->index);
				fflush(stdout);
				c->closed = true;
				open_count--;
			}
		}
	}
	for (int i = 0; i < n; i++) {
		if (contexts[i].display != NULL) {
			wl_display_disconnect(contexts[i].display);
		}
	}
	return 0;
}
