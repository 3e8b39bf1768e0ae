/*
 * A client that paints known pixels, for the render tests and the benchmark:
 * a toplevel of one colour, opaque or translucent, with an optional opaque
 * region, subsurfaces and a popup, optionally repainting every frame.
 *
 *   paint-client [--size WxH] [--colour C] [--title T] [--app-id A]
 *                [--opaque X,Y,WxH]      (wl_surface.set_opaque_region)
 *                [--subsurface X,Y,WxH:C] (up to 4, in order, each above the last)
 *                [--popup X,Y,WxH:C]     (anchored at X,Y of the window)
 *                [--animate C2]          (repaints every frame, alternating
 *                                          C and C2, the whole surface damaged)
 *                [--grow-pool]           (once drawn, doubles its buffer's
 *                                          wl_shm pool, which moves the pixels
 *                                          in the compositor's memory, then
 *                                          damages the surface; prints
 *                                          "pool grown")
 *
 * A colour C is RRGGBB (an XRGB8888 buffer) or AARRGGBB (an ARGB8888 buffer;
 * the client premultiplies). It prints "configured WxH" when it draws a new
 * size, "popup WxH" when its popup is drawn, and runs until killed or closed.
 * Buffers are reused once released, so an animated client costs the
 * compositor no new shm pool per frame.
 */
#include <getopt.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <wayland-client.h>

#include "xdg-shell-client-protocol.h"

#define MAX_SUBSURFACES 4
#define MAX_BUFFERS 8

struct paint {
	uint32_t argb;
	bool alpha; // AARRGGBB given: an ARGB8888 buffer
};

struct buffer {
	struct wl_buffer *wl_buffer;
	struct wl_shm_pool *pool; // kept only for --grow-pool
	int fd; // the pool's, while kept
	size_t size;
	int width, height;
	struct paint paint;
	bool busy;
};

struct rect {
	int x, y, width, height;
};

struct part {
	struct rect rect;
	struct paint paint;
	struct wl_surface *surface;
	struct wl_subsurface *subsurface;
};

struct client {
	struct wl_display *display;
	struct wl_compositor *compositor;
	struct wl_subcompositor *subcompositor;
	struct wl_shm *shm;
	struct xdg_wm_base *wm_base;
	struct wl_surface *surface;
	struct xdg_surface *xdg_surface;
	struct xdg_toplevel *toplevel;
	struct buffer buffers[MAX_BUFFERS];

	int width, height, pending_width, pending_height;
	struct paint paint, paint2;
	bool animate, phase, configured;
	struct wl_callback *frame;
	bool has_opaque;
	struct rect opaque;
	struct part subsurfaces[MAX_SUBSURFACES];
	size_t n_subsurfaces;
	bool has_popup;
	struct part popup;
	struct xdg_surface *popup_xdg_surface;
	struct xdg_popup *xdg_popup;
	bool grow_pool;
	struct buffer *shown; // the toplevel's last buffer
	bool running;
};

static void buffer_release(void *data, struct wl_buffer *wl_buffer)
{
	struct buffer *buffer = data;
	buffer->busy = false;
}

static const struct wl_buffer_listener buffer_listener = {.release = buffer_release};

static uint32_t premultiplied(struct paint paint)
{
	if (!paint.alpha) {
		return 0xff000000u | paint.argb;
	}
	uint32_t a = paint.argb >> 24, pixel = a << 24;
	for (int shift = 0; shift < 24; shift += 8) {
		uint32_t channel = (paint.argb >> shift) & 0xff;
		pixel |= ((channel * a + 127) / 255) << shift;
	}
	return pixel;
}

