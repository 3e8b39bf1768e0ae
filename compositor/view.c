/*
 * xdg-shell toplevels and popups. Views are floating and stacked: the most
 * recently focused is on top and first in server->views. New views are
 * centred on the output under the cursor, later ones cascade, and nothing is
 * ever placed off screen.
 */
#include "view.h"

#include <stdlib.h>
#include <wlr/types/wlr_cursor.h>
#include <wlr/types/wlr_foreign_toplevel_management_v1.h>
#include <wlr/types/wlr_layer_shell_v1.h>
#include <wlr/types/wlr_output_layout.h>
#include <wlr/types/wlr_scene.h>
#include <wlr/types/wlr_seat.h>
#include <wlr/types/wlr_xdg_shell.h>
#include <wlr/util/edges.h>
#include <wlr/util/log.h>

#include "layer_shell.h"
#include "consoles.h"
#include "output.h"
#include "panel.h"
#include "seat.h"
#include "title.h"
#include "vm.h"
#include "vms.h"

struct tinct_popup {
	struct wlr_xdg_popup *wlr_popup;
	struct wlr_scene_node *tree; // ours: holds the surface node, then the frame
	struct wlr_scene_node *node; // made by the xdg helper, freed with the surface
	struct tinct_node_desc desc;
	/* VM popups: a thin frame in the VM's colour drawn over the edges. */
	struct wlr_scene_rect *frame[4];
	struct wl_listener destroy;
	struct wl_listener commit;
};

#define POPUP_FRAME_WIDTH 2

struct tinct_colour view_colour(const struct tinct_view *view)
{
	if (view->vm != NULL) {
		return view->vm->colour;
	}
	if (view->console_vm != NULL) {
		return view->console_vm->colour;
	}
	return view->server->config->appearance.host_colour;
}

const char *view_vm_name(const struct tinct_view *view)
{
	return view->vm != NULL ? vm_name(view->vm->vm) : NULL;
}

/* Rebuilds view->title from the client's title; true when it changed. */
static bool view_update_title(struct tinct_view *view)
{
	char *clean = title_sanitize(view->xdg_surface->toplevel->title, TINCT_TITLE_MAX_CHARS);
	if (clean == NULL) {
		return false;
	}
	char *shown = clean;
	if (view->console_vm != NULL) {
		/* Ours entirely: what runs inside may not retitle the console. */
		free(clean);
		if (asprintf(&shown, "[%s] console", vm_name(view->console_vm->vm)) < 0) {
			return false;
		}
	} else if (view->vm != NULL) {
		/* The prefix is ours; whatever the client wrote comes after it. */
		if (asprintf(&shown, "[%s] %s", view_vm_name(view), clean) < 0) {
			free(clean);
			return false;
		}
		free(clean);
	}
	bool changed = view->title == NULL || strcmp(view->title, shown) != 0;
	free(view->title);
	view->title = shown;
	return changed;
}

struct wlr_box view_frame_box(struct tinct_view *view)
{
	int border = frame_border(view);
	int title = frame_title_height(view);
	return (struct wlr_box){
		.x = view->x - border,
		.y = view->y - border - title,
		.width = view->width + 2 * border,
		.height = view->height + 2 * border + title,
	};
}

/*
 * The part of the client's surfaces that tinct frames. Host windows: their
 * xdg geometry (CSD shadows fall outside the frame). VM windows: everything
 * their surfaces cover, subsurfaces included, so that nothing a guest draws
 * lies outside its frame or under the title bar (the 0.15 scene does not
 * clip). A VM that declares a smaller geometry just gets a bigger frame.
 */
static struct wlr_box view_content_box(struct tinct_view *view)
{
	struct wlr_box box;
	if (view->vm != NULL) {
		wlr_surface_get_extends(view->xdg_surface->surface, &box);
	} else {
		wlr_xdg_surface_get_geometry(view->xdg_surface, &box);
	}
	return box;
}

/* Moves the scene nodes to match view->x/y and the current geometry. */
static void view_update_position(struct tinct_view *view)
{
	struct wlr_box box = view_content_box(view);
	struct wlr_box geo;
	wlr_xdg_surface_get_geometry(view->xdg_surface, &geo);
	int border = frame_border(view);
	int title = frame_title_height(view);
	wlr_scene_node_set_position(view->tree, view->x - border, view->y - border - title);
	/*
	 * The xdg scene node's origin is the window geometry's (the helper
	 * shifts the surfaces by -geo); place it so the content box lands
	 * inside the frame. Popups are positioned against the same origin.
	 */
	int x = border + geo.x - box.x, y = border + title + geo.y - box.y;
	wlr_scene_node_set_position(view->surface_node, x, y);
	wlr_scene_node_set_position(view->popup_tree, x, y);
}

