/*
 * tinct.ini parsing through common/ini: defaults first, one parse function
 * per section, every error reported with file, line, section and key, and
 * the bad line skipped so the rest of the file still applies.
 */
#include "compositor/config.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <wlr/util/log.h>

#include "common/ini.h"

struct parse_state {
	struct tinct_config *config;
	const char *path;
	FILE *errors;
	int line; // of the entry being parsed
	int error_count;
};

static void report(struct parse_state *state, const char *section, const char *key, const char *fmt,
	...) __attribute__((format(printf, 4, 5)));

static void report(
	struct parse_state *state, const char *section, const char *key, const char *fmt, ...)
{
	char message[512];
	va_list args;
	va_start(args, fmt);
	vsnprintf(message, sizeof(message), fmt, args);
	va_end(args);

	state->error_count++;
	if (state->errors != NULL) {
		fprintf(state->errors, "%s:%d: [%s] %s: %s\n", state->path, state->line, section,
			key, message);
	}
}

static void set_string(char **field, const char *value)
{
	free(*field);
	*field = strdup(value);
}

/* Value parsers: return false with a message for report(). */

static bool parse_bool(const char *value, bool *out)
{
	static const char *yes[] = {"true", "yes", "on", "1"};
	static const char *no[] = {"false", "no", "off", "0"};
	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		if (strcasecmp(value, yes[i]) == 0) {
			*out = true;
			return true;
		}
		if (strcasecmp(value, no[i]) == 0) {
			*out = false;
			return true;
		}
	}
	return false;
}

static bool parse_int(const char *value, int min, int max, int *out)
{
	if (*value == '\0') {
		return false;
	}
	char *end;
	errno = 0;
	long n = strtol(value, &end, 10);
	if (errno != 0 || *end != '\0' || n < min || n > max) {
		return false;
	}
	*out = (int)n;
	return true;
}

static bool parse_double(const char *value, double min, double max, double *out)
{
	if (*value == '\0') {
		return false;
	}
	char *end;
	errno = 0;
	double d = strtod(value, &end);
	if (errno != 0 || *end != '\0' || !isfinite(d) || d < min || d > max) {
		return false;
	}
	*out = d;
	return true;
}

/* Section parsers. */

static bool parse_keyboard(struct parse_state *state, const char *key, const char *value)
{
	state->config->keyboard.line = state->line;
	struct tinct_config *config = state->config;
	struct {
		const char *key;
		char **field;
	} strings[] = {
		{"rules", &config->keyboard.rules},
		{"model", &config->keyboard.model},
		{"layout", &config->keyboard.layout},
		{"variant", &config->keyboard.variant},
		{"options", &config->keyboard.options},
	};
	for (size_t i = 0; i < sizeof(strings) / sizeof(strings[0]); i++) {
		if (strcmp(key, strings[i].key) == 0) {
			set_string(strings[i].field, value);
			return true;
		}
	}
	if (strcmp(key, "repeat-rate") == 0) {
		if (!parse_int(value, 0, 1000, &config->keyboard.repeat_rate)) {
			report(state, "keyboard", key,
				"expected an integer from 0 to 1000 (keys per second), got \"%s\"",
				value);
		}
		return true;
	}
	if (strcmp(key, "repeat-delay") == 0) {
		if (!parse_int(value, 1, 10000, &config->keyboard.repeat_delay)) {
			report(state, "keyboard", key,
				"expected an integer from 1 to 10000 (milliseconds), got \"%s\"",
				value);
		}
		return true;
	}
	return false;
}

static bool parse_pointer(struct parse_state *state, const char *key, const char *value)
{
	struct tinct_config *config = state->config;
	bool *flag = NULL;
	if (strcmp(key, "natural-scroll") == 0) {
		flag = &config->pointer.natural_scroll;
	} else if (strcmp(key, "tap-to-click") == 0) {
		flag = &config->pointer.tap_to_click;
	}
	if (flag != NULL) {
		if (!parse_bool(value, flag)) {
			report(state, "pointer", key, "expected true or false, got \"%s\"", value);
		}
		return true;
	}
	if (strcmp(key, "accel-speed") == 0) {
		if (!parse_double(value, -1.0, 1.0, &config->pointer.accel_speed)) {
			report(state, "pointer", key, "expected a number from -1 to 1, got \"%s\"",
				value);
		}
		return true;
	}
	return false;
}

