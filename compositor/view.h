/*
 * Views: xdg-shell toplevels with a tinct-drawn frame. A view's scene tree
 * sits at the frame's top-left corner; the client's surfaces sit inside it at
 * (border, border + title). view->x/y is where the content (the xdg geometry
 * origin) is in layout coordinates.
 */
#ifndef TINCT_VIEW_H
#define TINCT_VIEW_H

#include <stdbool.h>
#include <wayland-server-core.h>
#include <wlr/util/box.h>

#include "compositor/frame.h"
#include "compositor/server.h"
#include "compositor/surface_tree.h"

struct wlr_surface;

struct tinct_view {
	struct tinct_server *server;
	struct wlr_xdg_surface *xdg_surface;
	struct wlr_scene_node *tree; // TINCT_NODE_VIEW
	struct wlr_scene_node *surface_node; // made by the xdg helper, freed with the surface
	struct wlr_scene_node *popup_tree; // the view's popups, above its frame
	struct tinct_node_desc desc;
	struct tinct_frame frame;
	struct wlr_foreign_toplevel_handle_v1 *foreign;
	/* The VM the client belongs to (by its socket), NULL for host windows. */
	struct tinct_desktop_vm *vm;
	/* A host foot that tinct started for this VM's serial console, or NULL. */
	struct tinct_desktop_vm *console_vm;
	/* The frame colours (view_resolve_colours()). */
	struct tinct_colour colour, colour_unfocused;
	struct tinct_colour colour_text, colour_text_unfocused;
	/* A colour too dark for the background: the frame gets an outline. */
	bool outlined;
	struct tinct_colour colour_outline, colour_outline_unfocused;
	/* What tinct shows: "[vm] " + the sanitised title, or just the latter. */
	char *title;

	/* Every surface of the window, watched while it is mapped. */
	struct tinct_surface_tree surfaces;
	/* What the frame goes around, in the main surface's coordinates. */
	struct wlr_box content;
	int x, y; // content origin, layout coordinates
	int width, height; // content size
	bool mapped;
	bool activated;
	bool maximized, fullscreen;
	struct wlr_box saved; // content box before maximise/fullscreen

	/* Interactive resize from a left or top edge keeps the opposite edge. */
	uint32_t resize_edges;
	struct wlr_box resize_start;

	struct wl_listener map;
	struct wl_listener unmap;
	struct wl_listener destroy;
	struct wl_listener request_move;
	struct wl_listener request_resize;
	struct wl_listener request_maximize;
	struct wl_listener request_fullscreen;
	struct wl_listener set_title;
	struct wl_listener set_app_id;
	struct wl_listener foreign_request_activate;
	struct wl_listener foreign_request_close;
	struct wl_listener foreign_request_maximize;
	struct wl_listener foreign_request_fullscreen;

	struct wl_list link; // tinct_server.views
};

/*
 * The xdg toplevel's life as the window manager sees it (xdg_shell.c calls
 * these): map places and maybe focuses it (policy_may_take_focus()), commit
 * (of any surface of the window) lets the frame follow the content, unmap
 * hands focus on.
 */
void view_map(struct tinct_view *view);
void view_commit(struct tinct_view *view);
void view_unmap(struct tinct_view *view);

/* Rebuilds view->title from the client's title; true when it changed. */
bool view_update_title(struct tinct_view *view);

/*
 * The part of the client's surfaces that tinct frames, relative to the
 * main surface: its geometry, or for VMs everything its surfaces that are
 * shown cover (policy_frame_covers_surfaces(), policy_content_bound()).
 * As of the last commit.
 */
struct wlr_box view_content_box(struct tinct_view *view);
/*
 * Where the view's popups may be drawn, in the coordinates of its popup
 * tree (the window geometry's origin), when policy_popup_confined(): the
 * usable area of its output below its title bar.
 */
struct wlr_box view_popup_area(struct tinct_view *view);

/* Raises view, gives it keyboard focus and draws it active. NULL clears focus. */
void view_focus(struct tinct_view *view);
/* The view owning surface (or one of its subsurfaces/popups), or NULL. */
struct tinct_view *view_from_surface(struct tinct_server *server, struct wlr_surface *surface);
/* The view whose surface has the seat's keyboard focus, or NULL. */
struct tinct_view *view_focused(struct tinct_server *server);
/* The topmost mapped view, focused or not, or NULL. */
struct tinct_view *view_top(struct tinct_server *server);
/*
 * The seat moved the keyboard (seat.c): frames are drawn active from this,
 * and the panel's indicator, so neither can disagree with where keys go.
 */
void views_keyboard_focus_changed(struct tinct_server *server, struct wlr_surface *old_surface,
	struct wlr_surface *new_surface);

void view_close(struct tinct_view *view);
/*
 * Works out the frame colours once, when the view is created: the VM's (or
 * its console's, or the host colour), its unfocused shade and the title
 * text colour readable on each.
 */
void view_resolve_colours(struct tinct_view *view);
/* The VM name, or NULL for host windows. */
const char *view_vm_name(const struct tinct_view *view);
void view_move_to(struct tinct_view *view, int x, int y);
/* Asks the client for a new content size; the frame follows on commit. */
void view_resize(struct tinct_view *view, int width, int height);
void view_set_maximized(struct tinct_view *view, bool maximized);
void view_set_fullscreen(struct tinct_view *view, bool fullscreen);

/* The full box including the frame, layout coordinates. */
struct wlr_box view_frame_box(struct tinct_view *view);

/* Focuses the next (or previous) mapped view in stacking order. */
void views_cycle_focus(struct tinct_server *server, bool forward);
/* Re-places views that are no longer on any output (after unplug). */
void views_ensure_visible(struct tinct_server *server);
/* Re-fits maximised and fullscreen views after the usable area changed. */
void views_arrange(struct tinct_server *server);

#endif
