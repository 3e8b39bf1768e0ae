/*
 * A wlr_buffer whose pixels live in a cairo image surface. The pixman
 * renderer and the GLES renderer both read it through data-pointer access.
 */
#include "compositor/text.h"

#include <cairo.h>
#include <math.h>
#include <drm_fourcc.h>
#include <pango/pangocairo.h>
#include <stdlib.h>
#include <wlr/types/wlr_buffer.h>
#include <wlr/util/log.h>

struct text_buffer {
	struct wlr_buffer base;
	cairo_surface_t *surface;
};

static void text_buffer_destroy(struct wlr_buffer *wlr_buffer)
{
	struct text_buffer *buffer = wl_container_of(wlr_buffer, buffer, base);
	cairo_surface_destroy(buffer->surface);
	free(buffer);
}

static bool text_buffer_begin_data_ptr_access(struct wlr_buffer *wlr_buffer, uint32_t flags,
	void **data, uint32_t *format, size_t *stride)
{
	struct text_buffer *buffer = wl_container_of(wlr_buffer, buffer, base);
	if (flags & WLR_BUFFER_DATA_PTR_ACCESS_WRITE) {
		return false;
	}
	*data = cairo_image_surface_get_data(buffer->surface);
	*format = DRM_FORMAT_ARGB8888;
	*stride = (size_t)cairo_image_surface_get_stride(buffer->surface);
	return true;
}

static void text_buffer_end_data_ptr_access(struct wlr_buffer *wlr_buffer)
{
}

static const struct wlr_buffer_impl text_buffer_impl = {
	.destroy = text_buffer_destroy,
	.begin_data_ptr_access = text_buffer_begin_data_ptr_access,
	.end_data_ptr_access = text_buffer_end_data_ptr_access,
};

static PangoLayout *make_layout(cairo_t *cairo, const char *text, const char *font)
{
	PangoLayout *layout = pango_cairo_create_layout(cairo);
	PangoFontDescription *desc = pango_font_description_from_string(font);
	pango_layout_set_font_description(layout, desc);
	pango_font_description_free(desc);
	/* Titles are plain text: never interpret markup from a client. */
	pango_layout_set_text(layout, text, -1);
	pango_layout_set_single_paragraph_mode(layout, TRUE);
	return layout;
}

int text_width(const char *text, const char *font)
{
	cairo_surface_t *surface = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, 1, 1);
	cairo_t *cairo = cairo_create(surface);
	PangoLayout *layout = make_layout(cairo, text, font);
	int width, height;
	pango_layout_get_pixel_size(layout, &width, &height);
	g_object_unref(layout);
	cairo_destroy(cairo);
	cairo_surface_destroy(surface);
	return width;
}

struct wlr_buffer *cairo_buffer_create(
	int width, int height, float scale, void (*draw)(cairo_t *cairo, void *data), void *data)
{
	if (width <= 0 || height <= 0) {
		return NULL;
	}
	if (!(scale >= 1.0f && scale <= 10.0f)) {
		scale = 1.0f;
	}
	int logical_w = width, logical_h = height;
	width = (int)ceilf((float)width * scale);
	height = (int)ceilf((float)height * scale);
	struct text_buffer *buffer = calloc(1, sizeof(*buffer));
	if (buffer == NULL) {
		wlr_log_errno(WLR_ERROR, "cannot allocate a drawing buffer");
		return NULL;
	}
	buffer->surface = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, width, height);
	if (cairo_surface_status(buffer->surface) != CAIRO_STATUS_SUCCESS) {
		wlr_log(WLR_ERROR, "cannot create a %dx%d cairo surface", width, height);
		cairo_surface_destroy(buffer->surface);
		free(buffer);
		return NULL;
	}
	cairo_t *cairo = cairo_create(buffer->surface);
	cairo_scale(cairo, (double)width / logical_w, (double)height / logical_h);
	draw(cairo, data);
	cairo_destroy(cairo);
	cairo_surface_flush(buffer->surface);
	wlr_buffer_init(&buffer->base, &text_buffer_impl, width, height);
	return &buffer->base;
}

void cairo_set_colour(cairo_t *cairo, struct tinct_colour colour)
{
	cairo_set_source_rgba(cairo, colour.r, colour.g, colour.b, colour.a);
}

int text_draw(cairo_t *cairo, const char *text, const char *font, struct tinct_colour fg, int x,
	int y, int width, int height)
{
	if (text == NULL || text[0] == '\0' || width <= 0) {
		return 0;
	}
	PangoLayout *layout = make_layout(cairo, text, font);
	pango_layout_set_width(layout, width * PANGO_SCALE);
	pango_layout_set_ellipsize(layout, PANGO_ELLIPSIZE_END);
	int text_w, text_h;
	pango_layout_get_pixel_size(layout, &text_w, &text_h);
	cairo_set_colour(cairo, fg);
	cairo_move_to(cairo, x, y + (height - text_h) / 2.0);
	pango_cairo_show_layout(cairo, layout);
	g_object_unref(layout);
	return text_w;
}

struct text_job {
	const char *text;
	const char *font;
	struct tinct_colour fg, bg;
	int width, height, padding;
};

static void draw_text_job(cairo_t *cairo, void *data)
{
	struct text_job *job = data;
	cairo_set_operator(cairo, CAIRO_OPERATOR_SOURCE);
	cairo_set_colour(cairo, job->bg);
	cairo_paint(cairo);
	cairo_set_operator(cairo, CAIRO_OPERATOR_OVER);
	text_draw(cairo, job->text, job->font, job->fg, job->padding, 0,
		job->width - 2 * job->padding, job->height);
}

struct wlr_buffer *text_buffer_create(int width, int height, float scale, const char *text,
	const char *font, struct tinct_colour fg, struct tinct_colour bg, int padding)
{
	struct text_job job = {text, font, fg, bg, width, height, padding};
	return cairo_buffer_create(width, height, scale, draw_text_job, &job);
}