struct tinct_view *view_focused(struct tinct_server *server)
{
	if (wl_list_empty(&server->views)) {
		return NULL;
	}
	struct tinct_view *view = wl_container_of(server->views.next, view, link);
	return view->mapped && view->activated ? view : NULL;
}

static void view_set_activated(struct tinct_view *view, bool activated)
{
	if (view->activated == activated) {
		return;
	}
	view->activated = activated;
	wlr_xdg_toplevel_set_activated(view->xdg_surface, activated);
	if (view->foreign != NULL) {
		wlr_foreign_toplevel_handle_v1_set_activated(view->foreign, activated);
	}
	frame_update(&view->frame);
	/* The focused-VM indicator follows the keyboard. */
	panel_schedule_update(view->server->panel);
}

void view_focus(struct tinct_view *view)
{
	struct tinct_server *server = view != NULL ? view->server : NULL;
	if (view == NULL) {
		return;
	}
	if (!view->mapped ||
		!seat_may_focus_client(server->seat, view->xdg_surface->client->client)) {
		return;
	}
	struct tinct_view *previous = view_focused(server);
	if (previous != NULL && previous != view) {
		view_set_activated(previous, false);
	}
	wlr_scene_node_raise_to_top(view->tree);
	wl_list_remove(&view->link);
	wl_list_insert(&server->views, &view->link);
	view_set_activated(view, true);
	/*
	 * The user is on the host now (say, typing a password into foot): a VM
	 * started earlier must not take the keys when its window shows up.
	 */
	if (view->vm == NULL) {
		struct tinct_desktop_vm *dvm;
		wl_list_for_each (dvm, &server->desktop_vms, link) {
			dvm->focus_next_window = false;
		}
	}
	seat_focus_surface(server->seat, view->xdg_surface->surface);
}

struct tinct_view *view_from_surface(struct tinct_server *server, struct wlr_surface *surface)
{
	if (surface == NULL) {
		return NULL;
	}
	struct wlr_surface *root = wlr_surface_get_root_surface(surface);
	if (!wlr_surface_is_xdg_surface(root)) {
		return NULL;
	}
	struct wlr_xdg_surface *xdg = wlr_xdg_surface_from_wlr_surface(root);
	while (xdg != NULL && xdg->role == WLR_XDG_SURFACE_ROLE_POPUP) {
		if (xdg->popup->parent == NULL || !wlr_surface_is_xdg_surface(xdg->popup->parent)) {
			return NULL;
		}
		xdg = wlr_xdg_surface_from_wlr_surface(xdg->popup->parent);
	}
	if (xdg == NULL || xdg->role != WLR_XDG_SURFACE_ROLE_TOPLEVEL) {
		return NULL;
	}
	struct tinct_view *view;
	wl_list_for_each (view, &server->views, link) {
		if (view->xdg_surface == xdg) {
			return view;
		}
	}
	return NULL;
}

void view_close(struct tinct_view *view)
{
	wlr_xdg_toplevel_send_close(view->xdg_surface);
}

void view_move_to(struct tinct_view *view, int x, int y)
{
	view->x = x;
	view->y = y;
	view_update_position(view);
}

void view_resize(struct tinct_view *view, int width, int height)
{
	struct wlr_xdg_toplevel_state *min = &view->xdg_surface->toplevel->current;
	if (width < 1) {
		width = 1;
	}
	if (height < 1) {
		height = 1;
	}
	if (min->min_width > 0 && width < (int)min->min_width) {
		width = (int)min->min_width;
	}
	if (min->min_height > 0 && height < (int)min->min_height) {
		height = (int)min->min_height;
	}
	wlr_xdg_toplevel_set_size(view->xdg_surface, (uint32_t)width, (uint32_t)height);
}

/* The usable area of the output that shows most of the view. */
static struct wlr_box view_output_area(struct tinct_view *view, bool full)
{
	struct wlr_box box = view_frame_box(view);
	struct tinct_output *output =
		output_at(view->server, box.x + box.width / 2.0, box.y + box.height / 2.0);
	if (output == NULL) {
		return (struct wlr_box){0, 0, 0, 0};
	}
	return full ? output_layout_box(output) : output->usable_area;
}

