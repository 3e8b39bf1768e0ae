/*
 * Parsing "Mod+Mod+Key = action [argument]" and the table of actions.
 */
#include "compositor/bindings.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <wlr/backend/session.h>
#include <wlr/types/wlr_keyboard.h>
#include <wlr/util/log.h>

#include "compositor/clipboard.h"
#include "compositor/config.h"
#include "compositor/consoles.h"
#include "compositor/panel.h"
#include "compositor/seat.h"
#include "compositor/server.h"
#include "compositor/session_lock.h"
#include "compositor/spawn.h"
#include "compositor/view.h"
#include "vmm/vm-def.h"
#include "vmm/vm.h"
#include "compositor/vms.h"

static void run_exec(struct tinct_server *server, const char *arg)
{
	spawn_command(server, arg);
}

static void run_close(struct tinct_server *server, const char *arg)
{
	struct tinct_view *view = view_focused(server);
	if (view != NULL) {
		view_close(view);
	} else {
		wlr_log(WLR_DEBUG, "close: no focused window");
	}
}

static void run_focus_next(struct tinct_server *server, const char *arg)
{
	views_cycle_focus(server, true);
}

static void run_focus_prev(struct tinct_server *server, const char *arg)
{
	views_cycle_focus(server, false);
}

static void run_maximize(struct tinct_server *server, const char *arg)
{
	struct tinct_view *view = view_focused(server);
	if (view != NULL) {
		view_set_maximized(view, !view->maximized);
	}
}

static void run_fullscreen(struct tinct_server *server, const char *arg)
{
	struct tinct_view *view = view_focused(server);
	if (view != NULL) {
		view_set_fullscreen(view, !view->fullscreen);
	}
}

/* How long the exit question waits for its answer. */
#define EXIT_CONFIRM_MS 5000

static const struct tinct_binding *find_binding(
	struct tinct_server *server, void (*run)(struct tinct_server *, const char *));
static void binding_describe(const struct tinct_binding *binding, char *out, size_t size);

static void run_exit(struct tinct_server *server, const char *arg)
{
	if (panel_notice(server->panel) == TINCT_NOTICE_EXIT) {
		wlr_log(WLR_INFO, "exit confirmed");
		server_terminate(server);
		return;
	}
	int running = 0;
	struct tinct_desktop_vm *dvm;
	wl_list_for_each (dvm, &server->desktop_vms, link) {
		enum tinct_vm_state state = dvm->vm->state;
		running += state != TINCT_VM_STOPPED && state != TINCT_VM_CRASHED;
	}
	if (running == 0) {
		server_terminate(server);
		return;
	}
	/* Exiting stops every VM: one stray key must not cost the user's work. */
	char combo[64] = "the same key";
	binding_describe(find_binding(server, run_exit), combo, sizeof(combo));
	char text[200];
	snprintf(text, sizeof(text),
		"Exit with %d VM%s running? %s again to exit, any other key to stay", running,
		running == 1 ? "" : "s", combo);
	panel_show_notice(server->panel, TINCT_NOTICE_EXIT, text, EXIT_CONFIRM_MS);
}

static bool check_vt(const char *arg, const char **error)
{
	char *end;
	long vt = strtol(arg, &end, 10);
	if (*arg == '\0' || *end != '\0' || vt < 1 || vt > 12) {
		*error = "expected a VT number from 1 to 12";
		return false;
	}
	return true;
}

static void run_vt(struct tinct_server *server, const char *arg)
{
	/* Only meaningful on a real seat; nested and headless have no session. */
	if (server->session != NULL) {
		wlr_session_change_vt(server->session, (unsigned)strtoul(arg, NULL, 10));
	}
}

static void run_vm_menu(struct tinct_server *server, const char *arg)
{
	if (panel_menu_is_open(server->panel)) {
		panel_close_menu(server->panel);
	} else {
		panel_open_menu(server->panel, TINCT_MENU_ALL);
	}
}

