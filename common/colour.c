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

static float linear(float c)
{
	return c <= 0.04045f ? c / 12.92f : powf((c + 0.055f) / 1.055f, 2.4f);
}

/* WCAG relative luminance. */
static float luminance(struct tinct_colour c)
{
	return 0.2126f * linear(c.r) + 0.7152f * linear(c.g) + 0.0722f * linear(c.b);
}

float colour_contrast_ratio(struct tinct_colour a, struct tinct_colour b)
{
	float la = luminance(a), lb = luminance(b);
	return la > lb ? (la + 0.05f) / (lb + 0.05f) : (lb + 0.05f) / (la + 0.05f);
}

static float lab_f(float t)
{
	const float e = 216.0f / 24389.0f, k = 24389.0f / 27.0f;
	return t > e ? cbrtf(t) : (k * t + 16.0f) / 116.0f;
}

static void to_lab(struct tinct_colour c, float lab[3])
{
	float r = linear(c.r), g = linear(c.g), b = linear(c.b);
	/* sRGB to XYZ, relative to the D65 white point. */
	float x = (0.4124f * r + 0.3576f * g + 0.1805f * b) / 0.95047f;
	float y = 0.2126f * r + 0.7152f * g + 0.0722f * b;
	float z = (0.0193f * r + 0.1192f * g + 0.9505f * b) / 1.08883f;
	float fx = lab_f(x), fy = lab_f(y), fz = lab_f(z);
	lab[0] = 116.0f * fy - 16.0f;
	lab[1] = 500.0f * (fx - fy);
	lab[2] = 200.0f * (fy - fz);
}

float colour_delta_e(struct tinct_colour a, struct tinct_colour b)
{
	float la[3], lb[3];
	to_lab(a, la);
	to_lab(b, lb);
	float dl = la[0] - lb[0], da = la[1] - lb[1], db = la[2] - lb[2];
	return sqrtf(dl * dl + da * da + db * db);
}

static struct tinct_colour mix(struct tinct_colour from, struct tinct_colour to, float k)
{
	/* k of from, the rest of to. */
	return (struct tinct_colour){
		from.r * k + to.r * (1 - k),
		from.g * k + to.g * (1 - k),
		from.b * k + to.b * (1 - k),
		from.a,
	};
}

struct tinct_colour colour_unfocused(struct tinct_colour colour, struct tinct_colour background)
{
	/*
	 * Same hue, 55% of the way from the background: clearly "not where
	 * keys go". But a frame must still stand out, so a colour that has
	 * COLOUR_MIN_CONTRAST dims only as far as it keeps it. One that lacks
	 * it has an outline (colour_needs_outline()) and dims fully.
	 */
	const float dimmest = 0.55f;
	background.a = 1.0f;
	if (colour_contrast_ratio(colour, background) < COLOUR_MIN_CONTRAST) {
		return mix(colour, background, dimmest);
	}
	float k = dimmest;
	while (k < 1.0f && colour_contrast_ratio(mix(colour, background, k), background) <
				   COLOUR_MIN_CONTRAST + 0.01f) {
		k += 0.01f;
	}
	return mix(colour, background, k < 1.0f ? k : 1.0f);
}

bool colour_needs_outline(struct tinct_colour colour, struct tinct_colour background)
{
	return colour_contrast_ratio(colour, background) < COLOUR_MIN_CONTRAST;
}

struct tinct_colour colour_outline(struct tinct_colour background, bool focused)
{
	/* Black or white, the one farther from the background (4.6:1 at least). */
	struct tinct_colour outline = colour_contrast(background);
	return focused ? outline : colour_unfocused(outline, background);
}

struct tinct_colour colour_contrast(struct tinct_colour colour)
{
	/*
	 * WCAG relative luminance; pick the text colour with the larger
	 * contrast ratio. Black wins on yellow and light grey, white elsewhere.
	 */
	float l = luminance(colour);
	float with_white = 1.05f / (l + 0.05f);
	float with_black = (l + 0.05f) / 0.05f;
	if (with_black > with_white) {
		return (struct tinct_colour){0, 0, 0, 1};
	}
	return (struct tinct_colour){1, 1, 1, 1};
}
