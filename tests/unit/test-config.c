/*
 * Unit tests for tinct.ini parsing: every key type, every error path, and the
 * exact "file:line: [section] key: message" format. TAP output.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <wlr/types/wlr_keyboard.h>

#include "compositor/bindings.h"
#include "check.h"
#include "compositor/config.h"

static char tmp_path[] = "/tmp/tinct-config-test-XXXXXX";

/* Loads text as a file; returns the error count, errors copied to out. */
static int load(struct tinct_config *config, const char *text, char *out, size_t out_size)
{
	int fd = mkstemp(tmp_path);
	if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text)) {
		perror("mkstemp");
		exit(99);
	}
	close(fd);
	char *buf = NULL;
	size_t len = 0;
	FILE *errors = open_memstream(&buf, &len);
	int n = config_load(config, tmp_path, errors);
	fclose(errors);
	snprintf(out, out_size, "%s", buf != NULL ? buf : "");
	free(buf);
	unlink(tmp_path);
	strcpy(tmp_path, "/tmp/tinct-config-test-XXXXXX");
	return n;
}

/* Expects exactly one error, equal to "<file>:<rest>". */
static void expect_error(const char *text, const char *rest)
{
	struct tinct_config config;
	config_init(&config);
	char errors[2048];
	int n = load(&config, text, errors, sizeof(errors));
	const char *colon = strchr(errors, ':');
	bool match = n == 1 && colon != NULL &&
		     strncmp(errors, "/tmp/tinct-config-test-", 23) == 0 &&
		     strcmp(colon + 1, rest) == 0;
	ok(match, "error for %s", rest);
	if (!match) {
		printf("#   got %d error(s): %s", n, errors);
	}
	config_finish(&config);
}

static bool colour_is(struct tinct_colour c, int r, int g, int b)
{
	return (int)(c.r * 255 + 0.5f) == r && (int)(c.g * 255 + 0.5f) == g &&
	       (int)(c.b * 255 + 0.5f) == b;
}

static struct tinct_binding *find_binding(
	struct tinct_config *config, uint32_t mods, xkb_keysym_t sym)
{
	struct tinct_binding *binding;
	wl_list_for_each (binding, &config->bindings, link) {
		if (binding->modifiers == mods && binding->keysym == sym) {
			return binding;
		}
	}
	return NULL;
}

static void test_defaults(void)
{
	struct tinct_config config;
	ok(config_init(&config), "config_init");
	ok(config.keyboard.repeat_rate == 25 && config.keyboard.repeat_delay == 600,
		"default repeat 25/s after 600 ms");
	ok(config.appearance.border_width == 2 && config.appearance.title_height == 22,
		"default frame 2 px border, 22 px title");
	ok(colour_is(config.appearance.host_colour, 0x6b, 0x6f, 0x76), "default host colour");
	struct tinct_binding *b =
		find_binding(&config, WLR_MODIFIER_LOGO | WLR_MODIFIER_SHIFT, XKB_KEY_Return);
	ok(b != NULL && strcmp(b->action->name, "exec") == 0 && strcmp(b->arg, "foot") == 0,
		"Super+Shift+Return = exec foot by default");
	b = find_binding(&config, WLR_MODIFIER_ALT, XKB_KEY_Tab);
	ok(b != NULL && strcmp(b->action->name, "focus-next") == 0, "Alt+Tab = focus-next");
	b = find_binding(&config, WLR_MODIFIER_CTRL | WLR_MODIFIER_ALT, XKB_KEY_F12);
	ok(b != NULL && strcmp(b->action->name, "vt") == 0 && strcmp(b->arg, "12") == 0,
		"Ctrl+Alt+F12 = vt 12");
	config_finish(&config);
}

