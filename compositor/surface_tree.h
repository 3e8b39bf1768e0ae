/*
 * A client's surface tree (a surface and its subsurfaces, nested) as tinct
 * frames it: knowing when any surface of it changes, and showing only the
 * surfaces that lie within a bound.
 *
 * wlroots 0.15's scene cannot clip, and a client chooses its subsurfaces'
 * offsets, buffer sizes, buffer scales and viewport sizes. tinct cannot
 * crop a surface, so it hides every surface that does not fit entirely in
 * the bound (on the surface's own scene node, which wlroots' helpers never
 * enable or disable) and frames the rest.
 */
#ifndef TINCT_SURFACE_TREE_H
#define TINCT_SURFACE_TREE_H

#include <wayland-server-core.h>
#include <wlr/util/box.h>

struct wlr_scene_node;
struct wlr_surface;

/*
 * Calls changed after any surface of the tree rooted at root commits (a
 * desynchronised subsurface, or a synchronised one whose cached state its
 * parent applied), and when a subsurface is mapped or unmapped.
 */
struct tinct_surface_tree {
	struct wlr_surface *root;
	void (*changed)(struct tinct_surface_tree *tree);
	struct wl_list subsurfaces; // tinct_tree_subsurface.link
	struct wl_listener root_commit;
	struct wl_listener root_new_subsurface;
};

/* Starts watching root and every subsurface it has or will have. */
void surface_tree_init(struct tinct_surface_tree *tree, struct wlr_surface *root,
	void (*changed)(struct tinct_surface_tree *tree));
/* Stops watching; every listener goes. */
void surface_tree_finish(struct tinct_surface_tree *tree);

/*
 * The node of the surface tree in a scene node made by wlroots'
 * xdg-surface helper (its first child that tinct did not make), or NULL.
 */
struct wlr_scene_node *surface_tree_node(struct wlr_scene_node *xdg_node);

/*
 * Shows each surface under node (a tree made by wlroots' subsurface helper,
 * whose root surface is at (x, y) in bound's coordinates) that lies
 * entirely inside bound and hides the others. Subtrees tinct made (nodes
 * with data, e.g. nested popups) are left alone. Returns the box covering
 * the surfaces shown, in bound's coordinates; empty when none is.
 */
struct wlr_box surface_tree_clip(struct wlr_scene_node *node, int x, int y, struct wlr_box bound);

#endif
