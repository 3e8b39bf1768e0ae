/*
 * Layer surfaces. Arrangement follows the protocol: each surface is placed in
 * the output box (exclusive zone -1) or the remaining usable area, centred
 * unless anchored, shifted by its margins; surfaces with an exclusive zone are
 * placed first and shrink the usable area for everything after them.
 */
#include "compositor/layer_shell.h"

#include <stdlib.h>
#include <wlr/types/wlr_cursor.h>
#include <wlr/types/wlr_layer_shell_v1.h>
#include <wlr/types/wlr_output.h>
#include <wlr/types/wlr_output_layout.h>
#include <wlr/types/wlr_scene.h>
#include <wlr/types/wlr_seat.h>
#include <wlr/types/wlr_xdg_shell.h>
#include <wlr/util/log.h>

#include "compositor/output.h"
#include "compositor/policy.h"
#include "compositor/panel.h"
#include "compositor/seat.h"
#include "compositor/view.h"

static const enum tinct_layer scene_layer[] = {
	[ZWLR_LAYER_SHELL_V1_LAYER_BACKGROUND] = TINCT_LAYER_BACKGROUND,
	[ZWLR_LAYER_SHELL_V1_LAYER_BOTTOM] = TINCT_LAYER_BOTTOM,
	[ZWLR_LAYER_SHELL_V1_LAYER_TOP] = TINCT_LAYER_TOP,
	[ZWLR_LAYER_SHELL_V1_LAYER_OVERLAY] = TINCT_LAYER_OVERLAY,
};

static void apply_exclusive(struct wlr_box *usable, uint32_t anchor, int32_t zone,
	const struct wlr_layer_surface_v1_state *state)
{
	const uint32_t horizontal =
		ZWLR_LAYER_SURFACE_V1_ANCHOR_LEFT | ZWLR_LAYER_SURFACE_V1_ANCHOR_RIGHT;
	const uint32_t vertical =
		ZWLR_LAYER_SURFACE_V1_ANCHOR_TOP | ZWLR_LAYER_SURFACE_V1_ANCHOR_BOTTOM;
	/* The zone applies to the one edge the surface is anchored along. */
	if (anchor == ZWLR_LAYER_SURFACE_V1_ANCHOR_TOP ||
		anchor == (ZWLR_LAYER_SURFACE_V1_ANCHOR_TOP | horizontal)) {
		int cut = zone + (int)state->margin.top;
		usable->y += cut;
		usable->height -= cut;
	} else if (anchor == ZWLR_LAYER_SURFACE_V1_ANCHOR_BOTTOM ||
		   anchor == (ZWLR_LAYER_SURFACE_V1_ANCHOR_BOTTOM | horizontal)) {
		usable->height -= zone + (int)state->margin.bottom;
	} else if (anchor == ZWLR_LAYER_SURFACE_V1_ANCHOR_LEFT ||
		   anchor == (ZWLR_LAYER_SURFACE_V1_ANCHOR_LEFT | vertical)) {
		int cut = zone + (int)state->margin.left;
		usable->x += cut;
		usable->width -= cut;
	} else if (anchor == ZWLR_LAYER_SURFACE_V1_ANCHOR_RIGHT ||
		   anchor == (ZWLR_LAYER_SURFACE_V1_ANCHOR_RIGHT | vertical)) {
		usable->width -= zone + (int)state->margin.right;
	}
}

static void arrange_surface(
	struct tinct_layer_surface *surface, struct wlr_box full, struct wlr_box *usable)
{
	struct wlr_layer_surface_v1 *layer = surface->layer_surface;
	const struct wlr_layer_surface_v1_state *state = &layer->current;
	struct wlr_box bounds = state->exclusive_zone == -1 ? full : *usable;
	struct wlr_box box = {
		.width = (int)state->desired_width, .height = (int)state->desired_height};
	uint32_t anchor = state->anchor;
	const uint32_t both_h =
		ZWLR_LAYER_SURFACE_V1_ANCHOR_LEFT | ZWLR_LAYER_SURFACE_V1_ANCHOR_RIGHT;
	const uint32_t both_v =
		ZWLR_LAYER_SURFACE_V1_ANCHOR_TOP | ZWLR_LAYER_SURFACE_V1_ANCHOR_BOTTOM;

