/*
 * Grab modes. A grab starts from a press the user made (tinct's own frame
 * or Super + drag) or that a client got (its move/resize request carries
 * that press's serial), and ends when the buttons are released or the view
 * goes away. During a grab the client under the cursor gets no pointer.
 */
#include "compositor/seatop.h"

#include <wlr/types/wlr_cursor.h>
#include <wlr/types/wlr_seat.h>
#include <wlr/types/wlr_xdg_shell.h>
#include <wlr/util/edges.h>

#include "compositor/cursor.h"
#include "compositor/seat.h"
#include "compositor/view.h"

const char *seatop_edges_cursor(uint32_t edges)
{
	switch (edges) {
	case WLR_EDGE_TOP:
		return "top_side";
	case WLR_EDGE_BOTTOM:
		return "bottom_side";
	case WLR_EDGE_LEFT:
		return "left_side";
	case WLR_EDGE_RIGHT:
		return "right_side";
	case WLR_EDGE_TOP | WLR_EDGE_LEFT:
		return "top_left_corner";
	case WLR_EDGE_TOP | WLR_EDGE_RIGHT:
		return "top_right_corner";
	case WLR_EDGE_BOTTOM | WLR_EDGE_LEFT:
		return "bottom_left_corner";
	case WLR_EDGE_BOTTOM | WLR_EDGE_RIGHT:
		return "bottom_right_corner";
	default:
		return "left_ptr";
	}
}

static void move_motion(struct tinct_seat *seat)
{
	double dx = seat->cursor->x - seat->grab_x;
	double dy = seat->cursor->y - seat->grab_y;
	view_move_to(seat->grab_view, seat->grab_box.x + (int)dx, seat->grab_box.y + (int)dy);
}

static void move_end(struct tinct_seat *seat)
{
}

static const struct tinct_seatop_impl seatop_move = {
	.name = "move",
	.motion = move_motion,
	.end = move_end,
};

static void resize_motion(struct tinct_seat *seat)
{
	double dx = seat->cursor->x - seat->grab_x;
	double dy = seat->cursor->y - seat->grab_y;
	int width = seat->grab_box.width, height = seat->grab_box.height;
	if (seat->resize_edges & WLR_EDGE_LEFT) {
		width -= (int)dx;
	} else if (seat->resize_edges & WLR_EDGE_RIGHT) {
		width += (int)dx;
	}
	if (seat->resize_edges & WLR_EDGE_TOP) {
		height -= (int)dy;
	} else if (seat->resize_edges & WLR_EDGE_BOTTOM) {
		height += (int)dy;
	}
	view_resize(seat->grab_view, width < 32 ? 32 : width, height < 16 ? 16 : height);
}

static void resize_end(struct tinct_seat *seat)
{
	seat->grab_view->resize_edges = 0;
	wlr_xdg_toplevel_set_resizing(seat->grab_view->xdg_surface, false);
}

static const struct tinct_seatop_impl seatop_resize = {
	.name = "resize",
	.motion = resize_motion,
	.end = resize_end,
};

static bool begin(struct tinct_seat *seat, struct tinct_view *view,
	const struct tinct_seatop_impl *impl, uint32_t edges)
{
	if (view->fullscreen) {
		return false;
	}
	seatop_end(seat);
	if (view->maximized) {
		view_set_maximized(view, false);
	}
	seat->seatop = impl;
	seat->grab_view = view;
	seat->grab_x = seat->cursor->x;
	seat->grab_y = seat->cursor->y;
	seat->grab_box = (struct wlr_box){view->x, view->y, view->width, view->height};
	seat->resize_edges = edges;
	/* The client loses the pointer during the grab. */
	wlr_seat_pointer_notify_clear_focus(seat->wlr_seat);
	return true;
}

void seatop_begin_move(struct tinct_seat *seat, struct tinct_view *view)
{
	if (begin(seat, view, &seatop_move, 0)) {
		cursor_set_image(seat, "grabbing");
	}
}

void seatop_begin_resize(struct tinct_seat *seat, struct tinct_view *view, uint32_t edges)
{
	if (!begin(seat, view, &seatop_resize, edges)) {
		return;
	}
	view->resize_edges = edges;
	view->resize_start = seat->grab_box;
	wlr_xdg_toplevel_set_resizing(view->xdg_surface, true);
	cursor_set_image(seat, seatop_edges_cursor(edges));
}

bool seatop_active(struct tinct_seat *seat)
{
	return seat->seatop != NULL;
}

void seatop_motion(struct tinct_seat *seat)
{
	if (seat->seatop != NULL) {
		seat->seatop->motion(seat);
	}
}

void seatop_end(struct tinct_seat *seat)
{
	if (seat->seatop == NULL) {
		return;
	}
	seat->seatop->end(seat);
	seat->seatop = NULL;
	seat->grab_view = NULL;
	seat->cursor_image = NULL;
}

void seat_begin_interactive(
	struct tinct_seat *seat, struct tinct_view *view, uint32_t serial, uint32_t edges)
{
	/* Only honour a request made from a button press the client really got. */
	if (!wlr_seat_validate_pointer_grab_serial(
		    seat->wlr_seat, view->xdg_surface->surface, serial)) {
		return;
	}
	if (seat->wlr_seat->pointer_state.button_count == 0) {
		return;
	}
	if (edges == 0) {
		seatop_begin_move(seat, view);
	} else {
		seatop_begin_resize(seat, view, edges);
	}
}

void seat_view_unmapped(struct tinct_seat *seat, struct tinct_view *view)
{
	if (seat->grab_view == view) {
		seatop_end(seat);
	}
}
