/*
 * The render pass (see render.h). wlroots 0.15's wlr_scene_output_commit
 * clears the whole damaged area and then draws every node under it, bottom to
 * top, blending each: with overlapping windows most pixels are written
 * several times. Here a frame is:
 *
 *   1. collect: walk the scene in drawing order, listing the enabled nodes
 *      that touch the damage, each with its box and the part of it that is
 *      opaque, in output buffer coordinates;
 *   2. occlude: top to bottom, give each node the damage in its box minus
 *      what opaque nodes above it cover;
 *   3. clear what no opaque node covers, then draw the nodes bottom to top,
 *      each in its own part only.
 *
 * A node's opaque part is its whole box for an opaque rect or an opaque
 * texture format (XRGB8888), else the surface's opaque region
 * (wl_surface.set_opaque_region), scaled inwards to whole pixels. Opaque
 * pixels are written with PIXMAN_OP_SRC: a client that declares an opaque
 * region and draws translucent pixels in it shows its own pixels there, never
 * what the buffer held before. Textures at whole-pixel positions without
 * scaling or transform are composited with no pixman transform at all (a
 * straight copy when opaque); the rest goes through a pixman transform built
 * the way wlroots' pixman renderer builds it, with nearest sampling.
 */
#include "compositor/render.h"

#include <math.h>
#include <pixman.h>
#include <wlr/render/pixman.h>
#include <wlr/render/wlr_renderer.h>
#include <wlr/render/wlr_texture.h>
#include <wlr/types/wlr_buffer.h>
#include <wlr/types/wlr_matrix.h>
#include <wlr/types/wlr_output.h>
#include <wlr/types/wlr_output_damage.h>
#include <wlr/types/wlr_presentation_time.h>
#include <wlr/types/wlr_scene.h>
#include <wlr/types/wlr_surface.h>
#include <wlr/util/box.h>
#include <wlr/util/log.h>

struct render_node {
	struct wlr_scene_node *node;
	struct wlr_box box; // output buffer coordinates
	const float *colour; // rects: premultiplied RGBA
	struct wlr_texture *texture; // surfaces and buffers
	struct wlr_buffer *source; // the pixels texture reads; NULL if its own
	struct wlr_fbox src; // buffer pixels drawn into box
	enum wl_output_transform transform; // of the buffer
	bool direct; // src maps onto box by a whole-pixel translation
	pixman_region32_t opaque; // inside box
	pixman_region32_t draw; // this frame's part
};

struct collect_state {
	struct tinct_render_pass *pass;
	struct wlr_output *output;
	struct wlr_presentation *presentation;
	pixman_region32_t *damage;
};

void render_pass_init(struct tinct_render_pass *pass)
{
	wl_array_init(&pass->nodes);
}

void render_pass_finish(struct tinct_render_pass *pass)
{
	wl_array_release(&pass->nodes);
	wl_array_init(&pass->nodes);
}

bool render_pass_supports(struct wlr_output *output)
{
	return output->renderer != NULL && wlr_renderer_is_pixman(output->renderer) &&
	       output->transform == WL_OUTPUT_TRANSFORM_NORMAL;
}

bool render_needs_frame(struct wlr_scene_output *scene_output)
{
	return scene_output->output->needs_frame ||
	       pixman_region32_not_empty(&scene_output->damage->current);
}

/* The length from offset to offset + length, scaled, as wlroots' scene rounds it. */
static int scale_length(int length, int offset, float scale)
{
	return (int)(round((offset + length) * scale) - round(offset * scale));
}

static struct wlr_box scale_box(struct wlr_box box, float scale)
{
	return (struct wlr_box){
		.x = (int)round(box.x * scale),
		.y = (int)round(box.y * scale),
		.width = scale_length(box.width, box.x, scale),
		.height = scale_length(box.height, box.y, scale),
	};
}

