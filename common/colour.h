/*
 * Colours: the one parser of colour values (VM definitions and tinct.ini)
 * and the shades derived from a VM's colour for its frames and panel entry.
 *
 * A colour is `#rrggbb` (hex digits in either case) or a label name with the
 * Qubes palette: red #cc0000, orange #f57900, yellow #edd400, green #73d216,
 * gray (or grey) #555555, blue #3465a4, purple #75507b, black #000000. Label
 * names are lower case.
 */
#ifndef TINCT_COMMON_COLOUR_H
#define TINCT_COMMON_COLOUR_H

#include <stdbool.h>
#include <stdint.h>

/* An sRGB colour with alpha, components 0..1 (wlroots' scene colours). */
struct tinct_colour {
	float r, g, b, a;
};

/* `#rrggbb` or a label name into 0xrrggbb; false when it is neither. */
bool colour_parse_rgb(const char *text, uint32_t *rgb);

/*
 * colour_parse_rgb's forms, opaque, or `#rrggbbaa` with alpha (for tinct.ini;
 * a VM's colour is always opaque). false when malformed.
 */
bool colour_parse(const char *text, struct tinct_colour *colour);

/* 0xrrggbb as an opaque colour. */
struct tinct_colour colour_from_rgb(uint32_t rgb);

/* A darker variant of the same hue, used for unfocused frames. */
struct tinct_colour colour_unfocused(struct tinct_colour colour);

/* Black or white, whichever reads better on top of colour. */
struct tinct_colour colour_contrast(struct tinct_colour colour);

#endif
