/*
 * Input: keyboards, cursor and everything that follows the seat. Focus
 * follows click; the modifier (Super) plus left or right button moves or
 * resizes any window; bindings are matched before clients see a key and are
 * never forwarded.
 */
#include "seat.h"

#include <libinput.h>
#include <linux/input-event-codes.h>
#include <stdlib.h>
#include <time.h>
#include <wlr/backend/libinput.h>
#include <wlr/types/wlr_cursor.h>
#include <wlr/types/wlr_data_device.h>
#include <wlr/types/wlr_idle.h>
#include <wlr/types/wlr_input_device.h>
#include <wlr/types/wlr_input_inhibitor.h>
#include <wlr/types/wlr_keyboard.h>
#include <wlr/types/wlr_keyboard_group.h>
#include <wlr/types/wlr_keyboard_shortcuts_inhibit_v1.h>
#include <wlr/types/wlr_layer_shell_v1.h>
#include <wlr/types/wlr_output_layout.h>
#include <wlr/types/wlr_pointer.h>
#include <wlr/types/wlr_pointer_constraints_v1.h>
#include <wlr/types/wlr_primary_selection.h>
#include <wlr/types/wlr_primary_selection_v1.h>
#include <wlr/types/wlr_relative_pointer_v1.h>
#include <wlr/types/wlr_scene.h>
#include <wlr/types/wlr_seat.h>
#include <wlr/types/wlr_virtual_keyboard_v1.h>
#include <wlr/types/wlr_virtual_pointer_v1.h>
#include <wlr/types/wlr_xcursor_manager.h>
#include <wlr/types/wlr_xdg_shell.h>
#include <wlr/util/edges.h>
#include <wlr/util/log.h>
#include <xkbcommon/xkbcommon.h>

#include "bindings.h"
#include "config.h"
#include "layer_shell.h"
#include "panel.h"
#include "server.h"
#include "view.h"
#include "vms.h"

#define MAX_CONSUMED_KEYS 32

enum cursor_mode {
	CURSOR_PASSTHROUGH,
	CURSOR_MOVE,
	CURSOR_RESIZE,
};

struct tinct_keyboard {
	struct tinct_seat *seat;
	struct wlr_input_device *device;
	struct wl_listener key;
	struct wl_listener modifiers;
	struct wl_listener destroy;
	struct wl_list link; // tinct_seat.keyboards
};

struct tinct_drag_icon {
	struct tinct_seat *seat;
	struct wlr_drag_icon *icon;
	struct wlr_scene_node *node;
	struct wl_listener destroy;
};

struct tinct_shortcuts_inhibitor {
	struct wlr_keyboard_shortcuts_inhibitor_v1 *inhibitor;
	struct wl_listener destroy;
	struct wl_list link; // tinct_seat.shortcuts_inhibitors
};

struct tinct_seat {
	struct tinct_server *server;
	struct wlr_seat *wlr_seat;
	struct wlr_cursor *cursor;
	struct wlr_xcursor_manager *xcursor_manager;
	struct wlr_keyboard_group *keyboard_group;
	struct wl_list keyboards; // tinct_keyboard.link

	struct wlr_relative_pointer_manager_v1 *relative_pointer;
	struct wlr_pointer_constraints_v1 *pointer_constraints;
	struct wlr_pointer_constraint_v1 *active_constraint;
	struct wlr_keyboard_shortcuts_inhibit_manager_v1 *shortcuts_inhibit;
	struct wl_list shortcuts_inhibitors; // tinct_shortcuts_inhibitor.link
	struct wlr_virtual_keyboard_manager_v1 *virtual_keyboard;
	struct wlr_virtual_pointer_manager_v1 *virtual_pointer;

	struct wlr_layer_surface_v1 *focused_layer;
	struct wl_listener focused_layer_destroy;

	enum cursor_mode mode;
	struct tinct_view *grab_view;
	double grab_x, grab_y; // cursor position at grab start
	struct wlr_box grab_box; // view content box at grab start
	uint32_t resize_edges;
	const char *cursor_image;

	/* A VM client's cursor surface, watched so it stays small. */
	struct wlr_surface *vm_cursor;
	struct wl_listener vm_cursor_commit;
	struct wl_listener vm_cursor_destroy;

	uint32_t consumed_keys[MAX_CONSUMED_KEYS];
	size_t consumed_count;

	struct wl_listener new_input;
	struct wl_listener cursor_motion;
	struct wl_listener cursor_motion_absolute;
	struct wl_listener cursor_button;
	struct wl_listener cursor_axis;
	struct wl_listener cursor_frame;
	struct wl_listener request_set_cursor;
	struct wl_listener request_set_selection;
	struct wl_listener request_set_primary_selection;
	struct wl_listener request_start_drag;
	struct wl_listener start_drag;
	struct wl_listener new_constraint;
	struct wl_listener constraint_destroy;
	struct wl_listener new_shortcuts_inhibitor;
	struct wl_listener new_virtual_keyboard;
	struct wl_listener new_virtual_pointer;
	struct wl_listener group_key;
	struct wl_listener group_modifiers;
};

