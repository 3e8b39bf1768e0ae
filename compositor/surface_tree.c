/*
 * Surface trees: a listener set per subsurface (commit, new subsurface,
 * map, unmap, destroy) so that tinct hears about every surface of a tree,
 * and the clip that hides what lies outside a bound. See surface_tree.h.
 */
#include "compositor/surface_tree.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <wlr/types/wlr_scene.h>
#include <wlr/types/wlr_surface.h>
#include <wlr/util/log.h>

struct tinct_tree_subsurface {
	struct tinct_surface_tree *tree;
	struct wlr_subsurface *subsurface;
	struct wl_listener commit;
	struct wl_listener new_subsurface;
	struct wl_listener map;
	struct wl_listener unmap;
	struct wl_listener destroy;
	struct wl_list link; // tinct_surface_tree.subsurfaces
};

static void watch_subsurface(struct tinct_surface_tree *tree, struct wlr_subsurface *subsurface);

static void subsurface_free(struct tinct_tree_subsurface *sub)
{
	wl_list_remove(&sub->commit.link);
	wl_list_remove(&sub->new_subsurface.link);
	wl_list_remove(&sub->map.link);
	wl_list_remove(&sub->unmap.link);
	wl_list_remove(&sub->destroy.link);
	wl_list_remove(&sub->link);
	free(sub);
}

static void handle_subsurface_commit(struct wl_listener *listener, void *data)
{
	struct tinct_tree_subsurface *sub = wl_container_of(listener, sub, commit);
	sub->tree->changed(sub->tree);
}

static void handle_subsurface_new_subsurface(struct wl_listener *listener, void *data)
{
	struct tinct_tree_subsurface *sub = wl_container_of(listener, sub, new_subsurface);
	watch_subsurface(sub->tree, data);
}

static void handle_subsurface_map(struct wl_listener *listener, void *data)
{
	struct tinct_tree_subsurface *sub = wl_container_of(listener, sub, map);
	sub->tree->changed(sub->tree);
}

static void handle_subsurface_unmap(struct wl_listener *listener, void *data)
{
	struct tinct_tree_subsurface *sub = wl_container_of(listener, sub, unmap);
	sub->tree->changed(sub->tree);
}

static void handle_subsurface_destroy(struct wl_listener *listener, void *data)
{
	/*
	 * Its scene node goes with it; the frame may stay larger than needed
	 * until the next commit, never smaller.
	 */
	struct tinct_tree_subsurface *sub = wl_container_of(listener, sub, destroy);
	subsurface_free(sub);
}

/* Watches subsurface, then every subsurface it already has (recursively). */
static void watch_subsurface(struct tinct_surface_tree *tree, struct wlr_subsurface *subsurface)
{
	struct tinct_tree_subsurface *sub = calloc(1, sizeof(*sub));
	if (sub == NULL) {
		/* Unwatched, its commits would escape the frame: refuse it. */
		wlr_log_errno(WLR_ERROR, "cannot watch a subsurface");
		wl_resource_post_no_memory(subsurface->resource);
		return;
	}
	sub->tree = tree;
	sub->subsurface = subsurface;
	sub->commit.notify = handle_subsurface_commit;
	wl_signal_add(&subsurface->surface->events.commit, &sub->commit);
	sub->new_subsurface.notify = handle_subsurface_new_subsurface;
	wl_signal_add(&subsurface->surface->events.new_subsurface, &sub->new_subsurface);
	sub->map.notify = handle_subsurface_map;
	wl_signal_add(&subsurface->events.map, &sub->map);
	sub->unmap.notify = handle_subsurface_unmap;
	wl_signal_add(&subsurface->events.unmap, &sub->unmap);
	sub->destroy.notify = handle_subsurface_destroy;
	wl_signal_add(&subsurface->events.destroy, &sub->destroy);
	wl_list_insert(&tree->subsurfaces, &sub->link);

	/* The pending lists hold every child, committed or not. */
	struct wlr_subsurface *child;
	wl_list_for_each (child, &subsurface->surface->pending.subsurfaces_below, pending.link) {
		watch_subsurface(tree, child);
	}
	wl_list_for_each (child, &subsurface->surface->pending.subsurfaces_above, pending.link) {
		watch_subsurface(tree, child);
	}
}

