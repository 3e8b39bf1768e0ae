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
 *                        [--grab-popup on-key|bogus|stale] (opens the
 *                             --popup as a grabbing menu: on its first key
 *                             press with that key's serial; at once with a
 *                             serial it never got; or when it loses the
 *                             keyboard, with its last key's serial; prints
 *                             "popup grabbed" and "popup done")
 *                        [--report-pointer] (prints "pointer enter",
 *                             "pointer motion", "pointer button B S" and
 *                             "pointer axis" for the events it receives)
 *   test-client layer [--anchor top|bottom|left|right] [--size WxH]
 *                     [--exclusive N] [--colour RRGGBB]
 *   test-client protocol-error
 *   test-client pointer [--extent WxH] STEP...
 *       STEP: move X Y (absolute, layout pixels) | down [right] | up [right]
 *
 * Selections (toplevel; --primary uses the primary selection instead):
 *   --copy TEXT        sets the selection to TEXT when it gets the keyboard,
 *                      with that enter serial; prints "copied"
 *   --copy-file FILE   the same with FILE's bytes; --copy-type MIME (default
 *                      text/plain;charset=utf-8 and text/plain)
 *   --forge old|latest|N  instead, sets it right after mapping, keyboard or
 *                      not, with serial 1, the last configure's or N, after
 *                      --roll N configure round trips; prints "forged"
 *   --paste            prints "selection none" or "offer TYPE..." for every
 *                      selection it is offered, then receives --paste-type
 *                      (default text/plain;charset=utf-8) and prints
 *                      "pasted N: TEXT" (bytes also to --paste-out FILE)
 *   --drag TEXT        starts a drag of TEXT on a button press ("drag
 *                      started"); every window prints "dnd enter" when a
 *                      drag is offered to it
 *
 * It prints "configured WxH" whenever it draws a new size, "key CODE STATE"
 * for every key event it receives, and runs until killed or closed by the
 * compositor.
 */
#include <errno.h>
#include <fcntl.h>
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

#include "primary-selection-unstable-v1-client-protocol.h"
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
	const char *grab_popup; // NULL, "on-key", "bogus" or "stale"
	uint32_t key_serial; // of the latest key press received
	int cursor_width, cursor_height, cursor_hx, cursor_hy;
	uint32_t cursor_colour;
	struct wl_surface *cursor_surface;

	/* Selections. */
	struct wl_data_device_manager *data_manager;
	struct wl_data_device *data_device;
	struct zwp_primary_selection_device_manager_v1 *primary_manager;
	struct zwp_primary_selection_device_v1 *primary_device;
	bool primary;
	const char *copy_data;
	size_t copy_size;
	const char *copy_type;
	bool copied;
	const char *forge;
	int roll;
	bool report_pointer;
	uint32_t configure_serial;
	bool paste;
	const char *paste_type, *paste_out;
	char offer_types[1024];
	const char *drag;
	struct wl_pointer *pointer;
	int paste_fd; // -1: no paste being read
	char *paste_buf;
	size_t paste_size, paste_capacity;
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
	} else if (strcmp(interface, wl_data_device_manager_interface.name) == 0) {
		c->data_manager =
			wl_registry_bind(registry, name, &wl_data_device_manager_interface, 3);
	} else if (strcmp(interface, zwp_primary_selection_device_manager_v1_interface.name) == 0) {
		c->primary_manager = wl_registry_bind(
			registry, name, &zwp_primary_selection_device_manager_v1_interface, 1);
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

/* Selections: offering copy_data, and reading what we are offered. */

static void serve(struct client *c, const char *mime_type, int32_t fd)
{
	size_t done = 0;
	while (done < c->copy_size) {
		ssize_t n = write(fd, c->copy_data + done, c->copy_size - done);
		if (n <= 0) {
			break;
		}
		done += (size_t)n;
	}
	close(fd);
}

static void source_send(
	void *data, struct wl_data_source *source, const char *mime_type, int32_t fd)
{
	serve(data, mime_type, fd);
}

static void source_cancelled(void *data, struct wl_data_source *source)
{
	printf("copy cancelled\n");
	fflush(stdout);
	wl_data_source_destroy(source);
}

static const struct wl_data_source_listener source_listener = {
	.send = source_send,
	.cancelled = source_cancelled,
};

static void primary_source_send(void *data, struct zwp_primary_selection_source_v1 *source,
	const char *mime_type, int32_t fd)
{
	serve(data, mime_type, fd);
}

static void primary_source_cancelled(void *data, struct zwp_primary_selection_source_v1 *source)
{
	printf("copy cancelled\n");
	fflush(stdout);
	zwp_primary_selection_source_v1_destroy(source);
}

static const struct zwp_primary_selection_source_v1_listener primary_source_listener = {
	.send = primary_source_send,
	.cancelled = primary_source_cancelled,
};

static void set_selection(struct client *c, uint32_t serial)
{
	const char *types[] = {c->copy_type, "text/plain"};
	size_t ntypes = strcmp(c->copy_type, "text/plain;charset=utf-8") == 0 ? 2 : 1;
	if (c->primary && c->primary_device != NULL) {
		struct zwp_primary_selection_source_v1 *source =
			zwp_primary_selection_device_manager_v1_create_source(c->primary_manager);
		zwp_primary_selection_source_v1_add_listener(source, &primary_source_listener, c);
		for (size_t i = 0; i < ntypes; i++) {
			zwp_primary_selection_source_v1_offer(source, types[i]);
		}
		zwp_primary_selection_device_v1_set_selection(c->primary_device, source, serial);
	} else if (c->data_device != NULL) {
		struct wl_data_source *source =
			wl_data_device_manager_create_data_source(c->data_manager);
		wl_data_source_add_listener(source, &source_listener, c);
		for (size_t i = 0; i < ntypes; i++) {
			wl_data_source_offer(source, types[i]);
		}
		wl_data_device_set_selection(c->data_device, source, serial);
	} else {
		fprintf(stderr, "no data device\n");
	}
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
	void *data, struct wl_pointer *pointer, uint32_t time, wl_fixed_t x, wl_fixed_t y)
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
	if (c->drag == NULL || state != WL_POINTER_BUTTON_STATE_PRESSED || c->data_device == NULL) {
		return;
	}
	c->copy_data = c->drag;
	c->copy_size = strlen(c->drag);
	struct wl_data_source *source = wl_data_device_manager_create_data_source(c->data_manager);
	wl_data_source_add_listener(source, &source_listener, c);
	wl_data_source_offer(source, "text/plain;charset=utf-8");
	wl_data_source_set_actions(source, WL_DATA_DEVICE_MANAGER_DND_ACTION_COPY);
	wl_data_device_start_drag(c->data_device, source, c->surface, NULL, serial);
	wl_display_roundtrip(c->display);
	printf("drag started\n");
	fflush(stdout);
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

static void keyboard_enter(void *data, struct wl_keyboard *keyboard, uint32_t serial,
	struct wl_surface *surface, struct wl_array *keys)
{
	struct client *c = data;
	if (c->copy_data != NULL && c->forge == NULL && !c->copied) {
		c->copied = true;
		set_selection(c, serial);
		wl_display_roundtrip(c->display);
		printf("copied\n");
		fflush(stdout);
	}
}

static void keyboard_leave(
	void *data, struct wl_keyboard *keyboard, uint32_t serial, struct wl_surface *surface)
{
	struct client *c = data;
	if (c->grab_popup != NULL && strcmp(c->grab_popup, "stale") == 0 && c->popup == NULL &&
		c->key_serial != 0) {
		/* Out of focus, with the serial of a key it got while it had it. */
		open_popup(c);
		grab_popup(c, c->key_serial);
	}
}

static void keyboard_key(void *data, struct wl_keyboard *keyboard, uint32_t serial, uint32_t time,
	uint32_t key, uint32_t state)
{
	struct client *c = data;
	printf("key %u %u\n", key, state);
	fflush(stdout);
	if (state == WL_KEYBOARD_KEY_STATE_PRESSED) {
		c->key_serial = serial;
	}
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

static const struct wl_keyboard_listener keyboard_listener = {
	.keymap = keyboard_keymap,
	.enter = keyboard_enter,
	.leave = keyboard_leave,
	.key = keyboard_key,
	.modifiers = keyboard_modifiers,
};

static void note_type(struct client *c, const char *mime_type)
{
	size_t len = strlen(c->offer_types);
	snprintf(c->offer_types + len, sizeof(c->offer_types) - len, " %s", mime_type);
}

static void offer_offer(void *data, struct wl_data_offer *offer, const char *mime_type)
{
	note_type(data, mime_type);
}

static void offer_source_actions(void *data, struct wl_data_offer *offer, uint32_t actions)
{
}

static void offer_action(void *data, struct wl_data_offer *offer, uint32_t action)
{
}

static const struct wl_data_offer_listener offer_listener = {
	.offer = offer_offer,
	.source_actions = offer_source_actions,
	.action = offer_action,
};

static void primary_offer_offer(
	void *data, struct zwp_primary_selection_offer_v1 *offer, const char *mime_type)
{
	note_type(data, mime_type);
}

static const struct zwp_primary_selection_offer_v1_listener primary_offer_listener = {
	.offer = primary_offer_offer,
};

/* Asks the offer for paste_type; the main loop reads the pipe (paste_read). */
static void paste(struct client *c, struct wl_data_offer *offer,
	struct zwp_primary_selection_offer_v1 *primary_offer)
{
	printf("offer%s\n", c->offer_types);
	fflush(stdout);
	int fds[2];
	if (pipe2(fds, O_CLOEXEC | O_NONBLOCK) != 0) {
		return;
	}
	if (offer != NULL) {
		wl_data_offer_receive(offer, c->paste_type, fds[1]);
	} else {
		zwp_primary_selection_offer_v1_receive(primary_offer, c->paste_type, fds[1]);
	}
	close(fds[1]);
	if (c->paste_fd >= 0) {
		close(c->paste_fd);
	}
	c->paste_fd = fds[0];
	c->paste_size = 0;
}

static void paste_read(struct client *c)
{
	for (;;) {
		if (c->paste_size == c->paste_capacity) {
			c->paste_capacity = c->paste_capacity ? c->paste_capacity * 2 : 4096;
			c->paste_buf = realloc(c->paste_buf, c->paste_capacity);
		}
		ssize_t n = read(c->paste_fd, c->paste_buf + c->paste_size,
			c->paste_capacity - c->paste_size);
		if (n < 0 && errno == EAGAIN) {
			return;
		}
		if (n <= 0) {
			break;
		}
		c->paste_size += (size_t)n;
	}
	close(c->paste_fd);
	c->paste_fd = -1;
	if (c->paste_out != NULL) {
		FILE *out = fopen(c->paste_out, "wb");
		if (out != NULL) {
			fwrite(c->paste_buf, 1, c->paste_size, out);
			fclose(out);
		}
	}
	size_t shown = c->paste_size < 200 ? c->paste_size : 200;
	printf("pasted %zu: %.*s\n", c->paste_size, (int)shown, c->paste_buf ? c->paste_buf : "");
	fflush(stdout);
}

static void device_data_offer(
	void *data, struct wl_data_device *device, struct wl_data_offer *offer)
{
	struct client *c = data;
	c->offer_types[0] = '\0';
	wl_data_offer_add_listener(offer, &offer_listener, c);
}

static void device_enter(void *data, struct wl_data_device *device, uint32_t serial,
	struct wl_surface *surface, wl_fixed_t x, wl_fixed_t y, struct wl_data_offer *offer)
{
	printf("dnd enter\n");
	fflush(stdout);
}

static void device_leave(void *data, struct wl_data_device *device)
{
}

static void device_motion(
	void *data, struct wl_data_device *device, uint32_t time, wl_fixed_t x, wl_fixed_t y)
{
}

static void device_drop(void *data, struct wl_data_device *device)
{
	printf("dnd drop\n");
	fflush(stdout);
}

static void device_selection(void *data, struct wl_data_device *device, struct wl_data_offer *offer)
{
	struct client *c = data;
	if (c->primary) {
		if (offer != NULL) {
			wl_data_offer_destroy(offer);
		}
		return;
	}
	if (offer == NULL) {
		printf("selection none\n");
		fflush(stdout);
		return;
	}
	if (c->paste) {
		paste(c, offer, NULL);
	}
	wl_data_offer_destroy(offer);
}

static const struct wl_data_device_listener device_listener = {
	.data_offer = device_data_offer,
	.enter = device_enter,
	.leave = device_leave,
	.motion = device_motion,
	.drop = device_drop,
	.selection = device_selection,
};

static void primary_device_data_offer(void *data, struct zwp_primary_selection_device_v1 *device,
	struct zwp_primary_selection_offer_v1 *offer)
{
	struct client *c = data;
	c->offer_types[0] = '\0';
	zwp_primary_selection_offer_v1_add_listener(offer, &primary_offer_listener, c);
}

static void primary_device_selection(void *data, struct zwp_primary_selection_device_v1 *device,
	struct zwp_primary_selection_offer_v1 *offer)
{
	struct client *c = data;
	if (!c->primary) {
		if (offer != NULL) {
			zwp_primary_selection_offer_v1_destroy(offer);
		}
		return;
	}
	if (offer == NULL) {
		printf("selection none\n");
		fflush(stdout);
		return;
	}
	if (c->paste) {
		paste(c, NULL, offer);
	}
	zwp_primary_selection_offer_v1_destroy(offer);
}

static const struct zwp_primary_selection_device_v1_listener primary_device_listener = {
	.data_offer = primary_device_data_offer,
	.selection = primary_device_selection,
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
	if (c->data_device != NULL) {
		wl_data_device_destroy(c->data_device);
	}
	if (c->primary_device != NULL) {
		zwp_primary_selection_device_v1_destroy(c->primary_device);
	}
	if (c->data_manager != NULL) {
		wl_data_device_manager_destroy(c->data_manager);
	}
	if (c->primary_manager != NULL) {
		zwp_primary_selection_device_manager_v1_destroy(c->primary_manager);
	}
	if (c->pointer != NULL) {
		wl_pointer_destroy(c->pointer);
	}
	if (c->paste_fd >= 0) {
		close(c->paste_fd);
	}
	free(c->paste_buf);
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
	struct client c = {
		.width = 200, .height = 150, .colour = 0x00ff00, .running = true, .paste_fd = -1};
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
		{"cursor", required_argument, NULL, 'K'},
		{"copy", required_argument, NULL, 'C'},
		{"copy-file", required_argument, NULL, 'F'},
		{"copy-type", required_argument, NULL, 'Y'},
		{"forge", required_argument, NULL, 'G'},
		{"roll", required_argument, NULL, 'R'},
		{"paste", no_argument, NULL, 'P'},
		{"paste-type", required_argument, NULL, 'y'},
		{"paste-out", required_argument, NULL, 'o'},
		{"primary", no_argument, NULL, 'r'},
		{"drag", required_argument, NULL, 'D'},
		{"report-pointer", no_argument, NULL, 'W'},
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
		case 'K': {
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
		case 'W':
			c.report_pointer = true;
			break;
		case 'H':
			c.hide_rows = atoi(optarg);
			break;
		case 'C':
			c.copy_data = optarg;
			c.copy_size = strlen(optarg);
			break;
		case 'F': {
			FILE *in = fopen(optarg, "rb");
			static char file_data[1 << 20];
			if (in == NULL) {
				perror(optarg);
				return 1;
			}
			c.copy_size = fread(file_data, 1, sizeof(file_data), in);
			c.copy_data = file_data;
			fclose(in);
			break;
		}
		case 'Y':
			c.copy_type = optarg;
			break;
		case 'G':
			c.forge = optarg;
			break;
		case 'R':
			c.roll = atoi(optarg);
			break;
		case 'P':
			c.paste = true;
			break;
		case 'y':
			c.paste_type = optarg;
			break;
		case 'o':
			c.paste_out = optarg;
			break;
		case 'r':
			c.primary = true;
			break;
		case 'D':
			c.drag = optarg;
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
		if (c.drag != NULL || c.cursor_width > 0 || c.report_pointer) {
			c.pointer = wl_seat_get_pointer(c.seat);
			wl_pointer_add_listener(c.pointer, &pointer_listener, &c);
		}
		if (c.data_manager != NULL) {
			c.data_device =
				wl_data_device_manager_get_data_device(c.data_manager, c.seat);
			wl_data_device_add_listener(c.data_device, &device_listener, &c);
		}
		if (c.primary_manager != NULL) {
			c.primary_device = zwp_primary_selection_device_manager_v1_get_device(
				c.primary_manager, c.seat);
			zwp_primary_selection_device_v1_add_listener(
				c.primary_device, &primary_device_listener, &c);
		}
	}
	if (c.copy_type == NULL) {
		c.copy_type = "text/plain;charset=utf-8";
	}
	if (c.paste_type == NULL) {
		c.paste_type = "text/plain;charset=utf-8";
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

	if (c.forge != NULL && c.copy_data != NULL) {
		/* Mapped, focused or not; roll serials with configures; then try. */
		wl_display_roundtrip(c.display);
		wl_display_roundtrip(c.display);
		for (int i = 0; i < c.roll && c.toplevel != NULL; i++) {
			if (i % 2 == 0) {
				xdg_toplevel_set_maximized(c.toplevel);
			} else {
				xdg_toplevel_unset_maximized(c.toplevel);
			}
			wl_display_roundtrip(c.display);
		}
		uint32_t serial = strcmp(c.forge, "old") == 0 ? 1
				  : strcmp(c.forge, "latest") == 0
					  ? c.configure_serial
					  : (uint32_t)strtoul(c.forge, NULL, 0);
		set_selection(&c, serial);
		wl_display_roundtrip(c.display);
		printf("forged %u\n", serial);
		fflush(stdout);
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
	while (c.running) {
		if (wl_display_dispatch_pending(c.display) == -1 ||
			wl_display_flush(c.display) < 0) {
			break;
		}
		struct pollfd pfds[2] = {
			{.fd = wl_display_get_fd(c.display), .events = POLLIN},
			{.fd = c.paste_fd, .events = POLLIN},
		};
		if (poll(pfds, c.paste_fd >= 0 ? 2 : 1, -1) < 0) {
			break;
		}
		if ((pfds[0].revents & (POLLIN | POLLHUP | POLLERR)) &&
			wl_display_dispatch(c.display) == -1) {
			break;
		}
		if (c.paste_fd >= 0 && pfds[1].revents != 0) {
			paste_read(&c);
		}
	}
	client_finish(&c);
	return 0;
}
