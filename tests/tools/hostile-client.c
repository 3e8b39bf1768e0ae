/*
 * A hostile client for a VM's display socket: what a guest that wants to
 * crash or starve tinct would do. It connects to $WAYLAND_DISPLAY.
 *
 *   hostile-client shrink-pool [--keep-buffer] [--size WxH] [--colour RRGGBB]
 *       Maps a window from an unsealed memfd pool, waits until tinct drew it,
 *       then (unless --keep-buffer) destroys the wl_buffer and the pool,
 *       truncates the file to zero and asks for a redraw. Prints "shrunk",
 *       then "survived" once tinct has drawn again (a frame callback), and
 *       stays until killed.
 *
 *   hostile-client flood [--connections N] [--windows N] [--title-length N]
 *                        [--seconds S]
 *       Opens N connections (each roundtripped once: "accepted A refused R"),
 *       maps N windows, one per accepted connection, each with a title of the
 *       given length, then for S seconds commits every window as fast as it
 *       can with a frame callback each time ("flooded C commits"). At the
 *       end every accepted connection roundtrips again: "alive A idle I of J",
 *       where a window beyond the VM's limit has cost its connection and I
 *       of the J connections without a window still answer.
 *
 *   hostile-client connect [--connections N]
 *       Connects N plain sockets and prints "connected N" without waiting
 *       for tinct to accept them; on SIGUSR1 it speaks Wayland on each
 *       ("answered K of N": how many got through once tinct took them).
 *
 * Every wait is bounded (--timeout S, default 30): the process exits 2 then.
 */
#include <errno.h>
#include <getopt.h>
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
#include <time.h>
#include <unistd.h>
#include <wayland-client.h>

#include "xdg-shell-client-protocol.h"

struct conn {
	struct wl_display *display;
	struct wl_registry *registry;
	struct wl_compositor *compositor;
	struct wl_shm *shm;
	struct xdg_wm_base *wm_base;
	struct wl_surface *surface;
	struct xdg_surface *xdg_surface;
	struct xdg_toplevel *toplevel;
	struct wl_buffer *buffer;
	int width, height;
	bool configured, frame_done, dead;
};

