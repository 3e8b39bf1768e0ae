/*
 * wlr-layer-shell: panels, docks, backgrounds, lock screens and launchers
 * from host clients. Surfaces are arranged per output, exclusive zones first,
 * and shrink the output's usable area that views are placed and maximised in.
 */
#ifndef TINCT_LAYER_SHELL_H
#define TINCT_LAYER_SHELL_H

#include <wayland-server-core.h>

#include "compositor/server.h"

struct tinct_output;
struct wlr_layer_surface_v1;

struct tinct_layer_surface {
	struct tinct_server *server;
	struct wlr_layer_surface_v1 *layer_surface;
	struct tinct_output *output;
	struct wlr_scene_node *node; // subsurface tree, freed with the surface
	struct tinct_node_desc desc;
	int lx, ly; // position, layout coordinates
	bool mapped;

	struct wl_listener map;
	struct wl_listener unmap;
	struct wl_listener destroy;
	struct wl_listener commit;
	struct wl_listener output_destroy;
	struct wl_list link; // tinct_output.layer_surfaces[layer]
};

void layer_shell_handle_new_surface(struct wl_listener *listener, void *data);

/* Places every layer surface of output and computes its usable area. */
void layer_shell_arrange(struct tinct_output *output);

/* Closes the layer surfaces of an output that is going away. */
void layer_shell_output_destroyed(struct tinct_output *output);

/* The scene node popups of layer_surface attach to, and its layout position. */
struct wlr_scene_node *layer_shell_popup_parent(
	struct wlr_layer_surface_v1 *layer_surface, int *lx, int *ly);

/* A click on a layer surface: on-demand keyboard interactivity takes focus. */
void layer_surface_handle_click(struct tinct_layer_surface *surface);

#endif
