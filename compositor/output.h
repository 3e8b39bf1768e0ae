/*
 * Outputs: one tinct_output per wlr_output, placed in the layout, drawn by
 * render.c (or the scene, where render.c does not apply) on frame events that
 * bring damage. Also output management and output power requests.
 */
#ifndef TINCT_OUTPUT_H
#define TINCT_OUTPUT_H

#include <wayland-server-core.h>
#include <wlr/util/box.h>

#include "compositor/render.h"

struct tinct_server;

struct tinct_output {
	struct tinct_server *server;
	struct wlr_output *wlr_output;
	struct wlr_scene_output *scene_output;
	struct wlr_scene_rect *background;
	struct wlr_scene_buffer *panel_bar; // drawn by panel.c
	bool drawing; // the last frame event rendered something
	struct tinct_render_pass render_pass;
	bool own_render_pass; // the last frame was drawn by render_pass, not the scene

	/* Output area minus exclusive zones, layout coordinates. */
	struct wlr_box usable_area;
	struct wl_list layer_surfaces[4]; // tinct_layer_surface.link, by layer

	struct wl_listener frame;
	struct wl_listener destroy;
	struct wl_listener mode;
	struct wl_list link; // tinct_server.outputs
};

void output_handle_new(struct wl_listener *listener, void *data);
void output_manager_handle_apply(struct wl_listener *listener, void *data);
void output_manager_handle_test(struct wl_listener *listener, void *data);
void output_power_handle_set_mode(struct wl_listener *listener, void *data);
void output_layout_handle_change(struct wl_listener *listener, void *data);

/* The output at layout point (lx, ly), or the first one; NULL if none. */
struct tinct_output *output_at(struct tinct_server *server, double lx, double ly);

/* Layout box of output. */
struct wlr_box output_layout_box(struct tinct_output *output);

#endif
