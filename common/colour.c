/*
 * Colour values and derived shades (see colour.h).
 */
#include "common/colour.h"

#include <math.h>
#include <string.h>

static const struct {
	const char *name;
	uint32_t rgb;
} labels[] = {
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

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9') {
		return c - '0';
	}
	if (c >= 'a' && c <= 'f') {
		return c - 'a' + 10;
	}
	if (c >= 'A' && c <= 'F') {
		return c - 'A' + 10;
	}
	return -1;
}

/* `#` and `digits` hex digits into *value; false on any other text. */
static bool parse_hex(const char *text, size_t digits, uint32_t *value)
{
	if (text[0] != '#' || strlen(text) != digits + 1) {
		return false;
	}
	uint32_t n = 0;
	for (size_t i = 1; i <= digits; i++) {
		int d = hex_digit(text[i]);
		if (d < 0) {
			return false;
		}
		n = n << 4 | (uint32_t)d;
	}
	*value = n;
	return true;
}

bool colour_parse_rgb(const char *text, uint32_t *rgb)
{
	if (text[0] == '#') {
		return parse_hex(text, 6, rgb);
	}
	for (size_t i = 0; i < sizeof(labels) / sizeof(labels[0]); i++) {
		if (strcmp(text, labels[i].name) == 0) {
			*rgb = labels[i].rgb;
			return true;
		}
	}
	return false;
}

bool colour_parse(const char *text, struct tinct_colour *colour)
{
	uint32_t rgba;
	if (parse_hex(text, 8, &rgba)) {
		*colour = colour_from_rgb(rgba >> 8);
		colour->a = (float)(rgba & 0xff) / 255.0f;
		return true;
	}
	uint32_t rgb;
	if (!colour_parse_rgb(text, &rgb)) {
		return false;
	}
	*colour = colour_from_rgb(rgb);
	return true;
}

struct tinct_colour colour_from_rgb(uint32_t rgb)
{
	return (struct tinct_colour){
		.r = (float)((rgb >> 16) & 0xff) / 255.0f,
		.g = (float)((rgb >> 8) & 0xff) / 255.0f,
		.b = (float)(rgb & 0xff) / 255.0f,
		.a = 1.0f,
	};
}

struct tinct_colour colour_unfocused(struct tinct_colour colour)
{
	/* Same hue, 55% of the brightness: clearly "not where keys go". */
	const float k = 0.55f;
	return (struct tinct_colour){colour.r * k, colour.g * k, colour.b * k, colour.a};
}

static float linear(float c)
{
	return c <= 0.04045f ? c / 12.92f : powf((c + 0.055f) / 1.055f, 2.4f);
}

struct tinct_colour colour_contrast(struct tinct_colour colour)
{
	/*
	 * WCAG relative luminance; pick the text colour with the larger
	 * contrast ratio. Black wins on yellow and light grey, white elsewhere.
	 */
	float l = 0.2126f * linear(colour.r) + 0.7152f * linear(colour.g) +
		  0.0722f * linear(colour.b);
	float with_white = 1.05f / (l + 0.05f);
	float with_black = (l + 0.05f) / 0.05f;
	if (with_black > with_white) {
		return (struct tinct_colour){0, 0, 0, 1};
	}
	return (struct tinct_colour){1, 1, 1, 1};
}
