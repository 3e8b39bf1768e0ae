/*
 * The seat: keyboard focus, exclusive layer focus, selections and drag and
 * drop. Keys (keyboard.c), the pointer (cursor.c) and grab modes (seatop.c)
 * share struct tinct_seat; every trust decision goes through policy.h.
 */
#include "compositor/seat.h"

#include <stdlib.h>
#include <string.h>
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

#include "compositor/clipboard.h"
#include "compositor/cursor.h"
#include "compositor/keyboard.h"
#include "compositor/policy.h"
#include "compositor/seatop.h"
#include "compositor/server.h"
#include "compositor/session_lock.h"
#include "compositor/view.h"

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
	if (!session_lock_client_may_focus(seat->server->session_lock, client)) {
		return false;
	}
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

void seat_end_grabs(struct tinct_seat *seat)
{
	struct wlr_seat *wlr_seat = seat->wlr_seat;
	/*
	 * A grab decides where input goes, and an xdg popup grab ignores
	 * keyboard enter: left alone it would keep the keys with its client
	 * while tinct shows them going elsewhere. Ending the keyboard grab of a
	 * popup ends its pointer grab and dismisses the popups too.
	 */
	if (wlr_seat->keyboard_state.grab != wlr_seat->keyboard_state.default_grab) {
		wlr_seat_keyboard_end_grab(wlr_seat);
	}
	if (wlr_seat->pointer_state.grab != wlr_seat->pointer_state.default_grab) {
		wlr_seat_pointer_end_grab(wlr_seat);
	}
	if (wlr_seat->touch_state.grab != wlr_seat->touch_state.default_grab) {
		wlr_seat_touch_end_grab(wlr_seat);
	}
}

void seat_note_press(struct tinct_seat *seat, enum tinct_press_kind kind, uint32_t serial_before,
	struct wl_client *client)
{
	uint32_t serial = wl_display_get_serial(seat->server->display);
	if (client == NULL || serial == serial_before) {
		return; // nothing was sent
	}
	seat->press_serial[kind] = serial;
	seat->press_client[kind] = client;
}

static void handle_refused_grab(void *data)
{
	struct tinct_seat *seat = data;
	seat->refused_grab_idle = NULL; // the loop frees idle sources it ran
	seat_end_grabs(seat);
}

/*
 * wlroots 0.15 grants xdg_popup.grab whatever its serial. Requests are seen
 * here just before they are dispatched: a grab the policy refuses is ended
 * once the request is done, which dismisses the popup (popup_done), as the
 * protocol says a denied grab does.
 */
static void handle_request(void *data, enum wl_protocol_logger_type type,
	const struct wl_protocol_logger_message *message)
{
	struct tinct_seat *seat = data;
	if (type != WL_PROTOCOL_LOGGER_REQUEST || strcmp(message->message->name, "grab") != 0 ||
		strcmp(wl_resource_get_class(message->resource), "xdg_popup") != 0 ||
		message->arguments_count < 2) {
		return;
	}
	struct wl_client *client = wl_resource_get_client(message->resource);
	uint32_t untrusted_serial = message->arguments[1].u;
	if (policy_popup_grab_allowed(seat->server, client, untrusted_serial)) {
		return;
	}
	wlr_log(WLR_DEBUG, "popup grab refused: serial %u is not a fresh press of its client",
		untrusted_serial);
	if (seat->refused_grab_idle == NULL) {
		seat->refused_grab_idle =
			wl_event_loop_add_idle(wl_display_get_event_loop(seat->server->display),
				handle_refused_grab, seat);
	}
}

static void handle_keyboard_focus_change(struct wl_listener *listener, void *data)
{
	struct tinct_seat *seat = wl_container_of(listener, seat, keyboard_focus_change);
	struct wlr_seat_keyboard_focus_change_event *event = data;
	views_keyboard_focus_changed(seat->server, event->old_surface, event->new_surface);
}

void seat_focus_surface(struct tinct_seat *seat, struct wlr_surface *surface)
{
	if (session_lock_is_locked(seat->server->session_lock)) {
		/* Only the lock moves the keyboard (seat_focus_lock_surface()). */
		return;
	}
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
	seat_end_grabs(seat);
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
	seat_end_grabs(seat);
	if (layer != NULL) {
		seat->focused_layer = layer;
		seat->focused_layer_destroy.notify = handle_focused_layer_destroy;
		wl_signal_add(&layer->events.destroy, &seat->focused_layer_destroy);
		if (!session_lock_is_locked(seat->server->session_lock)) {
			keyboard_enter(seat, layer->surface);
		}
		return;
	}
	if (session_lock_is_locked(seat->server->session_lock)) {
		return;
	}
	/* Released: keys go back to the top window. */
	struct tinct_view *view = view_top(seat->server);
	keyboard_enter(seat, view != NULL ? view->xdg_surface->surface : NULL);
}

void seat_focus_lock_surface(struct tinct_seat *seat, struct wlr_surface *surface)
{
	if (seat->wlr_seat->keyboard_state.focused_surface == surface) {
		return;
	}
	seat_end_grabs(seat);
	keyboard_enter(seat, surface);
}

void seat_lock_changed(struct tinct_seat *seat)
{
	seat_end_grabs(seat);
	seatop_end(seat);
	struct wlr_surface *surface = NULL;
	if (!session_lock_is_locked(seat->server->session_lock)) {
		/* Unlocked: the keys go back where they were going. */
		struct tinct_view *view = view_top(seat->server);
		if (seat->focused_layer != NULL) {
			surface = seat->focused_layer->surface;
		} else if (view != NULL) {
			surface = view->xdg_surface->surface;
		}
		if (surface != NULL &&
			!seat_may_focus_client(seat, wl_resource_get_client(surface->resource))) {
			surface = NULL;
		}
	}
	keyboard_enter(seat, surface);
	wlr_seat_pointer_notify_clear_focus(seat->wlr_seat);
	seat_update_pointer(seat);
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
	seat->keyboard_focus_change.notify = handle_keyboard_focus_change;
	wl_signal_add(
		&seat->wlr_seat->keyboard_state.events.focus_change, &seat->keyboard_focus_change);
	seat->request_watch = wl_display_add_protocol_logger(server->display, handle_request, seat);
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
	wl_list_remove(&seat->keyboard_focus_change.link);
	if (seat->request_watch != NULL) {
		wl_protocol_logger_destroy(seat->request_watch);
	}
	if (seat->refused_grab_idle != NULL) {
		wl_event_source_remove(seat->refused_grab_idle);
	}
	if (seat->focused_layer != NULL) {
		wl_list_remove(&seat->focused_layer_destroy.link);
	}
	cursor_finish(seat);
	keyboard_finish(seat);
	free(seat);
}