/* region (surface-local) of a surface at (x, y): the whole output pixels it covers. */
static void scale_region_inwards(
	pixman_region32_t *dst, pixman_region32_t *region, int x, int y, float scale)
{
	int n;
	pixman_box32_t *rects = pixman_region32_rectangles(region, &n);
	for (int i = 0; i < n; i++) {
		int x1 = (int)ceil((x + rects[i].x1) * scale);
		int y1 = (int)ceil((y + rects[i].y1) * scale);
		int x2 = (int)floor((x + rects[i].x2) * scale);
		int y2 = (int)floor((y + rects[i].y2) * scale);
		if (x2 > x1 && y2 > y1) {
			pixman_region32_union_rect(
				dst, dst, x1, y1, (unsigned)(x2 - x1), (unsigned)(y2 - y1));
		}
	}
}

/* As the scene does it: a client buffer's own texture, else one made once. */
static struct wlr_texture *buffer_texture(
	struct wlr_scene_buffer *scene_buffer, struct wlr_renderer *renderer)
{
	struct wlr_client_buffer *client_buffer = wlr_client_buffer_get(scene_buffer->buffer);
	if (client_buffer != NULL) {
		return client_buffer->texture;
	}
	if (scene_buffer->texture == NULL) {
		/* Owned by the scene node, which destroys it with itself. */
		scene_buffer->texture = wlr_texture_from_buffer(renderer, scene_buffer->buffer);
	}
	return scene_buffer->texture;
}

/* Fills n with node's box, texture and source; false if it shows nothing. */
static bool describe_surface(struct collect_state *state, struct wlr_scene_node *node,
	struct render_node *n, int *width, int *height)
{
	struct wlr_scene_surface *scene_surface = wlr_scene_surface_from_node(node);
	struct wlr_surface *surface = scene_surface->surface;
	n->texture = wlr_surface_get_texture(surface);
	if (n->texture == NULL) {
		return false;
	}
	/*
	 * Like the scene: every surface shown on this output counts as sampled
	 * in this frame, drawn or occluded, so that presentation feedback and
	 * the clients throttling on it behave as they do with the scene.
	 */
	if (state->presentation != NULL && scene_surface->primary_output == state->output) {
		wlr_presentation_surface_sampled_on_output(
			state->presentation, surface, state->output);
	}
	*width = surface->current.width;
	*height = surface->current.height;
	wlr_surface_get_buffer_source_box(surface, &n->src);
	n->transform = surface->current.transform;
	n->source = surface->buffer != NULL ? surface->buffer->source : NULL;
	return true;
}

static bool describe_buffer(struct collect_state *state, struct wlr_scene_node *node,
	struct render_node *n, int *width, int *height)
{
	struct wlr_scene_buffer *scene_buffer = wl_container_of(node, scene_buffer, node);
	if (scene_buffer->buffer == NULL) {
		return false;
	}
	n->texture = buffer_texture(scene_buffer, state->output->renderer);
	if (n->texture == NULL) {
		return false;
	}
	n->transform = scene_buffer->transform;
	if (scene_buffer->dst_width > 0 && scene_buffer->dst_height > 0) {
		*width = scene_buffer->dst_width;
		*height = scene_buffer->dst_height;
	} else if (n->transform & WL_OUTPUT_TRANSFORM_90) {
		*width = scene_buffer->buffer->height;
		*height = scene_buffer->buffer->width;
	} else {
		*width = scene_buffer->buffer->width;
		*height = scene_buffer->buffer->height;
	}
	/*
	 * No source box means the whole buffer (as wlr_scene.h documents; the
	 * 0.15 scene itself samples a box of the destination's size instead,
	 * which crops a buffer drawn at another scale).
	 */
	n->src = scene_buffer->src_box;
	if (wlr_fbox_empty(&n->src)) {
		n->src =
			(struct wlr_fbox){.width = n->texture->width, .height = n->texture->height};
	}
	struct wlr_client_buffer *client_buffer = wlr_client_buffer_get(scene_buffer->buffer);
	n->source = client_buffer != NULL ? client_buffer->source : scene_buffer->buffer;
	return true;
}

static bool is_whole(double v)
{
	return v == floor(v);
}

