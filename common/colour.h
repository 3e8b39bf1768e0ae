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

/*
 * The rules that keep a colour's meaning (DESIGN.md: the colour is the trust
 * cue):
 *
 * - Frames stand out from what is behind them by a WCAG contrast ratio of
 *   at least COLOUR_MIN_CONTRAST (3:1, WCAG 2.1's minimum for the parts of
 *   a user interface, SC 1.4.11), focused or not. A colour that cannot
 *   (black or dark grey on a black background) keeps working: its frame gets
 *   an outline in colour_outline(), which has that contrast.
 * - A VM colour must differ from the host frame colour by a CIE76 colour
 *   difference (ΔE*ab, in CIELAB under D65) of at least
 *   COLOUR_MIN_HOST_DELTA_E, or its windows would pass for host windows.
 *   ΔE 2.3 is the just noticeable difference; around 10 two colours read
 *   as different at a glance. The palette's gray is 11.4 from tinct's
 *   default host colour #6b6f76, every other label is 28 or more.
 */
#define COLOUR_MIN_CONTRAST 3.0f
#define COLOUR_MIN_HOST_DELTA_E 10.0f

/* WCAG 2.1 contrast ratio of two opaque colours, from 1 to 21. */
float colour_contrast_ratio(struct tinct_colour a, struct tinct_colour b);
/* CIE76 colour difference ΔE*ab of two opaque colours. */
float colour_delta_e(struct tinct_colour a, struct tinct_colour b);

/*
 * The unfocused shade of colour on background: dimmed towards the
 * background, but never below COLOUR_MIN_CONTRAST if colour has it.
 */
struct tinct_colour colour_unfocused(struct tinct_colour colour, struct tinct_colour background);

/* Whether something drawn in colour on background needs an outline. */
bool colour_needs_outline(struct tinct_colour colour, struct tinct_colour background);
/* The outline for that, with COLOUR_MIN_CONTRAST on background; dimmer unfocused. */
struct tinct_colour colour_outline(struct tinct_colour background, bool focused);

/* Black or white, whichever reads better on top of colour. */
struct tinct_colour colour_contrast(struct tinct_colour colour);

#endif
