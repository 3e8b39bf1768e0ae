/*
 * Text for the scene: a wlr_buffer backed by a cairo image surface, with the
 * text laid out by pango. wlroots 0.15 cannot swap a scene buffer's contents,
 * so callers recreate the scene node when the text changes.
 */
#ifndef TINCT_TEXT_H
#define TINCT_TEXT_H

#include <cairo.h>

#include "compositor/config.h"

struct wlr_buffer;

/*
 * An ARGB buffer for a width x height logical box, with scale times as many
 * pixels each way (for HiDPI outputs); draw() paints it with cairo in logical
 * coordinates (the surface starts fully transparent). Returns NULL on
 * failure (logged). Give the scene node a dest size of width x height.
 */
struct wlr_buffer *cairo_buffer_create(
	int width, int height, float scale, void (*draw)(cairo_t *cairo, void *data), void *data);

/*
 * Draws text in font and fg into the box (x, y, width, height) of cairo,
 * vertically centred, ellipsised when too long. Returns the width drawn.
 */
int text_draw(cairo_t *cairo, const char *text, const char *font, struct tinct_colour fg, int x,
	int y, int width, int height);

void cairo_set_colour(cairo_t *cairo, struct tinct_colour colour);

/*
 * A width x height buffer filled with bg and the text in fg, vertically
 * centred, starting padding pixels from the left, ellipsised at the end when it
 * does not fit. Returns NULL on failure (logged). Drop with wlr_buffer_drop().
 */
struct wlr_buffer *text_buffer_create(int width, int height, float scale, const char *text,
	const char *font, struct tinct_colour fg, struct tinct_colour bg, int padding);

/* The width in pixels that text would take in font. */
int text_width(const char *text, const char *font);

#endif
