/*
 * The seat: keyboards (physical ones in one keyboard group, virtual ones
 * alone), the cursor with interactive move and resize, and the protocols that
 * hang off input: data device, primary selection, pointer constraints,
 * relative pointer, keyboard-shortcuts inhibit, virtual keyboard and pointer,
 * idle notification.
 */
#ifndef TINCT_SEAT_H
#define TINCT_SEAT_H

#include <stdbool.h>
#include <stdint.h>
#include <wayland-server-core.h>

struct tinct_server;
struct tinct_view;
struct wlr_surface;
struct wlr_layer_surface_v1;
struct wlr_cursor;

struct tinct_seat *seat_create(struct tinct_server *server);
void seat_destroy(struct tinct_seat *seat);

struct wlr_seat *seat_wlr_seat(struct tinct_seat *seat);
struct wlr_cursor *seat_cursor(struct tinct_seat *seat);

/* Gives keyboard focus to surface (NULL clears it), unless a layer holds it. */
void seat_focus_surface(struct tinct_seat *seat, struct wlr_surface *surface);
/* Exclusive keyboard focus for a layer surface; NULL releases it. */
void seat_focus_layer(struct tinct_seat *seat, struct wlr_layer_surface_v1 *layer);
struct wlr_layer_surface_v1 *seat_focused_layer(struct tinct_seat *seat);

/* False while another client holds the input inhibitor. */
bool seat_may_focus_client(struct tinct_seat *seat, struct wl_client *client);

/* Starts an interactive move (edges == 0) or resize of view. */
void seat_begin_interactive(
	struct tinct_seat *seat, struct tinct_view *view, uint32_t serial, uint32_t edges);
/* Drops grabs and pointer state that refer to view. */
void seat_view_unmapped(struct tinct_seat *seat, struct tinct_view *view);

/* Re-evaluates what is under the cursor (after the scene changed). */
void seat_update_pointer(struct tinct_seat *seat);

/* Applies [keyboard], [pointer] and [cursor] from the configuration. */
void seat_apply_config(struct tinct_seat *seat);

#endif