	if (box.width == 0) {
		box.x = bounds.x + (int)state->margin.left;
		box.width = bounds.width - (int)(state->margin.left + state->margin.right);
	} else if ((anchor & both_h) == both_h) {
		box.x = bounds.x + (bounds.width - box.width) / 2;
	} else if (anchor & ZWLR_LAYER_SURFACE_V1_ANCHOR_LEFT) {
		box.x = bounds.x + (int)state->margin.left;
	} else if (anchor & ZWLR_LAYER_SURFACE_V1_ANCHOR_RIGHT) {
		box.x = bounds.x + bounds.width - box.width - (int)state->margin.right;
	} else {
		box.x = bounds.x + (bounds.width - box.width) / 2;
	}
	if (box.height == 0) {
		box.y = bounds.y + (int)state->margin.top;
		box.height = bounds.height - (int)(state->margin.top + state->margin.bottom);
	} else if ((anchor & both_v) == both_v) {
		box.y = bounds.y + (bounds.height - box.height) / 2;
	} else if (anchor & ZWLR_LAYER_SURFACE_V1_ANCHOR_TOP) {
		box.y = bounds.y + (int)state->margin.top;
	} else if (anchor & ZWLR_LAYER_SURFACE_V1_ANCHOR_BOTTOM) {
		box.y = bounds.y + bounds.height - box.height - (int)state->margin.bottom;
	} else {
		box.y = bounds.y + (bounds.height - box.height) / 2;
	}
	if (box.width <= 0 || box.height <= 0) {
		wlr_log(WLR_ERROR, "layer surface %s does not fit its output; closing it",
			layer->namespace);
		wlr_layer_surface_v1_destroy(layer);
		return;
	}
	surface->lx = box.x;
	surface->ly = box.y;
	wlr_scene_node_set_position(surface->node, box.x, box.y);
	wlr_layer_surface_v1_configure(layer, (uint32_t)box.width, (uint32_t)box.height);
	if (state->exclusive_zone > 0) {
		apply_exclusive(usable, anchor, state->exclusive_zone, state);
	}
}

void layer_shell_arrange(struct tinct_output *output)
{
	struct wlr_box full = output_layout_box(output);
	struct wlr_box usable = full;
	/* tinct's panel comes first: layer surfaces share what is left. */
	int panel = output->server->panel != NULL ? panel_height(output->server->panel) : 0;
	usable.y += panel;
	usable.height -= panel;
	/* Top-most layers claim their zones first, exclusive surfaces before others. */
	for (int pass = 0; pass < 2; pass++) {
		for (int layer = 3; layer >= 0; layer--) {
			struct tinct_layer_surface *surface, *tmp;
			wl_list_for_each_safe (surface, tmp, &output->layer_surfaces[layer], link) {
				bool exclusive = surface->layer_surface->current.exclusive_zone > 0;
				if (exclusive == (pass == 0)) {
					arrange_surface(surface, full, &usable);
				}
			}
		}
	}
	output->usable_area = usable;
}

static void handle_map(struct wl_listener *listener, void *data)
{
	struct tinct_layer_surface *surface = wl_container_of(listener, surface, map);
	struct wlr_layer_surface_v1 *layer = surface->layer_surface;
	surface->mapped = true;
	wlr_scene_node_set_enabled(surface->node, true);
	if (layer->current.keyboard_interactive ==
			ZWLR_LAYER_SURFACE_V1_KEYBOARD_INTERACTIVITY_EXCLUSIVE &&
		layer->current.layer >= ZWLR_LAYER_SHELL_V1_LAYER_TOP) {
		seat_focus_layer(surface->server->seat, layer);
	}
	seat_update_pointer(surface->server->seat);
}

static void handle_unmap(struct wl_listener *listener, void *data)
{
	struct tinct_layer_surface *surface = wl_container_of(listener, surface, unmap);
	struct tinct_seat *seat = surface->server->seat;
	surface->mapped = false;
	wlr_scene_node_set_enabled(surface->node, false);
	if (seat_focused_layer(seat) == surface->layer_surface) {
		seat_focus_layer(seat, NULL);
	} else if (seat_wlr_seat(seat)->keyboard_state.focused_surface ==
		   surface->layer_surface->surface) {
		struct tinct_view *view = view_top(surface->server);
		seat_focus_surface(seat, view != NULL ? view->xdg_surface->surface : NULL);
	}
}

static void handle_commit(struct wl_listener *listener, void *data)
{
	struct tinct_layer_surface *surface = wl_container_of(listener, surface, commit);
	struct wlr_layer_surface_v1 *layer = surface->layer_surface;
	if (surface->output == NULL) {
		return;
	}
	enum tinct_layer wanted = scene_layer[layer->current.layer];
	if (surface->node->parent != surface->server->layers[wanted]) {
		wlr_scene_node_reparent(surface->node, surface->server->layers[wanted]);
		wl_list_remove(&surface->link);
		wl_list_insert(
			&surface->output->layer_surfaces[layer->current.layer], &surface->link);
	}
	if (layer->current.committed != 0 || surface->mapped != layer->mapped) {
		server_arrange(surface->server);
	}
}

static void detach_output(struct tinct_layer_surface *surface)
{
	if (surface->output == NULL) {
		return;
	}
	wl_list_remove(&surface->link);
	wl_list_init(&surface->link);
	wl_list_remove(&surface->output_destroy.link);
	wl_list_init(&surface->output_destroy.link);
	surface->output = NULL;
}

