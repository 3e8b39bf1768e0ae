/*
 * The trust policy (policy.h has the rules). Each function answers one
 * question from the client's tag; none of them trusts a client's word.
 */
#include "compositor/policy.h"

#include <stdlib.h>
#include <wayland-server-core.h>
#include <wlr/types/wlr_layer_shell_v1.h>
#include <wlr/types/wlr_output_layout.h>
#include <wlr/types/wlr_seat.h>
#include <wlr/types/wlr_xdg_shell.h>
#include <wlr/util/log.h>

#include "virtio-wl/client_tag.h"
#include "common/time.h"
#include "compositor/config.h"
#include "compositor/output.h"
#include "compositor/panel.h"
#include "compositor/seat.h"
#include "compositor/session_lock.h"
#include "compositor/view.h"
#include "virtio-wl/vm_display.h"

struct restricted_global {
	const struct wl_global *global;
	uint32_t permission;
};

bool policy_client_is_host(const struct wl_client *client)
{
	/* Fail-closed: only a client tagged as the host's is trusted. */
	return client_tag_is_host(client);
}

struct tinct_desktop_vm *policy_client_vm(const struct wl_client *client)
{
	return client_tag_owner(client);
}

bool policy_may(const struct wl_client *client, uint32_t permission)
{
	if (policy_client_is_host(client)) {
		return true;
	}
	struct tinct_desktop_vm *dvm = policy_client_vm(client);
	if (dvm == NULL || (permission & ~POLICY_VM_GRANTABLE) != 0) {
		return false;
	}
	return (dvm->permissions & permission) == permission;
}

static bool filter_global(
	const struct wl_client *client, const struct wl_global *global, void *data)
{
	struct tinct_server *server = data;
	struct restricted_global *restricted;
	wl_array_for_each (restricted, &server->restricted_globals) {
		if (restricted->global == global) {
			return policy_may(client, restricted->permission);
		}
	}
	return true;
}

void policy_init(struct tinct_server *server)
{
	wl_array_init(&server->restricted_globals);
	wl_display_set_global_filter(server->display, filter_global, server);
}

void policy_finish(struct tinct_server *server)
{
	wl_array_release(&server->restricted_globals);
}

void policy_restrict_global(
	struct tinct_server *server, const struct wl_global *global, uint32_t permission)
{
	struct restricted_global *slot = wl_array_add(&server->restricted_globals, sizeof(*slot));
	if (slot == NULL) {
		/* Failing open would expose the global: refuse to run instead. */
		wlr_log(WLR_ERROR, "out of memory recording a restricted global");
		abort();
	}
	*slot = (struct restricted_global){global, permission};
}

bool policy_may_open_window(const struct wl_client *client)
{
	if (policy_client_is_host(client)) {
		return true;
	}
	struct tinct_desktop_vm *dvm = policy_client_vm(client);
	if (dvm == NULL) {
		return false;
	}
	if (dvm->windows >= dvm->max_windows) {
		wlr_log(WLR_ERROR, "VM %s reached its limit of %d windows", vms_name(dvm),
			dvm->max_windows);
		return false;
	}
	return true;
}

bool policy_may_connect(struct tinct_desktop_vm *dvm)
{
	if (dvm->display == NULL) {
		return false;
	}
	if (vm_display_connections(dvm->display) >= (size_t)dvm->max_connections) {
		return false;
	}
	/*
	 * Every VM together: without a shared bound, enough VMs at their caps
	 * would exhaust descriptors, and libwayland's host socket spins on
	 * EMFILE while host clients time out.
	 */
	size_t total = 0;
	struct tinct_desktop_vm *other;
	wl_list_for_each (other, &dvm->server->desktop_vms, link) {
		if (other->display != NULL) {
			total += vm_display_connections(other->display);
		}
	}
	long budget = dvm->server->fd_limit - POLICY_HOST_FD_RESERVE;
	return budget > 0 && total < (size_t)budget;
}

bool policy_may_take_focus(struct tinct_view *view)
{
	if (view->vm == NULL) {
		return policy_client_is_host(view->xdg_surface->client->client);
	}
	/*
	 * A VM takes the keyboard only from itself, or once right after the
	 * user started it (its first window). Otherwise a guest could map a
	 * window, or ask for activation, just as the user types a password
	 * into another window.
	 */
	struct tinct_view *focused = view_focused(view->server);
	if (focused != NULL && focused->vm == view->vm) {
		return true;
	}
	if (view->vm->focus_grant_until_ms != 0) {
		bool fresh = now_ms() < view->vm->focus_grant_until_ms;
		view->vm->focus_grant_until_ms = 0;
		if (fresh) {
			return true;
		}
	}
	return focused == NULL && seat_focused_layer(view->server->seat) == NULL &&
	       wl_list_length(&view->server->views) == 1;
}

void policy_grant_first_window(struct tinct_desktop_vm *dvm)
{
	int timeout = dvm->server->config->focus.grant_timeout_ms;
	dvm->focus_grant_until_ms = timeout > 0 ? now_ms() + timeout : 0;
}

void policy_user_input(struct tinct_server *server)
{
	/*
	 * The user is doing something else now (say, typing a password into
	 * another window): a VM asked for earlier must not take the keys when
	 * its window shows up.
	 */
	struct tinct_desktop_vm *dvm;
	wl_list_for_each (dvm, &server->desktop_vms, link) {
		dvm->focus_grant_until_ms = 0;
	}
}

