/*
 * The seat: keyboard focus, exclusive layer focus, selections and drag and
 * drop. Keys (keyboard.c), the pointer (cursor.c) and grab modes (seatop.c)
 * share struct tinct_seat; every trust decision goes through policy.h.
 */
#include "seat.h"

#include <stdlib.h>
#include <time.h>
#include <wlr/backend.h>
#include <wlr/types/wlr_cursor.h>
#include <wlr/types/wlr_data_device.h>
#include <wlr/types/wlr_input_device.h>
#include <wlr/types/wlr_input_inhibitor.h>
#include <wlr/types/wlr_keyboard.h>
#include <wlr/types/wlr_layer_shell_v1.h>
#include <wlr/types/wlr_scene.h>
#include <wlr/types/wlr_seat.h>
#include <wlr/types/wlr_xdg_shell.h>
#include <wlr/util/log.h>

#include "clipboard.h"
#include "cursor.h"
#include "keyboard.h"
#include "policy.h"
#include "seatop.h"
#include "server.h"
#include "view.h"

struct tinct_drag_icon {
	struct tinct_seat *seat;
	struct wlr_drag_icon *icon;
	struct wlr_scene_node *node;
	struct wl_listener destroy;
};

struct wlr_seat *seat_wlr_seat(struct tinct_seat *seat)
{
	return seat->wlr_seat;
}

struct wlr_cursor *seat_cursor(struct tinct_seat *seat)
{
	return seat->cursor;
}

bool seat_may_focus_client(struct tinct_seat *seat, struct wl_client *client)
{
	struct wlr_input_inhibit_manager *inhibit = seat->server->input_inhibit;
	return inhibit->active_client == NULL || inhibit->active_client == client;
}

static void keyboard_enter(struct tinct_seat *seat, struct wlr_surface *surface)
{
	struct wlr_seat *wlr_seat = seat->wlr_seat;
	clipboard_focus_will_change(seat->clipboard, surface);
	if (surface == NULL) {
		wlr_seat_keyboard_notify_clear_focus(wlr_seat);
	} else {
		struct wlr_keyboard *keyboard = wlr_seat_get_keyboard(wlr_seat);
		if (keyboard != NULL) {
			wlr_seat_keyboard_notify_enter(wlr_seat, surface, keyboard->keycodes,
				keyboard->num_keycodes, &keyboard->modifiers);
		} else {
			wlr_seat_keyboard_notify_enter(wlr_seat, surface, NULL, 0, NULL);
		}
	}
	cursor_update_constraint(seat);
	keyboard_shortcuts_update(seat);
}

void seat_focus_surface(struct tinct_seat *seat, struct wlr_surface *surface)
{
	if (seat->focused_layer != NULL) {
		/* An exclusive layer (a lock screen, a launcher) keeps the keys. */
		return;
	}
	if (surface != NULL &&
		!seat_may_focus_client(seat, wl_resource_get_client(surface->resource))) {
		return;
	}
	if (seat->wlr_seat->keyboard_state.focused_surface == surface) {
		return;
	}
	keyboard_enter(seat, surface);
}

static void handle_focused_layer_destroy(struct wl_listener *listener, void *data)
{
	struct tinct_seat *seat = wl_container_of(listener, seat, focused_layer_destroy);
	seat_focus_layer(seat, NULL);
}

void seat_focus_layer(struct tinct_seat *seat, struct wlr_layer_surface_v1 *layer)
{
	if (seat->focused_layer == layer) {
		return;
	}
	if (seat->focused_layer != NULL) {
		wl_list_remove(&seat->focused_layer_destroy.link);
		seat->focused_layer = NULL;
	}
	if (layer != NULL) {
		seat->focused_layer = layer;
		seat->focused_layer_destroy.notify = handle_focused_layer_destroy;
		wl_signal_add(&layer->events.destroy, &seat->focused_layer_destroy);
		keyboard_enter(seat, layer->surface);
		return;
	}
	/* Released: keys go back to the top window. */
	struct tinct_view *view = view_focused(seat->server);
	keyboard_enter(seat, view != NULL ? view->xdg_surface->surface : NULL);
}

struct wlr_layer_surface_v1 *seat_focused_layer(struct tinct_seat *seat)
{
	return seat->focused_layer;
}

static void handle_new_input(struct wl_listener *listener, void *data)
{
	struct tinct_seat *seat = wl_container_of(listener, seat, new_input);
	struct wlr_input_device *device = data;
	switch (device->type) {
	case WLR_INPUT_DEVICE_KEYBOARD:
		keyboard_add(seat, device->keyboard);
		break;
	case WLR_INPUT_DEVICE_POINTER:
	case WLR_INPUT_DEVICE_TOUCH:
	case WLR_INPUT_DEVICE_TABLET_TOOL:
		cursor_add_device(seat, device);
		break;
	default:
		break;
	}
	wlr_log(WLR_DEBUG, "new input device: %s", device->name);
}