void view_set_maximized(struct tinct_view *view, bool maximized)
{
	if (view->fullscreen) {
		view_set_fullscreen(view, false);
	}
	if (view->maximized == maximized) {
		/* Still answer: xdg-shell requires a configure for every request. */
		wlr_xdg_surface_schedule_configure(view->xdg_surface);
		return;
	}
	if (maximized) {
		view->saved = (struct wlr_box){view->x, view->y, view->width, view->height};
	}
	view->maximized = maximized;
	wlr_xdg_toplevel_set_maximized(view->xdg_surface, maximized);
	if (view->foreign != NULL) {
		wlr_foreign_toplevel_handle_v1_set_maximized(view->foreign, maximized);
	}
	if (maximized) {
		struct wlr_box area = view_output_area(view, false);
		int border = view->server->config->appearance.border_width;
		int title = view->server->config->appearance.title_height;
		view_move_to(view, area.x + border, area.y + border + title);
		view_resize(view, area.width - 2 * border, area.height - 2 * border - title);
	} else {
		view_move_to(view, view->saved.x, view->saved.y);
		view_resize(view, view->saved.width, view->saved.height);
	}
}

static bool view_may_fullscreen(struct tinct_view *view)
{
	return view->vm == NULL || (view->vm->permissions & TINCT_PERM_FULLSCREEN) != 0;
}

void view_set_fullscreen(struct tinct_view *view, bool fullscreen)
{
	if (fullscreen && !view_may_fullscreen(view)) {
		/* A VM may not cover the screen unless allowed: it gets maximised. */
		wlr_log(WLR_DEBUG, "view %s: fullscreen becomes maximise", view->title);
		view_set_maximized(view, true);
		return;
	}
	if (view->fullscreen == fullscreen) {
		wlr_xdg_surface_schedule_configure(view->xdg_surface);
		return;
	}
	struct tinct_server *server = view->server;
	struct wlr_box area = view_output_area(view, true);
	if (fullscreen && !view->maximized) {
		view->saved = (struct wlr_box){view->x, view->y, view->width, view->height};
	}
	view->fullscreen = fullscreen;
	wlr_xdg_toplevel_set_fullscreen(view->xdg_surface, fullscreen);
	if (view->foreign != NULL) {
		wlr_foreign_toplevel_handle_v1_set_fullscreen(view->foreign, fullscreen);
	}
	/*
	 * Fullscreen views cover layer-shell "top" surfaces and the panel; only
	 * host windows and VMs allowed to go fullscreen get here. The VM menu
	 * stays above.
	 */
	wlr_scene_node_reparent(view->tree,
		server->layers[fullscreen ? TINCT_LAYER_FULLSCREEN : TINCT_LAYER_VIEWS]);
	wlr_scene_node_raise_to_top(view->tree);
	frame_update(&view->frame);
	if (fullscreen) {
		view_move_to(view, area.x, area.y);
		view_resize(view, area.width, area.height);
	} else if (view->maximized) {
		view->maximized = false;
		view_set_maximized(view, true);
	} else {
		view_move_to(view, view->saved.x, view->saved.y);
		view_resize(view, view->saved.width, view->saved.height);
	}
}

/* Keeps the frame box inside area, as far as it fits; top-left wins. */
static void clamp_into(struct tinct_view *view, struct wlr_box area)
{
	struct wlr_box box = view_frame_box(view);
	int x = box.x, y = box.y;
	if (x + box.width > area.x + area.width) {
		x = area.x + area.width - box.width;
	}
	if (y + box.height > area.y + area.height) {
		y = area.y + area.height - box.height;
	}
	if (x < area.x) {
		x = area.x;
	}
	if (y < area.y) {
		y = area.y;
	}
	view_move_to(view, view->x + (x - box.x), view->y + (y - box.y));
}

