/*
 * Keys: every key event passes the bindings first (never forwarded), then
 * the open VM menu, and only then reaches the focused client. A key whose
 * press ran a binding has its release swallowed too, so the client never
 * sees half a key.
 */
#include "compositor/keyboard.h"

#include <stdlib.h>
#include <wlr/types/wlr_input_device.h>
#include <wlr/types/wlr_keyboard.h>
#include <wlr/types/wlr_keyboard_group.h>
#include <wlr/types/wlr_keyboard_shortcuts_inhibit_v1.h>
#include <wlr/types/wlr_seat.h>
#include <wlr/types/wlr_virtual_keyboard_v1.h>
#include <wlr/util/log.h>
#include <xkbcommon/xkbcommon.h>

#include "compositor/bindings.h"
#include "compositor/config.h"
#include "compositor/idle.h"
#include "compositor/panel.h"
#include "compositor/policy.h"
#include "compositor/seat.h"
#include "compositor/server.h"

struct tinct_keyboard {
	struct tinct_seat *seat;
	struct wlr_input_device *device;
	struct wl_listener key;
	struct wl_listener modifiers;
	struct wl_listener destroy;
	struct wl_list link; // tinct_seat.keyboards
};

struct tinct_shortcuts_inhibitor {
	struct wlr_keyboard_shortcuts_inhibitor_v1 *inhibitor;
	struct wl_listener destroy;
	struct wl_list link; // tinct_seat.shortcuts_inhibitors
};

void keyboard_shortcuts_update(struct tinct_seat *seat)
{
	struct wlr_surface *focused = seat->wlr_seat->keyboard_state.focused_surface;
	struct tinct_shortcuts_inhibitor *inhibitor;
	wl_list_for_each (inhibitor, &seat->shortcuts_inhibitors, link) {
		struct wlr_keyboard_shortcuts_inhibitor_v1 *wlr = inhibitor->inhibitor;
		bool want = wlr->surface == focused &&
			    policy_may(wl_resource_get_client(wlr->surface->resource),
				    TINCT_PERM_SHORTCUTS_INHIBIT);
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
	keyboard_shortcuts_update(seat);
}

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
	idle_notify_activity(seat->server);

	if (event->state == WL_KEYBOARD_KEY_STATE_RELEASED && take_consumed(seat, event->keycode)) {
		/* The press ran a binding; the client never saw it, so no release. */
		return;
	}

	bool pressed = event->state == WL_KEYBOARD_KEY_STATE_PRESSED;
	if (pressed) {
		policy_user_input(seat->server);
	}
	bool handled = false;
	if (pressed && wlr_keyboard->xkb_state != NULL) {
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
		if (handled && seat->consumed_count < TINCT_MAX_CONSUMED_KEYS) {
			seat->consumed_keys[seat->consumed_count++] = event->keycode;
		}
	}
	if (!handled) {
		struct wlr_seat_client *to = seat->wlr_seat->keyboard_state.focused_client;
		uint32_t serial = wl_display_get_serial(seat->server->display);
		wlr_seat_set_keyboard(seat->wlr_seat, keyboard->device);
		wlr_seat_keyboard_notify_key(
			seat->wlr_seat, event->time_msec, event->keycode, event->state);
		if (pressed) {
			seat_note_press(seat, TINCT_PRESS_KEY, serial, to ? to->client : NULL);
		}
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

static void handle_new_virtual_keyboard(struct wl_listener *listener, void *data)
{
	struct tinct_seat *seat = wl_container_of(listener, seat, new_virtual_keyboard);
	struct wlr_virtual_keyboard_v1 *keyboard = data;
	/* Virtual keyboards bring their own keymap, so they stay out of the group. */
	keyboard_create(seat, &keyboard->input_device);
}

void keyboard_add(struct tinct_seat *seat, struct wlr_keyboard *keyboard)
{
	keyboard_configure(seat, keyboard);
	wlr_keyboard_group_add_keyboard(seat->keyboard_group, keyboard);
}

bool keyboard_init(struct tinct_seat *seat)
{
	struct tinct_server *server = seat->server;
	wl_list_init(&seat->keyboards);
	wl_list_init(&seat->shortcuts_inhibitors);
	seat->keyboard_group = wlr_keyboard_group_create();
	seat->shortcuts_inhibit = wlr_keyboard_shortcuts_inhibit_v1_create(server->display);
	seat->virtual_keyboard = wlr_virtual_keyboard_manager_v1_create(server->display);
	if (seat->keyboard_group == NULL || seat->shortcuts_inhibit == NULL ||
		seat->virtual_keyboard == NULL) {
		wlr_log(WLR_ERROR, "cannot create the keyboard group or keyboard globals");
		wlr_keyboard_group_destroy(seat->keyboard_group);
		seat->keyboard_group = NULL;
		return false;
	}
	policy_restrict_global(server, seat->virtual_keyboard->global, TINCT_PERM_VIRTUAL_INPUT);
	policy_restrict_global(
		server, seat->shortcuts_inhibit->global, TINCT_PERM_SHORTCUTS_INHIBIT);

	keyboard_configure(seat, &seat->keyboard_group->keyboard);
	seat->group_key.notify = handle_group_key;
	wl_signal_add(&seat->keyboard_group->keyboard.events.key, &seat->group_key);
	seat->group_modifiers.notify = handle_group_modifiers;
	wl_signal_add(&seat->keyboard_group->keyboard.events.modifiers, &seat->group_modifiers);
	wlr_seat_set_keyboard(seat->wlr_seat, seat->keyboard_group->input_device);
	seat->new_shortcuts_inhibitor.notify = handle_new_shortcuts_inhibitor;
	wl_signal_add(
		&seat->shortcuts_inhibit->events.new_inhibitor, &seat->new_shortcuts_inhibitor);
	seat->new_virtual_keyboard.notify = handle_new_virtual_keyboard;
	wl_signal_add(
		&seat->virtual_keyboard->events.new_virtual_keyboard, &seat->new_virtual_keyboard);
	return true;
}

void keyboard_finish(struct tinct_seat *seat)
{
	if (seat->keyboard_group == NULL) {
		return;
	}
	wl_list_remove(&seat->new_shortcuts_inhibitor.link);
	wl_list_remove(&seat->new_virtual_keyboard.link);
	wl_list_remove(&seat->group_key.link);
	wl_list_remove(&seat->group_modifiers.link);
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
	wlr_keyboard_group_destroy(seat->keyboard_group);
	seat->keyboard_group = NULL;
}