static void test_values(void)
{
	struct tinct_config config;
	config_init(&config);
	char errors[2048];
	int n = load(&config,
		"; comment\n"
		"# another comment\n"
		"[keyboard]\n"
		"layout = de\n"
		"variant = nodeadkeys\n"
		"options = ctrl:nocaps\n"
		"model = pc105\n"
		"rules = evdev\n"
		"repeat-rate = 40\n"
		"repeat-delay = 250\n"
		"\n"
		"[pointer]\n"
		"natural-scroll = yes\n"
		"tap-to-click = off\n"
		"accel-speed = -0.5\n"
		"[cursor]\n"
		"theme = Adwaita\n"
		"size = 32\n"
		"[appearance]\n"
		"font = monospace 12\n"
		"border-width = 4\n"
		"title-height = 30\n"
		"host-color = #102030\n"
		"background = #FFfFff\n"
		"[output HEADLESS-1]\n"
		"mode = 1920x1080@60Hz\n"
		"scale = 1.5\n"
		"position = -1920,0\n"
		"enabled = true\n"
		"[output DP-2]\n"
		"mode = 800x600\n"
		"enabled = false\n"
		"[bindings]\n"
		"Super+Shift+Return = exec foot -e htop\n"
		"ctrl+alt+t = exec weston-terminal\n"
		"Super+Q = maximize\n",
		errors, sizeof(errors));
	ok(n == 0, "valid file has no errors");
	if (n != 0) {
		printf("#   %s", errors);
	}
	ok(strcmp(config.keyboard.layout, "de") == 0 &&
			strcmp(config.keyboard.variant, "nodeadkeys") == 0 &&
			strcmp(config.keyboard.options, "ctrl:nocaps") == 0 &&
			strcmp(config.keyboard.model, "pc105") == 0 &&
			strcmp(config.keyboard.rules, "evdev") == 0,
		"keyboard strings");
	ok(config.keyboard.repeat_rate == 40 && config.keyboard.repeat_delay == 250,
		"keyboard integers");
	ok(config.pointer.natural_scroll && !config.pointer.tap_to_click, "booleans");
	ok(config.pointer.accel_speed == -0.5, "float");
	ok(strcmp(config.cursor.theme, "Adwaita") == 0 && config.cursor.size == 32, "cursor");
	ok(strcmp(config.appearance.font, "monospace 12") == 0, "font");
	ok(config.appearance.border_width == 4 && config.appearance.title_height == 30,
		"frame sizes");
	ok(colour_is(config.appearance.host_colour, 0x10, 0x20, 0x30),
		"colour (American spelling accepted)");
	ok(colour_is(config.appearance.background, 0xff, 0xff, 0xff), "colour, mixed case");
	struct tinct_output_config *oc = config_find_output(&config, "HEADLESS-1");
	ok(oc != NULL && oc->width == 1920 && oc->height == 1080 && oc->refresh_mhz == 60000 &&
			oc->scale == 1.5 && oc->has_position && oc->x == -1920 && oc->y == 0 &&
			oc->enabled,
		"output section");
	oc = config_find_output(&config, "DP-2");
	ok(oc != NULL && oc->width == 800 && oc->refresh_mhz == 0 && !oc->enabled,
		"second output section");
	ok(config_find_output(&config, "DP-3") == NULL, "unknown output has no section");

	struct tinct_binding *b =
		find_binding(&config, WLR_MODIFIER_LOGO | WLR_MODIFIER_SHIFT, XKB_KEY_Return);
	ok(b != NULL && strcmp(b->arg, "foot -e htop") == 0,
		"user binding replaces the default with the same keys");
	b = find_binding(&config, WLR_MODIFIER_CTRL | WLR_MODIFIER_ALT, XKB_KEY_t);
	ok(b != NULL && strcmp(b->arg, "weston-terminal") == 0,
		"modifier and key names are case-insensitive");
	b = find_binding(&config, WLR_MODIFIER_LOGO, XKB_KEY_q);
	ok(b != NULL && strcmp(b->action->name, "maximize") == 0 && b->arg == NULL,
		"action without argument");
	int count = 0;
	wl_list_for_each (b, &config.bindings, link) {
		if (b->modifiers == WLR_MODIFIER_LOGO && b->keysym == XKB_KEY_q) {
			count++;
		}
	}
	ok(count == 1, "replaced binding is not kept twice");
	config_finish(&config);
}

static void test_colour_labels(void)
{
	struct tinct_config config;
	config_init(&config);
	char errors[2048];
	int n = load(&config, "[appearance]\nhost-colour = purple\nbackground = grey\n", errors,
		sizeof(errors));
	ok(n == 0, "label names are colours in tinct.ini");
	ok(colour_is(config.appearance.host_colour, 0x75, 0x50, 0x7b), "host-colour = purple");
	ok(colour_is(config.appearance.background, 0x55, 0x55, 0x55), "background = grey");
	config_finish(&config);
}