struct wlr_seat *seat_wlr_seat(struct tinct_seat *seat)
{
	return seat->wlr_seat;
}

struct wlr_cursor *seat_cursor(struct tinct_seat *seat)
{
	return seat->cursor;
}

static void notify_activity(struct tinct_seat *seat)
{
	wlr_idle_notify_activity(seat->server->idle, seat->wlr_seat);
}

bool seat_may_focus_client(struct tinct_seat *seat, struct wl_client *client)
{
	struct wlr_input_inhibit_manager *inhibit = seat->server->input_inhibit;
	return inhibit->active_client == NULL || inhibit->active_client == client;
}

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
	if (!server_client_is_trusted(seat->server, client)) {
		/* VM clients need [wayland] allow = pointer-constraints. */
		struct tinct_desktop_vm *dvm = vms_for_client(seat->server, client);
		if (dvm == NULL || !(dvm->permissions & TINCT_PERM_POINTER_CONSTRAINTS)) {
			return;
		}
	}
	seat->active_constraint = constraint;
	wl_signal_add(&constraint->events.destroy, &seat->constraint_destroy);
	wlr_pointer_constraint_v1_send_activated(constraint);
}

static void update_constraint(struct tinct_seat *seat)
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
	update_constraint(seat);
}

static void shortcuts_inhibitors_update(struct tinct_seat *seat)
{
	struct wlr_surface *focused = seat->wlr_seat->keyboard_state.focused_surface;
	struct tinct_shortcuts_inhibitor *inhibitor;
	wl_list_for_each (inhibitor, &seat->shortcuts_inhibitors, link) {
		struct wlr_keyboard_shortcuts_inhibitor_v1 *wlr = inhibitor->inhibitor;
		bool want = wlr->surface == focused &&
			    server_client_is_trusted(
				    seat->server, wl_resource_get_client(wlr->surface->resource));
		if (want && !wlr->active) {
			wlr_keyboard_shortcuts_inhibitor_v1_activate(wlr);
		} else if (!want && wlr->active) {
			wlr_keyboard_shortcuts_inhibitor_v1_deactivate(wlr);
		}
	}
}

static bool shortcuts_inhibited(struct tinct_seat *seat)
{
	struct tinct_shortcuts_inhibitor *inhibitor;
	wl_list_for_each (inhibitor, &seat->shortcuts_inhibitors, link) {
		if (inhibitor->inhibitor->active) {
			return true;
		}
	}
	return false;
}

static void handle_shortcuts_inhibitor_destroy(struct wl_listener *listener, void *data)
{
	struct tinct_shortcuts_inhibitor *inhibitor = wl_container_of(listener, inhibitor, destroy);
	wl_list_remove(&inhibitor->destroy.link);
	wl_list_remove(&inhibitor->link);
	free(inhibitor);
}

static void handle_new_shortcuts_inhibitor(struct wl_listener *listener, void *data)
{
	struct tinct_seat *seat = wl_container_of(listener, seat, new_shortcuts_inhibitor);
	struct wlr_keyboard_shortcuts_inhibitor_v1 *wlr = data;
	struct tinct_shortcuts_inhibitor *inhibitor = calloc(1, sizeof(*inhibitor));
	if (inhibitor == NULL) {
		return;
	}
	inhibitor->inhibitor = wlr;
	inhibitor->destroy.notify = handle_shortcuts_inhibitor_destroy;
	wl_signal_add(&wlr->events.destroy, &inhibitor->destroy);
	wl_list_insert(&seat->shortcuts_inhibitors, &inhibitor->link);
	shortcuts_inhibitors_update(seat);
}

