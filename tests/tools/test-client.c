/*
 * A small Wayland client for tests that need precise control: a toplevel of a
 * given size, colour and title (optionally asking for fullscreen or
 * maximise), a layer-shell panel with an exclusive zone, or a client that
 * commits a protocol error on purpose.
 *
 *   test-client toplevel [--title T] [--app-id A] [--size WxH] [--colour RRGGBB]
 *                        [--fullscreen] [--maximized] [--popup WxH:RRGGBB]
 *                        [--hide-rows N]   (paints its top N rows ff00ff and
 *                                           declares a geometry without them)
 *                        [--activate-after MS] (asks xdg-activation to focus
 *                                           itself MS after it first drew)
 *                        [--cursor WxH:RRGGBB:HX,HY] (sets a cursor image
 *                             of that size and colour with that hotspot
 *                             whenever the pointer enters)
 *                        [--report-pointer] (prints "pointer enter",
 *                             "pointer motion", "pointer button B S" and
 *                             "pointer axis" for the events it receives)
 *                        [--grab-popup on-key|bogus] (opens the --popup as
 *                             a grabbing menu: on its first key press with
 *                             that key's serial, or at once with a serial
 *                             it never got; prints "popup grabbed" and
 *                             "popup done")
 *   test-client layer [--anchor top|bottom|left|right] [--size WxH]
 *                     [--exclusive N] [--colour RRGGBB]
 *   test-client protocol-error
 *   test-client pointer [--extent WxH] STEP...
 *       STEP: move X Y (absolute, layout pixels) | down [right] | up [right]
 *
 * It prints "configured WxH" whenever it draws a new size, "key CODE STATE"
 * for every key event it receives, and runs until killed or closed by the
 * compositor.
 */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>
#include <wayland-client.h>

#include "wlr-layer-shell-unstable-v1-client-protocol.h"
#include "xdg-activation-v1-client-protocol.h"
#include "wlr-virtual-pointer-unstable-v1-client-protocol.h"
#include "xdg-shell-client-protocol.h"

struct client {
	struct wl_display *display;
	struct wl_registry *registry;
	struct wl_buffer *buffer; // attached, not yet released
	struct wl_compositor *compositor;
	struct wl_shm *shm;
	struct xdg_wm_base *wm_base;
	struct zwlr_layer_shell_v1 *layer_shell;
	struct zwlr_virtual_pointer_manager_v1 *pointer_manager;
	struct xdg_activation_v1 *activation;
	int activate_after_ms; // 0: never
	struct wl_seat *seat;
	struct wl_keyboard *keyboard;
	struct wl_surface *surface;
	struct xdg_surface *xdg_surface;
	struct xdg_toplevel *toplevel;
	struct zwlr_layer_surface_v1 *layer_surface;
	int width, height;
	int pending_width, pending_height;
	uint32_t colour;
	bool running;
	int hide_rows; // rows above the declared geometry, painted ff00ff

	/* An optional popup, opened once the toplevel is first configured. */
	int popup_width, popup_height;
	uint32_t popup_colour;
	struct wl_surface *popup_surface;
	struct xdg_surface *popup_xdg_surface;
	struct xdg_popup *popup;
	struct wl_buffer *popup_buffer;
	const char *grab_popup; // NULL, "on-key" or "bogus"
	struct wl_pointer *pointer;
	int cursor_width, cursor_height, cursor_hx, cursor_hy;
	uint32_t cursor_colour;
	struct wl_surface *cursor_surface;
	bool report_pointer;
	uint32_t configure_serial;
};

static void open_popup(struct client *c);
static struct wl_buffer *fill_buffer(
	struct client *c, int width, int height, uint32_t colour, int magenta_rows);
static void grab_popup(struct client *c, uint32_t serial);

