/*
 * xdg-shell: toplevels become views (view.c manages them), popups get a
 * scene tree under their parent and, for VM windows, a frame in the VM's
 * colour over their edges.
 */
#include "compositor/xdg_shell.h"

#include <stdlib.h>
#include <wlr/types/wlr_layer_shell_v1.h>
#include <wlr/types/wlr_output_layout.h>
#include <wlr/types/wlr_scene.h>
#include <wlr/types/wlr_xdg_shell.h>
#include <wlr/util/edges.h>
#include <wlr/util/log.h>

#include "compositor/consoles.h"
#include "compositor/foreign_toplevel.h"
#include "compositor/frame.h"
#include "compositor/layer_shell.h"
#include "compositor/output.h"
#include "compositor/policy.h"
#include "compositor/seat.h"
#include "compositor/server.h"
#include "compositor/surface_tree.h"
#include "compositor/view.h"
#include "compositor/vms.h"

struct tinct_popup {
	struct tinct_server *server;
	struct wlr_xdg_popup *wlr_popup;
	struct wlr_scene_node *tree; // ours: holds the surface node, then the frame
	struct wlr_scene_node *node; // made by the xdg helper, freed with the surface
	struct tinct_node_desc desc;
	/* VM popups: a thin frame in the VM's colour drawn over the edges. */
	struct wlr_scene_rect *frame[4];
	/* VM popups: all their surfaces, to frame and confine them. */
	struct tinct_surface_tree surfaces;
	bool watched;
	struct wl_listener destroy;
};

#define POPUP_FRAME_WIDTH 2

static void popup_update(struct tinct_popup *popup);

/* Re-frames and re-confines the popups under node (a view's popup tree). */
static void popups_update(struct wlr_scene_node *node)
{
	struct wlr_scene_node *child;
	wl_list_for_each (child, &node->state.children, state.link) {
		struct tinct_node_desc *desc = child->data;
		if (desc != NULL && desc->type == TINCT_NODE_POPUP) {
			popup_update(desc->owner);
		}
		if (child->type == WLR_SCENE_NODE_TREE) {
			popups_update(child);
		}
	}
}

/* Any surface of the window committed, or a subsurface (un)mapped. */
static void handle_surfaces_changed(struct tinct_surface_tree *tree)
{
	struct tinct_view *view = wl_container_of(tree, view, surfaces);
	view_commit(view);
	/* The title bar may have moved: popups stay clear of it. */
	popups_update(view->popup_tree);
}

static void handle_map(struct wl_listener *listener, void *data)
{
	struct tinct_view *view = wl_container_of(listener, view, map);
	/* Commits matter only while mapped: that is when the frame follows. */
	surface_tree_init(&view->surfaces, view->xdg_surface->surface, handle_surfaces_changed);
	view_map(view);
}

static void handle_unmap(struct wl_listener *listener, void *data)
{
	struct tinct_view *view = wl_container_of(listener, view, unmap);
	surface_tree_finish(&view->surfaces);
	view_unmap(view);
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
		vms_window_closed(view->vm);
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
	foreign_toplevel_update_title(view);
	if (view->mapped) {
		frame_update(&view->frame);
	}
}

static void handle_set_app_id(struct wl_listener *listener, void *data)
{
	struct tinct_view *view = wl_container_of(listener, view, set_app_id);
	foreign_toplevel_update_app_id(view);
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
	view->vm = policy_client_vm(xdg_surface->client->client);
	if (view->vm == NULL) {
		view->console_vm = consoles_vm_for_client(server, xdg_surface->client->client);
	}
	if (!policy_may_open_window(xdg_surface->client->client)) {
		free(view);
		wl_client_post_implementation_error(
			xdg_surface->client->client, "too many windows for this VM");
		return;
	}
	view_resolve_colours(view);
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
	if (popup->watched) {
		surface_tree_finish(&popup->surfaces);
	}
	/* The surface node goes with the surface; our tree and frame do not. */
	wlr_scene_node_destroy(popup->tree);
	free(popup);
}

/* Where node is relative to its ancestor (the sum of the positions between). */
static void node_offset(
	struct wlr_scene_node *node, struct wlr_scene_node *ancestor, int *x, int *y)
{
	*x = 0;
	*y = 0;
	for (; node != NULL && node != ancestor; node = node->parent) {
		*x += node->state.x;
		*y += node->state.y;
	}
}

/*
 * Hides the popup's surfaces outside the area its view allows, then draws
 * the VM frame just inside what is shown.
 */