static bool parse_cursor(struct parse_state *state, const char *key, const char *value)
{
	struct tinct_config *config = state->config;
	if (strcmp(key, "theme") == 0) {
		set_string(&config->cursor.theme, value);
		return true;
	}
	if (strcmp(key, "size") == 0) {
		if (!parse_int(value, 8, 512, &config->cursor.size)) {
			report(state, "cursor", key,
				"expected an integer from 8 to 512 (pixels), got \"%s\"", value);
		}
		return true;
	}
	return false;
}

static bool parse_appearance(struct parse_state *state, const char *key, const char *value)
{
	struct tinct_config *config = state->config;
	if (strcmp(key, "font") == 0) {
		if (*value == '\0') {
			report(state, "appearance", key, "expected a font description");
		} else {
			set_string(&config->appearance.font, value);
		}
		return true;
	}
	if (strcmp(key, "border-width") == 0) {
		if (!parse_int(value, 1, 32, &config->appearance.border_width)) {
			report(state, "appearance", key,
				"expected an integer from 1 to 32 (pixels), got \"%s\"", value);
		}
		return true;
	}
	if (strcmp(key, "title-height") == 0) {
		if (!parse_int(value, 12, 128, &config->appearance.title_height)) {
			report(state, "appearance", key,
				"expected an integer from 12 to 128 (pixels), got \"%s\"", value);
		}
		return true;
	}
	struct tinct_colour *colour = NULL;
	if (strcmp(key, "host-colour") == 0 || strcmp(key, "host-color") == 0) {
		colour = &config->appearance.host_colour;
	} else if (strcmp(key, "background") == 0) {
		colour = &config->appearance.background;
	}
	if (colour != NULL) {
		if (!colour_parse(value, colour)) {
			report(state, "appearance", key,
				"expected a colour #rrggbb, #rrggbbaa or a label name, got \"%s\"",
				value);
		}
		return true;
	}
	return false;
}

static struct tinct_output_config *output_config_get(struct tinct_config *config, const char *name)
{
	struct tinct_output_config *oc = config_find_output(config, name);
	if (oc != NULL) {
		return oc;
	}
	oc = calloc(1, sizeof(*oc));
	if (oc == NULL) {
		return NULL;
	}
	oc->name = strdup(name);
	oc->enabled = true;
	wl_list_insert(config->outputs.prev, &oc->link);
	return oc;
}

/*
 * Reads an integer from min to max at *p that ends at stop (a character, or
 * '\0' for the end of the value) and moves *p past stop. Unlike sscanf's
 * %d, a number out of int's range fails instead of wrapping.
 */
static bool parse_int_until(const char **p, char stop, int min, int max, int *out)
{
	char *end;
	errno = 0;
	long n = strtol(*p, &end, 10);
	if (end == *p || errno != 0 || *end != stop || n < min || n > max) {
		return false;
	}
	*out = (int)n;
	*p = stop == '\0' ? end : end + 1;
	return true;
}

/* "WIDTHxHEIGHT", "WIDTHxHEIGHT@HZ" or "WIDTHxHEIGHT@HZHz". */
static bool parse_mode(const char *value, int *width, int *height, int *refresh_mhz)
{
	const char *p = value;
	bool has_rate = strchr(value, '@') != NULL;
	if (!parse_int_until(&p, 'x', 1, 16384, width) ||
		!parse_int_until(&p, has_rate ? '@' : '\0', 1, 16384, height)) {
		return false;
	}
	double hz = 0;
	if (has_rate) {
		char *end;
		errno = 0;
		hz = strtod(p, &end);
		if (end == p || errno != 0 || (*end != '\0' && strcmp(end, "Hz") != 0) ||
			!isfinite(hz) || hz < 0 || hz > 1000) {
			return false;
		}
	}
	*refresh_mhz = (int)lround(hz * 1000.0);
	return true;
}