static void registry_global(void *data, struct wl_registry *registry, uint32_t name,
	const char *interface, uint32_t version)
{
	struct client *c = data;
	if (strcmp(interface, wl_compositor_interface.name) == 0) {
		c->compositor = wl_registry_bind(registry, name, &wl_compositor_interface, 4);
	} else if (strcmp(interface, wl_shm_interface.name) == 0) {
		c->shm = wl_registry_bind(registry, name, &wl_shm_interface, 1);
	} else if (strcmp(interface, xdg_wm_base_interface.name) == 0) {
		c->wm_base = wl_registry_bind(registry, name, &xdg_wm_base_interface, 1);
	} else if (strcmp(interface, wl_seat_interface.name) == 0 && c->seat == NULL) {
		c->seat = wl_registry_bind(registry, name, &wl_seat_interface, 1);
	} else if (strcmp(interface, xdg_activation_v1_interface.name) == 0) {
		c->activation = wl_registry_bind(registry, name, &xdg_activation_v1_interface, 1);
	} else if (strcmp(interface, zwlr_virtual_pointer_manager_v1_interface.name) == 0) {
		c->pointer_manager = wl_registry_bind(
			registry, name, &zwlr_virtual_pointer_manager_v1_interface, 1);
	} else if (strcmp(interface, zwlr_layer_shell_v1_interface.name) == 0) {
		c->layer_shell =
			wl_registry_bind(registry, name, &zwlr_layer_shell_v1_interface, 1);
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
	struct client *c = data;
	if (c->buffer == buffer) {
		c->buffer = NULL;
	}
	wl_buffer_destroy(buffer);
}

static const struct wl_buffer_listener buffer_listener = {.release = buffer_release};

static void keyboard_keymap(
	void *data, struct wl_keyboard *keyboard, uint32_t format, int32_t fd, uint32_t size)
{
	close(fd);
}

static void keyboard_enter(void *data, struct wl_keyboard *keyboard, uint32_t serial,
	struct wl_surface *surface, struct wl_array *keys)
{
}

static void keyboard_leave(
	void *data, struct wl_keyboard *keyboard, uint32_t serial, struct wl_surface *surface)
{
}

static void keyboard_key(void *data, struct wl_keyboard *keyboard, uint32_t serial, uint32_t time,
	uint32_t key, uint32_t state)
{
	struct client *c = data;
	printf("key %u %u\n", key, state);
	fflush(stdout);
	if (c->grab_popup != NULL && strcmp(c->grab_popup, "on-key") == 0 && c->popup == NULL &&
		state == WL_KEYBOARD_KEY_STATE_PRESSED) {
		open_popup(c);
		grab_popup(c, serial);
	}
}

static void keyboard_modifiers(void *data, struct wl_keyboard *keyboard, uint32_t serial,
	uint32_t depressed, uint32_t latched, uint32_t locked, uint32_t group)
{
}

static void pointer_enter(void *data, struct wl_pointer *pointer, uint32_t serial,
	struct wl_surface *surface, wl_fixed_t sx, wl_fixed_t sy)
{
	struct client *c = data;
	if (c->report_pointer) {
		printf("pointer enter\n");
		fflush(stdout);
	}
	if (c->cursor_width <= 0) {
		return;
	}
	if (c->cursor_surface == NULL) {
		c->cursor_surface = wl_compositor_create_surface(c->compositor);
	}
	struct wl_buffer *buffer =
		fill_buffer(c, c->cursor_width, c->cursor_height, c->cursor_colour, 0);
	wl_surface_attach(c->cursor_surface, buffer, 0, 0);
	wl_surface_damage(c->cursor_surface, 0, 0, c->cursor_width, c->cursor_height);
	wl_surface_commit(c->cursor_surface);
	wl_pointer_set_cursor(pointer, serial, c->cursor_surface, c->cursor_hx, c->cursor_hy);
	printf("cursor set\n");
	fflush(stdout);
}

static void pointer_leave(
	void *data, struct wl_pointer *pointer, uint32_t serial, struct wl_surface *surface)
{
}

static void pointer_motion(
	void *data, struct wl_pointer *pointer, uint32_t time, wl_fixed_t sx, wl_fixed_t sy)
{
	struct client *c = data;
	if (c->report_pointer) {
		printf("pointer motion\n");
		fflush(stdout);
	}
}

static void pointer_button(void *data, struct wl_pointer *pointer, uint32_t serial, uint32_t time,
	uint32_t button, uint32_t state)
{
	struct client *c = data;
	if (c->report_pointer) {
		printf("pointer button %u %u\n", button, state);
		fflush(stdout);
	}
}

static void pointer_axis(
	void *data, struct wl_pointer *pointer, uint32_t time, uint32_t axis, wl_fixed_t value)
{
	struct client *c = data;
	if (c->report_pointer) {
		printf("pointer axis\n");
		fflush(stdout);
	}
}

static const struct wl_pointer_listener pointer_listener = {
	.enter = pointer_enter,
	.leave = pointer_leave,
	.motion = pointer_motion,
	.button = pointer_button,
	.axis = pointer_axis,
};

static const struct wl_keyboard_listener keyboard_listener = {
	.keymap = keyboard_keymap,
	.enter = keyboard_enter,
	.leave = keyboard_leave,
	.key = keyboard_key,
	.modifiers = keyboard_modifiers,
};

/* A width x height buffer of colour, with its top_rows rows ff00ff instead. */
static struct wl_buffer *fill_buffer(
	struct client *c, int width, int height, uint32_t colour, int top_rows)
{
	int stride = width * 4;
	size_t size = (size_t)stride * (size_t)height;
	int fd = memfd_create("test-client", MFD_CLOEXEC);
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
		pixels[i] =
			0xff000000u | (i < (size_t)top_rows * (size_t)width ? 0xff00ffu : colour);
	}
	munmap(pixels, size);
	struct wl_shm_pool *pool = wl_shm_create_pool(c->shm, fd, (int32_t)size);
	struct wl_buffer *buffer =
		wl_shm_pool_create_buffer(pool, 0, width, height, stride, WL_SHM_FORMAT_XRGB8888);
	wl_shm_pool_destroy(pool);
	close(fd);
	return buffer;
}

