/*
 * The pointer: what is under the cursor is one wlr_scene_node_at and the
 * node descriptors (server.h); clicks focus and raise, the title bar and
 * border start grab modes (seatop.c), Super + left/right drag moves or
 * resizes any window and is never sent on.
 */
#include "compositor/cursor.h"

#include <libinput.h>
#include <linux/input-event-codes.h>
#include <stdlib.h>
#include <wlr/backend/libinput.h>
#include <wlr/types/wlr_cursor.h>
#include <wlr/types/wlr_input_device.h>
#include <wlr/types/wlr_keyboard.h>
#include <wlr/types/wlr_output_layout.h>
#include <wlr/types/wlr_pointer.h>
#include <wlr/types/wlr_pointer_constraints_v1.h>
#include <wlr/types/wlr_relative_pointer_v1.h>
#include <wlr/types/wlr_scene.h>
#include <wlr/types/wlr_seat.h>
#include <wlr/types/wlr_virtual_pointer_v1.h>
#include <wlr/types/wlr_xcursor_manager.h>
#include <wlr/util/edges.h>
#include <wlr/util/log.h>

#include "compositor/clipboard.h"
#include "compositor/config.h"
#include "compositor/frame.h"
#include "compositor/idle.h"
#include "compositor/layer_shell.h"
#include "compositor/panel.h"
#include "compositor/policy.h"
#include "compositor/seat.h"
#include "compositor/seatop.h"
#include "compositor/server.h"
#include "compositor/session_lock.h"
#include "compositor/view.h"

/* Pointer constraints follow keyboard focus, as the protocol expects. */
static void constraint_deactivate(struct tinct_seat *seat)
{
	if (seat->active_constraint == NULL) {
		return;
	}
	wlr_pointer_constraint_v1_send_deactivated(seat->active_constraint);
	wl_list_remove(&seat->constraint_destroy.link);
	wl_list_init(&seat->constraint_destroy.link);
	seat->active_constraint = NULL;
}

static void handle_constraint_destroy(struct wl_listener *listener, void *data)
{
	struct tinct_seat *seat = wl_container_of(listener, seat, constraint_destroy);
	wl_list_remove(&seat->constraint_destroy.link);
	wl_list_init(&seat->constraint_destroy.link);
	seat->active_constraint = NULL;
}

static void constraint_activate(
	struct tinct_seat *seat, struct wlr_pointer_constraint_v1 *constraint)
{
	if (seat->active_constraint == constraint) {
		return;
	}
	constraint_deactivate(seat);
	if (constraint == NULL) {
		return;
	}
	struct wl_client *client = wl_resource_get_client(constraint->surface->resource);
	if (!policy_may(client, TINCT_PERM_POINTER_CONSTRAINTS)) {
		return;
	}
	seat->active_constraint = constraint;
	wl_signal_add(&constraint->events.destroy, &seat->constraint_destroy);
	wlr_pointer_constraint_v1_send_activated(constraint);
}

void cursor_update_constraint(struct tinct_seat *seat)
{
	struct wlr_surface *focused = seat->wlr_seat->keyboard_state.focused_surface;
	struct wlr_pointer_constraint_v1 *constraint = NULL;
	if (focused != NULL) {
		constraint = wlr_pointer_constraints_v1_constraint_for_surface(
			seat->pointer_constraints, focused, seat->wlr_seat);
	}
	constraint_activate(seat, constraint);
}

static void handle_new_constraint(struct wl_listener *listener, void *data)
{
	struct tinct_seat *seat = wl_container_of(listener, seat, new_constraint);
	(void)data;
	cursor_update_constraint(seat);
}