/* A free buffer of that size and paint, made if there is none yet. */
static struct buffer *get_buffer(struct client *c, int width, int height, struct paint paint)
{
	struct buffer *empty = NULL, *idle = NULL;
	for (size_t i = 0; i < MAX_BUFFERS; i++) {
		struct buffer *b = &c->buffers[i];
		if (b->wl_buffer == NULL) {
			empty = empty != NULL ? empty : b;
		} else if (!b->busy && b->width == width && b->height == height &&
			   b->paint.argb == paint.argb && b->paint.alpha == paint.alpha) {
			b->busy = true;
			return b;
		} else if (!b->busy) {
			idle = idle != NULL ? idle : b;
		}
	}
	/* A new buffer in an empty slot, else in place of an idle one. */
	struct buffer *spare = empty != NULL ? empty : idle;
	if (spare == NULL) {
		return NULL;
	}
	if (spare->wl_buffer != NULL) {
		wl_buffer_destroy(spare->wl_buffer);
	}
	if (spare->pool != NULL) {
		wl_shm_pool_destroy(spare->pool);
		close(spare->fd);
		spare->pool = NULL;
	}
	int stride = width * 4;
	size_t size = (size_t)stride * (size_t)height;
	int fd = memfd_create("paint-client", MFD_CLOEXEC);
	if (fd < 0 || ftruncate(fd, (off_t)size) < 0) {
		perror("memfd");
		exit(1);
	}
	uint32_t *pixels = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (pixels == MAP_FAILED) {
		perror("mmap");
		exit(1);
	}
	uint32_t pixel = premultiplied(paint);
	for (size_t i = 0; i < size / 4; i++) {
		pixels[i] = pixel;
	}
	munmap(pixels, size);
	struct wl_shm_pool *pool = wl_shm_create_pool(c->shm, fd, (int32_t)size);
	spare->wl_buffer = wl_shm_pool_create_buffer(pool, 0, width, height, stride,
		paint.alpha ? WL_SHM_FORMAT_ARGB8888 : WL_SHM_FORMAT_XRGB8888);
	if (c->grow_pool) {
		spare->pool = pool;
		spare->fd = fd;
		spare->size = size;
	} else {
		wl_shm_pool_destroy(pool);
		close(fd);
	}
	wl_buffer_add_listener(spare->wl_buffer, &buffer_listener, spare);
	spare->width = width;
	spare->height = height;
	spare->paint = paint;
	spare->busy = true;
	return spare;
}

static struct buffer *attach(
	struct client *c, struct wl_surface *surface, int width, int height, struct paint paint)
{
	struct buffer *buffer = get_buffer(c, width, height, paint);
	if (buffer == NULL) {
		return NULL; // all busy: keep the last frame
	}
	wl_surface_attach(surface, buffer->wl_buffer, 0, 0);
	wl_surface_damage(surface, 0, 0, width, height);
	return buffer;
}

/* The compositor remaps a grown pool: its pointer to the pixels changes. */
static void grow_pool(struct client *c)
{
	struct buffer *b = c->shown;
	if (b == NULL || b->pool == NULL || ftruncate(b->fd, (off_t)(2 * b->size)) < 0) {
		fprintf(stderr, "cannot grow the pool\n");
		exit(1);
	}
	wl_shm_pool_resize(b->pool, (int32_t)(2 * b->size));
	b->size *= 2;
	wl_surface_damage(c->surface, 0, 0, c->width, c->height);
	wl_surface_commit(c->surface);
	wl_display_roundtrip(c->display);
	printf("pool grown\n");
	fflush(stdout);
}

static void draw(struct client *c);

static void frame_done(void *data, struct wl_callback *callback, uint32_t time)
{
	struct client *c = data;
	wl_callback_destroy(callback);
	c->frame = NULL;
	c->phase = !c->phase;
	draw(c);
}

static const struct wl_callback_listener frame_listener = {.done = frame_done};

static void draw(struct client *c)
{
	bool resized = !c->configured;
	c->configured = true;
	if (c->animate) {
		c->frame = wl_surface_frame(c->surface);
		wl_callback_add_listener(c->frame, &frame_listener, c);
	}
	struct buffer *buffer =
		attach(c, c->surface, c->width, c->height, c->phase ? c->paint2 : c->paint);
	if (buffer != NULL) {
		c->shown = buffer;
	}
	if (c->has_opaque) {
		struct wl_region *region = wl_compositor_create_region(c->compositor);
		wl_region_add(region, c->opaque.x, c->opaque.y, c->opaque.width, c->opaque.height);
		wl_surface_set_opaque_region(c->surface, region);
		wl_region_destroy(region);
	}
	wl_surface_commit(c->surface);
	if (resized) {
		printf("configured %dx%d\n", c->width, c->height);
		fflush(stdout);
	}
}

static void popup_configure(void *data, struct xdg_surface *xdg_surface, uint32_t serial)
{
	struct client *c = data;
	xdg_surface_ack_configure(xdg_surface, serial);
	attach(c, c->popup.surface, c->popup.rect.width, c->popup.rect.height, c->popup.paint);
	wl_surface_commit(c->popup.surface);
	printf("popup %dx%d\n", c->popup.rect.width, c->popup.rect.height);
	fflush(stdout);
}

static const struct xdg_surface_listener popup_surface_listener = {.configure = popup_configure};

static void xdg_popup_configure(
	void *data, struct xdg_popup *popup, int32_t x, int32_t y, int32_t width, int32_t height)
{
}

static void xdg_popup_done(void *data, struct xdg_popup *popup)
{
}

static const struct xdg_popup_listener xdg_popup_listener = {
	.configure = xdg_popup_configure,
	.popup_done = xdg_popup_done,
};

