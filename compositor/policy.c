/*
 * The trust policy (policy.h has the rules). Each function answers one
 * question from the client's tag; none of them trusts a client's word.
 */
#include "policy.h"

#include <stdlib.h>
#include <wayland-server-core.h>
#include <wlr/types/wlr_layer_shell_v1.h>
#include <wlr/types/wlr_seat.h>
#include <wlr/types/wlr_xdg_shell.h>
#include <wlr/util/log.h>

#include "client_tag.h"
#include "seat.h"
#include "view.h"
#include "vm_display.h"

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
	if (view->vm->focus_next_window) {
		view->vm->focus_next_window = false;
		return true;
	}
	return focused == NULL && seat_focused_layer(view->server->seat) == NULL &&
	       wl_list_length(&view->server->views) == 1;
}

void policy_grant_first_window(struct tinct_desktop_vm *dvm)
{
	dvm->focus_next_window = true;
}

void policy_user_focused(struct tinct_server *server, struct tinct_view *view)
{
	/*
	 * The user is on the host now (say, typing a password into foot): a VM
	 * started earlier must not take the keys when its window shows up.
	 */
	if (view->vm != NULL) {
		return;
	}
	struct tinct_desktop_vm *dvm;
	wl_list_for_each (dvm, &server->desktop_vms, link) {
		dvm->focus_next_window = false;
	}
}

bool policy_cursor_size_ok(const struct wl_client *client, int width, int height)
{
	if (policy_client_is_host(client)) {
		return true;
	}
	return width <= POLICY_VM_CURSOR_MAX && height <= POLICY_VM_CURSOR_MAX;
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

bool policy_popup_framed(const struct tinct_view *view)
{
	return view != NULL && !policy_client_is_host(view->xdg_surface->client->client);
}

/*
 * Only the client with keyboard focus may set a selection: its serial must
 * be one tinct sent that client. Otherwise a VM in the background could
 * swap what the user is about to paste. The exception is data-control
 * (host clipboard tools; VMs never see it): wlroots makes up a fresh serial
 * for it, one that no client has been sent.
 */
bool policy_selection_allowed(struct tinct_server *server, uint32_t serial)
{
	struct wlr_seat *wlr_seat = seat_wlr_seat(server->seat);
	struct wlr_seat_client *focused = wlr_seat->keyboard_state.focused_client;
	if (focused != NULL && wlr_seat_client_validate_event_serial(focused, serial)) {
		return true;
	}
	if (serial == wl_display_get_serial(server->display)) {
		bool sent = false;
		struct wlr_seat_client *client;
		wl_list_for_each (client, &wlr_seat->clients, link) {
			sent = sent || wlr_seat_client_validate_event_serial(client, serial);
		}
		if (!sent) {
			return true;
		}
	}
	wlr_log(WLR_DEBUG, "selection refused: not from the client with keyboard focus");
	return false;
}

bool policy_drag_allowed(struct tinct_server *server, struct wlr_surface *origin, uint32_t serial)
{
	return wlr_seat_validate_pointer_grab_serial(seat_wlr_seat(server->seat), origin, serial);
}