static bool parse_output(struct parse_state *state, const char *section, const char *name,
	const char *key, const char *value)
{
	struct tinct_output_config *oc = output_config_get(state->config, name);
	if (oc == NULL) {
		report(state, section, key, "out of memory");
		return true;
	}
	if (strcmp(key, "mode") == 0) {
		int w, h, r;
		if (!parse_mode(value, &w, &h, &r)) {
			report(state, section, key,
				"expected WIDTHxHEIGHT or WIDTHxHEIGHT@HZ, got \"%s\"", value);
		} else {
			oc->width = w;
			oc->height = h;
			oc->refresh_mhz = r;
		}
		return true;
	}
	if (strcmp(key, "scale") == 0) {
		if (!parse_double(value, 0.25, 10.0, &oc->scale)) {
			report(state, section, key, "expected a number from 0.25 to 10, got \"%s\"",
				value);
		}
		return true;
	}
	if (strcmp(key, "position") == 0) {
		int x, y;
		const char *p = value;
		if (!parse_int_until(&p, ',', -1000000, 1000000, &x) ||
			!parse_int_until(&p, '\0', -1000000, 1000000, &y)) {
			report(state, section, key, "expected X,Y, got \"%s\"", value);
		} else {
			oc->has_position = true;
			oc->x = x;
			oc->y = y;
		}
		return true;
	}
	if (strcmp(key, "enabled") == 0) {
		if (!parse_bool(value, &oc->enabled)) {
			report(state, section, key, "expected true or false, got \"%s\"", value);
		}
		return true;
	}
	return false;
}

static bool parse_focus(struct parse_state *state, const char *key, const char *value)
{
	if (strcmp(key, "grant-timeout") == 0) {
		int seconds;
		if (!parse_int(value, 0, 3600, &seconds)) {
			report(state, "focus", key, "expected seconds from 0 to 3600, got \"%s\"",
				value);
		} else {
			state->config->focus.grant_timeout_ms = seconds * 1000;
		}
		return true;
	}
	return false;
}

/* "N", "NK" or "NM" bytes, from 1 byte to 1 GiB. */
static bool parse_size(const char *value, size_t *out)
{
	char *end;
	errno = 0;
	unsigned long long n = strtoull(value, &end, 10);
	unsigned long long unit = 1;
	if (*end == 'K' || *end == 'k') {
		unit = 1024;
		end++;
	} else if (*end == 'M' || *end == 'm') {
		unit = 1024 * 1024;
		end++;
	}
	if (errno != 0 || end == value || *end != '\0' || value[0] == '-' || n == 0 ||
		n > (1ull << 30) / unit) {
		return false;
	}
	*out = (size_t)(n * unit);
	return true;
}

static bool parse_clipboard(struct parse_state *state, const char *key, const char *value)
{
	struct tinct_config *config = state->config;
	if (strcmp(key, "max-bytes") == 0) {
		if (!parse_size(value, &config->clipboard.max_bytes)) {
			report(state, "clipboard", key,
				"expected a size from 1 to 1024M (bytes, or with K or M), got "
				"\"%s\"",
				value);
		}
		return true;
	}
	if (strcmp(key, "clear-after-paste") == 0) {
		if (!parse_bool(value, &config->clipboard.clear_after_paste)) {
			report(state, "clipboard", key, "expected true or false, got \"%s\"",
				value);
		}
		return true;
	}
	return false;
}

static bool parse_bindings(struct parse_state *state, const char *key, const char *value)
{
	const char *error = NULL;
	struct tinct_binding *binding = binding_create(key, value, &error);
	if (binding == NULL) {
		report(state, "bindings", key, "%s", error);
		return true;
	}
	binding->line = state->line;
	binding->combo = strdup(key);
	bindings_add(&state->config->bindings, binding);
	return true;
}

static void handle_ini_entry(
	void *data, int line, const char *section, const char *key, const char *value)
{
	struct parse_state *state = data;
	state->line = line;
	bool known;
	if (strcmp(section, "keyboard") == 0) {
		known = parse_keyboard(state, key, value);
	} else if (strcmp(section, "pointer") == 0) {
		known = parse_pointer(state, key, value);
	} else if (strcmp(section, "cursor") == 0) {
		known = parse_cursor(state, key, value);
	} else if (strcmp(section, "appearance") == 0) {
		known = parse_appearance(state, key, value);
	} else if (strcmp(section, "clipboard") == 0) {
		known = parse_clipboard(state, key, value);
	} else if (strcmp(section, "bindings") == 0) {
		known = parse_bindings(state, key, value);
	} else if (strcmp(section, "focus") == 0) {
		known = parse_focus(state, key, value);
	} else if (strncmp(section, "output ", 7) == 0 && section[7] != '\0') {
		known = parse_output(state, section, section + 7, key, value);
	} else if (section[0] == '\0') {
		report(state, section, key, "key outside of any section");
		return;
	} else {
		report(state, section, key, "unknown section");
		return;
	}
	if (!known) {
		report(state, section, key, "unknown key");
	}
}