static void open_popup(struct client *c)
{
	struct part *p = &c->popup;
	struct xdg_positioner *positioner = xdg_wm_base_create_positioner(c->wm_base);
	xdg_positioner_set_size(positioner, p->rect.width, p->rect.height);
	xdg_positioner_set_anchor_rect(positioner, p->rect.x, p->rect.y, 1, 1);
	xdg_positioner_set_anchor(positioner, XDG_POSITIONER_ANCHOR_TOP_LEFT);
	xdg_positioner_set_gravity(positioner, XDG_POSITIONER_GRAVITY_BOTTOM_RIGHT);
	p->surface = wl_compositor_create_surface(c->compositor);
	c->popup_xdg_surface = xdg_wm_base_get_xdg_surface(c->wm_base, p->surface);
	xdg_surface_add_listener(c->popup_xdg_surface, &popup_surface_listener, c);
	c->xdg_popup = xdg_surface_get_popup(c->popup_xdg_surface, c->xdg_surface, positioner);
	xdg_popup_add_listener(c->xdg_popup, &xdg_popup_listener, c);
	xdg_positioner_destroy(positioner);
	wl_surface_commit(p->surface);
}

static void xdg_surface_configure(void *data, struct xdg_surface *xdg_surface, uint32_t serial)
{
	struct client *c = data;
	xdg_surface_ack_configure(xdg_surface, serial);
	bool first = !c->configured;
	if (c->pending_width > 0 && c->pending_height > 0 &&
		(c->pending_width != c->width || c->pending_height != c->height)) {
		c->width = c->pending_width;
		c->height = c->pending_height;
		c->configured = false;
	}
	if (c->frame == NULL) {
		draw(c);
	}
	if (first && c->has_popup) {
		open_popup(c);
	}
	if (first && c->grow_pool) {
		wl_display_roundtrip(c->display);
		grow_pool(c);
	}
}

static const struct xdg_surface_listener xdg_surface_listener = {
	.configure = xdg_surface_configure,
};

static void toplevel_configure(void *data, struct xdg_toplevel *toplevel, int32_t width,
	int32_t height, struct wl_array *states)
{
	struct client *c = data;
	c->pending_width = width;
	c->pending_height = height;
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

static void wm_base_ping(void *data, struct xdg_wm_base *wm_base, uint32_t serial)
{
	xdg_wm_base_pong(wm_base, serial);
}

static const struct xdg_wm_base_listener wm_base_listener = {.ping = wm_base_ping};

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
	}
}

static void registry_global_remove(void *data, struct wl_registry *registry, uint32_t name)
{
}

static const struct wl_registry_listener registry_listener = {
	.global = registry_global,
	.global_remove = registry_global_remove,
};

static void usage(void)
{
	fprintf(stderr, "usage: paint-client [--size WxH] [--colour C] [--title T] "
			"[--app-id A] [--opaque X,Y,WxH] [--subsurface X,Y,WxH:C] "
			"[--popup X,Y,WxH:C] [--animate C2] [--grow-pool]\n");
	exit(2);
}

static struct paint parse_paint(const char *text)
{
	size_t len = strspn(text, "0123456789abcdefABCDEF");
	if (text[len] != '\0' || (len != 6 && len != 8)) {
		usage();
	}
	return (struct paint){.argb = (uint32_t)strtoul(text, NULL, 16), .alpha = len == 8};
}

static struct rect parse_rect(const char *text, const char **rest)
{
	struct rect r;
	int n = 0;
	if (sscanf(text, "%d,%d,%dx%d%n", &r.x, &r.y, &r.width, &r.height, &n) != 4 ||
		r.width <= 0 || r.height <= 0) {
		usage();
	}
	*rest = text + n;
	return r;
}

static struct part parse_part(const char *text)
{
	const char *rest;
	struct part part = {.rect = parse_rect(text, &rest)};
	if (rest[0] != ':') {
		usage();
	}
	part.paint = parse_paint(rest + 1);
	return part;
}

static void add_subsurface(struct client *c, struct part *part)
{
	part->surface = wl_compositor_create_surface(c->compositor);
	part->subsurface =
		wl_subcompositor_get_subsurface(c->subcompositor, part->surface, c->surface);
	wl_subsurface_set_position(part->subsurface, part->rect.x, part->rect.y);
	attach(c, part->surface, part->rect.width, part->rect.height, part->paint);
	wl_surface_commit(part->surface);
}

