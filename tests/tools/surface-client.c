/*
 * A hostile client for frame tests: one toplevel whose surface tree it
 * reshapes on command, to try to draw outside the frame tinct puts around
 * it or over its title bar. It maps a toplevel, prints "mapped", then reads
 * one command a line on stdin and prints "ok N" once tinct has seen it
 * (after a roundtrip). Surfaces are numbered: 0 is the toplevel's.
 *
 *   surface-client [--size WxH] [--colour RRGGBB] [--title T]
 *
 *   sub ID PARENT X Y W H RRGGBB   subsurface ID of PARENT at (X, Y) with a
 *                                  W x H buffer; commits it and its ancestors
 *   desync ID                      makes subsurface ID desynchronised
 *   place ID above|below           above or below its parent; commits ancestors
 *   pos ID X Y                     moves subsurface ID; commits ancestors
 *   buf ID W H RRGGBB [SCALE]      a new W x H buffer (buffer scale SCALE) for
 *                                  ID, committing ID alone
 *   viewport ID W H                wp_viewport destination (-1 -1: unset),
 *                                  committing ID alone
 *   geometry X Y W H               the toplevel's window geometry
 *   commit ID                      commits ID, then each of its ancestors
 *   popup ID PARENT X Y W H RRGGBB [ADJ]
 *                                  popup ID of PARENT (0 or a popup) anchored
 *                                  at (X, Y) of the parent's geometry, W x H,
 *                                  constraint adjustment ADJ (default none);
 *                                  waits until it is configured and drawn
 */
#include <getopt.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <wayland-client.h>

#include "viewporter-client-protocol.h"
#include "xdg-shell-client-protocol.h"

#define MAX_SURFACES 64

struct surface {
	struct wl_surface *wl;
	struct wl_subsurface *sub;
	struct wp_viewport *viewport;
	struct xdg_surface *xdg;
	struct xdg_popup *popup;
	int parent; // -1 for the toplevel
	bool configured;
	/* What a popup draws once configured. */
	int width, height;
	uint32_t colour;
};

struct client {
	struct wl_display *display;
	struct wl_compositor *compositor;
	struct wl_subcompositor *subcompositor;
	struct wl_shm *shm;
	struct xdg_wm_base *wm_base;
	struct wp_viewporter *viewporter;
	struct xdg_toplevel *toplevel;
	struct surface surfaces[MAX_SURFACES];
	bool running;
};

static void registry_global(void *data, struct wl_registry *registry, uint32_t name,
	const char *interface, uint32_t version)
{
	struct client *c = data;
	if (strcmp(interface, wl_compositor_interface.name) == 0) {
		c->compositor = wl_registry_bind(registry, name, &wl_compositor_interface, 4);
	} else if (strcmp(interface, wl_subcompositor_interface.name) == 0) {
		c->subcompositor = wl_registry_bind(registry, name, &wl_subcompositor_interface, 1);
	} else if (strcmp(interface, wl_shm_interface.name) == 0) {
		c->shm = wl_registry_bind(registry, name, &wl_shm_interface, 1);
	} else if (strcmp(interface, xdg_wm_base_interface.name) == 0) {
		c->wm_base = wl_registry_bind(registry, name, &xdg_wm_base_interface, 1);
	} else if (strcmp(interface, wp_viewporter_interface.name) == 0) {
		c->viewporter = wl_registry_bind(registry, name, &wp_viewporter_interface, 1);
	}
}

static void registry_global_remove(void *data, struct wl_registry *registry, uint32_t name)
{
}

static const struct wl_registry_listener registry_listener = {
	.global = registry_global,
	.global_remove = registry_global_remove,
};

static void buffer_release(void *data, struct wl_buffer *buffer)
{
	wl_buffer_destroy(buffer);
}

static const struct wl_buffer_listener buffer_listener = {.release = buffer_release};