static void pointer_configure(struct tinct_seat *seat, struct wlr_input_device *device)
{
	if (!wlr_input_device_is_libinput(device)) {
		return;
	}
	struct tinct_config *config = seat->server->config;
	struct libinput_device *libinput = wlr_libinput_get_device_handle(device);
	if (libinput_device_config_tap_get_finger_count(libinput) > 0) {
		libinput_device_config_tap_set_enabled(
			libinput, config->pointer.tap_to_click ? LIBINPUT_CONFIG_TAP_ENABLED
							       : LIBINPUT_CONFIG_TAP_DISABLED);
	}
	if (libinput_device_config_scroll_has_natural_scroll(libinput)) {
		libinput_device_config_scroll_set_natural_scroll_enabled(
			libinput, config->pointer.natural_scroll);
	}
	if (libinput_device_config_accel_is_available(libinput)) {
		libinput_device_config_accel_set_speed(libinput, config->pointer.accel_speed);
	}
}

static void handle_new_virtual_pointer(struct wl_listener *listener, void *data)
{
	struct tinct_seat *seat = wl_container_of(listener, seat, new_virtual_pointer);
	struct wlr_virtual_pointer_v1_new_pointer_event *event = data;
	struct wlr_input_device *device = &event->new_pointer->input_device;
	wlr_cursor_attach_input_device(seat->cursor, device);
	if (event->suggested_output != NULL) {
		wlr_cursor_map_input_to_output(seat->cursor, device, event->suggested_output);
	}
}

static void vm_cursor_forget(struct tinct_seat *seat)
{
	if (seat->vm_cursor == NULL) {
		return;
	}
	wl_list_remove(&seat->vm_cursor_commit.link);
	wl_list_remove(&seat->vm_cursor_destroy.link);
	seat->vm_cursor = NULL;
}

static bool vm_cursor_placement_ok(struct tinct_seat *seat)
{
	struct wlr_surface *surface = seat->vm_cursor;
	return policy_vm_cursor_placement_ok(seat->server, seat->cursor->x, seat->cursor->y,
		(int)seat->cursor->x - seat->vm_cursor_hx,
		(int)seat->cursor->y - seat->vm_cursor_hy, surface->current.width,
		surface->current.height);
}

static void handle_vm_cursor_commit(struct wl_listener *listener, void *data)
{
	struct tinct_seat *seat = wl_container_of(listener, seat, vm_cursor_commit);
	struct wlr_surface *surface = seat->vm_cursor;
	/* wlr_cursor moves the hotspot by the attach offset; follow it. */
	seat->vm_cursor_hx -= surface->current.dx;
	seat->vm_cursor_hy -= surface->current.dy;
	if (!policy_cursor_ok(wl_resource_get_client(surface->resource), surface->current.width,
		    surface->current.height, seat->vm_cursor_hx, seat->vm_cursor_hy) ||
		!vm_cursor_placement_ok(seat)) {
		wlr_log(WLR_DEBUG, "a VM cursor is %dx%d, hotspot %d,%d; using the default cursor",
			surface->current.width, surface->current.height, seat->vm_cursor_hx,
			seat->vm_cursor_hy);
		seat->cursor_image = NULL;
		cursor_set_image(seat, "left_ptr");
	}
}

static void handle_vm_cursor_destroy(struct wl_listener *listener, void *data)
{
	struct tinct_seat *seat = wl_container_of(listener, seat, vm_cursor_destroy);
	vm_cursor_forget(seat);
}

void cursor_set_image(struct tinct_seat *seat, const char *name)
{
	vm_cursor_forget(seat);
	if (seat->cursor_image == name) {
		return;
	}
	seat->cursor_image = name;
	wlr_xcursor_manager_set_cursor_image(seat->xcursor_manager, name, seat->cursor);
}

/* What is under (lx, ly): the surface and its coordinates, and the descriptor. */
struct hit {
	struct wlr_surface *surface;
	double sx, sy;
	struct tinct_node_desc *desc;
	struct wlr_scene_node *node;
};