static void view_place(struct tinct_view *view)
{
	struct tinct_server *server = view->server;
	struct wlr_cursor *cursor = seat_cursor(server->seat);
	struct tinct_output *output = output_at(server, cursor->x, cursor->y);
	if (output == NULL) {
		return;
	}
	struct wlr_box area = output->usable_area;
	int border = frame_border(view);
	int title = frame_title_height(view);

	/* Windows bigger than the screen are asked to fit. */
	int max_w = area.width - 2 * border, max_h = area.height - 2 * border - title;
	if (view->width > max_w || view->height > max_h) {
		view_resize(view, view->width > max_w ? max_w : view->width,
			view->height > max_h ? max_h : view->height);
	}

	/* Dialogs go over their parent; others are centred, then cascade. */
	struct tinct_view *parent = NULL;
	if (view->xdg_surface->toplevel->parent != NULL) {
		parent = view_from_surface(server, view->xdg_surface->toplevel->parent->surface);
	}
	int x, y;
	if (parent != NULL) {
		x = parent->x + (parent->width - view->width) / 2;
		y = parent->y + (parent->height - view->height) / 2;
	} else {
		x = area.x + (area.width - view->width) / 2;
		y = area.y + (area.height - view->height + title) / 2;
		struct tinct_view *other;
		bool taken = true;
		for (int step = 0; taken && step < 16; step++) {
			taken = false;
			wl_list_for_each (other, &server->views, link) {
				if (other != view && other->mapped && other->x == x &&
					other->y == y) {
					taken = true;
					break;
				}
			}
			if (taken) {
				x += 32;
				y += 32;
			}
		}
	}
	view_move_to(view, x, y);
	clamp_into(view, area);
}

static void handle_commit(struct wl_listener *listener, void *data)
{
	struct tinct_view *view = wl_container_of(listener, view, commit);
	struct wlr_box geo = view_content_box(view);
	if (geo.width == view->width && geo.height == view->height) {
		view_update_position(view);
		return;
	}
	/* Resizing from the left or top keeps the right or bottom edge still. */
	if (view->resize_edges & WLR_EDGE_LEFT) {
		view->x = view->resize_start.x + view->resize_start.width - geo.width;
	}
	if (view->resize_edges & WLR_EDGE_TOP) {
		view->y = view->resize_start.y + view->resize_start.height - geo.height;
	}
	view->width = geo.width;
	view->height = geo.height;
	view_update_position(view);
	frame_update(&view->frame);
}

static void handle_foreign_request_activate(struct wl_listener *listener, void *data)
{
	struct tinct_view *view = wl_container_of(listener, view, foreign_request_activate);
	view_focus(view);
}

static void handle_foreign_request_close(struct wl_listener *listener, void *data)
{
	struct tinct_view *view = wl_container_of(listener, view, foreign_request_close);
	view_close(view);
}

static void handle_foreign_request_maximize(struct wl_listener *listener, void *data)
{
	struct tinct_view *view = wl_container_of(listener, view, foreign_request_maximize);
	struct wlr_foreign_toplevel_handle_v1_maximized_event *event = data;
	view_set_maximized(view, event->maximized);
}

static void handle_foreign_request_fullscreen(struct wl_listener *listener, void *data)
{
	struct tinct_view *view = wl_container_of(listener, view, foreign_request_fullscreen);
	struct wlr_foreign_toplevel_handle_v1_fullscreen_event *event = data;
	view_set_fullscreen(view, event->fullscreen);
}

static void foreign_create(struct tinct_view *view)
{
	struct wlr_xdg_toplevel *toplevel = view->xdg_surface->toplevel;
	view->foreign = wlr_foreign_toplevel_handle_v1_create(view->server->foreign_toplevel);
	if (view->foreign == NULL) {
		return;
	}
	if (view->title != NULL) {
		wlr_foreign_toplevel_handle_v1_set_title(view->foreign, view->title);
	}
	if (toplevel->app_id != NULL) {
		wlr_foreign_toplevel_handle_v1_set_app_id(view->foreign, toplevel->app_id);
	}
	view->foreign_request_activate.notify = handle_foreign_request_activate;
	wl_signal_add(&view->foreign->events.request_activate, &view->foreign_request_activate);
	view->foreign_request_close.notify = handle_foreign_request_close;
	wl_signal_add(&view->foreign->events.request_close, &view->foreign_request_close);
	view->foreign_request_maximize.notify = handle_foreign_request_maximize;
	wl_signal_add(&view->foreign->events.request_maximize, &view->foreign_request_maximize);
	view->foreign_request_fullscreen.notify = handle_foreign_request_fullscreen;
	wl_signal_add(&view->foreign->events.request_fullscreen, &view->foreign_request_fullscreen);
}

static void foreign_destroy(struct tinct_view *view)
{
	if (view->foreign == NULL) {
		return;
	}
	wl_list_remove(&view->foreign_request_activate.link);
	wl_list_remove(&view->foreign_request_close.link);
	wl_list_remove(&view->foreign_request_maximize.link);
	wl_list_remove(&view->foreign_request_fullscreen.link);
	wlr_foreign_toplevel_handle_v1_destroy(view->foreign);
	view->foreign = NULL;
}