static void test_errors(void)
{
	expect_error("[keyboard]\nrepeat-rate = fast\n",
		"2: [keyboard] repeat-rate: expected an integer from 0 to 1000 (keys per second), "
		"got \"fast\"\n");
	expect_error("[keyboard]\nrepeat-rate = 1001\n",
		"2: [keyboard] repeat-rate: expected an integer from 0 to 1000 (keys per second), "
		"got \"1001\"\n");
	expect_error("[keyboard]\n\nrepeat-delay = 0\n",
		"3: [keyboard] repeat-delay: expected an integer from 1 to 10000 (milliseconds), "
		"got \"0\"\n");
	expect_error("[keyboard]\nlayuot = us\n", "2: [keyboard] layuot: unknown key\n");
	expect_error("[pointer]\nnatural-scroll = maybe\n",
		"2: [pointer] natural-scroll: expected true or false, got \"maybe\"\n");
	expect_error("[pointer]\naccel-speed = 2\n",
		"2: [pointer] accel-speed: expected a number from -1 to 1, got \"2\"\n");
	expect_error("[pointer]\naccel-speed = nan\n",
		"2: [pointer] accel-speed: expected a number from -1 to 1, got \"nan\"\n");
	expect_error("[cursor]\nsize = 4\n",
		"2: [cursor] size: expected an integer from 8 to 512 (pixels), got \"4\"\n");
	expect_error("[appearance]\nhost-colour = crimson\n",
		"2: [appearance] host-colour: expected a colour #rrggbb, #rrggbbaa or a label "
		"name, got \"crimson\"\n");
	expect_error("[appearance]\nbackground = #12345\n",
		"2: [appearance] background: expected a colour #rrggbb, #rrggbbaa or a label "
		"name, got \"#12345\"\n");
	expect_error("[appearance]\nbackground = #12345g\n",
		"2: [appearance] background: expected a colour #rrggbb, #rrggbbaa or a label "
		"name, got \"#12345g\"\n");
	expect_error("[appearance]\nborder-width = 0\n",
		"2: [appearance] border-width: expected an integer from 1 to 32 (pixels), got "
		"\"0\"\n");
	expect_error("[appearance]\ntitle-height = 2x\n",
		"2: [appearance] title-height: expected an integer from 12 to 128 (pixels), got "
		"\"2x\"\n");
	expect_error(
		"[appearance]\nfont =\n", "2: [appearance] font: expected a font description\n");
	expect_error("[output X]\nmode = 1920-1080\n", "2: [output X] mode: expected WIDTHxHEIGHT "
						       "or WIDTHxHEIGHT@HZ, got \"1920-1080\"\n");
	expect_error("[output X]\nmode = 1920x1080@\n", "2: [output X] mode: expected WIDTHxHEIGHT "
							"or WIDTHxHEIGHT@HZ, got \"1920x1080@\"\n");
	expect_error("[output X]\nscale = 0\n",
		"2: [output X] scale: expected a number from 0.25 to 10, got \"0\"\n");
	expect_error("[output X]\nposition = 10\n",
		"2: [output X] position: expected X,Y, got \"10\"\n");
	// abs(INT_MIN) overflows: an out-of-range position once slipped through.
	expect_error("[output X]\nposition = 0,-2147483648\n",
		"2: [output X] position: expected X,Y, got \"0,-2147483648\"\n");
	expect_error("[output X]\nposition = -2147483648,0\n",
		"2: [output X] position: expected X,Y, got \"-2147483648,0\"\n");
	// sscanf's %d wraps 2^32 + 1000 to 1000.
	expect_error("[output X]\nposition = 4294967297,0\n",
		"2: [output X] position: expected X,Y, got \"4294967297,0\"\n");
	expect_error("[output X]\nmode = 4294968296x1080\n",
		"2: [output X] mode: expected WIDTHxHEIGHT or WIDTHxHEIGHT@HZ, got "
		"\"4294968296x1080\"\n");
	expect_error("[output X]\nenabled = sometimes\n",
		"2: [output X] enabled: expected true or false, got \"sometimes\"\n");
	expect_error("[output X]\nrotate = 90\n", "2: [output X] rotate: unknown key\n");
	expect_error("[bindings]\nHyper+T = exec foot\n",
		"2: [bindings] Hyper+T: unknown modifier "
		"(Super, Shift, Ctrl, Alt, Mod1-5, AltGr)\n");
	expect_error("[bindings]\nSuper+NoSuchKey = exec foot\n",
		"2: [bindings] Super+NoSuchKey: unknown key name (see xkbcommon-keysyms.h)\n");
	expect_error(
		"[bindings]\nSuper+ = close\n", "2: [bindings] Super+: missing key after '+'\n");
	expect_error(
		"[bindings]\nSuper+T = frobnicate\n", "2: [bindings] Super+T: unknown action\n");
	expect_error("[bindings]\nSuper+T = exec\n",
		"2: [bindings] Super+T: this action needs an argument\n");
	expect_error("[bindings]\nSuper+T = close now\n",
		"2: [bindings] Super+T: this action takes no argument\n");
	expect_error("[bindings]\nCtrl+Alt+F1 = vt 13\n",
		"2: [bindings] Ctrl+Alt+F1: expected a VT number from 1 to 12\n");
	expect_error("[bindings]\nSuper+T =\n", "2: [bindings] Super+T: missing action\n");
	expect_error("[colours]\nfoo = bar\n", "2: [colours] foo: unknown section\n");
	expect_error("stray = 1\n", "1: [] stray: key outside of any section\n");
	expect_error("[keyboard]\nthis line has no equals sign\n",
		"2: syntax error: expected \"key = value\" or \"[section]\"\n");
	expect_error("[keyboard\n", "1: syntax error: expected \"key = value\" or \"[section]\"\n");
}