static void draw(struct client *c)
{
	/* What a hostile client hides above its geometry: a fake title bar. */
	struct wl_buffer *buffer =
		fill_buffer(c, c->width, c->height + c->hide_rows, c->colour, c->hide_rows);
	if (c->hide_rows > 0) {
		xdg_surface_set_window_geometry(
			c->xdg_surface, 0, c->hide_rows, c->width, c->height);
	}
	wl_buffer_add_listener(buffer, &buffer_listener, c);
	c->buffer = buffer;
	wl_surface_attach(c->surface, buffer, 0, 0);
	wl_surface_damage(c->surface, 0, 0, c->width, c->height + c->hide_rows);
	wl_surface_commit(c->surface);
	printf("configured %dx%d\n", c->width, c->height);
	fflush(stdout);
}

static void wm_base_ping(void *data, struct xdg_wm_base *wm_base, uint32_t serial)
{
	xdg_wm_base_pong(wm_base, serial);
}

static const struct xdg_wm_base_listener wm_base_listener = {.ping = wm_base_ping};

static void popup_surface_configure(void *data, struct xdg_surface *xdg_surface, uint32_t serial)
{
	struct client *c = data;
	xdg_surface_ack_configure(xdg_surface, serial);
	if (c->popup_buffer == NULL) {
		c->popup_buffer =
			fill_buffer(c, c->popup_width, c->popup_height, c->popup_colour, 0);
		wl_surface_attach(c->popup_surface, c->popup_buffer, 0, 0);
		wl_surface_damage(c->popup_surface, 0, 0, c->popup_width, c->popup_height);
		wl_surface_commit(c->popup_surface);
		printf("popup %dx%d\n", c->popup_width, c->popup_height);
		fflush(stdout);
	}
}

static const struct xdg_surface_listener popup_surface_listener = {
	.configure = popup_surface_configure,
};

static void popup_configure(
	void *data, struct xdg_popup *popup, int32_t x, int32_t y, int32_t width, int32_t height)
{
}

static void popup_done(void *data, struct xdg_popup *popup)
{
	struct client *c = data;
	printf("popup done\n");
	fflush(stdout);
	/* Dismissed: gone, so the next key can open a new one. */
	xdg_popup_destroy(c->popup);
	xdg_surface_destroy(c->popup_xdg_surface);
	wl_surface_destroy(c->popup_surface);
	c->popup = NULL;
	if (c->popup_buffer != NULL) {
		wl_buffer_destroy(c->popup_buffer);
		c->popup_buffer = NULL;
	}
}

static void grab_popup(struct client *c, uint32_t serial)
{
	xdg_popup_grab(c->popup, c->seat, serial);
	wl_surface_commit(c->popup_surface);
	printf("popup grabbed\n");
	fflush(stdout);
}

