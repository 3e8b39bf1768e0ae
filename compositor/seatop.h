/*
 * Seat operations: the pointer grab modes. While one is active the pointer
 * drives it instead of reaching clients: interactive move and interactive
 * resize of a view (from its title bar, its border, Super + drag, or a
 * client's request). The default mode (no seatop) sends the pointer on.
 */
#ifndef TINCT_COMPOSITOR_SEATOP_H
#define TINCT_COMPOSITOR_SEATOP_H

#include <stdbool.h>
#include <stdint.h>

struct tinct_seat;
struct tinct_view;

struct tinct_seatop_impl {
	const char *name;
	/* The cursor moved to seat->cursor->x/y. */
	void (*motion)(struct tinct_seat *seat);
	/* The grab ends (button released, view gone). */
	void (*end)(struct tinct_seat *seat);
};

/* Starts moving view with the pointer. */
void seatop_begin_move(struct tinct_seat *seat, struct tinct_view *view);
/* Starts resizing view from edges (WLR_EDGE_* mask) with the pointer. */
void seatop_begin_resize(struct tinct_seat *seat, struct tinct_view *view, uint32_t edges);
/* Whether a grab mode has the pointer. */
bool seatop_active(struct tinct_seat *seat);
void seatop_motion(struct tinct_seat *seat);
/* Ends the grab mode, if any. */
void seatop_end(struct tinct_seat *seat);

/* The xcursor name for a resize from edges. */
const char *seatop_edges_cursor(uint32_t edges);

#endif