static void handle_root_commit(struct wl_listener *listener, void *data)
{
	struct tinct_surface_tree *tree = wl_container_of(listener, tree, root_commit);
	tree->changed(tree);
}

static void handle_root_new_subsurface(struct wl_listener *listener, void *data)
{
	struct tinct_surface_tree *tree = wl_container_of(listener, tree, root_new_subsurface);
	watch_subsurface(tree, data);
}

void surface_tree_init(struct tinct_surface_tree *tree, struct wlr_surface *root,
	void (*changed)(struct tinct_surface_tree *tree))
{
	tree->root = root;
	tree->changed = changed;
	wl_list_init(&tree->subsurfaces);
	tree->root_commit.notify = handle_root_commit;
	wl_signal_add(&root->events.commit, &tree->root_commit);
	tree->root_new_subsurface.notify = handle_root_new_subsurface;
	wl_signal_add(&root->events.new_subsurface, &tree->root_new_subsurface);
	struct wlr_subsurface *child;
	wl_list_for_each (child, &root->pending.subsurfaces_below, pending.link) {
		watch_subsurface(tree, child);
	}
	wl_list_for_each (child, &root->pending.subsurfaces_above, pending.link) {
		watch_subsurface(tree, child);
	}
}

void surface_tree_finish(struct tinct_surface_tree *tree)
{
	wl_list_remove(&tree->root_commit.link);
	wl_list_remove(&tree->root_new_subsurface.link);
	struct tinct_tree_subsurface *sub, *tmp;
	wl_list_for_each_safe (sub, tmp, &tree->subsurfaces, link) {
		subsurface_free(sub);
	}
}

struct wlr_scene_node *surface_tree_node(struct wlr_scene_node *xdg_node)
{
	struct wlr_scene_node *child;
	wl_list_for_each (child, &xdg_node->state.children, state.link) {
		if (child->data == NULL) {
			return child;
		}
	}
	return NULL;
}

struct clip {
	struct wlr_box bound;
	bool any;
	int64_t x1, y1, x2, y2; // what is shown
};

/* (x, y): the origin of node's parent in the bound's coordinates. */
static void clip_node(
	struct wlr_scene_node *node, int64_t x, int64_t y, bool visible, struct clip *clip)
{
	x += node->state.x;
	y += node->state.y;
	if (node->type == WLR_SCENE_NODE_SURFACE) {
		struct wlr_surface *surface = wlr_scene_surface_from_node(node)->surface;
		int64_t w = surface->current.width, h = surface->current.height;
		const struct wlr_box *b = &clip->bound;
		bool inside = w > 0 && h > 0 && x >= b->x && y >= b->y &&
			      x + w <= (int64_t)b->x + b->width &&
			      y + h <= (int64_t)b->y + b->height;
		if (node->state.enabled != inside) {
			wlr_scene_node_set_enabled(node, inside);
		}
		if (inside && visible) {
			if (!clip->any || x < clip->x1) {
				clip->x1 = x;
			}
			if (!clip->any || y < clip->y1) {
				clip->y1 = y;
			}
			if (!clip->any || x + w > clip->x2) {
				clip->x2 = x + w;
			}
			if (!clip->any || y + h > clip->y2) {
				clip->y2 = y + h;
			}
			clip->any = true;
		}
		return;
	}
	visible = visible && node->state.enabled;
	struct wlr_scene_node *child;
	wl_list_for_each (child, &node->state.children, state.link) {
		/* Ours, not the client's: nested popups have their own clip. */
		if (child->data == NULL) {
			clip_node(child, x, y, visible, clip);
		}
	}
}

struct wlr_box surface_tree_clip(struct wlr_scene_node *node, int x, int y, struct wlr_box bound)
{
	struct clip clip = {.bound = bound};
	clip_node(node, x - node->state.x, y - node->state.y, true, &clip);
	if (!clip.any) {
		return (struct wlr_box){0};
	}
	/* Inside bound, so within int. */
	return (struct wlr_box){
		.x = (int)clip.x1,
		.y = (int)clip.y1,
		.width = (int)(clip.x2 - clip.x1),
		.height = (int)(clip.y2 - clip.y1),
	};
}