void seat_update_pointer(struct tinct_seat *seat)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	cursor_process_motion(seat, (uint32_t)(now.tv_sec * 1000 + now.tv_nsec / 1000000));
}

/* Selections and drag and drop. */

static void handle_request_start_drag(struct wl_listener *listener, void *data)
{
	struct tinct_seat *seat = wl_container_of(listener, seat, request_start_drag);
	struct wlr_seat_request_start_drag_event *event = data;
	if (policy_drag_allowed(seat->server, event->origin, event->serial)) {
		wlr_seat_start_pointer_drag(seat->wlr_seat, event->drag, event->serial);
		return;
	}
	wlr_data_source_destroy(event->drag->source);
}

static void drag_icon_handle_destroy(struct wl_listener *listener, void *data)
{
	struct tinct_drag_icon *icon = wl_container_of(listener, icon, destroy);
	wl_list_remove(&icon->destroy.link);
	/* The subsurface tree node goes with the icon's surface. */
	free(icon);
}

static void handle_start_drag(struct wl_listener *listener, void *data)
{
	struct tinct_seat *seat = wl_container_of(listener, seat, start_drag);
	struct wlr_drag *drag = data;
	if (drag->icon == NULL) {
		return;
	}
	struct tinct_drag_icon *icon = calloc(1, sizeof(*icon));
	if (icon == NULL) {
		return;
	}
	icon->seat = seat;
	icon->icon = drag->icon;
	enum tinct_layer layer =
		policy_drag_icon_layer(wl_resource_get_client(drag->icon->surface->resource));
	icon->node =
		wlr_scene_subsurface_tree_create(seat->server->layers[layer], drag->icon->surface);
	icon->destroy.notify = drag_icon_handle_destroy;
	wl_signal_add(&drag->icon->events.destroy, &icon->destroy);
}

void seat_update_drag_icons(struct tinct_seat *seat)
{
	/* The drag layers hold only icon trees; they all follow the cursor. */
	const enum tinct_layer layers[] = {TINCT_LAYER_DRAG, TINCT_LAYER_VM_DRAG};
	for (size_t i = 0; i < 2; i++) {
		struct wlr_scene_node *child;
		wl_list_for_each (
			child, &seat->server->layers[layers[i]]->state.children, state.link) {
			wlr_scene_node_set_position(
				child, (int)seat->cursor->x, (int)seat->cursor->y);
		}
	}
}

void seat_apply_config(struct tinct_seat *seat)
{
	keyboard_apply_config(seat);
	cursor_apply_config(seat);
}

struct tinct_seat *seat_create(struct tinct_server *server)
{
	struct tinct_seat *seat = calloc(1, sizeof(*seat));
	if (seat == NULL) {
		wlr_log_errno(WLR_ERROR, "cannot allocate seat");
		return NULL;
	}
	seat->server = server;
	seat->wlr_seat = wlr_seat_create(server->display, "seat0");
	if (seat->wlr_seat == NULL) {
		wlr_log(WLR_ERROR, "cannot create the seat");
		goto error_seat;
	}
	if (!keyboard_init(seat)) {
		goto error_seat;
	}
	if (!cursor_init(seat)) {
		goto error_keyboard;
	}
	seat->clipboard = clipboard_create(seat);
	if (seat->clipboard == NULL) {
		goto error_cursor;
	}
	wlr_seat_set_capabilities(
		seat->wlr_seat, WL_SEAT_CAPABILITY_POINTER | WL_SEAT_CAPABILITY_KEYBOARD);

	seat->new_input.notify = handle_new_input;
	wl_signal_add(&server->backend->events.new_input, &seat->new_input);
	seat->request_start_drag.notify = handle_request_start_drag;
	wl_signal_add(&seat->wlr_seat->events.request_start_drag, &seat->request_start_drag);
	seat->start_drag.notify = handle_start_drag;
	wl_signal_add(&seat->wlr_seat->events.start_drag, &seat->start_drag);
	return seat;

error_cursor:
	cursor_finish(seat);
error_keyboard:
	keyboard_finish(seat);
error_seat:
	free(seat);
	return NULL;
}

void seat_destroy(struct tinct_seat *seat)
{
	if (seat == NULL) {
		return;
	}
	seatop_end(seat);
	clipboard_destroy(seat->clipboard);
	wl_list_remove(&seat->new_input.link);
	wl_list_remove(&seat->request_start_drag.link);
	wl_list_remove(&seat->start_drag.link);
	if (seat->focused_layer != NULL) {
		wl_list_remove(&seat->focused_layer_destroy.link);
	}
	cursor_finish(seat);
	keyboard_finish(seat);
	free(seat);
}