static void handle_ini_error(void *data, int line, const char *message)
{
	struct parse_state *state = data;
	state->error_count++;
	if (state->errors != NULL) {
		fprintf(state->errors, "%s:%d: %s\n", state->path, line, message);
	}
}

int config_load(struct tinct_config *config, const char *path, FILE *errors)
{
	FILE *file = fopen(path, "r");
	if (file == NULL) {
		if (errors != NULL) {
			fprintf(errors, "%s: cannot open: %s\n", path, strerror(errno));
		}
		return -1;
	}
	struct parse_state state = {
		.config = config,
		.path = path,
		.errors = errors,
	};
	static const struct tinct_ini_handler handler = {
		.entry = handle_ini_entry,
		.error = handle_ini_error,
	};
	if (!ini_read(file, &handler, &state)) {
		state.error_count++;
		if (errors != NULL) {
			fprintf(errors, "%s: cannot read: %s\n", path, strerror(errno));
		}
	}
	fclose(file);
	set_string(&config->path, path);
	return state.error_count;
}

struct tinct_output_config *config_find_output(struct tinct_config *config, const char *name)
{
	struct tinct_output_config *oc;
	wl_list_for_each (oc, &config->outputs, link) {
		if (strcmp(oc->name, name) == 0) {
			return oc;
		}
	}
	return NULL;
}

char *config_find_default(void)
{
	char path[PATH_MAX];
	const char *xdg = getenv("XDG_CONFIG_HOME");
	const char *home = getenv("HOME");
	if (xdg != NULL && xdg[0] == '/') {
		snprintf(path, sizeof(path), "%s/tinct/tinct.ini", xdg);
	} else if (home != NULL) {
		snprintf(path, sizeof(path), "%s/.config/tinct/tinct.ini", home);
	} else {
		path[0] = '\0';
	}
	if (path[0] != '\0' && access(path, R_OK) == 0) {
		return strdup(path);
	}
	/* /etc/xdg, and where `meson install` put it when the prefix differs. */
	const char *system_paths[] = {
		"/etc/xdg/tinct/tinct.ini", TINCT_SYSCONFDIR "/xdg/tinct/tinct.ini"};
	for (size_t i = 0; i < sizeof(system_paths) / sizeof(system_paths[0]); i++) {
		if (access(system_paths[i], R_OK) == 0) {
			return strdup(system_paths[i]);
		}
	}
	return NULL;
}

static const struct {
	const char *combo, *command;
} default_bindings[] = {
	{"Super+Return", "console"},
	{"Super+Space", "vm-menu"},
	{"Super+Shift+Return", "exec foot"},
	{"Alt+Tab", "focus-next"},
	{"Alt+Shift+Tab", "focus-prev"},
	{"Super+Q", "close"},
	{"Super+F", "fullscreen"},
	{"Super+M", "maximize"},
	{"Super+L", "lock"},
	{"Super+Shift+E", "exit"},
	{"Super+C", "clipboard-copy"},
	{"Super+V", "clipboard-paste"},
	{"Ctrl+Alt+F1", "vt 1"},
	{"Ctrl+Alt+F2", "vt 2"},
	{"Ctrl+Alt+F3", "vt 3"},
	{"Ctrl+Alt+F4", "vt 4"},
	{"Ctrl+Alt+F5", "vt 5"},
	{"Ctrl+Alt+F6", "vt 6"},
	{"Ctrl+Alt+F7", "vt 7"},
	{"Ctrl+Alt+F8", "vt 8"},
	{"Ctrl+Alt+F9", "vt 9"},
	{"Ctrl+Alt+F10", "vt 10"},
	{"Ctrl+Alt+F11", "vt 11"},
	{"Ctrl+Alt+F12", "vt 12"},
};