static void client_finish(struct client *c)
{
	if (c->frame != NULL) {
		wl_callback_destroy(c->frame);
	}
	if (c->xdg_popup != NULL) {
		xdg_popup_destroy(c->xdg_popup);
		xdg_surface_destroy(c->popup_xdg_surface);
		wl_surface_destroy(c->popup.surface);
	}
	for (size_t i = 0; i < c->n_subsurfaces; i++) {
		wl_subsurface_destroy(c->subsurfaces[i].subsurface);
		wl_surface_destroy(c->subsurfaces[i].surface);
	}
	if (c->toplevel != NULL) {
		xdg_toplevel_destroy(c->toplevel);
		xdg_surface_destroy(c->xdg_surface);
	}
	if (c->surface != NULL) {
		wl_surface_destroy(c->surface);
	}
	for (size_t i = 0; i < MAX_BUFFERS; i++) {
		if (c->buffers[i].wl_buffer != NULL) {
			wl_buffer_destroy(c->buffers[i].wl_buffer);
		}
		if (c->buffers[i].pool != NULL) {
			wl_shm_pool_destroy(c->buffers[i].pool);
			close(c->buffers[i].fd);
		}
	}
	if (c->wm_base != NULL) {
		xdg_wm_base_destroy(c->wm_base);
	}
	if (c->shm != NULL) {
		wl_shm_destroy(c->shm);
	}
	if (c->subcompositor != NULL) {
		wl_subcompositor_destroy(c->subcompositor);
	}
	if (c->compositor != NULL) {
		wl_compositor_destroy(c->compositor);
	}
	wl_display_disconnect(c->display);
}

int main(int argc, char *argv[])
{
	struct client c = {
		.width = 200,
		.height = 150,
		.paint = {.argb = 0x00ff00},
		.running = true,
	};
	const char *title = "paint-client", *app_id = "paint-client";
	static const struct option options[] = {
		{"size", required_argument, NULL, 's'},
		{"colour", required_argument, NULL, 'c'},
		{"title", required_argument, NULL, 't'},
		{"app-id", required_argument, NULL, 'a'},
		{"opaque", required_argument, NULL, 'o'},
		{"subsurface", required_argument, NULL, 'S'},
		{"popup", required_argument, NULL, 'p'},
		{"animate", required_argument, NULL, 'A'},
		{"grow-pool", no_argument, NULL, 'g'},
		{0},
	};
	int opt;
	const char *rest;
	while ((opt = getopt_long(argc, argv, "", options, NULL)) != -1) {
		switch (opt) {
		case 's':
			if (sscanf(optarg, "%dx%d", &c.width, &c.height) != 2 || c.width <= 0 ||
				c.height <= 0) {
				usage();
			}
			break;
		case 'c':
			c.paint = parse_paint(optarg);
			break;
		case 't':
			title = optarg;
			break;
		case 'a':
			app_id = optarg;
			break;
		case 'o':
			c.opaque = parse_rect(optarg, &rest);
			c.has_opaque = true;
			if (*rest != '\0') {
				usage();
			}
			break;
		case 'S':
			if (c.n_subsurfaces == MAX_SUBSURFACES) {
				usage();
			}
			c.subsurfaces[c.n_subsurfaces++] = parse_part(optarg);
			break;
		case 'p':
			c.popup = parse_part(optarg);
			c.has_popup = true;
			break;
		case 'A':
			c.paint2 = parse_paint(optarg);
			c.animate = true;
			break;
		case 'g':
			c.grow_pool = true;
			break;
		default:
			usage();
		}
	}
	if (optind != argc) {
		usage();
	}

	c.display = wl_display_connect(NULL);
	if (c.display == NULL) {
		fprintf(stderr, "cannot connect to the Wayland display\n");
		return 1;
	}
	struct wl_registry *registry = wl_display_get_registry(c.display);
	wl_registry_add_listener(registry, &registry_listener, &c);
	wl_display_roundtrip(c.display);
	wl_registry_destroy(registry);
	if (c.compositor == NULL || c.subcompositor == NULL || c.shm == NULL || c.wm_base == NULL) {
		fprintf(stderr, "missing wl_compositor, wl_subcompositor, wl_shm or xdg_wm_base\n");
		client_finish(&c);
		return 1;
	}
	xdg_wm_base_add_listener(c.wm_base, &wm_base_listener, &c);
	c.surface = wl_compositor_create_surface(c.compositor);
	for (size_t i = 0; i < c.n_subsurfaces; i++) {
		add_subsurface(&c, &c.subsurfaces[i]);
	}
	c.xdg_surface = xdg_wm_base_get_xdg_surface(c.wm_base, c.surface);
	xdg_surface_add_listener(c.xdg_surface, &xdg_surface_listener, &c);
	c.toplevel = xdg_surface_get_toplevel(c.xdg_surface);
	xdg_toplevel_add_listener(c.toplevel, &toplevel_listener, &c);
	xdg_toplevel_set_title(c.toplevel, title);
	xdg_toplevel_set_app_id(c.toplevel, app_id);
	wl_surface_commit(c.surface);

	while (c.running && wl_display_dispatch(c.display) != -1) {
	}
	client_finish(&c);
	return 0;
}
