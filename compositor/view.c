/*
 * Views: the window management of xdg toplevels. Views are floating and
 * stacked: the most recently focused is on top and first in server->views.
 * New views are centred on the output under the cursor, later ones cascade,
 * and nothing is ever placed off screen. The xdg-shell wiring is in
 * xdg_shell.c.
 */
#include "compositor/view.h"

#include <stdlib.h>
#include <string.h>
#include <wlr/types/wlr_cursor.h>
#include <wlr/types/wlr_output_layout.h>
#include <wlr/types/wlr_scene.h>
#include <wlr/types/wlr_seat.h>
#include <wlr/types/wlr_xdg_shell.h>
#include <wlr/util/edges.h>
#include <wlr/util/log.h>

#include "common/colour.h"
#include "compositor/foreign_toplevel.h"
#include "compositor/output.h"
#include "compositor/panel.h"
#include "compositor/placeholder.h"
#include "compositor/policy.h"
#include "compositor/seat.h"
#include "compositor/title.h"
#include "vmm/vm.h"
#include "compositor/vms.h"

void view_resolve_colours(struct tinct_view *view)
{
	struct tinct_colour colour = view->server->config->appearance.host_colour;
	if (view->vm != NULL) {
		colour = view->vm->colour;
	} else if (view->console_vm != NULL) {
		colour = view->console_vm->colour;
	}
	struct tinct_colour background = view->server->config->appearance.background;
	view->colour = colour;
	view->colour_unfocused = colour_unfocused(colour, background);
	view->colour_text = colour_contrast(colour);
	view->colour_text_unfocused = colour_contrast(view->colour_unfocused);
	/* Black stays usable on black: an outline keeps the frame visible. */
	view->outlined = colour_needs_outline(colour, background);
	view->colour_outline = colour_outline(background, true);
	view->colour_outline_unfocused = colour_outline(background, false);
}

const char *view_vm_name(const struct tinct_view *view)
{
	return view->vm != NULL ? vm_name(view->vm->vm) : NULL;
}

bool view_update_title(struct tinct_view *view)
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

static struct wlr_box view_output_area(struct tinct_view *view, bool full);

struct wlr_box view_content_box(struct tinct_view *view)
{
	return view->content;
}

/*
 * Recomputes view->content; for VMs, hides the surfaces out of bounds
 * first, so the frame goes around exactly what is shown.
 */
static void view_update_content(struct tinct_view *view)
{
	if (!policy_frame_covers_surfaces(view)) {
		wlr_xdg_surface_get_geometry(view->xdg_surface, &view->content);
		return;
	}
	struct wlr_scene_node *surfaces = surface_tree_node(view->surface_node);
	struct wlr_box box = {0};
	if (surfaces != NULL) {
		box = surface_tree_clip(surfaces, 0, 0, policy_content_bound(view->server));
	}
	if (wlr_box_empty(&box)) {
		/* Nothing shown: still a frame and a title bar, around nothing. */
		box = (struct wlr_box){0, 0, 1, 1};
	}
	view->content = box;
}

/* Where the main surface is in the xdg scene node (wlroots puts it at -geometry). */
static void view_surface_offset(struct tinct_view *view, int *x, int *y)
{
	struct wlr_scene_node *surfaces = surface_tree_node(view->surface_node);
	*x = surfaces != NULL ? surfaces->state.x : 0;
	*y = surfaces != NULL ? surfaces->state.y : 0;
}

/* Moves the scene nodes to match view->x/y and the current content. */
static void view_update_position(struct tinct_view *view)
{
	struct wlr_box box = view->content;
	int border = frame_border(view);
	int title = frame_title_height(view);
	wlr_scene_node_set_position(view->tree, view->x - border, view->y - border - title);
	/*
	 * Place the xdg scene node so that the content box lands inside the
	 * frame. Where wlroots put the main surface in it is read from the
	 * scene, which is what is drawn, not recomputed from a geometry that
	 * may have changed since. Popups are positioned against the same
	 * origin (the window geometry's).
	 */
	int sx, sy;
	view_surface_offset(view, &sx, &sy);
	int x = border - box.x - sx, y = border + title - box.y - sy;
	wlr_scene_node_set_position(view->surface_node, x, y);
	wlr_scene_node_set_position(view->popup_tree, x, y);
}