static struct hit hit_test(struct tinct_seat *seat, double lx, double ly)
{
	struct hit hit = {0};
	struct wlr_scene_node *node =
		wlr_scene_node_at(&seat->server->scene->node, lx, ly, &hit.sx, &hit.sy);
	if (node == NULL) {
		return hit;
	}
	hit.node = node;
	if (node->type == WLR_SCENE_NODE_SURFACE) {
		hit.surface = wlr_scene_surface_from_node(node)->surface;
	}
	for (struct wlr_scene_node *n = node; n != NULL; n = n->parent) {
		if (n->data != NULL) {
			hit.desc = n->data;
			break;
		}
	}
	return hit;
}

static struct tinct_view *hit_view(struct hit *hit)
{
	if (hit->desc == NULL) {
		return NULL;
	}
	if (hit->desc->type == TINCT_NODE_VIEW || hit->desc->type == TINCT_NODE_FRAME) {
		return hit->desc->owner;
	}
	return NULL;
}

void cursor_process_motion(struct tinct_seat *seat, uint32_t time_msec)
{
	if (seat->wlr_seat->drag != NULL) {
		seat_update_drag_icons(seat);
	}
	if (seatop_active(seat)) {
		seatop_motion(seat);
		return;
	}
	struct hit hit = hit_test(seat, seat->cursor->x, seat->cursor->y);
	struct wlr_seat *wlr_seat = seat->wlr_seat;
	if (hit.surface != NULL &&
		!seat_may_focus_client(seat, wl_resource_get_client(hit.surface->resource))) {
		hit.surface = NULL;
	}
	if (hit.surface != NULL && wlr_seat->drag != NULL &&
		!clipboard_drag_may_enter(seat->clipboard, hit.surface)) {
		/* Offers of a drag go to its own domain only: clear its focus. */
		hit.surface = NULL;
	}
	if (hit.surface == NULL) {
		const char *image = "left_ptr";
		struct tinct_view *view = hit_view(&hit);
		if (view != NULL && hit.desc->type == TINCT_NODE_FRAME) {
			struct wlr_box box = view_frame_box(view);
			image = seatop_edges_cursor(frame_edges_at(
				view, seat->cursor->x - box.x, seat->cursor->y - box.y));
		}
		seat->cursor_image = NULL;
		cursor_set_image(seat, image);
		wlr_seat_pointer_notify_clear_focus(wlr_seat);
		return;
	}
	if (seat->vm_cursor != NULL && !vm_cursor_placement_ok(seat)) {
		/* A VM's cursor image never covers the panel: ours instead. */
		seat->cursor_image = NULL;
		cursor_set_image(seat, "left_ptr");
	}
	if (seat->vm_cursor != NULL ||
		seat->wlr_seat->pointer_state.focused_surface != hit.surface) {
		seat->cursor_image = NULL;
	}
	wlr_seat_pointer_notify_enter(wlr_seat, hit.surface, hit.sx, hit.sy);
	wlr_seat_pointer_notify_motion(wlr_seat, time_msec, hit.sx, hit.sy);
}

/* Applies the active pointer constraint to a relative motion. */
static bool constrain_motion(struct tinct_seat *seat, double *dx, double *dy)
{
	struct wlr_pointer_constraint_v1 *constraint = seat->active_constraint;
	if (constraint == NULL ||
		seat->wlr_seat->pointer_state.focused_surface != constraint->surface) {
		return false;
	}
	if (constraint->type == WLR_POINTER_CONSTRAINT_V1_LOCKED) {
		*dx = *dy = 0;
		return true;
	}
	double sx = seat->wlr_seat->pointer_state.sx + *dx;
	double sy = seat->wlr_seat->pointer_state.sy + *dy;
	if (!pixman_region32_contains_point(&constraint->region, (int)sx, (int)sy, NULL)) {
		*dx = *dy = 0;
	}
	return true;
}