static void registry_global(void *data, struct wl_registry *registry, uint32_t name,
	const char *interface, uint32_t version)
{
	struct conn *c = data;
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

static void xdg_surface_configure(void *data, struct xdg_surface *xdg_surface, uint32_t serial)
{
	struct conn *c = data;
	xdg_surface_ack_configure(xdg_surface, serial);
	c->configured = true;
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

static void frame_done(void *data, struct wl_callback *callback, uint32_t time)
{
	struct conn *c = data;
	c->frame_done = true;
	wl_callback_destroy(callback);
}

static const struct wl_callback_listener frame_listener = {.done = frame_done};

static void request_frame(struct conn *c)
{
	c->frame_done = false;
	struct wl_callback *callback = wl_surface_frame(c->surface);
	wl_callback_add_listener(callback, &frame_listener, c);
}

/* Dispatches until *flag is set; false when the connection died. */
static bool wait_for(struct conn *c, bool *flag)
{
	while (!*flag) {
		if (wl_display_dispatch(c->display) < 0) {
			return false;
		}
	}
	return true;
}

static bool conn_open(struct conn *c)
{
	c->display = wl_display_connect(NULL);
	if (c->display == NULL) {
		return false;
	}
	c->registry = wl_display_get_registry(c->display);
	wl_registry_add_listener(c->registry, &registry_listener, c);
	if (wl_display_roundtrip(c->display) < 0 || c->compositor == NULL || c->shm == NULL ||
		c->wm_base == NULL) {
		return false;
	}
	xdg_wm_base_add_listener(c->wm_base, &wm_base_listener, c);
	return true;
}

/* An unsealed memfd of width x height XRGB pixels of colour; fd returned. */
static int make_pool_file(int width, int height, uint32_t colour)
{
	size_t size = (size_t)width * 4 * (size_t)height;
	int fd = memfd_create("hostile-client", MFD_CLOEXEC);
	if (fd < 0 || ftruncate(fd, (off_t)size) < 0) {
		perror("memfd");
		exit(1);
	}
	uint32_t *pixels = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (pixels == MAP_FAILED) {
		perror("mmap");
		exit(1);
	}
	for (size_t i = 0; i < size / 4; i++) {
		pixels[i] = 0xff000000u | colour;
	}
	munmap(pixels, size);
	return fd;
}

static void map_window(struct conn *c, const char *title)
{
	c->surface = wl_compositor_create_surface(c->compositor);
	c->xdg_surface = xdg_wm_base_get_xdg_surface(c->wm_base, c->surface);
	xdg_surface_add_listener(c->xdg_surface, &xdg_surface_listener, c);
	c->toplevel = xdg_surface_get_toplevel(c->xdg_surface);
	xdg_toplevel_add_listener(c->toplevel, &toplevel_listener, c);
	xdg_toplevel_set_title(c->toplevel, title);
	xdg_toplevel_set_app_id(c->toplevel, "hostile-client");
	wl_surface_commit(c->surface);
}

static int shrink_pool(bool keep_buffer, int width, int height, uint32_t colour)
{
	struct conn c = {.width = width, .height = height};
	if (!conn_open(&c)) {
		fprintf(stderr, "cannot connect\n");
		return 1;
	}
	map_window(&c, "shrink");
	if (!wait_for(&c, &c.configured)) {
		return 1;
	}
	int fd = make_pool_file(width, height, colour);
	int32_t size = width * 4 * height;
	struct wl_shm_pool *pool = wl_shm_create_pool(c.shm, fd, size);
	c.buffer = wl_shm_pool_create_buffer(
		pool, 0, width, height, width * 4, WL_SHM_FORMAT_XRGB8888);
	wl_surface_attach(c.surface, c.buffer, 0, 0);
	wl_surface_damage(c.surface, 0, 0, width, height);
	request_frame(&c);
	wl_surface_commit(c.surface);
	if (!wait_for(&c, &c.frame_done)) {
		fprintf(stderr, "disconnected before the first frame\n");
		return 1;
	}
	printf("drawn\n");
	fflush(stdout);

	/* tinct holds on to the pool; take its memory away under it. */
	if (!keep_buffer) {
		wl_buffer_destroy(c.buffer);
		wl_shm_pool_destroy(pool);
	}
	if (wl_display_roundtrip(c.display) < 0 || ftruncate(fd, 0) < 0) {
		perror("truncate");
		return 1;
	}
	wl_surface_damage(c.surface, 0, 0, width, height);
	request_frame(&c);
	wl_surface_commit(c.surface);
	wl_display_flush(c.display);
	printf("shrunk\n");
	fflush(stdout);
	if (!wait_for(&c, &c.frame_done)) {
		fprintf(stderr, "disconnected after shrinking the pool\n");
		return 1;
	}
	printf("survived\n");
	fflush(stdout);
	/* Stay, so the window can be looked at. */
	alarm(0);
	while (wl_display_dispatch(c.display) >= 0) {
	}
	return 0;
}

/*
 * Sends what is queued, waiting (bounded by the alarm) while tinct's end of
 * the socket is full, and handles whatever events arrived meanwhile: a
 * flood that never reads would only get itself disconnected.
 */
static bool pump(struct conn *c)
{
	int fd = wl_display_get_fd(c->display);
	for (;;) {
		while (wl_display_prepare_read(c->display) != 0) {
			if (wl_display_dispatch_pending(c->display) < 0) {
				return false;
			}
		}
		struct pollfd pfd = {fd, POLLIN, 0};
		if (poll(&pfd, 1, 0) > 0) {
			if (wl_display_read_events(c->display) < 0) {
				return false;
			}
		} else {
			wl_display_cancel_read(c->display);
		}
		if (wl_display_dispatch_pending(c->display) < 0) {
			return false;
		}
		if (wl_display_flush(c->display) >= 0) {
			return true;
		}
		if (errno != EAGAIN) {
			return false;
		}
		pfd.events = POLLIN | POLLOUT;
		poll(&pfd, 1, 100);
	}
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int flood(int connections, int windows, int title_length, double seconds)
{
	struct conn *conns = calloc((size_t)connections, sizeof(*conns));
	int accepted = 0, refused = 0;
	for (int i = 0; i < connections; i++) {
		/* Refused connections are closed by tinct: the roundtrip fails. */
		if (conn_open(&conns[accepted])) {
			accepted++;
		} else {
			if (conns[accepted].display != NULL) {
				wl_display_disconnect(conns[accepted].display);
			}
			memset(&conns[accepted], 0, sizeof(conns[accepted]));
			refused++;
		}
	}
	printf("accepted %d refused %d\n", accepted, refused);
	fflush(stdout);

	char *title = malloc((size_t)title_length + 1);
	memset(title, 'T', (size_t)title_length);
	title[title_length] = '\0';
	int mapped = windows < accepted ? windows : accepted;
	int fd = make_pool_file(64, 64, 0x804020);
	for (int i = 0; i < mapped; i++) {
		struct conn *c = &conns[i];
		map_window(c, title);
		struct wl_shm_pool *pool = wl_shm_create_pool(c->shm, fd, 64 * 64 * 4);
		c->buffer = wl_shm_pool_create_buffer(pool, 0, 64, 64, 256, WL_SHM_FORMAT_XRGB8888);
		wl_shm_pool_destroy(pool);
		if (wl_display_roundtrip(c->display) < 0 || !wait_for(c, &c->configured)) {
			c->dead = true; // over the window limit: a protocol error
			continue;
		}
		c->frame_done = true;
		wl_surface_attach(c->surface, c->buffer, 0, 0);
		wl_surface_commit(c->surface);
		wl_display_flush(c->display);
	}
	close(fd);
	printf("mapped %d\n", mapped);
	fflush(stdout);

	/* Commits and frame callbacks, as fast as the sockets take them. */
	long commits = 0;
	double end = now() + seconds;
	while (now() < end) {
		for (int i = 0; i < mapped; i++) {
			struct conn *c = &conns[i];
			if (c->dead) {
				continue;
			}
			wl_surface_attach(c->surface, c->buffer, 0, 0);
			wl_surface_damage(c->surface, 0, 0, 64, 64);
			if (c->frame_done) {
				request_frame(c);
			}
			wl_surface_commit(c->surface);
			commits++;
			if (!pump(c)) {
				c->dead = true;
			}
		}
	}
	printf("flooded %ld commits\n", commits);
	fflush(stdout);

	int alive = 0, idle_alive = 0;
	for (int i = 0; i < accepted; i++) {
		if (!conns[i].dead && wl_display_roundtrip(conns[i].display) >= 0) {
			alive++;
			idle_alive += i >= mapped;
		}
	}
	printf("alive %d idle %d of %d\n", alive, idle_alive, accepted - mapped);
	fflush(stdout);
	for (int i = 0; i < accepted; i++) {
		wl_display_disconnect(conns[i].display);
	}
	free(title);
	free(conns);
	return 0;
}

static volatile sig_atomic_t go;

static void handle_usr1(int sig)
{
	go = 1;
}

static int connect_socket(void)
{
	const char *name = getenv("WAYLAND_DISPLAY");
	const char *dir = getenv("XDG_RUNTIME_DIR");
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	if (name == NULL) {
		return -1;
	}
	if (name[0] == '/') {
		snprintf(addr.sun_path, sizeof(addr.sun_path), "%s", name);
	} else {
		snprintf(addr.sun_path, sizeof(addr.sun_path), "%s/%s", dir ? dir : "", name);
	}
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
		perror("connect");
		if (fd >= 0) {
			close(fd);
		}
		return -1;
	}
	return fd;
}

static int connect_only(int connections)
{
	int *fds = calloc((size_t)connections, sizeof(*fds));
	int n = 0;
	for (int i = 0; i < connections; i++) {
		int fd = connect_socket();
		if (fd >= 0) {
			fds[n++] = fd;
		}
	}
	printf("connected %d\n", n);
	fflush(stdout);
	while (!go) {
		pause();
	}
	int answered = 0;
	for (int i = 0; i < n; i++) {
		struct wl_display *display = wl_display_connect_to_fd(fds[i]);
		if (display != NULL && wl_display_roundtrip(display) >= 0) {
			answered++;
		}
		if (display != NULL) {
			wl_display_disconnect(display);
		}
	}
	printf("answered %d of %d\n", answered, n);
	fflush(stdout);
	free(fds);
	return 0;
}

static void handle_alarm(int sig)
{
	static const char message[] = "hostile-client: timed out\n";
	(void)!write(STDERR_FILENO, message, sizeof(message) - 1);
	_exit(2);
}

int main(int argc, char *argv[])
{
	if (argc < 2) {
		fprintf(stderr, "usage: hostile-client shrink-pool|flood [options]\n");
		return 1;
	}
	const char *mode = argv[1];
	static const struct option options[] = {
		{"keep-buffer", no_argument, NULL, 'k'},
		{"size", required_argument, NULL, 's'},
		{"colour", required_argument, NULL, 'c'},
		{"connections", required_argument, NULL, 'n'},
		{"windows", required_argument, NULL, 'w'},
		{"title-length", required_argument, NULL, 't'},
		{"seconds", required_argument, NULL, 'S'},
		{"timeout", required_argument, NULL, 'T'},
		{0},
	};
	bool keep_buffer = false;
	int width = 200, height = 120, connections = 100, windows = 0, title_length = 1000;
	int timeout = 30;
	uint32_t colour = 0x102030;
	double seconds = 3;
	int opt;
	optind = 2;
	while ((opt = getopt_long(argc, argv, "", options, NULL)) != -1) {
		switch (opt) {
		case 'k':
			keep_buffer = true;
			break;
		case 's':
			if (sscanf(optarg, "%dx%d", &width, &height) != 2) {
				return 1;
			}
			break;
		case 'c':
			colour = (uint32_t)strtoul(optarg, NULL, 16);
			break;
		case 'n':
			connections = atoi(optarg);
			break;
		case 'w':
			windows = atoi(optarg);
			break;
		case 't':
			title_length = atoi(optarg);
			break;
		case 'S':
			seconds = atof(optarg);
			break;
		case 'T':
			timeout = atoi(optarg);
			break;
		default:
			return 1;
		}
	}
	signal(SIGALRM, handle_alarm);
	signal(SIGPIPE, SIG_IGN);
	signal(SIGUSR1, handle_usr1);
	alarm((unsigned)timeout);
	if (strcmp(mode, "shrink-pool") == 0) {
		return shrink_pool(keep_buffer, width, height, colour);
	} else if (strcmp(mode, "flood") == 0) {
		return flood(connections, windows, title_length, seconds);
	} else if (strcmp(mode, "connect") == 0) {
		return connect_only(connections);
	}
	fprintf(stderr, "unknown mode %s\n", mode);
	return 1;
}
