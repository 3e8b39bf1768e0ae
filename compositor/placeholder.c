/*
 * Placeholder windows (see placeholder.h). One cairo buffer in the views
 * layer draws frame, title bar and progress text; it is recreated when the
 * text changes (wlroots 0.15 cannot swap a scene buffer), at most once per
 * dispatch.
 */
#include "compositor/placeholder.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wlr/types/wlr_scene.h>
#include <wlr/util/log.h>

#include "common/colour.h"
#include "compositor/output.h"
#include "compositor/panel.h"
#include "compositor/server.h"
#include "compositor/text.h"
#include "vmm/vm-def.h"
#include "vmm/vm.h"
#include "compositor/vms.h"

#define WIDTH 640
#define HEIGHT 360

struct tinct_placeholder {
	struct tinct_desktop_vm *dvm;
	struct tinct_node_desc desc;
	struct wlr_scene_buffer *buffer;
	int x, y; // frame's top-left corner, layout coordinates
	char title[256];
	char status[256]; // boot progress or why no window came
	bool final; // the VM crashed or the wait timed out
	struct wl_event_source *timer;
	struct wl_event_source *idle; // a redraw is pending
	struct wl_listener console_output;
	struct wl_listener state_changed;
};

static const struct tinct_colour body_bg = {0.10f, 0.11f, 0.12f, 1.0f};
static const struct tinct_colour body_fg = {0.85f, 0.86f, 0.88f, 1.0f};

static void draw(cairo_t *cairo, void *data)
{
	struct tinct_placeholder *ph = data;
	struct tinct_server *server = ph->dvm->server;
	const char *font = server->config->appearance.font;
	int border = server->config->appearance.border_width;
	int title_h = server->config->appearance.title_height;
	struct tinct_colour colour = ph->dvm->colour;
	cairo_set_colour(cairo, colour);
	cairo_rectangle(cairo, 0, 0, WIDTH, HEIGHT);
	cairo_fill(cairo);
	text_draw(cairo, ph->title, font, colour_contrast(colour), border + 8, border,
		WIDTH - 2 * border - 16, title_h);
	cairo_set_colour(cairo, body_bg);
	cairo_rectangle(
		cairo, border, border + title_h, WIDTH - 2 * border, HEIGHT - 2 * border - title_h);
	cairo_fill(cairo);
	text_draw(cairo, ph->status, font, body_fg, border + 16, (HEIGHT - title_h) / 2,
		WIDTH - 2 * border - 32, title_h);
}

static void redraw(struct tinct_placeholder *ph)
{
	struct tinct_server *server = ph->dvm->server;
	if (ph->buffer != NULL) {
		wlr_scene_node_destroy(&ph->buffer->node);
		ph->buffer = NULL;
	}
	struct wlr_buffer *buffer = cairo_buffer_create(WIDTH, HEIGHT, 1.0f, draw, ph);
	if (buffer == NULL) {
		return;
	}
	ph->buffer = wlr_scene_buffer_create(server->layers[TINCT_LAYER_VIEWS], buffer);
	wlr_buffer_drop(buffer);
	if (ph->buffer == NULL) {
		return;
	}
	ph->buffer->node.data = &ph->desc;
	wlr_scene_buffer_set_dest_size(ph->buffer, WIDTH, HEIGHT);
	wlr_scene_node_set_position(&ph->buffer->node, ph->x, ph->y);
	wlr_scene_node_raise_to_top(&ph->buffer->node);
}

static void handle_idle(void *data)
{
	struct tinct_placeholder *ph = data;
	ph->idle = NULL;
	redraw(ph);
}

static void schedule_redraw(struct tinct_placeholder *ph)
{
	if (ph->idle == NULL) {
		ph->idle = wl_event_loop_add_idle(ph->dvm->server->loop, handle_idle, ph);
	}
}

static void set_status(struct tinct_placeholder *ph, const char *status)
{
	if (strcmp(ph->status, status) != 0) {
		snprintf(ph->status, sizeof(ph->status), "%s", status);
		schedule_redraw(ph);
	}
}

static void handle_console_output(struct wl_listener *listener, void *data)
{
	struct tinct_placeholder *ph = wl_container_of(listener, ph, console_output);
	const char *line = vm_console_last_line(ph->dvm->vm);
	if (!ph->final && line[0] != '\0') {
		set_status(ph, line);
	}
}