static void handle_cursor_motion(struct wl_listener *listener, void *data)
{
	struct tinct_seat *seat = wl_container_of(listener, seat, cursor_motion);
	struct wlr_event_pointer_motion *event = data;
	idle_notify_activity(seat->server);
	wlr_relative_pointer_manager_v1_send_relative_motion(seat->relative_pointer, seat->wlr_seat,
		(uint64_t)event->time_msec * 1000, event->delta_x, event->delta_y,
		event->unaccel_dx, event->unaccel_dy);
	double dx = event->delta_x, dy = event->delta_y;
	constrain_motion(seat, &dx, &dy);
	wlr_cursor_move(seat->cursor, event->device, dx, dy);
	cursor_process_motion(seat, event->time_msec);
}

static void handle_cursor_motion_absolute(struct wl_listener *listener, void *data)
{
	struct tinct_seat *seat = wl_container_of(listener, seat, cursor_motion_absolute);
	struct wlr_event_pointer_motion_absolute *event = data;
	idle_notify_activity(seat->server);
	double lx, ly;
	wlr_cursor_absolute_to_layout_coords(
		seat->cursor, event->device, event->x, event->y, &lx, &ly);
	double dx = lx - seat->cursor->x, dy = ly - seat->cursor->y;
	wlr_relative_pointer_manager_v1_send_relative_motion(seat->relative_pointer, seat->wlr_seat,
		(uint64_t)event->time_msec * 1000, dx, dy, dx, dy);
	constrain_motion(seat, &dx, &dy);
	wlr_cursor_move(seat->cursor, event->device, dx, dy);
	cursor_process_motion(seat, event->time_msec);
}

static void handle_cursor_button(struct wl_listener *listener, void *data)
{
	struct tinct_seat *seat = wl_container_of(listener, seat, cursor_button);
	struct wlr_event_pointer_button *event = data;
	idle_notify_activity(seat->server);

	if (event->state == WLR_BUTTON_RELEASED && seatop_active(seat)) {
		seatop_end(seat);
		cursor_process_motion(seat, event->time_msec);
		return;
	}
	if (event->state == WLR_BUTTON_PRESSED) {
		policy_user_input(seat->server);
	}
	if (session_lock_is_locked(seat->server->session_lock)) {
		/*
		 * Only lock surfaces are shown, so only one can have the pointer;
		 * a click on one gives it the keyboard too.
		 */
		struct wlr_surface *surface = seat->wlr_seat->pointer_state.focused_surface;
		if (event->state == WLR_BUTTON_PRESSED &&
			session_lock_owns_surface(seat->server->session_lock, surface)) {
			seat_focus_lock_surface(seat, surface);
		}
		wlr_seat_pointer_notify_button(
			seat->wlr_seat, event->time_msec, event->button, event->state);
		return;
	}
	if (event->state == WLR_BUTTON_PRESSED &&
		panel_handle_button(seat->server->panel, seat->cursor->x, seat->cursor->y)) {
		return;
	}
	if (event->state == WLR_BUTTON_PRESSED) {
		struct hit hit = hit_test(seat, seat->cursor->x, seat->cursor->y);
		struct tinct_view *view = hit_view(&hit);
		struct wlr_keyboard *keyboard = wlr_seat_get_keyboard(seat->wlr_seat);
		uint32_t modifiers = keyboard != NULL ? wlr_keyboard_get_modifiers(keyboard) : 0;

		if (view != NULL) {
			view_focus(view);
			if (modifiers & WLR_MODIFIER_LOGO) {
				/* Super + left moves, Super + right resizes: never sent on. */
				if (event->button == BTN_LEFT) {
					seatop_begin_move(seat, view);
				} else if (event->button == BTN_RIGHT) {
					struct wlr_box box = view_frame_box(view);
					uint32_t edges = 0;
					edges |= seat->cursor->x < box.x + box.width / 2.0
							 ? WLR_EDGE_LEFT
							 : WLR_EDGE_RIGHT;
					edges |= seat->cursor->y < box.y + box.height / 2.0
							 ? WLR_EDGE_TOP
							 : WLR_EDGE_BOTTOM;
					seatop_begin_resize(seat, view, edges);
				}
				return;
			}
			if (hit.desc->type == TINCT_NODE_FRAME && event->button == BTN_LEFT) {
				struct wlr_box box = view_frame_box(view);
				uint32_t edges = frame_edges_at(
					view, seat->cursor->x - box.x, seat->cursor->y - box.y);
				if (edges == 0) {
					seatop_begin_move(seat, view);
				} else {
					seatop_begin_resize(seat, view, edges);
				}
				return;
			}
			if (hit.desc->type == TINCT_NODE_FRAME) {
				return;
			}
		} else if (hit.desc != NULL && hit.desc->type == TINCT_NODE_LAYER_SURFACE) {
			layer_surface_handle_click(hit.desc->owner);
		}
	}
	struct wlr_seat_client *to = seat->wlr_seat->pointer_state.focused_client;
	uint32_t serial = wl_display_get_serial(seat->server->display);
	wlr_seat_pointer_notify_button(
		seat->wlr_seat, event->time_msec, event->button, event->state);
	if (event->state == WLR_BUTTON_PRESSED) {
		seat_note_press(seat, TINCT_PRESS_BUTTON, serial, to ? to->client : NULL);
	}
}