static void keyboard_enter(struct tinct_seat *seat, struct wlr_surface *surface)
{
	struct wlr_seat *wlr_seat = seat->wlr_seat;
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
	update_constraint(seat);
	shortcuts_inhibitors_update(seat);
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

/* Keyboards. */

static void keyboard_handle_modifiers(struct tinct_keyboard *keyboard)
{
	struct wlr_seat *wlr_seat = keyboard->seat->wlr_seat;
	wlr_seat_set_keyboard(wlr_seat, keyboard->device);
	wlr_seat_keyboard_notify_modifiers(wlr_seat, &keyboard->device->keyboard->modifiers);
}

static bool take_consumed(struct tinct_seat *seat, uint32_t keycode)
{
	for (size_t i = 0; i < seat->consumed_count; i++) {
		if (seat->consumed_keys[i] == keycode) {
			seat->consumed_keys[i] = seat->consumed_keys[--seat->consumed_count];
			return true;
		}
	}
	return false;
}

static void keyboard_handle_key(
	struct tinct_keyboard *keyboard, struct wlr_event_keyboard_key *event)
{
	struct tinct_seat *seat = keyboard->seat;
	struct wlr_keyboard *wlr_keyboard = keyboard->device->keyboard;
	notify_activity(seat);

	if (event->state == WL_KEYBOARD_KEY_STATE_RELEASED && take_consumed(seat, event->keycode)) {
		/* The press ran a binding; the client never saw it, so no release. */
		return;
	}

	bool handled = false;
	if (event->state == WL_KEYBOARD_KEY_STATE_PRESSED && wlr_keyboard->xkb_state != NULL) {
		xkb_keycode_t keycode = event->keycode + 8;
		const xkb_keysym_t *translated, *raw;
		int ntranslated =
			xkb_state_key_get_syms(wlr_keyboard->xkb_state, keycode, &translated);
		xkb_layout_index_t layout =
			xkb_state_key_get_layout(wlr_keyboard->xkb_state, keycode);
		int nraw = xkb_keymap_key_get_syms_by_level(wlr_keyboard->keymap, keycode,
			layout == XKB_LAYOUT_INVALID ? 0 : layout, 0, &raw);
		xkb_keysym_t syms[16];
		size_t nsyms = 0;
		for (int i = 0; i < ntranslated && nsyms < 16; i++) {
			syms[nsyms++] = translated[i];
		}
		for (int i = 0; i < nraw && nsyms < 16; i++) {
			syms[nsyms++] = raw[i];
		}
		uint32_t modifiers = wlr_keyboard_get_modifiers(wlr_keyboard);
		handled = bindings_handle_key(
			seat->server, modifiers, syms, nsyms, shortcuts_inhibited(seat));
		if (!handled && panel_menu_is_open(seat->server->panel)) {
			/* The open menu has the keyboard; nothing reaches a client. */
			handled = panel_handle_key(seat->server->panel,
				ntranslated > 0 ? translated[0] : XKB_KEY_NoSymbol);
		}
		if (handled && seat->consumed_count < MAX_CONSUMED_KEYS) {
			seat->consumed_keys[seat->consumed_count++] = event->keycode;
		}
	}
	if (!handled) {
		wlr_seat_set_keyboard(seat->wlr_seat, keyboard->device);
		wlr_seat_keyboard_notify_key(
			seat->wlr_seat, event->time_msec, event->keycode, event->state);
	}
}

static void handle_group_key(struct wl_listener *listener, void *data)
{
	struct tinct_seat *seat = wl_container_of(listener, seat, group_key);
	struct tinct_keyboard group = {
		.seat = seat,
		.device = seat->keyboard_group->input_device,
	};
	keyboard_handle_key(&group, data);
}

static void handle_group_modifiers(struct wl_listener *listener, void *data)
{
	struct tinct_seat *seat = wl_container_of(listener, seat, group_modifiers);
	struct tinct_keyboard group = {
		.seat = seat,
		.device = seat->keyboard_group->input_device,
	};
	keyboard_handle_modifiers(&group);
}

static void handle_keyboard_key(struct wl_listener *listener, void *data)
{
	struct tinct_keyboard *keyboard = wl_container_of(listener, keyboard, key);
	keyboard_handle_key(keyboard, data);
}

static void handle_keyboard_modifiers(struct wl_listener *listener, void *data)
{
	struct tinct_keyboard *keyboard = wl_container_of(listener, keyboard, modifiers);
	keyboard_handle_modifiers(keyboard);
}

static void free_keyboard(void *data)
{
	free(data);
}

static void handle_keyboard_destroy(struct wl_listener *listener, void *data)
{
	struct tinct_keyboard *keyboard = wl_container_of(listener, keyboard, destroy);
	struct wlr_seat *wlr_seat = keyboard->seat->wlr_seat;
	if (wlr_input_device_get_virtual_keyboard(keyboard->device) != NULL) {
		/*
		 * wlroots 0.15 allocates a virtual keyboard's wlr_keyboard but its
		 * destroy hook never frees it (fixed in 0.16). Nothing touches it
		 * once the device is gone, so free it when the loop is idle again.
		 */
		wl_event_loop_add_idle(wl_display_get_event_loop(keyboard->seat->server->display),
			free_keyboard, keyboard->device->keyboard);
	}
	if (wlr_seat_get_keyboard(wlr_seat) == keyboard->device->keyboard) {
		wlr_seat_set_keyboard(wlr_seat, keyboard->seat->keyboard_group->input_device);
	}
	wl_list_remove(&keyboard->key.link);
	wl_list_remove(&keyboard->modifiers.link);
	wl_list_remove(&keyboard->destroy.link);
	wl_list_remove(&keyboard->link);
	free(keyboard);
}

static struct xkb_keymap *config_keymap(struct tinct_config *config)
{
	struct xkb_rule_names rules = {
		.rules = config->keyboard.rules,
		.model = config->keyboard.model,
		.layout = config->keyboard.layout,
		.variant = config->keyboard.variant,
		.options = config->keyboard.options,
	};
	struct xkb_context *context = xkb_context_new(XKB_CONTEXT_NO_FLAGS);
	if (context == NULL) {
		return NULL;
	}
	struct xkb_keymap *keymap =
		xkb_keymap_new_from_names(context, &rules, XKB_KEYMAP_COMPILE_NO_FLAGS);
	if (keymap == NULL) {
		wlr_log(WLR_ERROR,
			"%s: [keyboard]: cannot compile a keymap from layout=%s "
			"variant=%s options=%s; using the default keymap",
			config->path ? config->path : "tinct.ini", rules.layout ? rules.layout : "",
			rules.variant ? rules.variant : "", rules.options ? rules.options : "");
		keymap = xkb_keymap_new_from_names(context, NULL, XKB_KEYMAP_COMPILE_NO_FLAGS);
	}
	xkb_context_unref(context);
	return keymap;
}

static void keyboard_configure(struct tinct_seat *seat, struct wlr_keyboard *keyboard)
{
	struct tinct_config *config = seat->server->config;
	struct xkb_keymap *keymap = config_keymap(config);
	if (keymap != NULL) {
		wlr_keyboard_set_keymap(keyboard, keymap);
		xkb_keymap_unref(keymap);
	}
	wlr_keyboard_set_repeat_info(
		keyboard, config->keyboard.repeat_rate, config->keyboard.repeat_delay);
}

static void keyboard_create(struct tinct_seat *seat, struct wlr_input_device *device)
{
	struct tinct_keyboard *keyboard = calloc(1, sizeof(*keyboard));
	if (keyboard == NULL) {
		return;
	}
	keyboard->seat = seat;
	keyboard->device = device;
	keyboard->key.notify = handle_keyboard_key;
	wl_signal_add(&device->keyboard->events.key, &keyboard->key);
	keyboard->modifiers.notify = handle_keyboard_modifiers;
	wl_signal_add(&device->keyboard->events.modifiers, &keyboard->modifiers);
	keyboard->destroy.notify = handle_keyboard_destroy;
	wl_signal_add(&device->events.destroy, &keyboard->destroy);
	wl_list_insert(&seat->keyboards, &keyboard->link);
	/*
	 * Not made the seat's keyboard yet: a virtual keyboard has no keymap
	 * until its client sends one, and handing clients a keymap fd of -1
	 * kills their connection. The key and modifiers handlers switch to it.
	 */
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

static void handle_new_input(struct wl_listener *listener, void *data)
{
	struct tinct_seat *seat = wl_container_of(listener, seat, new_input);
	struct wlr_input_device *device = data;
	switch (device->type) {
	case WLR_INPUT_DEVICE_KEYBOARD:
		keyboard_configure(seat, device->keyboard);
		wlr_keyboard_group_add_keyboard(seat->keyboard_group, device->keyboard);
		break;
	case WLR_INPUT_DEVICE_POINTER:
	case WLR_INPUT_DEVICE_TOUCH:
	case WLR_INPUT_DEVICE_TABLET_TOOL:
		pointer_configure(seat, device);
		wlr_cursor_attach_input_device(seat->cursor, device);
		break;
	default:
		break;
	}
	wlr_log(WLR_DEBUG, "new input device: %s", device->name);
}

static void handle_new_virtual_keyboard(struct wl_listener *listener, void *data)
{
	struct tinct_seat *seat = wl_container_of(listener, seat, new_virtual_keyboard);
	struct wlr_virtual_keyboard_v1 *keyboard = data;
	/* Virtual keyboards bring their own keymap, so they stay out of the group. */
	keyboard_create(seat, &keyboard->input_device);
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

/* Cursor. */

/*
 * Largest cursor a VM may show, logical pixels. The cursor is drawn above
 * everything, panel included, so a VM's must stay cursor-sized.
 */
#define VM_CURSOR_MAX 64

static void vm_cursor_forget(struct tinct_seat *seat)
{
	if (seat->vm_cursor == NULL) {
		return;
	}
	wl_list_remove(&seat->vm_cursor_commit.link);
	wl_list_remove(&seat->vm_cursor_destroy.link);
	seat->vm_cursor = NULL;
}

static void set_cursor_image(struct tinct_seat *seat, const char *name);

static void handle_vm_cursor_commit(struct wl_listener *listener, void *data)
{
	struct tinct_seat *seat = wl_container_of(listener, seat, vm_cursor_commit);
	struct wlr_surface *surface = seat->vm_cursor;
	if (surface->current.width > VM_CURSOR_MAX || surface->current.height > VM_CURSOR_MAX) {
		wlr_log(WLR_DEBUG, "a VM cursor grew to %dx%d; using the default cursor",
			surface->current.width, surface->current.height);
		seat->cursor_image = NULL;
		set_cursor_image(seat, "left_ptr");
	}
}

static void handle_vm_cursor_destroy(struct wl_listener *listener, void *data)
{
	struct tinct_seat *seat = wl_container_of(listener, seat, vm_cursor_destroy);
	vm_cursor_forget(seat);
}

static void set_cursor_image(struct tinct_seat *seat, const char *name)
{
	vm_cursor_forget(seat);
	if (seat->cursor_image == name) {
		return;
	}
	seat->cursor_image = name;
	wlr_xcursor_manager_set_cursor_image(seat->xcursor_manager, name, seat->cursor);
}

static const char *edges_cursor(uint32_t edges)
{
	switch (edges) {
	case WLR_EDGE_TOP:
		return "top_side";
	case WLR_EDGE_BOTTOM:
		return "bottom_side";
	case WLR_EDGE_LEFT:
		return "left_side";
	case WLR_EDGE_RIGHT:
		return "right_side";
	case WLR_EDGE_TOP | WLR_EDGE_LEFT:
		return "top_left_corner";
	case WLR_EDGE_TOP | WLR_EDGE_RIGHT:
		return "top_right_corner";
	case WLR_EDGE_BOTTOM | WLR_EDGE_LEFT:
		return "bottom_left_corner";
	case WLR_EDGE_BOTTOM | WLR_EDGE_RIGHT:
		return "bottom_right_corner";
	default:
		return "left_ptr";
	}
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

static void process_grab_motion(struct tinct_seat *seat)
{
	struct tinct_view *view = seat->grab_view;
	double dx = seat->cursor->x - seat->grab_x;
	double dy = seat->cursor->y - seat->grab_y;
	if (seat->mode == CURSOR_MOVE) {
		view_move_to(view, seat->grab_box.x + (int)dx, seat->grab_box.y + (int)dy);
		return;
	}
	int width = seat->grab_box.width, height = seat->grab_box.height;
	if (seat->resize_edges & WLR_EDGE_LEFT) {
		width -= (int)dx;
	} else if (seat->resize_edges & WLR_EDGE_RIGHT) {
		width += (int)dx;
	}
	if (seat->resize_edges & WLR_EDGE_TOP) {
		height -= (int)dy;
	} else if (seat->resize_edges & WLR_EDGE_BOTTOM) {
		height += (int)dy;
	}
	view_resize(view, width < 32 ? 32 : width, height < 16 ? 16 : height);
}

static void update_drag_icons(struct tinct_seat *seat);

static void process_motion(struct tinct_seat *seat, uint32_t time_msec)
{
	if (seat->wlr_seat->drag != NULL) {
		update_drag_icons(seat);
	}
	if (seat->mode != CURSOR_PASSTHROUGH && seat->grab_view != NULL) {
		process_grab_motion(seat);
		return;
	}
	struct hit hit = hit_test(seat, seat->cursor->x, seat->cursor->y);
	struct wlr_seat *wlr_seat = seat->wlr_seat;
	if (hit.surface != NULL &&
		!seat_may_focus_client(seat, wl_resource_get_client(hit.surface->resource))) {
		hit.surface = NULL;
	}
	if (hit.surface == NULL) {
		const char *image = "left_ptr";
		struct tinct_view *view = hit_view(&hit);
		if (view != NULL && hit.desc->type == TINCT_NODE_FRAME) {
			struct wlr_box box = view_frame_box(view);
			image = edges_cursor(frame_edges_at(
				view, seat->cursor->x - box.x, seat->cursor->y - box.y));
		}
		seat->cursor_image = NULL;
		set_cursor_image(seat, image);
		wlr_seat_pointer_notify_clear_focus(wlr_seat);
		return;
	}
	seat->cursor_image = NULL;
	wlr_seat_pointer_notify_enter(wlr_seat, hit.surface, hit.sx, hit.sy);
	wlr_seat_pointer_notify_motion(wlr_seat, time_msec, hit.sx, hit.sy);
}

void seat_update_pointer(struct tinct_seat *seat)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	process_motion(seat, (uint32_t)(now.tv_sec * 1000 + now.tv_nsec / 1000000));
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
	notify_activity(seat);
	wlr_relative_pointer_manager_v1_send_relative_motion(seat->relative_pointer, seat->wlr_seat,
		(uint64_t)event->time_msec * 1000, event->delta_x, event->delta_y,
		event->unaccel_dx, event->unaccel_dy);
	double dx = event->delta_x, dy = event->delta_y;
	constrain_motion(seat, &dx, &dy);
	wlr_cursor_move(seat->cursor, event->device, dx, dy);
	process_motion(seat, event->time_msec);
}

static void handle_cursor_motion_absolute(struct wl_listener *listener, void *data)
{
	struct tinct_seat *seat = wl_container_of(listener, seat, cursor_motion_absolute);
	struct wlr_event_pointer_motion_absolute *event = data;
	notify_activity(seat);
	double lx, ly;
	wlr_cursor_absolute_to_layout_coords(
		seat->cursor, event->device, event->x, event->y, &lx, &ly);
	double dx = lx - seat->cursor->x, dy = ly - seat->cursor->y;
	wlr_relative_pointer_manager_v1_send_relative_motion(seat->relative_pointer, seat->wlr_seat,
		(uint64_t)event->time_msec * 1000, dx, dy, dx, dy);
	constrain_motion(seat, &dx, &dy);
	wlr_cursor_move(seat->cursor, event->device, dx, dy);
	process_motion(seat, event->time_msec);
}

static void end_grab(struct tinct_seat *seat)
{
	if (seat->grab_view != NULL) {
		seat->grab_view->resize_edges = 0;
		if (seat->mode == CURSOR_RESIZE) {
			wlr_xdg_toplevel_set_resizing(seat->grab_view->xdg_surface, false);
		}
	}
	seat->mode = CURSOR_PASSTHROUGH;
	seat->grab_view = NULL;
	seat->cursor_image = NULL;
}

static void begin_grab(struct tinct_seat *seat, struct tinct_view *view, uint32_t edges)
{
	if (view->fullscreen) {
		return;
	}
	if (view->maximized) {
		view_set_maximized(view, false);
	}
	seat->grab_view = view;
	seat->grab_x = seat->cursor->x;
	seat->grab_y = seat->cursor->y;
	seat->grab_box = (struct wlr_box){view->x, view->y, view->width, view->height};
	seat->resize_edges = edges;
	if (edges == 0) {
		seat->mode = CURSOR_MOVE;
		set_cursor_image(seat, "grabbing");
	} else {
		seat->mode = CURSOR_RESIZE;
		view->resize_edges = edges;
		view->resize_start = seat->grab_box;
		wlr_xdg_toplevel_set_resizing(view->xdg_surface, true);
		set_cursor_image(seat, edges_cursor(edges));
	}
	/* The client loses the pointer during the grab. */
	wlr_seat_pointer_notify_clear_focus(seat->wlr_seat);
}

void seat_begin_interactive(
	struct tinct_seat *seat, struct tinct_view *view, uint32_t serial, uint32_t edges)
{
	/* Only honour a request made from a button press the client really got. */
	if (!wlr_seat_validate_pointer_grab_serial(
		    seat->wlr_seat, view->xdg_surface->surface, serial)) {
		return;
	}
	if (seat->wlr_seat->pointer_state.button_count == 0) {
		return;
	}
	begin_grab(seat, view, edges);
}

void seat_view_unmapped(struct tinct_seat *seat, struct tinct_view *view)
{
	if (seat->grab_view == view) {
		end_grab(seat);
	}
}

static void handle_cursor_button(struct wl_listener *listener, void *data)
{
	struct tinct_seat *seat = wl_container_of(listener, seat, cursor_button);
	struct wlr_event_pointer_button *event = data;
	notify_activity(seat);

	if (event->state == WLR_BUTTON_RELEASED && seat->mode != CURSOR_PASSTHROUGH) {
		end_grab(seat);
		process_motion(seat, event->time_msec);
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
					begin_grab(seat, view, 0);
				} else if (event->button == BTN_RIGHT) {
					struct wlr_box box = view_frame_box(view);
					uint32_t edges = 0;
					edges |= seat->cursor->x < box.x + box.width / 2.0
							 ? WLR_EDGE_LEFT
							 : WLR_EDGE_RIGHT;
					edges |= seat->cursor->y < box.y + box.height / 2.0
							 ? WLR_EDGE_TOP
							 : WLR_EDGE_BOTTOM;
					begin_grab(seat, view, edges);
				}
				return;
			}
			if (hit.desc->type == TINCT_NODE_FRAME && event->button == BTN_LEFT) {
				struct wlr_box box = view_frame_box(view);
				begin_grab(seat, view,
					frame_edges_at(view, seat->cursor->x - box.x,
						seat->cursor->y - box.y));
				return;
			}
			if (hit.desc->type == TINCT_NODE_FRAME) {
				return;
			}
		} else if (hit.desc != NULL && hit.desc->type == TINCT_NODE_LAYER_SURFACE) {
			layer_surface_handle_click(hit.desc->owner);
		}
	}
	wlr_seat_pointer_notify_button(
		seat->wlr_seat, event->time_msec, event->button, event->state);
}