static void handle_map(struct wl_listener *listener, void *data)
{
	struct tinct_view *view = wl_container_of(listener, view, map);
	struct wlr_xdg_toplevel *toplevel = view->xdg_surface->toplevel;
	struct wlr_box geo = view_content_box(view);
	view->width = geo.width;
	view->height = geo.height;
	view->mapped = true;
	wlr_scene_node_set_enabled(view->tree, true);

	view->commit.notify = handle_commit;
	wl_signal_add(&view->xdg_surface->surface->events.commit, &view->commit);

	view_place(view);
	frame_update(&view->frame);
	foreign_create(view);
	wlr_log(WLR_DEBUG, "view mapped: vm=%s app_id=%s title=%s size=%dx%d",
		view->vm != NULL ? view_vm_name(view) : "host",
		toplevel->app_id ? toplevel->app_id : "", view->title ? view->title : "",
		view->width, view->height);

	if (toplevel->requested.fullscreen) {
		view_set_fullscreen(view, true);
	} else if (toplevel->requested.maximized) {
		view_set_maximized(view, true);
	}
	if (view_may_take_focus(view)) {
		view_focus(view);
	} else {
		/* Shown, but where it cannot hide what the user is typing into. */
		struct tinct_view *focused = view_focused(view->server);
		if (focused != NULL) {
			/* Only siblings can be ordered; fullscreen views have their layer. */
			if (view->tree->parent == focused->tree->parent) {
				wlr_scene_node_place_below(view->tree, focused->tree);
			}
			wl_list_remove(&view->link);
			wl_list_insert(&focused->link, &view->link);
		}
		wlr_log(WLR_DEBUG, "view %s mapped without focus", view->title);
	}
}

bool view_may_take_focus(struct tinct_view *view)
{
	if (view->vm == NULL) {
		return true;
	}
	/*
	 * A VM takes the keyboard only from itself, or once right after the
	 * user started it (its first window). Otherwise a guest could map a
	 * window, or ask for activation, just as the user types a password
	 * into another window.
	 */
	struct tinct_view *focused = view_focused(view->server);
	if (focused != NULL && focused->vm == view->vm) {
		return true;
	}
	if (view->vm->focus_next_window) {
		view->vm->focus_next_window = false;
		return true;
	}
	return focused == NULL && seat_focused_layer(view->server->seat) == NULL &&
	       wl_list_length(&view->server->views) == 1;
}

static void handle_unmap(struct wl_listener *listener, void *data)
{
	struct tinct_view *view = wl_container_of(listener, view, unmap);
	struct tinct_server *server = view->server;
	bool was_focused = view_focused(server) == view;

	seat_view_unmapped(server->seat, view);
	view->mapped = false;
	view->activated = false;
	panel_schedule_update(server->panel);
	wlr_scene_node_set_enabled(view->tree, false);
	wl_list_remove(&view->commit.link);
	foreign_destroy(view);
	wlr_log(WLR_DEBUG, "view unmapped: app_id=%s",
		view->xdg_surface->toplevel->app_id ? view->xdg_surface->toplevel->app_id : "");

	if (was_focused) {
		/* Focus goes back to the next window in stacking order. */
		struct tinct_view *next;
		wl_list_for_each (next, &server->views, link) {
			if (next->mapped) {
				view_focus(next);
				return;
			}
		}
		seat_focus_surface(server->seat, NULL);
	}
}

static void handle_destroy(struct wl_listener *listener, void *data)
{
	struct tinct_view *view = wl_container_of(listener, view, destroy);
	wl_list_remove(&view->map.link);
	wl_list_remove(&view->unmap.link);
	wl_list_remove(&view->destroy.link);
	wl_list_remove(&view->request_move.link);
	wl_list_remove(&view->request_resize.link);
	wl_list_remove(&view->request_maximize.link);
	wl_list_remove(&view->request_fullscreen.link);
	wl_list_remove(&view->set_title.link);
	wl_list_remove(&view->set_app_id.link);
	wl_list_remove(&view->link);
	if (view->vm != NULL) {
		view->vm->windows--;
	}
	free(view->title);
	frame_finish(&view->frame);
	/* surface_node is freed with the surface; the rest of the tree is ours. */
	wlr_scene_node_destroy(view->tree);
	view->xdg_surface->data = NULL;
	free(view);
}

static void handle_request_move(struct wl_listener *listener, void *data)
{
	struct tinct_view *view = wl_container_of(listener, view, request_move);
	struct wlr_xdg_toplevel_move_event *event = data;
	seat_begin_interactive(view->server->seat, view, event->serial, 0);
}

