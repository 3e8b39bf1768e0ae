/*
 * Frame drawing: four border rects and a title bar buffer with the title in a
 * colour that contrasts with the frame. Focused frames use the view's colour,
 * unfocused ones a darker shade of the same hue. A colour without 3:1 on
 * the background (black on black) gets a 1 px outline over the borders'
 * outer edge (common/colour.h).
 */
#include "compositor/frame.h"

#include <stdlib.h>
#include <string.h>
#include <wlr/types/wlr_scene.h>
#include <wlr/types/wlr_xdg_shell.h>
#include <wlr/util/edges.h>
#include <wlr/util/log.h>

#include "common/colour.h"
#include "compositor/text.h"
#include "compositor/view.h"

int frame_border(const struct tinct_view *view)
{
	return view->fullscreen ? 0 : view->server->config->appearance.border_width;
}

int frame_title_height(const struct tinct_view *view)
{
	return view->fullscreen ? 0 : view->server->config->appearance.title_height;
}

static struct tinct_colour frame_colour(const struct tinct_view *view)
{
	return view->activated ? view->colour : view->colour_unfocused;
}

bool frame_init(struct tinct_frame *frame, struct tinct_view *view)
{
	*frame = (struct tinct_frame){.view = view};
	frame->tree = &wlr_scene_tree_create(view->tree)->node;
	if (frame->tree == NULL) {
		return false;
	}
	frame->desc = (struct tinct_node_desc){.type = TINCT_NODE_FRAME, .owner = view};
	float black[4] = {0, 0, 0, 1};
	for (size_t i = 0; i < 4; i++) {
		frame->borders[i] = wlr_scene_rect_create(frame->tree, 0, 0, black);
		if (frame->borders[i] == NULL) {
			wlr_scene_node_destroy(frame->tree);
			return false;
		}
		frame->borders[i]->node.data = &frame->desc;
	}
	/* Below the title text, which is created later. */
	frame->title_bar = wlr_scene_rect_create(frame->tree, 0, 0, black);
	if (frame->title_bar == NULL) {
		wlr_scene_node_destroy(frame->tree);
		return false;
	}
	frame->title_bar->node.data = &frame->desc;
	for (size_t i = 0; i < 4; i++) {
		frame->outline[i] = wlr_scene_rect_create(frame->tree, 0, 0, black);
		if (frame->outline[i] == NULL) {
			wlr_scene_node_destroy(frame->tree);
			return false;
		}
		frame->outline[i]->node.data = &frame->desc;
	}
	return true;
}

void frame_finish(struct tinct_frame *frame)
{
	/* The scene nodes go with the view's tree. */
	free(frame->drawn_text);
	frame->drawn_text = NULL;
}

static void update_title(struct tinct_frame *frame, int width, struct tinct_colour colour)
{
	struct tinct_view *view = frame->view;
	struct tinct_config *config = view->server->config;
	const char *title = view->title != NULL ? view->title : "";
	int border = frame_border(view);
	int height = frame_title_height(view);

	float scale = server_max_scale(view->server);
	/*
	 * The text needs far less than a wide window; the title bar rect
	 * behind it fills the rest. A buffer as wide as the window could be
	 * more than cairo or the renderer draw, and then no title at all.
	 */
	if (width > FRAME_TITLE_TEXT_MAX) {
		width = FRAME_TITLE_TEXT_MAX;
	}
	if (frame->title != NULL && frame->drawn_width == width && frame->drawn_scale == scale &&
		frame->drawn_active == view->activated && frame->drawn_text != NULL &&
		strcmp(frame->drawn_text, title) == 0 &&
		memcmp(&frame->drawn_colour, &colour, sizeof(colour)) == 0) {
		wlr_scene_node_set_enabled(&frame->title->node, height > 0);
		return;
	}
	if (frame->title != NULL) {
		wlr_scene_node_destroy(&frame->title->node);
		frame->title = NULL;
	}
	if (height <= 0 || width <= 0) {
		return;
	}
	struct wlr_buffer *buffer = text_buffer_create(width, height, scale, title,
		config->appearance.font,
		view->activated ? view->colour_text : view->colour_text_unfocused, colour, 6);
	if (buffer == NULL) {
		return;
	}
	frame->title = wlr_scene_buffer_create(frame->tree, buffer);
	wlr_buffer_drop(buffer);
	if (frame->title == NULL) {
		return;
	}
	frame->title->node.data = &frame->desc;
	wlr_scene_buffer_set_dest_size(frame->title, width, height);
	wlr_scene_node_set_position(&frame->title->node, border, border);

	free(frame->drawn_text);
	frame->drawn_text = strdup(title);
	frame->drawn_width = width;
	frame->drawn_scale = scale;
	frame->drawn_active = view->activated;
	frame->drawn_colour = colour;
}