/* Attaches a width x height buffer of colour to surface (no commit). */
static void attach(struct client *c, struct wl_surface *surface, int width, int height,
	uint32_t colour, int scale)
{
	int stride = width * 4;
	size_t size = (size_t)stride * (size_t)height;
	int fd = memfd_create("surface-client", MFD_CLOEXEC);
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
	struct wl_shm_pool *pool = wl_shm_create_pool(c->shm, fd, (int32_t)size);
	struct wl_buffer *buffer =
		wl_shm_pool_create_buffer(pool, 0, width, height, stride, WL_SHM_FORMAT_XRGB8888);
	wl_shm_pool_destroy(pool);
	close(fd);
	wl_buffer_add_listener(buffer, &buffer_listener, NULL);
	wl_surface_set_buffer_scale(surface, scale);
	wl_surface_attach(surface, buffer, 0, 0);
	wl_surface_damage_buffer(surface, 0, 0, width, height);
}

/* Commits id, then every ancestor up to the toplevel. */
static void commit_up(struct client *c, int id)
{
	while (id >= 0) {
		wl_surface_commit(c->surfaces[id].wl);
		id = c->surfaces[id].parent;
	}
}

static void wm_base_ping(void *data, struct xdg_wm_base *wm_base, uint32_t serial)
{
	xdg_wm_base_pong(wm_base, serial);
}

static const struct xdg_wm_base_listener wm_base_listener = {.ping = wm_base_ping};

static void xdg_surface_configure(void *data, struct xdg_surface *xdg_surface, uint32_t serial)
{
	struct surface *s = data;
	/* Acks, and keeps drawing at its own size whatever tinct says. */
	xdg_surface_ack_configure(xdg_surface, serial);
	s->configured = true;
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
	struct client *c = data;
	c->running = false;
}

static const struct xdg_toplevel_listener toplevel_listener = {
	.configure = toplevel_configure,
	.close = toplevel_close,
};

static void popup_configure(
	void *data, struct xdg_popup *popup, int32_t x, int32_t y, int32_t width, int32_t height)
{
	printf("popup configured %d,%d %dx%d\n", x, y, width, height);
	fflush(stdout);
}

static void popup_done(void *data, struct xdg_popup *popup)
{
}

static const struct xdg_popup_listener popup_listener = {
	.configure = popup_configure,
	.popup_done = popup_done,
};

static bool valid_id(int id)
{
	return id >= 0 && id < MAX_SURFACES;
}

/* Dispatches until surface s is configured (bounded by the server). */
static void wait_configured(struct client *c, struct surface *s)
{
	while (!s->configured && c->running) {
		if (wl_display_dispatch(c->display) == -1) {
			exit(1);
		}
	}
}