static void handle_request_resize(struct wl_listener *listener, void *data)
{
	struct tinct_view *view = wl_container_of(listener, view, request_resize);
	struct wlr_xdg_toplevel_resize_event *event = data;
	seat_begin_interactive(view->server->seat, view, event->serial, event->edges);
}

static void handle_request_maximize(struct wl_listener *listener, void *data)
{
	struct tinct_view *view = wl_container_of(listener, view, request_maximize);
	if (!view->mapped) {
		/* Honoured at map time from toplevel->requested. */
		return;
	}
	view_set_maximized(view, view->xdg_surface->toplevel->requested.maximized);
}

static void handle_request_fullscreen(struct wl_listener *listener, void *data)
{
	struct tinct_view *view = wl_container_of(listener, view, request_fullscreen);
	if (!view->mapped) {
		return;
	}
	view_set_fullscreen(view, view->xdg_surface->toplevel->requested.fullscreen);
}

static void handle_set_title(struct wl_listener *listener, void *data)
{
	struct tinct_view *view = wl_container_of(listener, view, set_title);
	if (!view_update_title(view)) {
		return;
	}
	if (view->foreign != NULL) {
		wlr_foreign_toplevel_handle_v1_set_title(view->foreign, view->title);
	}
	if (view->mapped) {
		frame_update(&view->frame);
	}
}

static void handle_set_app_id(struct wl_listener *listener, void *data)
{
	struct tinct_view *view = wl_container_of(listener, view, set_app_id);
	const char *app_id = view->xdg_surface->toplevel->app_id;
	if (view->foreign != NULL && app_id != NULL) {
		wlr_foreign_toplevel_handle_v1_set_app_id(view->foreign, app_id);
	}
}

static void view_create(struct tinct_server *server, struct wlr_xdg_surface *xdg_surface)
{
	struct tinct_view *view = calloc(1, sizeof(*view));
	if (view == NULL) {
		wlr_log_errno(WLR_ERROR, "cannot allocate view");
		return;
	}
	view->server = server;
	view->xdg_surface = xdg_surface;
	view->vm = vms_for_client(server, xdg_surface->client->client);
	if (view->vm == NULL) {
		view->console_vm = consoles_vm_for_client(server, xdg_surface->client->client);
	}
	if (view->vm != NULL && view->vm->windows >= view->vm->max_windows) {
		wlr_log(WLR_ERROR,
			"VM %s reached its limit of %d windows; disconnecting the client",
			view_vm_name(view), view->vm->max_windows);
		free(view);
		wl_client_post_implementation_error(
			xdg_surface->client->client, "too many windows for this VM");
		return;
	}
	view_update_title(view);
	view->desc = (struct tinct_node_desc){.type = TINCT_NODE_VIEW, .owner = view};
	view->tree = &wlr_scene_tree_create(server->layers[TINCT_LAYER_VIEWS])->node;
	if (view->tree == NULL) {
		free(view->title);
		free(view);
		return;
	}
	view->tree->data = &view->desc;
	wlr_scene_node_set_enabled(view->tree, false);
	if (!frame_init(&view->frame, view)) {
		wlr_scene_node_destroy(view->tree);
		free(view->title);
		free(view);
		return;
	}
	view->surface_node = wlr_scene_xdg_surface_create(view->tree, xdg_surface);
	if (view->surface_node == NULL) {
		wlr_scene_node_destroy(view->tree);
		free(view->title);
		free(view);
		return;
	}
	/*
	 * The frame goes above the client's surfaces, so nothing the client
	 * draws covers the border or the title bar; its popups (menus) go
	 * above both, in a tree that moves with the surface.
	 */
	wlr_scene_node_raise_to_top(view->frame.tree);
	view->popup_tree = &wlr_scene_tree_create(view->tree)->node;
	if (view->popup_tree == NULL) {
		wlr_scene_node_destroy(view->tree);
		free(view->title);
		free(view);
		return;
	}
	/* Popups find their parent's scene node here. */
	xdg_surface->data = view->popup_tree;

	struct wlr_xdg_toplevel *toplevel = xdg_surface->toplevel;
	view->map.notify = handle_map;
	wl_signal_add(&xdg_surface->events.map, &view->map);
	view->unmap.notify = handle_unmap;
	wl_signal_add(&xdg_surface->events.unmap, &view->unmap);
	view->destroy.notify = handle_destroy;
	wl_signal_add(&xdg_surface->events.destroy, &view->destroy);
	view->request_move.notify = handle_request_move;
	wl_signal_add(&toplevel->events.request_move, &view->request_move);
	view->request_resize.notify = handle_request_resize;
	wl_signal_add(&toplevel->events.request_resize, &view->request_resize);
	view->request_maximize.notify = handle_request_maximize;
	wl_signal_add(&toplevel->events.request_maximize, &view->request_maximize);
	view->request_fullscreen.notify = handle_request_fullscreen;
	wl_signal_add(&toplevel->events.request_fullscreen, &view->request_fullscreen);
	view->set_title.notify = handle_set_title;
	wl_signal_add(&toplevel->events.set_title, &view->set_title);
	view->set_app_id.notify = handle_set_app_id;
	wl_signal_add(&toplevel->events.set_app_id, &view->set_app_id);

	/* Tiled on all edges: clients drop their own shadows and rounded corners. */
	wlr_xdg_toplevel_set_tiled(
		xdg_surface, WLR_EDGE_TOP | WLR_EDGE_BOTTOM | WLR_EDGE_LEFT | WLR_EDGE_RIGHT);
	wl_list_insert(server->views.prev, &view->link);
	if (view->vm != NULL) {
		view->vm->windows++;
	}
}