struct wlr_box view_popup_area(struct tinct_view *view)
{
	int sx, sy;
	view_surface_offset(view, &sx, &sy);
	/* The popup tree's origin in layout coordinates. */
	int ox = view->x - view->content.x - sx, oy = view->y - view->content.y - sy;
	struct wlr_box area = view_output_area(view, view->fullscreen);
	if (wlr_box_empty(&area)) {
		/* On no output (while outputs change): anywhere in the layout. */
		struct wlr_box *layout =
			wlr_output_layout_get_box(view->server->output_layout, NULL);
		area = layout != NULL ? *layout : (struct wlr_box){0};
	}
	/* Below the title bar: from the content's top. */
	if (area.y < view->y) {
		area.height -= view->y - area.y;
		area.y = view->y;
	}
	if (area.height < 0) {
		area.height = 0;
	}
	area.x -= ox;
	area.y -= oy;
	return area;
}

static void view_set_activated(struct tinct_view *view, bool activated)
{
	if (view->activated == activated) {
		return;
	}
	view->activated = activated;
	wlr_xdg_toplevel_set_activated(view->xdg_surface, activated);
	foreign_toplevel_set_activated(view, activated);
	frame_update(&view->frame);
}

struct tinct_view *view_focused(struct tinct_server *server)
{
	/* The truth is where the seat sends keys, nothing tinct remembers. */
	struct wlr_surface *surface = seat_wlr_seat(server->seat)->keyboard_state.focused_surface;
	struct tinct_view *view = view_from_surface(server, surface);
	return view != NULL && view->mapped ? view : NULL;
}

struct tinct_view *view_top(struct tinct_server *server)
{
	struct tinct_view *view;
	wl_list_for_each (view, &server->views, link) {
		if (view->mapped) {
			return view;
		}
	}
	return NULL;
}

void views_keyboard_focus_changed(struct tinct_server *server, struct wlr_surface *old_surface,
	struct wlr_surface *new_surface)
{
	struct tinct_view *old_view = view_from_surface(server, old_surface);
	struct tinct_view *new_view = view_from_surface(server, new_surface);
	if (old_view != NULL && old_view != new_view) {
		view_set_activated(old_view, false);
	}
	if (new_view != NULL && new_view->mapped) {
		view_set_activated(new_view, true);
		if (new_view->vm != NULL) {
			new_view->vm->wants_attention = false;
		}
	}
	/* The focused-VM indicator follows the keyboard. */
	panel_schedule_update(server->panel);
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
	wlr_scene_node_raise_to_top(view->tree);
	wl_list_remove(&view->link);
	wl_list_insert(&server->views, &view->link);
	/* The frame and the indicator follow once the seat has moved the keys. */
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
	foreign_toplevel_set_maximized(view, maximized);
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

void view_set_fullscreen(struct tinct_view *view, bool fullscreen)
{
	if (fullscreen && !policy_may(view->xdg_surface->client->client, TINCT_PERM_FULLSCREEN)) {
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
	foreign_toplevel_set_fullscreen(view, fullscreen);
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

void view_commit(struct tinct_view *view)
{
	view_update_content(view);
	struct wlr_box geo = view->content;
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

void view_map(struct tinct_view *view)
{
	struct wlr_xdg_toplevel *toplevel = view->xdg_surface->toplevel;
	view_update_content(view);
	struct wlr_box geo = view->content;
	view->width = geo.width;
	view->height = geo.height;
	view->mapped = true;
	wlr_scene_node_set_enabled(view->tree, true);

	view_place(view);
	/* A VM's first window takes its placeholder's place. */
	int x, y;
	if (view->vm != NULL && placeholder_take(view->vm, &x, &y)) {
		view_move_to(view, x, y);
	}
	frame_update(&view->frame);
	foreign_toplevel_create(view);
	wlr_log(WLR_DEBUG, "view mapped: vm=%s app_id=%s title=%s size=%dx%d",
		view->vm != NULL ? view_vm_name(view) : "host",
		toplevel->app_id ? toplevel->app_id : "", view->title ? view->title : "",
		view->width, view->height);

	if (toplevel->requested.fullscreen) {
		view_set_fullscreen(view, true);
	} else if (toplevel->requested.maximized) {
		view_set_maximized(view, true);
	}
	if (policy_may_take_focus(view)) {
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
		if (view->vm != NULL) {
			/* Its chip says so: the user decides when to look. */
			view->vm->wants_attention = true;
			panel_schedule_update(view->server->panel);
		}
		wlr_log(WLR_DEBUG, "view %s mapped without focus", view->title);
	}
}

void view_unmap(struct tinct_view *view)
{
	struct tinct_server *server = view->server;
	bool was_focused = view_focused(server) == view;

	seat_view_unmapped(server->seat, view);
	view->mapped = false;
	view_set_activated(view, false);
	panel_schedule_update(server->panel);
	wlr_scene_node_set_enabled(view->tree, false);
	foreign_toplevel_destroy(view);
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