static bool run_command(struct client *c, char *line)
{
	char cmd[16], hex[16], where[8];
	int id, parent, x, y, w, h, scale = 1, adj = 0;
	if (sscanf(line, "%15s", cmd) != 1) {
		return false;
	}
	if (strcmp(cmd, "sub") == 0 && sscanf(line, "sub %d %d %d %d %d %d %15s", &id, &parent, &x,
					       &y, &w, &h, hex) == 7) {
		if (!valid_id(id) || id == 0 || !valid_id(parent) ||
			c->surfaces[parent].wl == NULL || c->surfaces[id].wl != NULL) {
			return false;
		}
		struct surface *s = &c->surfaces[id];
		s->wl = wl_compositor_create_surface(c->compositor);
		s->sub = wl_subcompositor_get_subsurface(
			c->subcompositor, s->wl, c->surfaces[parent].wl);
		s->parent = parent;
		wl_subsurface_set_position(s->sub, x, y);
		attach(c, s->wl, w, h, (uint32_t)strtoul(hex, NULL, 16), 1);
		commit_up(c, id);
	} else if (strcmp(cmd, "desync") == 0 && sscanf(line, "desync %d", &id) == 1) {
		if (!valid_id(id) || c->surfaces[id].sub == NULL) {
			return false;
		}
		wl_subsurface_set_desync(c->surfaces[id].sub);
	} else if (strcmp(cmd, "place") == 0 && sscanf(line, "place %d %7s", &id, where) == 2) {
		if (!valid_id(id) || c->surfaces[id].sub == NULL) {
			return false;
		}
		struct surface *s = &c->surfaces[id];
		if (strcmp(where, "below") == 0) {
			wl_subsurface_place_below(s->sub, c->surfaces[s->parent].wl);
		} else {
			wl_subsurface_place_above(s->sub, c->surfaces[s->parent].wl);
		}
		commit_up(c, s->parent);
	} else if (strcmp(cmd, "pos") == 0 && sscanf(line, "pos %d %d %d", &id, &x, &y) == 3) {
		if (!valid_id(id) || c->surfaces[id].sub == NULL) {
			return false;
		}
		struct surface *s = &c->surfaces[id];
		wl_subsurface_set_position(s->sub, x, y);
		commit_up(c, s->parent);
	} else if (strcmp(cmd, "buf") == 0 &&
		   sscanf(line, "buf %d %d %d %15s %d", &id, &w, &h, hex, &scale) >= 4) {
		if (!valid_id(id) || c->surfaces[id].wl == NULL) {
			return false;
		}
		attach(c, c->surfaces[id].wl, w, h, (uint32_t)strtoul(hex, NULL, 16), scale);
		wl_surface_commit(c->surfaces[id].wl);
	} else if (strcmp(cmd, "viewport") == 0 &&
		   sscanf(line, "viewport %d %d %d", &id, &w, &h) == 3) {
		if (!valid_id(id) || c->surfaces[id].wl == NULL || c->viewporter == NULL) {
			return false;
		}
		struct surface *s = &c->surfaces[id];
		if (s->viewport == NULL) {
			s->viewport = wp_viewporter_get_viewport(c->viewporter, s->wl);
		}
		wp_viewport_set_destination(s->viewport, w, h);
		wl_surface_commit(s->wl);
	} else if (strcmp(cmd, "geometry") == 0 &&
		   sscanf(line, "geometry %d %d %d %d", &x, &y, &w, &h) == 4) {
		xdg_surface_set_window_geometry(c->surfaces[0].xdg, x, y, w, h);
		wl_surface_commit(c->surfaces[0].wl);
	} else if (strcmp(cmd, "commit") == 0 && sscanf(line, "commit %d", &id) == 1) {
		if (!valid_id(id) || c->surfaces[id].wl == NULL) {
			return false;
		}
		commit_up(c, id);
	} else if (strcmp(cmd, "popup") == 0 && sscanf(line, "popup %d %d %d %d %d %d %15s %d", &id,
							&parent, &x, &y, &w, &h, hex, &adj) >= 7) {
		if (!valid_id(id) || id == 0 || c->surfaces[id].wl != NULL || !valid_id(parent) ||
			c->surfaces[parent].xdg == NULL) {
			return false;
		}
		struct surface *s = &c->surfaces[id];
		struct xdg_positioner *positioner = xdg_wm_base_create_positioner(c->wm_base);
		xdg_positioner_set_size(positioner, w, h);
		xdg_positioner_set_anchor_rect(positioner, x, y, 1, 1);
		xdg_positioner_set_anchor(positioner, XDG_POSITIONER_ANCHOR_TOP_LEFT);
		xdg_positioner_set_gravity(positioner, XDG_POSITIONER_GRAVITY_BOTTOM_RIGHT);
		xdg_positioner_set_constraint_adjustment(positioner, (uint32_t)adj);
		s->wl = wl_compositor_create_surface(c->compositor);
		s->xdg = xdg_wm_base_get_xdg_surface(c->wm_base, s->wl);
		xdg_surface_add_listener(s->xdg, &xdg_surface_listener, s);
		s->popup = xdg_surface_get_popup(s->xdg, c->surfaces[parent].xdg, positioner);
		xdg_popup_add_listener(s->popup, &popup_listener, c);
		xdg_positioner_destroy(positioner);
		/* Popups are not subsurfaces: committing one commits nothing else. */
		s->parent = -1;
		wl_surface_commit(s->wl);
		wait_configured(c, s);
		attach(c, s->wl, w, h, (uint32_t)strtoul(hex, NULL, 16), 1);
		wl_surface_commit(s->wl);
	} else {
		return false;
	}
	return true;
}