/* Lists node if it shows something in the damage; (x, y) in output-local layout units. */
static void add_node(struct collect_state *state, struct wlr_scene_node *node, int x, int y)
{
	struct render_node n = {.node = node, .transform = WL_OUTPUT_TRANSFORM_NORMAL};
	int width = 0, height = 0;
	switch (node->type) {
	case WLR_SCENE_NODE_ROOT:
	case WLR_SCENE_NODE_TREE:
		return;
	case WLR_SCENE_NODE_SURFACE:
		if (!describe_surface(state, node, &n, &width, &height)) {
			return;
		}
		break;
	case WLR_SCENE_NODE_RECT:;
		struct wlr_scene_rect *rect = wl_container_of(node, rect, node);
		n.colour = rect->color;
		width = rect->width;
		height = rect->height;
		break;
	case WLR_SCENE_NODE_BUFFER:
		if (!describe_buffer(state, node, &n, &width, &height)) {
			return;
		}
		break;
	}
	float scale = state->output->scale;
	n.box = scale_box((struct wlr_box){x, y, width, height}, scale);
	if (n.box.width <= 0 || n.box.height <= 0) {
		return;
	}
	pixman_box32_t extents = {n.box.x, n.box.y, n.box.x + n.box.width, n.box.y + n.box.height};
	if (pixman_region32_contains_rectangle(state->damage, &extents) == PIXMAN_REGION_OUT) {
		return;
	}
	n.direct = n.texture != NULL && n.transform == WL_OUTPUT_TRANSFORM_NORMAL &&
		   n.src.width == n.box.width && n.src.height == n.box.height &&
		   is_whole(n.src.x) && is_whole(n.src.y);

	pixman_region32_init(&n.opaque);
	pixman_region32_init(&n.draw);
	if (n.colour != NULL ? n.colour[3] >= 1.0f : wlr_texture_is_opaque(n.texture)) {
		pixman_region32_union_rect(&n.opaque, &n.opaque, n.box.x, n.box.y,
			(unsigned)n.box.width, (unsigned)n.box.height);
	} else if (node->type == WLR_SCENE_NODE_SURFACE) {
		struct wlr_surface *surface = wlr_scene_surface_from_node(node)->surface;
		scale_region_inwards(&n.opaque, &surface->opaque_region, x, y, scale);
		pixman_region32_intersect_rect(&n.opaque, &n.opaque, n.box.x, n.box.y,
			(unsigned)n.box.width, (unsigned)n.box.height);
	}

	struct render_node *slot = wl_array_add(&state->pass->nodes, sizeof(*slot));
	if (slot == NULL) {
		wlr_log(WLR_ERROR, "cannot list a scene node to draw");
		pixman_region32_fini(&n.opaque);
		pixman_region32_fini(&n.draw);
		return;
	}
	*slot = n;
}

static void collect(struct collect_state *state, struct wlr_scene_node *node, int x, int y)
{
	if (!node->state.enabled) {
		return;
	}
	x += node->state.x;
	y += node->state.y;
	add_node(state, node, x, y);
	struct wlr_scene_node *child;
	wl_list_for_each (child, &node->state.children, state.link) {
		collect(state, child, x, y);
	}
}

static void fill_region(
	pixman_image_t *target, pixman_op_t op, const float colour[4], pixman_region32_t *region)
{
	int n;
	pixman_box32_t *boxes = pixman_region32_rectangles(region, &n);
	if (n == 0) {
		return;
	}
	/* The conversion wlroots' pixman renderer uses. */
	pixman_color_t c = {
		.red = (uint16_t)(colour[0] * 0xffff),
		.green = (uint16_t)(colour[1] * 0xffff),
		.blue = (uint16_t)(colour[2] * 0xffff),
		.alpha = (uint16_t)(colour[3] * 0xffff),
	};
	pixman_image_fill_boxes(op, target, &c, n, boxes);
}

/* Composites region of target from image; source = destination + (dx, dy). */
static void composite_region(pixman_op_t op, pixman_image_t *image, pixman_image_t *target,
	pixman_region32_t *region, int dx, int dy)
{
	int n;
	pixman_box32_t *boxes = pixman_region32_rectangles(region, &n);
	for (int i = 0; i < n; i++) {
		pixman_box32_t *b = &boxes[i];
		pixman_image_composite32(op, image, NULL, target, b->x1 + dx, b->y1 + dy, 0, 0,
			b->x1, b->y1, b->x2 - b->x1, b->y2 - b->y1);
	}
}

