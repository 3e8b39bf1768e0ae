/*
 * Unit tests for common/colour: both spellings of every label, #rrggbb and
 * #rrggbbaa, what is refused, and the derived shades. TAP output.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>

#include "check.h"
#include "common/colour.h"

static bool colour_is(struct tinct_colour c, int r, int g, int b, int a)
{
	return (int)(c.r * 255 + 0.5f) == r && (int)(c.g * 255 + 0.5f) == g &&
	       (int)(c.b * 255 + 0.5f) == b && (int)(c.a * 255 + 0.5f) == a;
}

static void test_labels(void)
{
	static const struct {
		const char *name;
		uint32_t rgb;
	} want[] = {
		{"red", 0xcc0000},
		{"orange", 0xf57900},
		{"yellow", 0xedd400},
		{"green", 0x73d216},
		{"gray", 0x555555},
		{"grey", 0x555555},
		{"blue", 0x3465a4},
		{"purple", 0x75507b},
		{"black", 0x000000},
	};
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		uint32_t rgb = 1;
		ok(colour_parse_rgb(want[i].name, &rgb) && rgb == want[i].rgb, "label %s",
			want[i].name);
		struct tinct_colour c = {0};
		ok(colour_parse(want[i].name, &c) && colour_is(c, (int)(want[i].rgb >> 16),
							     (int)(want[i].rgb >> 8 & 0xff),
							     (int)(want[i].rgb & 0xff), 0xff),
			"label %s as an opaque colour", want[i].name);
	}
}

static void test_hex(void)
{
	uint32_t rgb = 0;
	ok(colour_parse_rgb("#A0b1C2", &rgb) && rgb == 0xa0b1c2, "#rrggbb, mixed case");
	static const char *const bad[] = {
		"#12345", "#1234567", "#12345g", "Red", "", "#", "cc0000", "red ", "#cc000080"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		rgb = 7;
		ok(!colour_parse_rgb(bad[i], &rgb) && rgb == 7, "\"%s\" is no VM colour", bad[i]);
	}

	struct tinct_colour c;
	ok(colour_parse("#cc000080", &c) && colour_is(c, 0xcc, 0, 0, 0x80), "#rrggbbaa");
	ok(colour_parse("#102030", &c) && colour_is(c, 0x10, 0x20, 0x30, 0xff), "#rrggbb opaque");
	ok(!colour_parse("cc0000", &c) && !colour_parse("#cc00008", &c) &&
			!colour_parse("#cc00008g", &c),
		"malformed colours refused");
	ok(colour_is(colour_from_rgb(0x3465a4), 0x34, 0x65, 0xa4, 0xff), "colour_from_rgb");
}

static void test_shades(void)
{
	struct tinct_colour yellow = colour_from_rgb(0xedd400);
	struct tinct_colour blue = colour_from_rgb(0x3465a4);
	struct tinct_colour on_yellow = colour_contrast(yellow);
	struct tinct_colour on_blue = colour_contrast(blue);
	ok(on_yellow.r == 0 && on_yellow.g == 0 && on_yellow.b == 0, "black text on yellow");
	ok(on_blue.r == 1 && on_blue.g == 1 && on_blue.b == 1, "white text on blue");
	struct tinct_colour black = colour_from_rgb(0x000000);
	struct tinct_colour orange = colour_from_rgb(0xf57900);
	struct tinct_colour dim = colour_unfocused(orange, black);
	ok(dim.b <= orange.b && dim.r < orange.r && dim.r / dim.g > 0.99f * orange.r / orange.g &&
			dim.r / dim.g < 1.01f * orange.r / orange.g,
		"unfocused colour keeps the hue");
	ok(colour_contrast_ratio(dim, black) >= COLOUR_MIN_CONTRAST,
		"unfocused orange keeps 3:1 on black");
	static const uint32_t palette[] = {
		0xcc0000, 0xf57900, 0xedd400, 0x73d216, 0x555555, 0x3465a4, 0x75507b, 0x000000};
	struct tinct_colour host = colour_from_rgb(0x6b6f76);
	for (size_t i = 0; i < sizeof(palette) / sizeof(palette[0]); i++) {
		struct tinct_colour c = colour_from_rgb(palette[i]);
		struct tinct_colour u = colour_unfocused(c, black);
		bool visible = colour_contrast_ratio(u, black) >= COLOUR_MIN_CONTRAST ||
			       (colour_needs_outline(c, black) &&
				       colour_contrast_ratio(colour_outline(black, false), black) >=
					       COLOUR_MIN_CONTRAST);
		ok(visible, "unfocused #%06x keeps 3:1 on black (colour or outline)", palette[i]);
		ok(colour_delta_e(c, host) >= COLOUR_MIN_HOST_DELTA_E,
			"#%06x is far enough from the default host colour", palette[i]);
		struct tinct_colour text = colour_contrast(c);
		ok(colour_contrast_ratio(text, c) >= 4.5f, "text on #%06x reads (4.5:1)",
			palette[i]);
	}
	ok(colour_needs_outline(black, black), "black on black is outlined");
	ok(!colour_needs_outline(colour_from_rgb(0xcc0000), black), "red on black is not");
	ok(colour_delta_e(colour_from_rgb(0x6e7178), host) < COLOUR_MIN_HOST_DELTA_E,
		"a grey next to the host colour is too close");
	ok(fabsf(colour_contrast_ratio(black, colour_from_rgb(0xffffff)) - 21.0f) < 0.01f,
		"black on white is 21:1");
}

int main(void)
{
	test_labels();
	test_hex();
	test_shades();
	return check_done();
}