static void fail(struct tinct_placeholder *ph, const char *title, const char *status)
{
	ph->final = true;
	snprintf(ph->title, sizeof(ph->title), "[%s] %s", vm_name(ph->dvm->vm), title);
	set_status(ph, status);
	schedule_redraw(ph);
}

static void handle_state_changed(struct wl_listener *listener, void *data)
{
	struct tinct_placeholder *ph = wl_container_of(listener, ph, state_changed);
	struct tinct_vm_state_event *event = data;
	if (event->vm != ph->dvm->vm) {
		return;
	}
	if (event->new_state == TINCT_VM_CRASHED) {
		const char *reason = vm_reason(event->vm);
		fail(ph, "crashed", reason != NULL ? reason : "the VM crashed");
	} else if (event->new_state == TINCT_VM_STOPPED || event->new_state == TINCT_VM_STOPPING) {
		placeholder_remove(ph->dvm);
	}
}

static int handle_timeout(void *data)
{
	struct tinct_placeholder *ph = data;
	if (!ph->final) {
		char title[64];
		snprintf(title, sizeof(title), "no window after %u s",
			ph->dvm->vm->def->first_window_timeout_s);
		fail(ph, title,
			"The VM runs but its application showed no window (see its console).");
	}
	return 0;
}

void placeholder_remove(struct tinct_desktop_vm *dvm)
{
	struct tinct_placeholder *ph = dvm->placeholder;
	if (ph == NULL) {
		return;
	}
	wl_list_remove(&ph->console_output.link);
	wl_list_remove(&ph->state_changed.link);
	if (ph->timer != NULL) {
		wl_event_source_remove(ph->timer);
	}
	if (ph->idle != NULL) {
		wl_event_source_remove(ph->idle);
	}
	if (ph->buffer != NULL) {
		wlr_scene_node_destroy(&ph->buffer->node);
	}
	dvm->placeholder = NULL;
	free(ph);
}

void placeholder_show(struct tinct_desktop_vm *dvm)
{
	struct tinct_server *server = dvm->server;
	placeholder_remove(dvm);
	if (dvm->vm->def->guest_runs_len == 0) {
		return;
	}
	struct tinct_output *output = output_at(server, 0, 0);
	if (output == NULL) {
		return;
	}
	struct tinct_placeholder *ph = calloc(1, sizeof(*ph));
	if (ph == NULL) {
		wlr_log(WLR_ERROR, "out of memory for VM %s's placeholder", vm_name(dvm->vm));
		return;
	}
	ph->dvm = dvm;
	/* Not a view: clicks on it reach no client and do nothing. */
	ph->desc = (struct tinct_node_desc){.type = TINCT_NODE_PLACEHOLDER, .owner = dvm};
	struct wlr_box box = output_layout_box(output);
	int top = server->panel != NULL ? panel_height(server->panel) : 0;
	ph->x = box.x + (box.width - WIDTH) / 2;
	ph->y = box.y + top + (box.height - top - HEIGHT) / 3;
	snprintf(ph->title, sizeof(ph->title), "[%s] starting\xe2\x80\xa6", vm_name(dvm->vm));
	snprintf(ph->status, sizeof(ph->status), "Starting the VM\xe2\x80\xa6");
	ph->console_output.notify = handle_console_output;
	wl_signal_add(&dvm->vm->events.console_output, &ph->console_output);
	ph->state_changed.notify = handle_state_changed;
	wl_signal_add(&server->vms->events.state_changed, &ph->state_changed);
	ph->timer = wl_event_loop_add_timer(server->loop, handle_timeout, ph);
	if (ph->timer != NULL) {
		wl_event_source_timer_update(
			ph->timer, (int)dvm->vm->def->first_window_timeout_s * 1000);
	}
	dvm->placeholder = ph;
	/* Now, not at idle: it must be in the very next frame. */
	redraw(ph);
	wlr_log(WLR_DEBUG, "placeholder shown: vm=%s", vm_name(dvm->vm));
}

bool placeholder_take(struct tinct_desktop_vm *dvm, int *x, int *y)
{
	struct tinct_placeholder *ph = dvm->placeholder;
	if (ph == NULL) {
		return false;
	}
	struct tinct_server *server = dvm->server;
	int border = server->config->appearance.border_width;
	*x = ph->x + border;
	*y = ph->y + border + server->config->appearance.title_height;
	placeholder_remove(dvm);
	return true;
}

const char *placeholder_title(struct tinct_desktop_vm *dvm)
{
	return dvm->placeholder != NULL ? dvm->placeholder->title : NULL;
}
