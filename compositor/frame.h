/*
 * The frame tinct draws around every view: a border and a title bar. The
 * client never draws it and cannot cover it: it lives in the view's tree
 * outside the client's surfaces.
 */
#ifndef TINCT_FRAME_H
#define TINCT_FRAME_H

#include <stdbool.h>
#include <stdint.h>

#include "compositor/config.h"
#include "compositor/server.h"

struct tinct_view;

/* Widest title text buffer, logical pixels: far more than any title needs. */
#define FRAME_TITLE_TEXT_MAX 2048

enum tinct_frame_edge {
	TINCT_FRAME_TOP,
	TINCT_FRAME_BOTTOM,
	TINCT_FRAME_LEFT,
	TINCT_FRAME_RIGHT,
};

struct tinct_frame {
	struct tinct_view *view;
	struct wlr_scene_node *tree;
	struct wlr_scene_rect *borders[4]; // by enum tinct_frame_edge
	/* The title bar: always drawn; the text on it is at most FRAME_TITLE_TEXT_MAX wide. */
	struct wlr_scene_rect *title_bar;
	/* 1 px over the borders' outer edge, for colours too dark to see. */
	struct wlr_scene_rect *outline[4]; // by enum tinct_frame_edge
	struct wlr_scene_buffer *title; // recreated when text, size or focus change
	struct tinct_node_desc desc;

	/* What the title buffer currently shows, to skip needless redraws. */
	char *drawn_text;
	int drawn_width;
	float drawn_scale;
	bool drawn_active;
	struct tinct_colour drawn_colour;
};

bool frame_init(struct tinct_frame *frame, struct tinct_view *view);
void frame_finish(struct tinct_frame *frame);

/* Redraws the frame for the view's current size, focus, title and colour. */
void frame_update(struct tinct_frame *frame);

/* Thickness of the frame around the content; 0 when the view is fullscreen. */
int frame_border(const struct tinct_view *view);
int frame_title_height(const struct tinct_view *view);

/*
 * Which resize edges (WLR_EDGE_* mask) a point on the frame at (fx, fy),
 * relative to the frame's top-left corner, grabs; 0 means the title bar.
 */
uint32_t frame_edges_at(const struct tinct_view *view, double fx, double fy);

#endif