/* "[keyboard]\nlayout = ", `fill` bytes of 'x', then tail. */
static char *long_layout(size_t fill, const char *tail)
{
	static const char head[] = "[keyboard]\nlayout = ";
	char *text = malloc(sizeof(head) + fill + strlen(tail));
	memcpy(text, head, sizeof(head) - 1);
	memset(text + sizeof(head) - 1, 'x', fill);
	strcpy(text + sizeof(head) - 1 + fill, tail);
	return text;
}

static void test_long_lines(void)
{
	/* 4096 bytes: "layout = " and 4087 more. */
	struct tinct_config config;
	config_init(&config);
	char errors[2048];
	char *text = long_layout(4087, "\nmodel = pc105\n");
	int n = load(&config, text, errors, sizeof(errors));
	ok(n == 0 && config.keyboard.layout != NULL && strlen(config.keyboard.layout) == 4087 &&
			strcmp(config.keyboard.model, "pc105") == 0,
		"a line of 4096 bytes parses");
	free(text);
	config_finish(&config);

	/*
	 * The first 4095 bytes used to be read as one line and the rest as
	 * another: "rules = evil" applied, with no error at all.
	 */
	text = long_layout(4086, "rules = evil\n");
	expect_error(text, "2: syntax error: line longer than 4096 bytes\n");
	config_init(&config);
	n = load(&config, text, errors, sizeof(errors));
	ok(n == 1 && config.keyboard.layout == NULL && config.keyboard.rules == NULL,
		"an over-long line sets no key at all");
	free(text);
	config_finish(&config);

	text = long_layout(9000, "\n[keyboard]\nrepeat-rate = x\n");
	config_init(&config);
	n = load(&config, text, errors, sizeof(errors));
	ok(n == 2 && strstr(errors, ":2: syntax error: line longer than 4096 bytes\n") != NULL &&
			strstr(errors, ":4: [keyboard] repeat-rate: ") != NULL,
		"lines after an over-long one keep their numbers");
	if (n != 2) {
		printf("#   %s", errors);
	}
	free(text);
	config_finish(&config);
}

static void test_recovery(void)
{
	/* Bad lines are skipped; the good ones around them still apply. */
	struct tinct_config config;
	config_init(&config);
	char errors[2048];
	int n = load(&config,
		"[keyboard]\n"
		"repeat-rate = fast\n"
		"layout = fr\n"
		"[nonsense]\n"
		"x = y\n"
		"[appearance]\n"
		"border-width = 7\n",
		errors, sizeof(errors));
	ok(n == 2, "two errors reported (got %d)", n);
	ok(config.keyboard.repeat_rate == 25, "bad value leaves the default");
	ok(strcmp(config.keyboard.layout, "fr") == 0, "next line still applies");
	ok(config.appearance.border_width == 7, "later section still applies");
	config_finish(&config);

	config_init(&config);
	FILE *sink = fopen("/dev/null", "w");
	ok(config_load(&config, "/nonexistent/tinct.ini", sink) == -1, "missing file is -1");
	fclose(sink);
	config_finish(&config);
	config_finish(&config); /* finishing twice is harmless */
}

int main(void)
{
	test_defaults();
	test_values();
	test_colour_labels();
	test_errors();
	test_long_lines();
	test_recovery();
	return check_done();
}