static void run_console(struct tinct_server *server, const char *arg)
{
	struct tinct_view *view = view_focused(server);
	if (view != NULL && view->vm != NULL) {
		consoles_open(server, view->vm);
	} else if (view != NULL && view->console_vm != NULL) {
		/* Already in that console: nothing to open. */
	} else {
		/* No VM window has the keyboard: ask which VM. */
		panel_open_menu(server->panel, TINCT_MENU_CONSOLE);
	}
}

static void run_vm_start(struct tinct_server *server, const char *arg)
{
	struct tinct_vm *vm = vm_manager_find(server->vms, arg);
	if (vm == NULL) {
		wlr_log(WLR_ERROR, "vm-start: no VM named %s", arg);
		return;
	}
	vms_start(server, vm, true);
}

static bool check_vm_name(const char *arg, const char **error)
{
	if (!vm_def_name_valid(arg)) {
		*error = "expected a VM name (letters, digits, '-' and '_')";
		return false;
	}
	return true;
}

static void run_clipboard_copy(struct tinct_server *server, const char *arg)
{
	clipboard_copy(server->seat->clipboard);
}

static void run_clipboard_paste(struct tinct_server *server, const char *arg)
{
	clipboard_paste(server->seat->clipboard);
}

/* The locker tinct starts for `lock` without an argument. */
#define DEFAULT_LOCK_COMMAND "swaylock -f -c 000000"

static void run_lock(struct tinct_server *server, const char *arg)
{
	if (session_lock_is_locked(server->session_lock) &&
		!session_lock_is_abandoned(server->session_lock)) {
		return; // a locker holds the session already
	}
	/* While locked this runs only when the locker died: a new one takes over. */
	spawn_command(server, arg != NULL ? arg : DEFAULT_LOCK_COMMAND);
}

static const struct tinct_action actions[] = {
	{"console", TINCT_ARG_NONE, NULL, run_console, false, false},
	{"vm-menu", TINCT_ARG_NONE, NULL, run_vm_menu, false, false},
	{"vm-start", TINCT_ARG_REQUIRED, check_vm_name, run_vm_start, false, false},
	{"exec", TINCT_ARG_REQUIRED, NULL, run_exec, false, false},
	{"close", TINCT_ARG_NONE, NULL, run_close, false, false},
	{"focus-next", TINCT_ARG_NONE, NULL, run_focus_next, false, false},
	{"focus-prev", TINCT_ARG_NONE, NULL, run_focus_prev, false, false},
	{"maximize", TINCT_ARG_NONE, NULL, run_maximize, false, false},
	{"fullscreen", TINCT_ARG_NONE, NULL, run_fullscreen, false, false},
	{"lock", TINCT_ARG_OPTIONAL, NULL, run_lock, true, true},
	{"exit", TINCT_ARG_NONE, NULL, run_exit, true, false},
	{"vt", TINCT_ARG_REQUIRED, check_vt, run_vt, true, true},
	{"clipboard-copy", TINCT_ARG_NONE, NULL, run_clipboard_copy, false, false},
	{"clipboard-paste", TINCT_ARG_NONE, NULL, run_clipboard_paste, false, false},
};

const struct tinct_action *action_find(const char *name)
{
	for (size_t i = 0; i < sizeof(actions) / sizeof(actions[0]); i++) {
		if (strcmp(actions[i].name, name) == 0) {
			return &actions[i];
		}
	}
	return NULL;
}

static const struct {
	const char *name;
	uint32_t mask;
} modifier_names[] = {
	{"Super", WLR_MODIFIER_LOGO},
	{"Logo", WLR_MODIFIER_LOGO},
	{"Mod4", WLR_MODIFIER_LOGO},
	{"Shift", WLR_MODIFIER_SHIFT},
	{"Ctrl", WLR_MODIFIER_CTRL},
	{"Control", WLR_MODIFIER_CTRL},
	{"Alt", WLR_MODIFIER_ALT},
	{"Mod1", WLR_MODIFIER_ALT},
	{"Mod3", WLR_MODIFIER_MOD3},
	{"Mod5", WLR_MODIFIER_MOD5},
	{"AltGr", WLR_MODIFIER_MOD5},
};