void frame_update(struct tinct_frame *frame)
{
	struct tinct_view *view = frame->view;
	int border = frame_border(view);
	int title = frame_title_height(view);
	int outer_w = view->width + 2 * border;
	int outer_h = view->height + title + 2 * border;
	struct tinct_colour colour = frame_colour(view);
	float rgba[4] = {colour.r, colour.g, colour.b, colour.a};

	struct {
		int x, y, w, h;
	} boxes[4] = {
		[TINCT_FRAME_TOP] = {0, 0, outer_w, border},
		[TINCT_FRAME_BOTTOM] = {0, outer_h - border, outer_w, border},
		[TINCT_FRAME_LEFT] = {0, border, border, outer_h - 2 * border},
		[TINCT_FRAME_RIGHT] = {outer_w - border, border, border, outer_h - 2 * border},
	};
	for (size_t i = 0; i < 4; i++) {
		struct wlr_scene_rect *rect = frame->borders[i];
		wlr_scene_node_set_enabled(&rect->node, border > 0);
		wlr_scene_node_set_position(&rect->node, boxes[i].x, boxes[i].y);
		wlr_scene_rect_set_size(
			rect, boxes[i].w > 0 ? boxes[i].w : 0, boxes[i].h > 0 ? boxes[i].h : 0);
		wlr_scene_rect_set_color(rect, rgba);
	}
	wlr_scene_node_set_enabled(&frame->title_bar->node, title > 0);
	wlr_scene_node_set_position(&frame->title_bar->node, border, border);
	wlr_scene_rect_set_size(frame->title_bar, view->width > 0 ? view->width : 0, title);
	wlr_scene_rect_set_color(frame->title_bar, rgba);

	struct tinct_colour line =
		view->activated ? view->colour_outline : view->colour_outline_unfocused;
	float line_rgba[4] = {line.r, line.g, line.b, line.a};
	struct {
		int x, y, w, h;
	} lines[4] = {
		[TINCT_FRAME_TOP] = {0, 0, outer_w, 1},
		[TINCT_FRAME_BOTTOM] = {0, outer_h - 1, outer_w, 1},
		[TINCT_FRAME_LEFT] = {0, 1, 1, outer_h - 2},
		[TINCT_FRAME_RIGHT] = {outer_w - 1, 1, 1, outer_h - 2},
	};
	for (size_t i = 0; i < 4; i++) {
		struct wlr_scene_rect *rect = frame->outline[i];
		wlr_scene_node_set_enabled(&rect->node, border > 0 && view->outlined);
		wlr_scene_node_set_position(&rect->node, lines[i].x, lines[i].y);
		wlr_scene_rect_set_size(
			rect, lines[i].w > 0 ? lines[i].w : 0, lines[i].h > 0 ? lines[i].h : 0);
		wlr_scene_rect_set_color(rect, line_rgba);
	}
	update_title(frame, view->width, colour);
}

uint32_t frame_edges_at(const struct tinct_view *view, double fx, double fy)
{
	int border = frame_border(view);
	int outer_w = view->width + 2 * border;
	int outer_h = view->height + frame_title_height(view) + 2 * border;
	/* Grab area: at least 8 px even with thin borders, bigger at corners. */
	double grip = border > 8 ? border : 8;
	double corner = 2 * grip;
	uint32_t edges = 0;
	bool near_left = fx < grip, near_right = fx >= outer_w - grip;
	bool near_top = fy < border, near_bottom = fy >= outer_h - grip;
	if (near_left || near_right) {
		edges |= near_left ? WLR_EDGE_LEFT : WLR_EDGE_RIGHT;
		if (fy < corner) {
			edges |= WLR_EDGE_TOP;
		} else if (fy >= outer_h - corner) {
			edges |= WLR_EDGE_BOTTOM;
		}
	} else if (near_top || near_bottom) {
		edges |= near_top ? WLR_EDGE_TOP : WLR_EDGE_BOTTOM;
		if (fx < corner) {
			edges |= WLR_EDGE_LEFT;
		} else if (fx >= outer_w - corner) {
			edges |= WLR_EDGE_RIGHT;
		}
	}
	return edges;
}