static const struct xdg_popup_listener popup_listener = {
	.configure = popup_configure,
	.popup_done = popup_done,
};

/* A popup (a menu, say) inside the toplevel, near its top-left corner. */
static void open_popup(struct client *c)
{
	struct xdg_positioner *positioner = xdg_wm_base_create_positioner(c->wm_base);
	xdg_positioner_set_size(positioner, c->popup_width, c->popup_height);
	xdg_positioner_set_anchor_rect(positioner, 10, 10, 1, 1);
	xdg_positioner_set_anchor(positioner, XDG_POSITIONER_ANCHOR_TOP_LEFT);
	xdg_positioner_set_gravity(positioner, XDG_POSITIONER_GRAVITY_BOTTOM_RIGHT);
	c->popup_surface = wl_compositor_create_surface(c->compositor);
	c->popup_xdg_surface = xdg_wm_base_get_xdg_surface(c->wm_base, c->popup_surface);
	xdg_surface_add_listener(c->popup_xdg_surface, &popup_surface_listener, c);
	c->popup = xdg_surface_get_popup(c->popup_xdg_surface, c->xdg_surface, positioner);
	xdg_popup_add_listener(c->popup, &popup_listener, c);
	xdg_positioner_destroy(positioner);
	if (c->grab_popup != NULL) {
		return; // grab_popup() commits: a grab must come before the first commit
	}
	wl_surface_commit(c->popup_surface);
}