static void handle_cursor_axis(struct wl_listener *listener, void *data)
{
	struct tinct_seat *seat = wl_container_of(listener, seat, cursor_axis);
	struct wlr_event_pointer_axis *event = data;
	notify_activity(seat);
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
	if (seat->mode != CURSOR_PASSTHROUGH) {
		return;
	}
	/* Only the client with pointer focus may set the image. */
	if (event->seat_client != seat->wlr_seat->pointer_state.focused_client) {
		return;
	}
	vm_cursor_forget(seat);
	seat->cursor_image = NULL;
	struct wlr_surface *surface = event->surface;
	if (surface != NULL &&
		!server_client_is_trusted(seat->server, event->seat_client->client)) {
		if (surface->current.width > VM_CURSOR_MAX ||
			surface->current.height > VM_CURSOR_MAX) {
			set_cursor_image(seat, "left_ptr");
			return;
		}
		seat->vm_cursor = surface;
		seat->vm_cursor_commit.notify = handle_vm_cursor_commit;
		wl_signal_add(&surface->events.commit, &seat->vm_cursor_commit);
		seat->vm_cursor_destroy.notify = handle_vm_cursor_destroy;
		wl_signal_add(&surface->events.destroy, &seat->vm_cursor_destroy);
	}
	wlr_cursor_set_surface(seat->cursor, surface, event->hotspot_x, event->hotspot_y);
}