static void popup_handle_destroy(struct wl_listener *listener, void *data)
{
	struct tinct_popup *popup = wl_container_of(listener, popup, destroy);
	wl_list_remove(&popup->destroy.link);
	wl_list_remove(&popup->commit.link);
	/* The surface node goes with the surface; our tree and frame do not. */
	wlr_scene_node_destroy(popup->tree);
	free(popup);
}

/* Draws the VM frame just inside the popup's visible geometry. */
static void popup_handle_commit(struct wl_listener *listener, void *data)
{
	struct tinct_popup *popup = wl_container_of(listener, popup, commit);
	/*
	 * All the popup's surfaces: what a guest draws beyond its geometry
	 * too. The xdg node's origin is the popup's geometry origin.
	 */
	struct wlr_box geo, pgeo;
	wlr_surface_get_extends(popup->wlr_popup->base->surface, &geo);
	wlr_xdg_surface_get_geometry(popup->wlr_popup->base, &pgeo);
	int x = popup->node->state.x - pgeo.x + geo.x, y = popup->node->state.y - pgeo.y + geo.y;
	int w = geo.width, h = geo.height, t = POPUP_FRAME_WIDTH;
	if (w < 2 * t || h < 2 * t) {
		t = 0;
	}
	struct {
		int x, y, w, h;
	} boxes[4] = {
		{x, y, w, t},
		{x, y + h - t, w, t},
		{x, y + t, t, h - 2 * t},
		{x + w - t, y + t, t, h - 2 * t},
	};
	for (size_t i = 0; i < 4; i++) {
		wlr_scene_node_set_position(&popup->frame[i]->node, boxes[i].x, boxes[i].y);
		wlr_scene_rect_set_size(popup->frame[i], boxes[i].w > 0 ? boxes[i].w : 0,
			boxes[i].h > 0 ? boxes[i].h : 0);
	}
}

/* Keeps a popup on the output its toplevel is on (flip, then slide). */
static void popup_unconstrain(
	struct tinct_server *server, struct wlr_xdg_popup *wlr_popup, int root_lx, int root_ly)
{
	struct tinct_output *output = output_at(server, root_lx, root_ly);
	if (output == NULL) {
		return;
	}
	struct wlr_box box = output_layout_box(output);
	box.x -= root_lx;
	box.y -= root_ly;
	wlr_xdg_popup_unconstrain_from_box(wlr_popup, &box);
}