/* Caps Lock and Num Lock never change what a binding means. */
static const uint32_t ignored_modifiers = WLR_MODIFIER_CAPS | WLR_MODIFIER_MOD2;

static bool parse_combo(
	const char *combo, uint32_t *modifiers, xkb_keysym_t *keysym, const char **error)
{
	char *copy = strdup(combo);
	if (copy == NULL) {
		*error = "out of memory";
		return false;
	}
	*modifiers = 0;
	*keysym = XKB_KEY_NoSymbol;
	bool ok = true;
	char *save = NULL;
	char *token = strtok_r(copy, "+", &save);
	if (token == NULL) {
		*error = "missing key";
		ok = false;
	}
	while (ok && token != NULL) {
		char *next = strtok_r(NULL, "+", &save);
		if (next != NULL) {
			bool found = false;
			for (size_t i = 0; i < sizeof(modifier_names) / sizeof(modifier_names[0]);
				i++) {
				if (strcasecmp(token, modifier_names[i].name) == 0) {
					*modifiers |= modifier_names[i].mask;
					found = true;
				}
			}
			if (!found) {
				*error =
					"unknown modifier (Super, Shift, Ctrl, Alt, Mod1-5, AltGr)";
				ok = false;
			}
		} else {
			*keysym = xkb_keysym_from_name(token, XKB_KEYSYM_CASE_INSENSITIVE);
			if (*keysym == XKB_KEY_NoSymbol) {
				*error = "unknown key name (see xkbcommon-keysyms.h)";
				ok = false;
			}
			*keysym = xkb_keysym_to_lower(*keysym);
		}
		token = next;
	}
	free(copy);
	return ok;
}

struct tinct_binding *binding_create(const char *combo, const char *command, const char **error)
{
	uint32_t modifiers;
	xkb_keysym_t keysym;
	if (combo[0] == '\0') {
		*error = "missing key";
		return NULL;
	}
	if (combo[strlen(combo) - 1] == '+') {
		*error = "missing key after '+'";
		return NULL;
	}
	if (!parse_combo(combo, &modifiers, &keysym, error)) {
		return NULL;
	}

	while (isspace((unsigned char)*command)) {
		command++;
	}
	size_t name_len = strcspn(command, " \t");
	if (name_len == 0) {
		*error = "missing action";
		return NULL;
	}
	char name[64];
	if (name_len >= sizeof(name)) {
		*error = "unknown action";
		return NULL;
	}
	memcpy(name, command, name_len);
	name[name_len] = '\0';
	const char *arg = command + name_len;
	while (isspace((unsigned char)*arg)) {
		arg++;
	}

	const struct tinct_action *action = action_find(name);
	if (action == NULL) {
		*error = "unknown action";
		return NULL;
	}
	if (action->arg == TINCT_ARG_NONE && *arg != '\0') {
		*error = "this action takes no argument";
		return NULL;
	}
	if (action->arg == TINCT_ARG_REQUIRED && *arg == '\0') {
		*error = "this action needs an argument";
		return NULL;
	}
	if (*arg != '\0' && action->check != NULL && !action->check(arg, error)) {
		return NULL;
	}

	struct tinct_binding *binding = calloc(1, sizeof(*binding));
	if (binding == NULL) {
		*error = "out of memory";
		return NULL;
	}
	binding->modifiers = modifiers;
	binding->keysym = keysym;
	binding->action = action;
	if (*arg != '\0') {
		binding->arg = strdup(arg);
	}
	wl_list_init(&binding->link);
	return binding;
}