static void usage(void)
{
	fprintf(stderr, "usage: surface-client [--size WxH] [--colour RRGGBB] [--title T]\n");
	exit(2);
}

int main(int argc, char *argv[])
{
	struct client c = {.running = true};
	int width = 300, height = 200;
	uint32_t colour = 0x2040c0;
	const char *title = "surface-client";
	static const struct option options[] = {
		{"size", required_argument, NULL, 's'},
		{"colour", required_argument, NULL, 'c'},
		{"title", required_argument, NULL, 't'},
		{0},
	};
	int opt;
	while ((opt = getopt_long(argc, argv, "", options, NULL)) != -1) {
		switch (opt) {
		case 's':
			if (sscanf(optarg, "%dx%d", &width, &height) != 2) {
				usage();
			}
			break;
		case 'c':
			colour = (uint32_t)strtoul(optarg, NULL, 16);
			break;
		case 't':
			title = optarg;
			break;
		default:
			usage();
		}
	}

	c.display = wl_display_connect(NULL);
	if (c.display == NULL) {
		fprintf(stderr, "cannot connect to the Wayland display\n");
		return 1;
	}
	struct wl_registry *registry = wl_display_get_registry(c.display);
	wl_registry_add_listener(registry, &registry_listener, &c);
	wl_display_roundtrip(c.display);
	if (c.compositor == NULL || c.subcompositor == NULL || c.shm == NULL || c.wm_base == NULL) {
		fprintf(stderr, "missing wl_compositor, wl_subcompositor, wl_shm or xdg_wm_base\n");
		return 1;
	}
	xdg_wm_base_add_listener(c.wm_base, &wm_base_listener, &c);

	struct surface *root = &c.surfaces[0];
	root->parent = -1;
	root->wl = wl_compositor_create_surface(c.compositor);
	root->xdg = xdg_wm_base_get_xdg_surface(c.wm_base, root->wl);
	xdg_surface_add_listener(root->xdg, &xdg_surface_listener, root);
	c.toplevel = xdg_surface_get_toplevel(root->xdg);
	xdg_toplevel_add_listener(c.toplevel, &toplevel_listener, &c);
	xdg_toplevel_set_title(c.toplevel, title);
	xdg_toplevel_set_app_id(c.toplevel, "surface-client");
	wl_surface_commit(root->wl);
	wait_configured(&c, root);
	attach(&c, root->wl, width, height, colour, 1);
	wl_surface_commit(root->wl);
	wl_display_roundtrip(c.display);
	printf("mapped\n");
	fflush(stdout);

	/* Unbuffered: poll() must see every line that is not yet read. */
	setvbuf(stdin, NULL, _IONBF, 0);
	struct pollfd fds[2] = {
		{.fd = wl_display_get_fd(c.display), .events = POLLIN},
		{.fd = STDIN_FILENO, .events = POLLIN},
	};
	char line[256];
	int done = 0;
	while (c.running) {
		wl_display_flush(c.display);
		if (poll(fds, 2, -1) < 0) {
			break;
		}
		if (fds[0].revents & POLLIN) {
			if (wl_display_dispatch(c.display) == -1) {
				break;
			}
		} else if (fds[0].revents & (POLLHUP | POLLERR)) {
			break;
		}
		if (fds[1].revents & (POLLIN | POLLHUP)) {
			if (fgets(line, sizeof(line), stdin) == NULL) {
				break;
			}
			if (!run_command(&c, line)) {
				fprintf(stderr, "bad command: %s", line);
				return 2;
			}
			if (wl_display_roundtrip(c.display) == -1) {
				break;
			}
			printf("ok %d\n", ++done);
			fflush(stdout);
		}
	}
	wl_display_disconnect(c.display);
	return 0;
}