bool config_init(struct tinct_config *config)
{
	*config = (struct tinct_config){0};
	wl_list_init(&config->outputs);
	wl_list_init(&config->bindings);
	config->keyboard.repeat_rate = 25;
	config->keyboard.repeat_delay = 600;
	config->focus.grant_timeout_ms = 30000;
	config->pointer.tap_to_click = true;
	config->cursor.size = 24;
	config->clipboard.max_bytes = 16 * 1024 * 1024;
	config->clipboard.clear_after_paste = true;
	config->appearance.font = strdup("sans 10");
	config->appearance.border_width = 2;
	config->appearance.title_height = 22;
	config->appearance.host_colour = colour_from_rgb(0x6b6f76);
	config->appearance.background = colour_from_rgb(0x000000);
	if (config->appearance.font == NULL) {
		return false;
	}
	for (size_t i = 0; i < sizeof(default_bindings) / sizeof(default_bindings[0]); i++) {
		const char *error = NULL;
		struct tinct_binding *binding = binding_create(
			default_bindings[i].combo, default_bindings[i].command, &error);
		if (binding == NULL) {
			wlr_log(WLR_ERROR, "default binding %s = %s: %s", default_bindings[i].combo,
				default_bindings[i].command, error);
			continue;
		}
		bindings_add(&config->bindings, binding);
	}
	return true;
}

void config_finish(struct tinct_config *config)
{
	free(config->path);
	free(config->keyboard.rules);
	free(config->keyboard.model);
	free(config->keyboard.layout);
	free(config->keyboard.variant);
	free(config->keyboard.options);
	free(config->cursor.theme);
	free(config->appearance.font);
	struct tinct_output_config *oc, *oc_tmp;
	wl_list_for_each_safe (oc, oc_tmp, &config->outputs, link) {
		wl_list_remove(&oc->link);
		free(oc->name);
		free(oc);
	}
	struct tinct_binding *binding, *binding_tmp;
	wl_list_for_each_safe (binding, binding_tmp, &config->bindings, link) {
		wl_list_remove(&binding->link);
		binding_destroy(binding);
	}
	*config = (struct tinct_config){0};
	wl_list_init(&config->outputs);
	wl_list_init(&config->bindings);
}

int config_check(
	struct tinct_config *config, const char *const *vm_names, size_t count, FILE *errors)
{
	const char *path = config->path != NULL ? config->path : "tinct.ini";
	int n = 0;
	struct xkb_rule_names rules = {
		.rules = config->keyboard.rules,
		.model = config->keyboard.model,
		.layout = config->keyboard.layout,
		.variant = config->keyboard.variant,
		.options = config->keyboard.options,
	};
	struct xkb_context *context = xkb_context_new(XKB_CONTEXT_NO_FLAGS);
	if (context != NULL) {
		/* xkbcommon explains on stderr; the one line below names the file. */
		xkb_context_set_log_level(context, XKB_LOG_LEVEL_CRITICAL);
		struct xkb_keymap *keymap =
			xkb_keymap_new_from_names(context, &rules, XKB_KEYMAP_COMPILE_NO_FLAGS);
		if (keymap == NULL) {
			fprintf(errors,
				"%s:%d: [keyboard] layout: no keymap for layout \"%s\", variant "
				"\"%s\", options \"%s\"\n",
				path, config->keyboard.line, rules.layout ? rules.layout : "",
				rules.variant ? rules.variant : "",
				rules.options ? rules.options : "");
			n++;
		}
		xkb_keymap_unref(keymap);
		xkb_context_unref(context);
	}
	struct tinct_binding *binding;
	wl_list_for_each (binding, &config->bindings, link) {
		if (strcmp(binding->action->name, "vm-start") != 0 || binding->arg == NULL) {
			continue;
		}
		bool known = false;
		for (size_t i = 0; i < count && !known; i++) {
			known = strcmp(vm_names[i], binding->arg) == 0;
		}
		if (!known) {
			fprintf(errors, "%s:%d: [bindings] %s: vm-start: no VM is called %s\n",
				path, binding->line, binding->combo != NULL ? binding->combo : "?",
				binding->arg);
			n++;
		}
	}
	return n;
}