static void xdg_surface_configure(void *data, struct xdg_surface *xdg_surface, uint32_t serial)
{
	struct client *c = data;
	xdg_surface_ack_configure(xdg_surface, serial);
	c->configure_serial = serial;
	if (c->pending_width > 0 && c->pending_height > 0) {
		c->width = c->pending_width;
		c->height = c->pending_height;
	}
	draw(c);
	if (c->popup_width > 0 && c->popup == NULL &&
		(c->grab_popup == NULL || strcmp(c->grab_popup, "bogus") == 0)) {
		open_popup(c);
		if (c->grab_popup != NULL) {
			/* A serial of a configure: never one of an input event. */
			grab_popup(c, c->configure_serial);
		}
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

static void layer_configure(void *data, struct zwlr_layer_surface_v1 *surface, uint32_t serial,
	uint32_t width, uint32_t height)
{
	struct client *c = data;
	zwlr_layer_surface_v1_ack_configure(surface, serial);
	if (width > 0) {
		c->width = (int)width;
	}
	if (height > 0) {
		c->height = (int)height;
	}
	draw(c);
}

static void layer_closed(void *data, struct zwlr_layer_surface_v1 *surface)
{
	struct client *c = data;
	c->running = false;
}

static const struct zwlr_layer_surface_v1_listener layer_listener = {
	.configure = layer_configure,
	.closed = layer_closed,
};

static void client_finish(struct client *c)
{
	if (c->popup != NULL) {
		xdg_popup_destroy(c->popup);
		xdg_surface_destroy(c->popup_xdg_surface);
		wl_surface_destroy(c->popup_surface);
	}
	if (c->popup_buffer != NULL) {
		wl_buffer_destroy(c->popup_buffer);
	}
	if (c->layer_surface != NULL) {
		zwlr_layer_surface_v1_destroy(c->layer_surface);
	}
	if (c->toplevel != NULL) {
		xdg_toplevel_destroy(c->toplevel);
	}
	if (c->xdg_surface != NULL) {
		xdg_surface_destroy(c->xdg_surface);
	}
	if (c->surface != NULL) {
		wl_surface_destroy(c->surface);
	}
	if (c->keyboard != NULL) {
		wl_keyboard_destroy(c->keyboard);
	}
	if (c->seat != NULL) {
		wl_seat_destroy(c->seat);
	}
	if (c->layer_shell != NULL) {
		zwlr_layer_shell_v1_destroy(c->layer_shell);
	}
	if (c->activation != NULL) {
		xdg_activation_v1_destroy(c->activation);
	}
	if (c->pointer_manager != NULL) {
		zwlr_virtual_pointer_manager_v1_destroy(c->pointer_manager);
	}
	if (c->wm_base != NULL) {
		xdg_wm_base_destroy(c->wm_base);
	}
	if (c->shm != NULL) {
		wl_shm_destroy(c->shm);
	}
	if (c->compositor != NULL) {
		wl_compositor_destroy(c->compositor);
	}
	if (c->buffer != NULL) {
		wl_buffer_destroy(c->buffer);
	}
	wl_registry_destroy(c->registry);
	wl_display_disconnect(c->display);
}

/* Plays pointer steps through a virtual pointer, one frame each. */
static int run_pointer(struct client *c, int argc, char *argv[], int extent_w, int extent_h)
{
	if (c->pointer_manager == NULL) {
		fprintf(stderr, "no virtual pointer manager\n");
		return 1;
	}
	struct zwlr_virtual_pointer_v1 *pointer =
		zwlr_virtual_pointer_manager_v1_create_virtual_pointer(c->pointer_manager, c->seat);
	uint32_t time = 1;
	for (int i = 0; i < argc; i++) {
		if (strcmp(argv[i], "move") == 0 && i + 2 < argc) {
			zwlr_virtual_pointer_v1_motion_absolute(pointer, time++,
				(uint32_t)atoi(argv[i + 1]), (uint32_t)atoi(argv[i + 2]),
				(uint32_t)extent_w, (uint32_t)extent_h);
			i += 2;
		} else if (strcmp(argv[i], "down") == 0 || strcmp(argv[i], "up") == 0) {
			bool pressed = strcmp(argv[i], "down") == 0;
			uint32_t button = 0x110; /* BTN_LEFT */
			if (i + 1 < argc && strcmp(argv[i + 1], "right") == 0) {
				button = 0x111; /* BTN_RIGHT */
				i++;
			}
			zwlr_virtual_pointer_v1_button(pointer, time++, button,
				pressed ? WL_POINTER_BUTTON_STATE_PRESSED
					: WL_POINTER_BUTTON_STATE_RELEASED);
		} else {
			fprintf(stderr, "bad pointer step: %s\n", argv[i]);
			return 2;
		}
		zwlr_virtual_pointer_v1_frame(pointer);
		wl_display_roundtrip(c->display);
	}
	zwlr_virtual_pointer_v1_destroy(pointer);
	wl_display_roundtrip(c->display);
	return 0;
}

static void token_done(void *data, struct xdg_activation_token_v1 *token, const char *name)
{
	struct client *c = data;
	xdg_activation_v1_activate(c->activation, name, c->surface);
	xdg_activation_token_v1_destroy(token);
	printf("activation requested\n");
	fflush(stdout);
}

static const struct xdg_activation_token_v1_listener token_listener = {.done = token_done};

/* A token for our own surface, then activation with it: "focus me". */
static void request_activation(struct client *c)
{
	if (c->activation == NULL) {
		fprintf(stderr, "no xdg_activation_v1\n");
		return;
	}
	struct xdg_activation_token_v1 *token =
		xdg_activation_v1_get_activation_token(c->activation);
	xdg_activation_token_v1_add_listener(token, &token_listener, c);
	xdg_activation_token_v1_set_surface(token, c->surface);
	xdg_activation_token_v1_commit(token);
}

static void usage(void)
{
	fprintf(stderr, "usage: test-client toplevel|layer|protocol-error [options]\n");
	exit(2);
}

int main(int argc, char *argv[])
{
	if (argc < 2) {
		usage();
	}
	const char *mode = argv[1];
	struct client c = {.width = 200, .height = 150, .colour = 0x00ff00, .running = true};
	const char *title = "test-client", *app_id = "test-client", *anchor = "top";
	bool fullscreen = false, maximized = false;
	int exclusive = 0;
	int extent_w = 1280, extent_h = 720;

	static const struct option options[] = {
		{"title", required_argument, NULL, 't'},
		{"app-id", required_argument, NULL, 'a'},
		{"size", required_argument, NULL, 's'},
		{"colour", required_argument, NULL, 'c'},
		{"fullscreen", no_argument, NULL, 'f'},
		{"maximized", no_argument, NULL, 'm'},
		{"anchor", required_argument, NULL, 'A'},
		{"exclusive", required_argument, NULL, 'e'},
		{"popup", required_argument, NULL, 'p'},
		{"extent", required_argument, NULL, 'x'},
		{"hide-rows", required_argument, NULL, 'H'},
		{"activate-after", required_argument, NULL, 'T'},
		{"grab-popup", required_argument, NULL, 'g'},
		{"cursor", required_argument, NULL, 'C'},
		{"report-pointer", no_argument, NULL, 'P'},
		{0},
	};
	optind = 2;
	int opt;
	while ((opt = getopt_long(argc, argv, "", options, NULL)) != -1) {
		switch (opt) {
		case 't':
			title = optarg;
			break;
		case 'a':
			app_id = optarg;
			break;
		case 's':
			if (sscanf(optarg, "%dx%d", &c.width, &c.height) != 2) {
				usage();
			}
			break;
		case 'c':
			c.colour = (uint32_t)strtoul(optarg, NULL, 16);
			break;
		case 'f':
			fullscreen = true;
			break;
		case 'm':
			maximized = true;
			break;
		case 'A':
			anchor = optarg;
			break;
		case 'e':
			exclusive = atoi(optarg);
			break;
		case 'T':
			c.activate_after_ms = atoi(optarg);
			break;
		case 'C': {
			char hex[16];
			if (sscanf(optarg, "%dx%d:%6[0-9a-fA-F]:%d,%d", &c.cursor_width,
				    &c.cursor_height, hex, &c.cursor_hx, &c.cursor_hy) != 5) {
				usage();
			}
			c.cursor_colour = (uint32_t)strtoul(hex, NULL, 16);
			break;
		}
		case 'g':
			c.grab_popup = optarg;
			if (c.popup_width == 0) {
				c.popup_width = 80;
				c.popup_height = 60;
				c.popup_colour = 0xa0a0a0;
			}
			break;
		case 'P':
			c.report_pointer = true;
			break;
		case 'H':
			c.hide_rows = atoi(optarg);
			break;
		case 'x':
			if (sscanf(optarg, "%dx%d", &extent_w, &extent_h) != 2) {
				usage();
			}
			break;
		case 'p': {
			char hex[16];
			if (sscanf(optarg, "%dx%d:%15s", &c.popup_width, &c.popup_height, hex) !=
				3) {
				usage();
			}
			c.popup_colour = (uint32_t)strtoul(hex, NULL, 16);
			break;
		}
		default:
			usage();
		}
	}

	c.display = wl_display_connect(NULL);
	if (c.display == NULL) {
		fprintf(stderr, "cannot connect to the Wayland display\n");
		return 1;
	}
	c.registry = wl_display_get_registry(c.display);
	wl_registry_add_listener(c.registry, &registry_listener, &c);
	wl_display_roundtrip(c.display);
	if (c.compositor == NULL || c.shm == NULL || c.wm_base == NULL) {
		fprintf(stderr, "missing wl_compositor, wl_shm or xdg_wm_base\n");
		return 1;
	}
	xdg_wm_base_add_listener(c.wm_base, &wm_base_listener, &c);
	if (c.seat != NULL) {
		/* Version 1 seat: the keyboard exists whatever the capabilities say. */
		c.keyboard = wl_seat_get_keyboard(c.seat);
		wl_keyboard_add_listener(c.keyboard, &keyboard_listener, &c);
		if (c.cursor_width > 0 || c.report_pointer) {
			c.pointer = wl_seat_get_pointer(c.seat);
			wl_pointer_add_listener(c.pointer, &pointer_listener, &c);
		}
	}
	c.surface = wl_compositor_create_surface(c.compositor);

	if (strcmp(mode, "pointer") == 0) {
		int status = run_pointer(&c, argc - optind, argv + optind, extent_w, extent_h);
		client_finish(&c);
		return status;
	} else if (strcmp(mode, "protocol-error") == 0) {
		/* A buffer committed before the first configure is a protocol error. */
		c.xdg_surface = xdg_wm_base_get_xdg_surface(c.wm_base, c.surface);
		c.toplevel = xdg_surface_get_toplevel(c.xdg_surface);
		draw(&c);
		wl_display_roundtrip(c.display);
		int err = wl_display_get_error(c.display);
		const struct wl_interface *iface = NULL;
		uint32_t id;
		uint32_t code = wl_display_get_protocol_error(c.display, &iface, &id);
		if (err == EPROTO) {
			printf("protocol error %u on %s\n", code, iface ? iface->name : "?");
		} else {
			fprintf(stderr, "expected a protocol error, got %d\n", err);
		}
		client_finish(&c);
		return err == EPROTO ? 0 : 1;
	} else if (strcmp(mode, "toplevel") == 0) {
		c.xdg_surface = xdg_wm_base_get_xdg_surface(c.wm_base, c.surface);
		xdg_surface_add_listener(c.xdg_surface, &xdg_surface_listener, &c);
		c.toplevel = xdg_surface_get_toplevel(c.xdg_surface);
		xdg_toplevel_add_listener(c.toplevel, &toplevel_listener, &c);
		xdg_toplevel_set_title(c.toplevel, title);
		xdg_toplevel_set_app_id(c.toplevel, app_id);
		if (fullscreen) {
			xdg_toplevel_set_fullscreen(c.toplevel, NULL);
		}
		if (maximized) {
			xdg_toplevel_set_maximized(c.toplevel);
		}
		wl_surface_commit(c.surface);
	} else if (strcmp(mode, "layer") == 0) {
		if (c.layer_shell == NULL) {
			fprintf(stderr, "no layer shell\n");
			return 1;
		}
		c.layer_surface = zwlr_layer_shell_v1_get_layer_surface(c.layer_shell, c.surface,
			NULL, ZWLR_LAYER_SHELL_V1_LAYER_TOP, "test-panel");
		zwlr_layer_surface_v1_add_listener(c.layer_surface, &layer_listener, &c);
		uint32_t edge = ZWLR_LAYER_SURFACE_V1_ANCHOR_TOP;
		uint32_t across =
			ZWLR_LAYER_SURFACE_V1_ANCHOR_LEFT | ZWLR_LAYER_SURFACE_V1_ANCHOR_RIGHT;
		if (strcmp(anchor, "bottom") == 0) {
			edge = ZWLR_LAYER_SURFACE_V1_ANCHOR_BOTTOM;
		} else if (strcmp(anchor, "left") == 0 || strcmp(anchor, "right") == 0) {
			edge = anchor[0] == 'l' ? ZWLR_LAYER_SURFACE_V1_ANCHOR_LEFT
						: ZWLR_LAYER_SURFACE_V1_ANCHOR_RIGHT;
			across = ZWLR_LAYER_SURFACE_V1_ANCHOR_TOP |
				 ZWLR_LAYER_SURFACE_V1_ANCHOR_BOTTOM;
		}
		bool vertical_edge = edge == ZWLR_LAYER_SURFACE_V1_ANCHOR_TOP ||
				     edge == ZWLR_LAYER_SURFACE_V1_ANCHOR_BOTTOM;
		zwlr_layer_surface_v1_set_anchor(c.layer_surface, edge | across);
		zwlr_layer_surface_v1_set_size(c.layer_surface,
			vertical_edge ? 0 : (uint32_t)c.width,
			vertical_edge ? (uint32_t)c.height : 0);
		zwlr_layer_surface_v1_set_exclusive_zone(c.layer_surface, exclusive);
		wl_surface_commit(c.surface);
	} else {
		usage();
	}

	if (c.activate_after_ms > 0) {
		/* Run until then, then ask to be activated, then carry on. */
		struct pollfd pfd = {.fd = wl_display_get_fd(c.display), .events = POLLIN};
		int left = c.activate_after_ms;
		while (c.running && left > 0) {
			wl_display_flush(c.display);
			struct timespec t0, t1;
			clock_gettime(CLOCK_MONOTONIC, &t0);
			if (poll(&pfd, 1, left) > 0 && wl_display_dispatch(c.display) == -1) {
				break;
			}
			clock_gettime(CLOCK_MONOTONIC, &t1);
			left -= (int)((t1.tv_sec - t0.tv_sec) * 1000 +
				      (t1.tv_nsec - t0.tv_nsec) / 1000000);
		}
		request_activation(&c);
	}
	while (c.running && wl_display_dispatch(c.display) != -1) {
	}
	client_finish(&c);
	return 0;
}