bool policy_cursor_ok(const struct wl_client *client, int width, int height, int hx, int hy)
{
	if (policy_client_is_host(client)) {
		return true;
	}
	if (width > POLICY_VM_CURSOR_MAX || height > POLICY_VM_CURSOR_MAX) {
		return false;
	}
	/* A hotspot outside the image would draw it away from the pointer. */
	return width == 0 || height == 0 || (hx >= 0 && hy >= 0 && hx < width && hy < height);
}

bool policy_vm_cursor_placement_ok(
	struct tinct_server *server, double lx, double ly, int x, int y, int width, int height)
{
	struct tinct_output *output = output_at(server, lx, ly);
	if (output == NULL) {
		return false;
	}
	struct wlr_box box = output_layout_box(output);
	int panel_bottom = box.y + panel_height(server->panel);
	return y >= panel_bottom || x + width <= box.x || x >= box.x + box.width || height == 0;
}

enum tinct_layer policy_drag_icon_layer(const struct wl_client *client)
{
	/* A VM's drag icon stays below the panel: it must not cover or fake it. */
	return policy_client_is_host(client) ? TINCT_LAYER_DRAG : TINCT_LAYER_VM_DRAG;
}

bool policy_frame_covers_surfaces(const struct tinct_view *view)
{
	return !policy_client_is_host(view->xdg_surface->client->client);
}

struct wlr_box policy_content_bound(struct tinct_server *server)
{
	/* Nothing a window shows needs to be bigger than all outputs together. */
	struct wlr_box *layout = wlr_output_layout_get_box(server->output_layout, NULL);
	struct wlr_box bound = {0, 0, POLICY_VM_CONTENT_MAX, POLICY_VM_CONTENT_MAX};
	if (layout != NULL && !wlr_box_empty(layout)) {
		bound.width = layout->width < bound.width ? layout->width : bound.width;
		bound.height = layout->height < bound.height ? layout->height : bound.height;
	}
	return bound;
}

bool policy_popup_framed(const struct tinct_view *view)
{
	return view != NULL && !policy_client_is_host(view->xdg_surface->client->client);
}

bool policy_popup_confined(const struct tinct_view *view)
{
	/* Over its title bar a VM's menu could pass for another window's name. */
	return view != NULL && !policy_client_is_host(view->xdg_surface->client->client);
}

bool policy_popup_grab_allowed(
	struct tinct_server *server, const struct wl_client *client, uint32_t serial)
{
	/* No grab while locked: it would take the keys from the lock surface. */
	if (session_lock_is_locked(server->session_lock)) {
		return false;
	}
	/*
	 * For every client alike: a menu opens from the press that asked for
	 * it, in a client that still has the keyboard or the pointer (an old
	 * key serial must not let a client in the background grab).
	 */
	struct tinct_seat *seat = server->seat;
	struct wlr_seat *wlr_seat = seat_wlr_seat(seat);
	struct wlr_seat_client *keyboard = wlr_seat->keyboard_state.focused_client;
	struct wlr_seat_client *pointer = wlr_seat->pointer_state.focused_client;
	if ((keyboard == NULL || keyboard->client != client) &&
		(pointer == NULL || pointer->client != client)) {
		return false;
	}
	for (size_t kind = 0; kind < 2; kind++) {
		if (seat->press_client[kind] == client && seat->press_serial[kind] == serial) {
			return true;
		}
	}
	return false;
}

bool policy_clipboard_domain(const struct wl_client *client, struct tinct_desktop_vm **dvm)
{
	if (policy_client_is_host(client)) {
		*dvm = NULL;
		return true;
	}
	*dvm = policy_client_vm(client);
	return *dvm != NULL;
}

/* Whether serial is in a range of serials tinct really sent client. */
static bool serial_sent_to(const struct wlr_seat_client *client, uint32_t serial)
{
	const struct wlr_serial_ringset *set = &client->serials;
	for (int i = 0; i < set->count; i++) {
		int j = (set->end - i + WLR_SERIAL_RINGSET_SIZE) %
			WLR_SERIAL_RINGSET_SIZE; // end: newest
		const struct wlr_serial_range *range = &set->data[j];
		if (serial - range->min_incl <= range->max_incl - range->min_incl) {
			return true;
		}
	}
	return false;
}

/*
 * Only the client with keyboard focus may set a selection, with a serial
 * tinct sent it since it got the keyboard. wlroots also accepts any serial
 * older than the 128 ranges it remembers per client, which any client can
 * name (serial 1) or push out of the history; that fallback is not used.
 * Otherwise a VM in the background could swap what the user is about to
 * paste.
 */
bool policy_selection_allowed(struct tinct_server *server, const struct wl_client *sender,
	uint32_t serial, uint32_t focus_serial)
{
	struct wlr_seat *wlr_seat = seat_wlr_seat(server->seat);
	struct wlr_seat_client *focused = wlr_seat->keyboard_state.focused_client;
	bool newer = serial != focus_serial && serial - focus_serial < UINT32_MAX / 2;
	if (focused != NULL && focused->client == sender && newer &&
		serial_sent_to(focused, serial)) {
		return true;
	}
	wlr_log(WLR_DEBUG, "selection refused: not from the client with keyboard focus");
	return false;
}

bool policy_drag_may_offer(const struct wl_client *origin, const struct wl_client *target)
{
	struct tinct_desktop_vm *from, *to;
	return origin != NULL && target != NULL && policy_clipboard_domain(origin, &from) &&
	       policy_clipboard_domain(target, &to) && from == to;
}

bool policy_drag_allowed(struct tinct_server *server, struct wlr_surface *origin, uint32_t serial)
{
	if (session_lock_is_locked(server->session_lock)) {
		return false;
	}
	return wlr_seat_validate_pointer_grab_serial(seat_wlr_seat(server->seat), origin, serial);
}