static void handle_destroy(struct wl_listener *listener, void *data)
{
	struct tinct_layer_surface *surface = wl_container_of(listener, surface, destroy);
	struct tinct_server *server = surface->server;
	bool had_output = surface->output != NULL;
	detach_output(surface);
	wl_list_remove(&surface->map.link);
	wl_list_remove(&surface->unmap.link);
	wl_list_remove(&surface->destroy.link);
	wl_list_remove(&surface->commit.link);
	wl_list_remove(&surface->link);
	wl_list_remove(&surface->output_destroy.link);
	surface->layer_surface->data = NULL;
	free(surface);
	if (had_output) {
		server_arrange(server);
	}
}

static void handle_output_destroy(struct wl_listener *listener, void *data)
{
	struct tinct_layer_surface *surface = wl_container_of(listener, surface, output_destroy);
	detach_output(surface);
	surface->layer_surface->output = NULL;
	wlr_layer_surface_v1_destroy(surface->layer_surface);
}

void layer_shell_output_destroyed(struct tinct_output *output)
{
	for (size_t i = 0; i < 4; i++) {
		struct tinct_layer_surface *surface, *tmp;
		wl_list_for_each_safe (surface, tmp, &output->layer_surfaces[i], link) {
			detach_output(surface);
			surface->layer_surface->output = NULL;
			wlr_layer_surface_v1_destroy(surface->layer_surface);
		}
	}
}

void layer_shell_handle_new_surface(struct wl_listener *listener, void *data)
{
	struct tinct_server *server = wl_container_of(listener, server, new_layer_surface);
	struct wlr_layer_surface_v1 *layer = data;

	if (!policy_may(wl_resource_get_client(layer->resource), TINCT_PERM_LAYER_SHELL)) {
		/* The global is hidden from VM clients; this is a second fence. */
		wlr_layer_surface_v1_destroy(layer);
		return;
	}
	if (layer->output == NULL) {
		struct wlr_cursor *cursor = seat_cursor(server->seat);
		struct tinct_output *output = output_at(server, cursor->x, cursor->y);
		if (output == NULL) {
			wlr_layer_surface_v1_destroy(layer);
			return;
		}
		layer->output = output->wlr_output;
	}
	struct tinct_output *output = layer->output->data;
	if (output == NULL) {
		wlr_layer_surface_v1_destroy(layer);
		return;
	}

	struct tinct_layer_surface *surface = calloc(1, sizeof(*surface));
	if (surface == NULL) {
		wlr_layer_surface_v1_destroy(layer);
		return;
	}
	surface->server = server;
	surface->layer_surface = layer;
	surface->output = output;
	surface->node = wlr_scene_subsurface_tree_create(
		server->layers[scene_layer[layer->pending.layer]], layer->surface);
	if (surface->node == NULL) {
		free(surface);
		wlr_layer_surface_v1_destroy(layer);
		return;
	}
	surface->desc =
		(struct tinct_node_desc){.type = TINCT_NODE_LAYER_SURFACE, .owner = surface};
	surface->node->data = &surface->desc;
	wlr_scene_node_set_enabled(surface->node, false);
	layer->data = surface;

	surface->map.notify = handle_map;
	wl_signal_add(&layer->events.map, &surface->map);
	surface->unmap.notify = handle_unmap;
	wl_signal_add(&layer->events.unmap, &surface->unmap);
	surface->destroy.notify = handle_destroy;
	wl_signal_add(&layer->events.destroy, &surface->destroy);
	surface->commit.notify = handle_commit;
	wl_signal_add(&layer->surface->events.commit, &surface->commit);
	surface->output_destroy.notify = handle_output_destroy;
	wl_signal_add(&layer->output->events.destroy, &surface->output_destroy);
	wl_list_insert(&output->layer_surfaces[layer->pending.layer], &surface->link);

	/* Arrange with the requested state so the first configure is right. */
	struct wlr_layer_surface_v1_state saved = layer->current;
	layer->current = layer->pending;
	server_arrange(server);
	layer->current = saved;
}

struct wlr_scene_node *layer_shell_popup_parent(
	struct wlr_layer_surface_v1 *layer_surface, int *lx, int *ly)
{
	struct tinct_layer_surface *surface = layer_surface->data;
	if (surface == NULL) {
		return NULL;
	}
	*lx = surface->lx;
	*ly = surface->ly;
	return surface->node;
}

void layer_surface_handle_click(struct tinct_layer_surface *surface)
{
	struct wlr_layer_surface_v1 *layer = surface->layer_surface;
	if (layer->current.keyboard_interactive !=
		ZWLR_LAYER_SURFACE_V1_KEYBOARD_INTERACTIVITY_NONE) {
		seat_focus_surface(surface->server->seat, layer->surface);
	}
}