static void handle_cursor_axis(struct wl_listener *listener, void *data)
{
	struct tinct_seat *seat = wl_container_of(listener, seat, cursor_axis);
	struct wlr_event_pointer_axis *event = data;
	idle_notify_activity(seat->server);
	wlr_seat_pointer_notify_axis(seat->wlr_seat, event->time_msec, event->orientation,
		event->delta, event->delta_discrete, event->source);
}

static void handle_cursor_frame(struct wl_listener *listener, void *data)
{
	struct tinct_seat *seat = wl_container_of(listener, seat, cursor_frame);
	wlr_seat_pointer_notify_frame(seat->wlr_seat);
}

static void handle_request_set_cursor(struct wl_listener *listener, void *data)
{
	struct tinct_seat *seat = wl_container_of(listener, seat, request_set_cursor);
	struct wlr_seat_pointer_request_set_cursor_event *event = data;
	if (seatop_active(seat)) {
		return;
	}
	/* Only the client with pointer focus may set the image. */
	if (event->seat_client != seat->wlr_seat->pointer_state.focused_client) {
		return;
	}
	vm_cursor_forget(seat);
	seat->cursor_image = NULL;
	struct wlr_surface *surface = event->surface;
	if (surface != NULL && !policy_client_is_host(event->seat_client->client)) {
		if (!policy_cursor_ok(event->seat_client->client, surface->current.width,
			    surface->current.height, event->hotspot_x, event->hotspot_y)) {
			cursor_set_image(seat, "left_ptr");
			return;
		}
		if (!policy_vm_cursor_placement_ok(seat->server, seat->cursor->x, seat->cursor->y,
			    (int)seat->cursor->x - event->hotspot_x,
			    (int)seat->cursor->y - event->hotspot_y, surface->current.width,
			    surface->current.height)) {
			cursor_set_image(seat, "left_ptr");
			return;
		}
		seat->vm_cursor = surface;
		seat->vm_cursor_hx = event->hotspot_x;
		seat->vm_cursor_hy = event->hotspot_y;
		seat->vm_cursor_commit.notify = handle_vm_cursor_commit;
		wl_signal_add(&surface->events.commit, &seat->vm_cursor_commit);
		seat->vm_cursor_destroy.notify = handle_vm_cursor_destroy;
		wl_signal_add(&surface->events.destroy, &seat->vm_cursor_destroy);
	}
	wlr_cursor_set_surface(seat->cursor, surface, event->hotspot_x, event->hotspot_y);
}