/* Selections and drag and drop. */

/*
 * Only the client with keyboard focus may set a selection: its serial must
 * be one tinct sent that client. Otherwise a VM in the background could
 * swap what the user is about to paste. The exception is data-control
 * (host clipboard tools; VMs never see it): wlroots makes up a fresh serial
 * for it, one that no client has been sent.
 */
static bool selection_allowed(struct tinct_seat *seat, uint32_t serial)
{
	struct wlr_seat *wlr_seat = seat->wlr_seat;
	struct wlr_seat_client *focused = wlr_seat->keyboard_state.focused_client;
	if (focused != NULL && wlr_seat_client_validate_event_serial(focused, serial)) {
		return true;
	}
	if (serial == wl_display_get_serial(seat->server->display)) {
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

static void handle_request_set_selection(struct wl_listener *listener, void *data)
{
	struct tinct_seat *seat = wl_container_of(listener, seat, request_set_selection);
	struct wlr_seat_request_set_selection_event *event = data;
	if (!selection_allowed(seat, event->serial)) {
		wlr_data_source_destroy(event->source);
		return;
	}
	wlr_seat_set_selection(seat->wlr_seat, event->source, event->serial);
}

static void handle_request_set_primary_selection(struct wl_listener *listener, void *data)
{
	struct tinct_seat *seat = wl_container_of(listener, seat, request_set_primary_selection);
	struct wlr_seat_request_set_primary_selection_event *event = data;
	if (!selection_allowed(seat, event->serial)) {
		wlr_primary_selection_source_destroy(event->source);
		return;
	}
	wlr_seat_set_primary_selection(seat->wlr_seat, event->source, event->serial);
}

static void handle_request_start_drag(struct wl_listener *listener, void *data)
{
	struct tinct_seat *seat = wl_container_of(listener, seat, request_start_drag);
	struct wlr_seat_request_start_drag_event *event = data;
	if (wlr_seat_validate_pointer_grab_serial(seat->wlr_seat, event->origin, event->serial)) {
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
	/* A VM's drag icon stays below the panel: it must not cover or fake it. */
	bool host = server_client_is_trusted(
		seat->server, wl_resource_get_client(drag->icon->surface->resource));
	icon->node = wlr_scene_subsurface_tree_create(
		seat->server->layers[host ? TINCT_LAYER_DRAG : TINCT_LAYER_VM_DRAG],
		drag->icon->surface);
	icon->destroy.notify = drag_icon_handle_destroy;
	wl_signal_add(&drag->icon->events.destroy, &icon->destroy);
}

static void update_drag_icons(struct tinct_seat *seat)
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
	struct tinct_config *config = seat->server->config;
	keyboard_configure(seat, &seat->keyboard_group->keyboard);
	wlr_xcursor_manager_destroy(seat->xcursor_manager);
	seat->xcursor_manager =
		wlr_xcursor_manager_create(config->cursor.theme, (uint32_t)config->cursor.size);
	wlr_xcursor_manager_load(seat->xcursor_manager, 1);
	seat->cursor_image = NULL;
	set_cursor_image(seat, "left_ptr");
}

struct tinct_seat *seat_create(struct tinct_server *server)
{
	struct tinct_seat *seat = calloc(1, sizeof(*seat));
	if (seat == NULL) {
		wlr_log_errno(WLR_ERROR, "cannot allocate seat");
		return NULL;
	}
	seat->server = server;
	wl_list_init(&seat->keyboards);
	wl_list_init(&seat->shortcuts_inhibitors);
	wl_list_init(&seat->constraint_destroy.link);
	seat->constraint_destroy.notify = handle_constraint_destroy;

	seat->wlr_seat = wlr_seat_create(server->display, "seat0");
	seat->cursor = wlr_cursor_create();
	seat->keyboard_group = wlr_keyboard_group_create();
	if (seat->wlr_seat == NULL || seat->cursor == NULL || seat->keyboard_group == NULL) {
		wlr_log(WLR_ERROR, "cannot create the seat");
		goto error;
	}
	wlr_cursor_attach_output_layout(seat->cursor, server->output_layout);
	seat->xcursor_manager = wlr_xcursor_manager_create(
		server->config->cursor.theme, (uint32_t)server->config->cursor.size);
	wlr_xcursor_manager_load(seat->xcursor_manager, 1);

	keyboard_configure(seat, &seat->keyboard_group->keyboard);
	seat->group_key.notify = handle_group_key;
	wl_signal_add(&seat->keyboard_group->keyboard.events.key, &seat->group_key);
	seat->group_modifiers.notify = handle_group_modifiers;
	wl_signal_add(&seat->keyboard_group->keyboard.events.modifiers, &seat->group_modifiers);
	wlr_seat_set_keyboard(seat->wlr_seat, seat->keyboard_group->input_device);
	wlr_seat_set_capabilities(
		seat->wlr_seat, WL_SEAT_CAPABILITY_POINTER | WL_SEAT_CAPABILITY_KEYBOARD);

	seat->relative_pointer = wlr_relative_pointer_manager_v1_create(server->display);
	seat->pointer_constraints = wlr_pointer_constraints_v1_create(server->display);
	seat->shortcuts_inhibit = wlr_keyboard_shortcuts_inhibit_v1_create(server->display);
	seat->virtual_keyboard = wlr_virtual_keyboard_manager_v1_create(server->display);
	seat->virtual_pointer = wlr_virtual_pointer_manager_v1_create(server->display);
	if (seat->relative_pointer == NULL || seat->pointer_constraints == NULL ||
		seat->shortcuts_inhibit == NULL || seat->virtual_keyboard == NULL ||
		seat->virtual_pointer == NULL) {
		wlr_log(WLR_ERROR, "cannot create the input protocol globals");
		goto error;
	}
	server_mark_privileged(server, seat->virtual_keyboard->global, 0);
	server_mark_privileged(server, seat->virtual_pointer->global, 0);
	server_mark_privileged(
		server, seat->pointer_constraints->global, TINCT_PERM_POINTER_CONSTRAINTS);
	server_mark_privileged(server, seat->relative_pointer->global, TINCT_PERM_RELATIVE_POINTER);
	server_mark_privileged(server, seat->shortcuts_inhibit->global, 0);

	seat->new_input.notify = handle_new_input;
	wl_signal_add(&server->backend->events.new_input, &seat->new_input);
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
	seat->request_set_selection.notify = handle_request_set_selection;
	wl_signal_add(&seat->wlr_seat->events.request_set_selection, &seat->request_set_selection);
	seat->request_set_primary_selection.notify = handle_request_set_primary_selection;
	wl_signal_add(&seat->wlr_seat->events.request_set_primary_selection,
		&seat->request_set_primary_selection);
	seat->request_start_drag.notify = handle_request_start_drag;
	wl_signal_add(&seat->wlr_seat->events.request_start_drag, &seat->request_start_drag);
	seat->start_drag.notify = handle_start_drag;
	wl_signal_add(&seat->wlr_seat->events.start_drag, &seat->start_drag);
	seat->new_constraint.notify = handle_new_constraint;
	wl_signal_add(&seat->pointer_constraints->events.new_constraint, &seat->new_constraint);
	seat->new_shortcuts_inhibitor.notify = handle_new_shortcuts_inhibitor;
	wl_signal_add(
		&seat->shortcuts_inhibit->events.new_inhibitor, &seat->new_shortcuts_inhibitor);
	seat->new_virtual_keyboard.notify = handle_new_virtual_keyboard;
	wl_signal_add(
		&seat->virtual_keyboard->events.new_virtual_keyboard, &seat->new_virtual_keyboard);
	seat->new_virtual_pointer.notify = handle_new_virtual_pointer;
	wl_signal_add(
		&seat->virtual_pointer->events.new_virtual_pointer, &seat->new_virtual_pointer);
	return seat;

error:
	wlr_keyboard_group_destroy(seat->keyboard_group);
	wlr_cursor_destroy(seat->cursor);
	free(seat);
	return NULL;
}

void seat_destroy(struct tinct_seat *seat)
{
	if (seat == NULL) {
		return;
	}
	vm_cursor_forget(seat);
	wl_list_remove(&seat->new_input.link);
	wl_list_remove(&seat->cursor_motion.link);
	wl_list_remove(&seat->cursor_motion_absolute.link);
	wl_list_remove(&seat->cursor_button.link);
	wl_list_remove(&seat->cursor_axis.link);
	wl_list_remove(&seat->cursor_frame.link);
	wl_list_remove(&seat->request_set_cursor.link);
	wl_list_remove(&seat->request_set_selection.link);
	wl_list_remove(&seat->request_set_primary_selection.link);
	wl_list_remove(&seat->request_start_drag.link);
	wl_list_remove(&seat->start_drag.link);
	wl_list_remove(&seat->new_constraint.link);
	wl_list_remove(&seat->constraint_destroy.link);
	wl_list_remove(&seat->new_shortcuts_inhibitor.link);
	wl_list_remove(&seat->new_virtual_keyboard.link);
	wl_list_remove(&seat->new_virtual_pointer.link);
	wl_list_remove(&seat->group_key.link);
	wl_list_remove(&seat->group_modifiers.link);
	if (seat->focused_layer != NULL) {
		wl_list_remove(&seat->focused_layer_destroy.link);
	}
	struct tinct_keyboard *keyboard, *tmp;
	wl_list_for_each_safe (keyboard, tmp, &seat->keyboards, link) {
		wl_list_remove(&keyboard->key.link);
		wl_list_remove(&keyboard->modifiers.link);
		wl_list_remove(&keyboard->destroy.link);
		wl_list_remove(&keyboard->link);
		free(keyboard);
	}
	struct tinct_shortcuts_inhibitor *inhibitor, *inhibitor_tmp;
	wl_list_for_each_safe (inhibitor, inhibitor_tmp, &seat->shortcuts_inhibitors, link) {
		wl_list_remove(&inhibitor->destroy.link);
		wl_list_remove(&inhibitor->link);
		free(inhibitor);
	}
	wlr_xcursor_manager_destroy(seat->xcursor_manager);
	wlr_cursor_destroy(seat->cursor);
	wlr_keyboard_group_destroy(seat->keyboard_group);
	free(seat);
}
