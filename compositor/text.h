/*
 * Text for the scene: a wlr_buffer backed by a cairo image surface, with the
 * text laid out by pango. wlroots 0.15 cannot swap a scene buffer's contents,
 * so callers recreate the scene node when the text changes.
 */
#ifndef TINCT_TEXT_H
#define TINCT_TEXT_H

#include "config.h"

struct wlr_buffer;

/*
 * A width x height buffer filled with bg and the text in fg, vertically
 * centred, starting padding pixels from the left, ellipsised at the end when it
 * does not fit. Returns NULL on failure (logged). Drop with wlr_buffer_drop().
 */
struct wlr_buffer *text_buffer_create(int width, int height, const char *text, const char *font,
	struct tinct_colour fg, struct tinct_colour bg, int padding);

/* The width in pixels that text would take in font. */
int text_width(const char *text, const char *font);

#endif