void binding_destroy(struct tinct_binding *binding)
{
	if (binding == NULL) {
		return;
	}
	free(binding->arg);
	free(binding->combo);
	free(binding);
}

void bindings_add(struct wl_list *list, struct tinct_binding *binding)
{
	struct tinct_binding *existing, *tmp;
	wl_list_for_each_safe (existing, tmp, list, link) {
		if (existing->modifiers == binding->modifiers &&
			existing->keysym == binding->keysym) {
			wl_list_remove(&existing->link);
			binding_destroy(existing);
		}
	}
	wl_list_insert(list->prev, &binding->link);
}

static const struct tinct_binding *find_binding(
	struct tinct_server *server, void (*run)(struct tinct_server *, const char *))
{
	struct tinct_binding *binding;
	wl_list_for_each (binding, &server->config->bindings, link) {
		if (binding->action->run == run) {
			return binding;
		}
	}
	return NULL;
}

/* "Super+Shift+E" for a binding, as a user would write it. */
static void binding_describe(const struct tinct_binding *binding, char *out, size_t size)
{
	if (binding == NULL || size == 0) {
		return;
	}
	static const struct {
		uint32_t mask;
		const char *name;
	} order[] = {
		{WLR_MODIFIER_LOGO, "Super"},
		{WLR_MODIFIER_CTRL, "Ctrl"},
		{WLR_MODIFIER_ALT, "Alt"},
		{WLR_MODIFIER_SHIFT, "Shift"},
		{WLR_MODIFIER_MOD3, "Mod3"},
		{WLR_MODIFIER_MOD5, "AltGr"},
	};
	size_t n = 0;
	out[0] = '\0';
	for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
		if ((binding->modifiers & order[i].mask) != 0 && n < size) {
			n += (size_t)snprintf(out + n, size - n, "%s+", order[i].name);
		}
	}
	char key[64];
	if (xkb_keysym_get_name(xkb_keysym_to_upper(binding->keysym), key, sizeof(key)) < 0) {
		snprintf(key, sizeof(key), "?");
	}
	if (n < size) {
		snprintf(out + n, size - n, "%s", key);
	}
}

static bool is_modifier(xkb_keysym_t keysym)
{
	return (keysym >= XKB_KEY_Shift_L && keysym <= XKB_KEY_Hyper_R) ||
	       (keysym >= XKB_KEY_ISO_Lock && keysym <= XKB_KEY_ISO_Level5_Lock);
}

bool bindings_handle_key(struct tinct_server *server, uint32_t modifiers,
	const xkb_keysym_t *keysyms, size_t nsyms, bool inhibited)
{
	modifiers &= ~ignored_modifiers;
	struct tinct_binding *binding, *match = NULL;
	wl_list_for_each (binding, &server->config->bindings, link) {
		if (binding->modifiers != modifiers) {
			continue;
		}
		for (size_t i = 0; i < nsyms && match == NULL; i++) {
			if (xkb_keysym_to_lower(keysyms[i]) == binding->keysym) {
				match = binding;
			}
		}
		if (match != NULL) {
			break;
		}
	}
	if (panel_notice(server->panel) == TINCT_NOTICE_EXIT && nsyms > 0 &&
		!is_modifier(keysyms[0]) && (match == NULL || match->action->run != run_exit)) {
		/* Any other key answers "stay"; it goes nowhere else. */
		panel_clear_notice(server->panel);
		return true;
	}
	if (match == NULL) {
		return false;
	}
	if (inhibited && !match->action->always) {
		return false;
	}
	if (session_lock_is_locked(server->session_lock) && !match->action->while_locked) {
		return false; // the key goes to the lock surface
	}
	wlr_log(WLR_DEBUG, "binding: %s%s%s", match->action->name, match->arg ? " " : "",
		match->arg ? match->arg : "");
	match->action->run(server, match->arg);
	return true;
}