static void popup_update(struct tinct_popup *popup)
{
	struct tinct_view *view = view_from_surface(popup->server, popup->wlr_popup->parent);
	struct wlr_scene_node *surfaces = surface_tree_node(popup->node);
	if (view == NULL || surfaces == NULL) {
		return;
	}
	/* In the view's popup tree's coordinates: the window geometry's. */
	struct wlr_box shown;
	int sx, sy;
	node_offset(surfaces, view->popup_tree, &sx, &sy);
	if (policy_popup_confined(view)) {
		shown = surface_tree_clip(surfaces, sx, sy, view_popup_area(view));
	} else {
		/* All the popup's surfaces: what it draws beyond its geometry too. */
		wlr_surface_get_extends(popup->wlr_popup->base->surface, &shown);
		shown.x += sx;
		shown.y += sy;
	}
	if (popup->frame[0] == NULL) {
		return;
	}
	int tx, ty;
	node_offset(popup->tree, view->popup_tree, &tx, &ty);
	int x = shown.x - tx, y = shown.y - ty;
	int w = shown.width, h = shown.height, t = POPUP_FRAME_WIDTH;
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

static void popup_handle_surfaces_changed(struct tinct_surface_tree *tree)
{
	struct tinct_popup *popup = wl_container_of(tree, popup, surfaces);
	popup_update(popup);
}

/* Where popup is in its view's popup tree: its geometry and its parents'. */
static void popup_position(struct wlr_xdg_popup *wlr_popup, int *x, int *y)
{
	*x = 0;
	*y = 0;
	while (wlr_popup != NULL) {
		*x += wlr_popup->geometry.x;
		*y += wlr_popup->geometry.y;
		struct wlr_surface *parent = wlr_popup->parent;
		struct wlr_xdg_surface *xdg = parent != NULL && wlr_surface_is_xdg_surface(parent)
						      ? wlr_xdg_surface_from_wlr_surface(parent)
						      : NULL;
		wlr_popup =
			xdg != NULL && xdg->role == WLR_XDG_SURFACE_ROLE_POPUP ? xdg->popup : NULL;
	}
}

/*
 * A VM's popup goes where its positioner allows inside its view's popup
 * area, then, whatever the positioner allows, is slid (and shrunk) into
 * it: no title bar, no panel. What it draws anyway outside is hidden.
 */
static void popup_confine(struct tinct_view *view, struct wlr_xdg_popup *wlr_popup)
{
	struct wlr_box area = view_popup_area(view);
	/* wlroots measures from the main surface, through the declared geometry. */
	struct wlr_box box = area;
	box.x += view->xdg_surface->current.geometry.x;
	box.y += view->xdg_surface->current.geometry.y;
	wlr_xdg_popup_unconstrain_from_box(wlr_popup, &box);

	struct wlr_box *geo = &wlr_popup->geometry;
	if (geo->width > area.width && area.width > 0) {
		geo->width = area.width;
	}
	if (geo->height > area.height && area.height > 0) {
		geo->height = area.height;
	}
	int x, y;
	popup_position(wlr_popup, &x, &y);
	int nx = x, ny = y;
	if (nx + geo->width > area.x + area.width) {
		nx = area.x + area.width - geo->width;
	}
	if (ny + geo->height > area.y + area.height) {
		ny = area.y + area.height - geo->height;
	}
	nx = nx < area.x ? area.x : nx;
	ny = ny < area.y ? area.y : ny;
	geo->x += nx - x;
	geo->y += ny - y;
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
	popup->server = server;
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
	if (policy_popup_framed(view)) {
		/*
		 * Added after the surface node, so above it and above any
		 * subsurface the client adds later (those live inside it).
		 */
		struct tinct_colour c = view->colour;
		float rgba[4] = {c.r, c.g, c.b, c.a};
		for (size_t i = 0; i < 4; i++) {
			popup->frame[i] = wlr_scene_rect_create(popup->tree, 0, 0, rgba);
		}
	}
	if (policy_popup_framed(view) || policy_popup_confined(view)) {
		surface_tree_init(
			&popup->surfaces, wlr_popup->base->surface, popup_handle_surfaces_changed);
		popup->watched = true;
	}
	/* Nested popups find their parent's scene node here. */
	wlr_popup->base->data = popup->node;
	popup->destroy.notify = popup_handle_destroy;
	wl_signal_add(&wlr_popup->base->events.destroy, &popup->destroy);
	if (policy_popup_confined(view)) {
		popup_confine(view, wlr_popup);
	} else {
		popup_unconstrain(server, wlr_popup, root_lx, root_ly);
	}
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