void cursor_add_device(struct tinct_seat *seat, struct wlr_input_device *device)
{
	pointer_configure(seat, device);
	wlr_cursor_attach_input_device(seat->cursor, device);
}

bool cursor_init(struct tinct_seat *seat)
{
	struct tinct_server *server = seat->server;
	wl_list_init(&seat->constraint_destroy.link);
	seat->constraint_destroy.notify = handle_constraint_destroy;
	seat->cursor = wlr_cursor_create();
	seat->relative_pointer = wlr_relative_pointer_manager_v1_create(server->display);
	seat->pointer_constraints = wlr_pointer_constraints_v1_create(server->display);
	seat->virtual_pointer = wlr_virtual_pointer_manager_v1_create(server->display);
	if (seat->cursor == NULL || seat->relative_pointer == NULL ||
		seat->pointer_constraints == NULL || seat->virtual_pointer == NULL) {
		wlr_log(WLR_ERROR, "cannot create the cursor or the pointer globals");
		wlr_cursor_destroy(seat->cursor);
		seat->cursor = NULL;
		return false;
	}
	wlr_cursor_attach_output_layout(seat->cursor, server->output_layout);
	seat->xcursor_manager = wlr_xcursor_manager_create(
		server->config->cursor.theme, (uint32_t)server->config->cursor.size);
	wlr_xcursor_manager_load(seat->xcursor_manager, 1);
	policy_restrict_global(server, seat->virtual_pointer->global, TINCT_PERM_VIRTUAL_INPUT);
	policy_restrict_global(
		server, seat->pointer_constraints->global, TINCT_PERM_POINTER_CONSTRAINTS);
	policy_restrict_global(server, seat->relative_pointer->global, TINCT_PERM_RELATIVE_POINTER);

	seat->cursor_motion.notify = handle_cursor_motion;
	wl_signal_add(&seat->cursor->events.motion, &seat->cursor_motion);
	seat->cursor_motion_absolute.notify = handle_cursor_motion_absolute;
	wl_signal_add(&seat->cursor->events.motion_absolute, &seat->cursor_motion_absolute);
	seat->cursor_button.notify = handle_cursor_button;
	wl_signal_add(&seat->cursor->events.button, &seat->cursor_button);
	seat->cursor_axis.notify = handle_cursor_axis;
	wl_signal_add(&seat->cursor->events.axis, &seat->cursor_axis);
	seat->cursor_frame.notify = handle_cursor_frame;
	wl_signal_add(&seat->cursor->events.frame, &seat->cursor_frame);
	seat->request_set_cursor.notify = handle_request_set_cursor;
	wl_signal_add(&seat->wlr_seat->events.request_set_cursor, &seat->request_set_cursor);
	seat->new_constraint.notify = handle_new_constraint;
	wl_signal_add(&seat->pointer_constraints->events.new_constraint, &seat->new_constraint);
	seat->new_virtual_pointer.notify = handle_new_virtual_pointer;
	wl_signal_add(
		&seat->virtual_pointer->events.new_virtual_pointer, &seat->new_virtual_pointer);
	return true;
}

void cursor_finish(struct tinct_seat *seat)
{
	if (seat->cursor == NULL) {
		return;
	}
	vm_cursor_forget(seat);
	wl_list_remove(&seat->cursor_motion.link);
	wl_list_remove(&seat->cursor_motion_absolute.link);
	wl_list_remove(&seat->cursor_button.link);
	wl_list_remove(&seat->cursor_axis.link);
	wl_list_remove(&seat->cursor_frame.link);
	wl_list_remove(&seat->request_set_cursor.link);
	wl_list_remove(&seat->new_constraint.link);
	wl_list_remove(&seat->constraint_destroy.link);
	wl_list_remove(&seat->new_virtual_pointer.link);
	wlr_xcursor_manager_destroy(seat->xcursor_manager);
	wlr_cursor_destroy(seat->cursor);
	seat->cursor = NULL;
}
