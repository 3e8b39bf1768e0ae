/*
 * Key bindings: "Super+Shift+Return = exec foot" lines from [bindings].
 *
 * An action is a row of a table (name, whether it takes an argument, the
 * function that runs it), so later features add rows without touching the
 * parser. Bindings are matched before any client sees the key and are never
 * forwarded; no client can inhibit them unless it is a trusted host client
 * holding a keyboard-shortcuts inhibitor.
 */
#ifndef TINCT_BINDINGS_H
#define TINCT_BINDINGS_H

#include <stdbool.h>
#include <stdint.h>
#include <wayland-util.h>
#include <xkbcommon/xkbcommon.h>

struct tinct_server;

enum tinct_action_arg {
	TINCT_ARG_NONE,
	TINCT_ARG_REQUIRED,
	TINCT_ARG_OPTIONAL,
};

struct tinct_action {
	const char *name;
	enum tinct_action_arg arg;
	/* Validates the argument at parse time; NULL accepts any. */
	bool (*check)(const char *arg, const char **error);
	void (*run)(struct tinct_server *server, const char *arg);
	/*
	 * Whether the action still runs while a host client holds a
	 * keyboard-shortcuts inhibitor (true for VT switching and exit).
	 */
	bool always;
	/* Whether it runs while the session is locked (VT switching only). */
	bool while_locked;
};

struct tinct_binding {
	uint32_t modifiers; // WLR_MODIFIER_* mask
	xkb_keysym_t keysym; // lower case
	const struct tinct_action *action;
	char *arg; // NULL when the action takes none
	int line; // in the configuration file, 0 for built-in defaults
	char *combo; // as written, for messages; NULL for built-in defaults
	struct wl_list link; // tinct_config.bindings
};

/*
 * Parses combo ("Super+Shift+Return") and command ("exec foot"). On failure
 * returns NULL and points error at a static message.
 */
struct tinct_binding *binding_create(const char *combo, const char *command, const char **error);
void binding_destroy(struct tinct_binding *binding);

/* Adds binding to list, replacing one with the same combination. */
void bindings_add(struct wl_list *list, struct tinct_binding *binding);

const struct tinct_action *action_find(const char *name);

/*
 * Runs the binding for a key press, if there is one. keysyms are the keysyms
 * the key produces, both with and without modifiers applied. Returns true when
 * the key was consumed. inhibited: a host client holds a shortcuts inhibitor.
 */
bool bindings_handle_key(struct tinct_server *server, uint32_t modifiers,
	const xkb_keysym_t *keysyms, size_t nsyms, bool inhibited);

#endif
