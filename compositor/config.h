/*
 * tinct.ini: the compositor's configuration.
 *
 * Parsing happens in two steps, as foot does: defaults are filled first, then
 * every line of the file (read by common/ini.h) is handed to the parse
 * function of its section. A bad line is reported as
 * "path:line: [section] key: message", or "path:line: syntax error: why" for
 * a line that is no INI or longer than 4096 bytes, and skipped; the rest of
 * the file still applies. config_load() returns the number of errors.
 */
#ifndef TINCT_CONFIG_H
#define TINCT_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <wayland-util.h>
#include <xkbcommon/xkbcommon.h>

#include "compositor/bindings.h"
#include "common/colour.h"

struct tinct_output_config {
	char *name; // connector name, e.g. "HEADLESS-1" or "DP-2"
	bool enabled;
	int width, height; // 0 = preferred mode
	int refresh_mhz; // 0 = any
	double scale; // 0 = not set
	bool has_position;
	int x, y;
	struct wl_list link; // tinct_config.outputs
};

struct tinct_config {
	char *path; // file that was loaded, NULL for built-in defaults

	struct {
		char *rules, *model, *layout, *variant, *options;
		int repeat_rate; // per second
		int repeat_delay; // ms
		int line; // of the last [keyboard] entry, for messages
	} keyboard;

	struct {
		bool natural_scroll;
		bool tap_to_click;
		double accel_speed; // -1..1
	} pointer;

	struct {
		char *theme;
		int size;
	} cursor;

	struct {
		char *font; // pango font description
		int border_width;
		int title_height;
		struct tinct_colour host_colour; // neutral frame of host windows
		struct tinct_colour background;
	} appearance;

	struct {
		/*
		 * How long a VM started by the user may give its first window
		 * the keyboard, ms (policy.h); 0: never.
		 */
		int grant_timeout_ms;
	} focus;

	struct {
		size_t max_bytes; // largest transfer between domains
		bool clear_after_paste; // the global clipboard empties on paste
	} clipboard;

	struct wl_list outputs; // tinct_output_config.link
	struct wl_list bindings; // tinct_binding.link
};

/* Fills every field with its built-in default, including the default bindings. */
bool config_init(struct tinct_config *config);
void config_finish(struct tinct_config *config);

/*
 * Parses the file at path on top of the current values. Errors are written to
 * errors (one line each) and counted; returns the number of errors, or -1 if the
 * file cannot be opened.
 */
int config_load(struct tinct_config *config, const char *path, FILE *errors);

/*
 * The file tinct reads when no -c is given: $XDG_CONFIG_HOME/tinct/tinct.ini,
 * then /etc/xdg/tinct/tinct.ini. Returns a newly allocated path or NULL.
 */
char *config_find_default(void);

/*
 * Checks what needs more than one line to know: that the [keyboard] xkb
 * settings compile into a keymap, and that every vm-start binding names one
 * of the count VMs in vm_names. Errors go to errors as FILE:LINE: messages;
 * returns their number.
 */
int config_check(
	struct tinct_config *config, const char *const *vm_names, size_t count, FILE *errors);

/* Per-output settings by connector name, or NULL. */
struct tinct_output_config *config_find_output(struct tinct_config *config, const char *name);

#endif