/* The pixman transform from output pixels to n's buffer pixels. */
static void set_buffer_transform(pixman_image_t *image, struct render_node *n)
{
	float m[9], identity[9];
	wlr_matrix_identity(identity);
	wlr_matrix_project_box(
		m, &n->box, wlr_output_transform_invert(n->transform), 0.0f, identity);
	/* m maps the unit square onto the box; make it map src onto the box. */
	wlr_matrix_scale(m, 1.0f / (float)n->src.width, 1.0f / (float)n->src.height);
	wlr_matrix_translate(m, (float)-n->src.x, (float)-n->src.y);
	struct pixman_f_transform forward, inverse;
	for (int i = 0; i < 3; i++) {
		for (int j = 0; j < 3; j++) {
			forward.m[i][j] = m[i * 3 + j];
		}
	}
	struct pixman_transform transform;
	if (!pixman_f_transform_invert(&inverse, &forward) ||
		!pixman_transform_from_pixman_f_transform(&transform, &inverse)) {
		pixman_transform_init_identity(&transform);
	}
	pixman_image_set_transform(image, &transform);
}

/*
 * The client resized its wl_shm pool since the texture was made, and its
 * pixels moved: the renderer knows where (its texture refers to them) and
 * draws them, blending, once (it then keeps its image up to date). Where the
 * node is opaque it draws over black, so that nothing stale shows through
 * translucent pixels in a declared opaque region.
 */
static void draw_texture_by_renderer(
	struct wlr_output *output, pixman_image_t *target, struct render_node *n)
{
	pixman_region32_t part;
	pixman_region32_init(&part);
	pixman_region32_intersect(&part, &n->draw, &n->opaque);
	fill_region(target, PIXMAN_OP_SRC, (float[4]){0.0f, 0.0f, 0.0f, 1.0f}, &part);
	pixman_region32_fini(&part);

	float matrix[9];
	wlr_matrix_project_box(matrix, &n->box, wlr_output_transform_invert(n->transform), 0.0f,
		output->transform_matrix);
	int count;
	pixman_box32_t *rects = pixman_region32_rectangles(&n->draw, &count);
	for (int i = 0; i < count; i++) {
		struct wlr_box box = {
			.x = rects[i].x1,
			.y = rects[i].y1,
			.width = rects[i].x2 - rects[i].x1,
			.height = rects[i].y2 - rects[i].y1,
		};
		wlr_renderer_scissor(output->renderer, &box);
		wlr_render_subtexture_with_matrix(
			output->renderer, n->texture, &n->src, matrix, 1.0f);
	}
	wlr_renderer_scissor(output->renderer, NULL);
}

static void draw_texture(struct wlr_output *output, pixman_image_t *target, struct render_node *n)
{
	pixman_image_t *image = wlr_pixman_texture_get_image(n->texture);
	/*
	 * Read access also guards against a client shrinking its wl_shm pool
	 * under us (wl_shm_buffer_begin_access), as the renderer's does.
	 */
	if (n->source != NULL) {
		void *data;
		uint32_t format;
		size_t stride;
		if (!wlr_buffer_begin_data_ptr_access(
			    n->source, WLR_BUFFER_DATA_PTR_ACCESS_READ, &data, &format, &stride)) {
			return;
		}
		if (data != pixman_image_get_data(image)) {
			wlr_buffer_end_data_ptr_access(n->source);
			wlr_log(WLR_DEBUG, "a client's pixels moved (wl_shm pool resized)");
			draw_texture_by_renderer(output, target, n);
			return;
		}
	}

	int dx = 0, dy = 0;
	if (n->direct) {
		/* The renderer leaves its last transform on the image. */
		pixman_image_set_transform(image, NULL);
		dx = (int)n->src.x - n->box.x;
		dy = (int)n->src.y - n->box.y;
	} else {
		set_buffer_transform(image, n);
	}
	pixman_region32_t part;
	pixman_region32_init(&part);
	pixman_region32_intersect(&part, &n->draw, &n->opaque);
	composite_region(PIXMAN_OP_SRC, image, target, &part, dx, dy);
	pixman_region32_subtract(&part, &n->draw, &n->opaque);
	composite_region(PIXMAN_OP_OVER, image, target, &part, dx, dy);
	pixman_region32_fini(&part);

	if (n->source != NULL) {
		wlr_buffer_end_data_ptr_access(n->source);
	}
}

