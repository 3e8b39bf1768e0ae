/*
 * The seat: keyboard focus (views and exclusive layers), the clipboard
 * selections and drag and drop. Keys are handled in keyboard.c, the pointer
 * in cursor.c, and interactive move and resize are grab modes (seatop.c),
 * along the seams sway uses.
 */
#ifndef TINCT_COMPOSITOR_SEAT_H
#define TINCT_COMPOSITOR_SEAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <wayland-server-core.h>
#include <wlr/util/box.h>

struct tinct_server;
struct tinct_view;
struct tinct_seatop_impl;
struct wlr_surface;
struct wlr_layer_surface_v1;
struct wlr_cursor;

#define TINCT_MAX_CONSUMED_KEYS 32

struct tinct_seat {
	struct tinct_server *server;
	struct wlr_seat *wlr_seat;

	/* keyboard.c */
	struct wlr_keyboard_group *keyboard_group;
	struct wl_list keyboards; // tinct_keyboard.link
	struct wlr_keyboard_shortcuts_inhibit_manager_v1 *shortcuts_inhibit;
	struct wl_list shortcuts_inhibitors; // tinct_shortcuts_inhibitor.link
	struct wlr_virtual_keyboard_manager_v1 *virtual_keyboard;
	/* Keys whose press ran a binding: their release is not sent on. */
	uint32_t consumed_keys[TINCT_MAX_CONSUMED_KEYS];
	size_t consumed_count;
	struct wl_listener new_shortcuts_inhibitor;
	struct wl_listener new_virtual_keyboard;
	struct wl_listener group_key;
	struct wl_listener group_modifiers;

	/* cursor.c */
	struct wlr_cursor *cursor;
	struct wlr_xcursor_manager *xcursor_manager;
	const char *cursor_image; // tinct's xcursor name shown, NULL: a client's
	struct wlr_relative_pointer_manager_v1 *relative_pointer;
	struct wlr_pointer_constraints_v1 *pointer_constraints;
	struct wlr_pointer_constraint_v1 *active_constraint;
	struct wlr_virtual_pointer_manager_v1 *virtual_pointer;
	/* A VM client's cursor surface, watched so it stays small. */
	struct wlr_surface *vm_cursor;
	int vm_cursor_hx, vm_cursor_hy; // its hotspot, surface coordinates
	struct wl_listener vm_cursor_commit;
	struct wl_listener vm_cursor_destroy;
	struct wl_listener cursor_motion;
	struct wl_listener cursor_motion_absolute;
	struct wl_listener cursor_button;
	struct wl_listener cursor_axis;
	struct wl_listener cursor_frame;
	struct wl_listener request_set_cursor;
	struct wl_listener new_constraint;
	struct wl_listener constraint_destroy;
	struct wl_listener new_virtual_pointer;

	/* seatop.c: the grab mode, NULL when the pointer goes to clients. */
	const struct tinct_seatop_impl *seatop;
	struct tinct_view *grab_view;
	double grab_x, grab_y; // cursor position at grab start
	struct wlr_box grab_box; // view content box at grab start
	uint32_t resize_edges;

	/* seat.c */
	/*
	 * The serials of the latest button and key press tinct sent, and to
	 * which client: the only serials a popup grab may use (policy.h).
	 */
	uint32_t press_serial[2];
	struct wl_client *press_client[2]; // compared, never dereferenced
	struct wl_protocol_logger *request_watch;
	struct wl_event_source *refused_grab_idle;
	struct wl_listener keyboard_focus_change;
	struct tinct_clipboard *clipboard; // per-domain selections (clipboard.c)
	struct wlr_layer_surface_v1 *focused_layer;
	struct wl_listener focused_layer_destroy;
	struct wl_listener new_input;
	struct wl_listener request_start_drag;
	struct wl_listener start_drag;
};

struct tinct_seat *seat_create(struct tinct_server *server);
void seat_destroy(struct tinct_seat *seat);

struct wlr_seat *seat_wlr_seat(struct tinct_seat *seat);
struct wlr_cursor *seat_cursor(struct tinct_seat *seat);

/* Gives keyboard focus to surface (NULL clears it), unless a layer holds it. */
void seat_focus_surface(struct tinct_seat *seat, struct wlr_surface *surface);
/* Exclusive keyboard focus for a layer surface; NULL releases it. */
void seat_focus_layer(struct tinct_seat *seat, struct wlr_layer_surface_v1 *layer);
struct wlr_layer_surface_v1 *seat_focused_layer(struct tinct_seat *seat);
/*
 * While the session is locked: gives the keyboard to a lock surface (NULL:
 * to nobody), whatever layer or window had it (session_lock.c).
 */
void seat_focus_lock_surface(struct tinct_seat *seat, struct wlr_surface *surface);
/*
 * The session was locked or unlocked: ends every grab, moves the keyboard
 * away from every client (locked) or back to the window or layer that had
 * it (unlocked), and re-evaluates the pointer.
 */
void seat_lock_changed(struct tinct_seat *seat);

enum tinct_press_kind {
	TINCT_PRESS_BUTTON,
	TINCT_PRESS_KEY,
};

/*
 * Records that tinct just sent a press (the display's latest serial, if
 * it changed since serial_before) to client.
 */
void seat_note_press(struct tinct_seat *seat, enum tinct_press_kind kind, uint32_t serial_before,
	struct wl_client *client);

/* Ends every client grab (popups, drags): tinct is about to move focus. */
void seat_end_grabs(struct tinct_seat *seat);

/* False while another client holds the input inhibitor or the session lock. */
bool seat_may_focus_client(struct tinct_seat *seat, struct wl_client *client);

/*
 * A client asked to move (edges == 0) or resize view: honoured only from a
 * button press the client really got (seatop.c).
 */
void seat_begin_interactive(
	struct tinct_seat *seat, struct tinct_view *view, uint32_t serial, uint32_t edges);
/* Drops grabs and pointer state that refer to view. */
void seat_view_unmapped(struct tinct_seat *seat, struct tinct_view *view);

/* Re-evaluates what is under the cursor (after the scene changed). */
void seat_update_pointer(struct tinct_seat *seat);
/* Moves drag icons to the cursor. */
void seat_update_drag_icons(struct tinct_seat *seat);

#endif