static void popup_create(struct tinct_server *server, struct wlr_xdg_popup *wlr_popup)
{
	struct wlr_surface *parent_surface = wlr_popup->parent;
	if (parent_surface == NULL) {
		return;
	}
	struct wlr_scene_node *parent_node = NULL;
	struct tinct_view *view = NULL;
	int root_lx = 0, root_ly = 0;
	if (wlr_surface_is_xdg_surface(parent_surface)) {
		struct wlr_xdg_surface *parent = wlr_xdg_surface_from_wlr_surface(parent_surface);
		parent_node = parent->data;
		view = view_from_surface(server, parent_surface);
		if (view != NULL) {
			struct wlr_box geo = view_content_box(view);
			root_lx = view->x - geo.x;
			root_ly = view->y - geo.y;
		}
	} else if (wlr_surface_is_layer_surface(parent_surface)) {
		parent_node = layer_shell_popup_parent(
			wlr_layer_surface_v1_from_wlr_surface(parent_surface), &root_lx, &root_ly);
	}
	if (parent_node == NULL) {
		wlr_log(WLR_DEBUG, "popup without a known parent; ignored");
		return;
	}

	struct tinct_popup *popup = calloc(1, sizeof(*popup));
	if (popup == NULL) {
		return;
	}
	popup->wlr_popup = wlr_popup;
	popup->tree = &wlr_scene_tree_create(parent_node)->node;
	if (popup->tree == NULL) {
		free(popup);
		return;
	}
	popup->node = wlr_scene_xdg_surface_create(popup->tree, wlr_popup->base);
	if (popup->node == NULL) {
		wlr_scene_node_destroy(popup->tree);
		free(popup);
		return;
	}
	popup->desc = (struct tinct_node_desc){.type = TINCT_NODE_POPUP, .owner = popup};
	popup->tree->data = &popup->desc;
	wl_list_init(&popup->commit.link);
	if (view != NULL && view->vm != NULL) {
		/*
		 * Added after the surface node, so above it and above any
		 * subsurface the client adds later (those live inside it).
		 */
		struct tinct_colour c = view_colour(view);
		float rgba[4] = {c.r, c.g, c.b, c.a};
		for (size_t i = 0; i < 4; i++) {
			popup->frame[i] = wlr_scene_rect_create(popup->tree, 0, 0, rgba);
		}
		popup->commit.notify = popup_handle_commit;
		wl_signal_add(&wlr_popup->base->surface->events.commit, &popup->commit);
	}
	/* Nested popups find their parent's scene node here. */
	wlr_popup->base->data = popup->node;
	popup->destroy.notify = popup_handle_destroy;
	wl_signal_add(&wlr_popup->base->events.destroy, &popup->destroy);
	popup_unconstrain(server, wlr_popup, root_lx, root_ly);
}

void xdg_shell_handle_new_surface(struct wl_listener *listener, void *data)
{
	struct tinct_server *server = wl_container_of(listener, server, new_xdg_surface);
	struct wlr_xdg_surface *xdg_surface = data;
	if (xdg_surface->role == WLR_XDG_SURFACE_ROLE_TOPLEVEL) {
		view_create(server, xdg_surface);
	} else if (xdg_surface->role == WLR_XDG_SURFACE_ROLE_POPUP) {
		popup_create(server, xdg_surface->popup);
	}
}

void views_cycle_focus(struct tinct_server *server, bool forward)
{
	struct tinct_view *current = view_focused(server);
	struct tinct_view *view, *target = NULL;
	if (forward) {
		/* The least recently focused view comes next. */
		wl_list_for_each_reverse (view, &server->views, link) {
			if (view->mapped && view != current) {
				target = view;
				break;
			}
		}
	} else if (current != NULL) {
		/* Backwards: send the current one to the bottom, focus the next. */
		wl_list_for_each (view, &server->views, link) {
			if (view->mapped && view != current) {
				target = view;
				break;
			}
		}
		if (target != NULL) {
			wl_list_remove(&current->link);
			wl_list_insert(server->views.prev, &current->link);
			wlr_scene_node_lower_to_bottom(current->tree);
		}
	}
	if (target != NULL) {
		view_focus(target);
	}
}

void views_ensure_visible(struct tinct_server *server)
{
	struct tinct_view *view;
	wl_list_for_each (view, &server->views, link) {
		if (!view->mapped) {
			continue;
		}
		struct wlr_box box = view_frame_box(view);
		if (wlr_output_layout_output_at(server->output_layout, box.x + box.width / 2.0,
			    box.y + box.height / 2.0) == NULL) {
			view_place(view);
		}
	}
}

void views_arrange(struct tinct_server *server)
{
	struct tinct_view *view;
	wl_list_for_each (view, &server->views, link) {
		if (!view->mapped) {
			continue;
		}
		/* Titles follow the output scale (cached when nothing changed). */
		frame_update(&view->frame);
		if (view->fullscreen) {
			struct wlr_box area = view_output_area(view, true);
			view_move_to(view, area.x, area.y);
			view_resize(view, area.width, area.height);
		} else if (view->maximized) {
			struct wlr_box area = view_output_area(view, false);
			int border = frame_border(view);
			int title = frame_title_height(view);
			view_move_to(view, area.x + border, area.y + border + title);
			view_resize(
				view, area.width - 2 * border, area.height - 2 * border - title);
		}
	}
}