static void draw_node(struct wlr_output *output, pixman_image_t *target, struct render_node *n)
{
	if (!pixman_region32_not_empty(&n->draw)) {
		return;
	}
	if (n->colour != NULL) {
		fill_region(target, n->colour[3] >= 1.0f ? PIXMAN_OP_SRC : PIXMAN_OP_OVER,
			n->colour, &n->draw);
	} else {
		draw_texture(output, target, n);
	}
}

/* Steps 2 and 3 of the file comment, in damage (output buffer coordinates). */
static void draw_nodes(struct tinct_render_pass *pass, struct wlr_output *output,
	pixman_image_t *target, pixman_region32_t *damage)
{
	struct render_node *nodes = pass->nodes.data;
	size_t count = pass->nodes.size / sizeof(*nodes);
	pixman_region32_t covered;
	pixman_region32_init(&covered);
	for (size_t i = count; i-- > 0;) {
		struct render_node *n = &nodes[i];
		pixman_region32_intersect_rect(&n->draw, damage, n->box.x, n->box.y,
			(unsigned)n->box.width, (unsigned)n->box.height);
		pixman_region32_subtract(&n->draw, &n->draw, &covered);
		if (pixman_region32_not_empty(&n->opaque)) {
			pixman_region32_union(&covered, &covered, &n->opaque);
		}
	}
	pixman_region32_t clear;
	pixman_region32_init(&clear);
	pixman_region32_subtract(&clear, damage, &covered);
	fill_region(target, PIXMAN_OP_SRC, (float[4]){0.0f, 0.0f, 0.0f, 1.0f}, &clear);
	pixman_region32_fini(&clear);
	pixman_region32_fini(&covered);

	for (size_t i = 0; i < count; i++) {
		draw_node(output, target, &nodes[i]);
		pixman_region32_fini(&nodes[i].opaque);
		pixman_region32_fini(&nodes[i].draw);
	}
	pass->nodes.size = 0;
}

bool render_pass_commit(struct tinct_render_pass *pass, struct wlr_scene_output *scene_output,
	struct wlr_presentation *presentation)
{
	struct wlr_output *output = scene_output->output;
	struct wlr_renderer *renderer = output->renderer;

	bool needs_frame;
	pixman_region32_t damage;
	pixman_region32_init(&damage);
	if (!wlr_output_damage_attach_render(scene_output->damage, &needs_frame, &damage)) {
		pixman_region32_fini(&damage);
		return false;
	}
	if (!needs_frame) {
		pixman_region32_fini(&damage);
		wlr_output_rollback(output);
		return true;
	}

	/* Before wlr_renderer_begin: collecting may import buffers as textures. */
	struct collect_state state = {
		.pass = pass,
		.output = output,
		.presentation = presentation,
		.damage = &damage,
	};
	collect(&state, &scene_output->scene->node, -scene_output->x, -scene_output->y);

	wlr_renderer_begin(renderer, (uint32_t)output->width, (uint32_t)output->height);
	/* No clip left over from an earlier wlr_renderer_scissor. */
	wlr_renderer_scissor(renderer, NULL);
	pixman_image_t *target = wlr_pixman_renderer_get_current_image(renderer);
	draw_nodes(pass, output, target, &damage);

	wlr_output_render_software_cursors(output, &damage);
	wlr_renderer_end(renderer);
	pixman_region32_fini(&damage);

	/* No output transform here: buffer and output coordinates agree. */
	wlr_output_set_damage(output, &scene_output->damage->current);
	return wlr_output_commit(output);
}
