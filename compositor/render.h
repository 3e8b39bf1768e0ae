/*
 * tinct's own render pass over the scene, for the pixman renderer: each node
 * draws only the damaged part that no opaque node above it covers, opaque
 * pixels are copied rather than blended, and only what nothing opaque covers
 * is cleared. Outputs it does not handle (another renderer, a transformed
 * output) are left to wlr_scene_output_commit.
 */
#ifndef TINCT_RENDER_H
#define TINCT_RENDER_H

#include <stdbool.h>
#include <wayland-util.h>

struct wlr_output;
struct wlr_presentation;
struct wlr_scene_output;

/* Per output; its memory is reused from frame to frame. */
struct tinct_render_pass {
	struct wl_array nodes; // struct render_node, this frame's visible nodes
};

void render_pass_init(struct tinct_render_pass *pass);
void render_pass_finish(struct tinct_render_pass *pass);

/* Whether render_pass_commit can draw output: the pixman renderer, no transform. */
bool render_pass_supports(struct wlr_output *output);

/*
 * Whether scene_output has anything new to show: damage, or a frame asked
 * for (a screencopy, say). Without it a frame event needs no render work.
 */
bool render_needs_frame(struct wlr_scene_output *scene_output);

/*
 * Draws the damaged part of scene_output and commits it, as
 * wlr_scene_output_commit does (damage tracking, software cursors,
 * presentation feedback for every surface on it; no direct scan-out). The
 * caller sends frame callbacks (wlr_scene_output_send_frame_done). Returns
 * false if the output could not be drawn or committed.
 */
bool render_pass_commit(struct tinct_render_pass *pass, struct wlr_scene_output *scene_output,
	struct wlr_presentation *presentation);

#endif
