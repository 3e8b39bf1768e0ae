/*
 * Output lifecycle and configuration. The configured mode, scale and position
 * from [output NAME] apply on hotplug; a mode that the output refuses falls
 * back to its preferred mode, so a typo never leaves a screen dark.
 */
#include "compositor/output.h"

#include <stdlib.h>
#include <time.h>
#include <wlr/backend.h>
#include <wlr/render/allocator.h>
#include <wlr/render/wlr_renderer.h>
#include <wlr/types/wlr_output.h>
#include <wlr/types/wlr_output_layout.h>
#include <wlr/types/wlr_output_damage.h>
#include <wlr/types/wlr_output_management_v1.h>
#include <wlr/types/wlr_output_power_management_v1.h>
#include <wlr/types/wlr_scene.h>
#include <wlr/util/log.h>

#include "compositor/config.h"
#include "compositor/layer_shell.h"
#include "compositor/panel.h"
#include "compositor/render.h"
#include "compositor/server.h"
#include "compositor/session_lock.h"
#include "compositor/view.h"

/*
 * Draws and commits the output if anything changed; false if it could not.
 * Nothing new to show means no render buffer and no commit: the scene would
 * attach a buffer and roll it back on every tick.
 */
static bool render_frame(struct tinct_output *output)
{
	struct wlr_scene_output *scene_output = output->scene_output;
	if (!render_needs_frame(scene_output)) {
		return true;
	}
	if (!render_pass_supports(output->wlr_output)) {
		output->own_render_pass = false;
		return wlr_scene_output_commit(scene_output);
	}
	if (!output->own_render_pass) {
		/* The scene may have scanned a client buffer out: draw it all. */
		output->own_render_pass = true;
		wlr_output_damage_add_whole(scene_output->damage);
	}
	return render_pass_commit(&output->render_pass, scene_output, output->server->presentation);
}

static void handle_frame(struct wl_listener *listener, void *data)
{
	struct tinct_output *output = wl_container_of(listener, output, frame);
	uint32_t seq = output->wlr_output->commit_seq;
	if (!render_frame(output)) {
		return;
	}
	/*
	 * Logged on change only: whether this output is drawing or idle. On
	 * real outputs no commit means no more frame events, so tinct sleeps;
	 * wlroots 0.15's headless backend ticks anyway, doing nothing.
	 */
	bool drawing = output->wlr_output->commit_seq != seq;
	if (drawing) {
		session_lock_output_frame(output->server->session_lock, output);
	}
	if (drawing != output->drawing) {
		output->drawing = drawing;
		wlr_log(WLR_DEBUG, "output %s: %s", output->wlr_output->name,
			drawing ? "drawing" : "idle");
	}
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	wlr_scene_output_send_frame_done(output->scene_output, &now);
}

static void update_background(struct tinct_output *output)
{
	struct wlr_box box = output_layout_box(output);
	/* wlroots 0.15's scene does not follow the layout by itself. */
	if (output->scene_output != NULL) {
		wlr_scene_output_set_position(output->scene_output, box.x, box.y);
	}
	wlr_scene_node_set_position(&output->background->node, box.x, box.y);
	wlr_scene_rect_set_size(output->background, box.width, box.height);
	session_lock_output_arrange(output->server->session_lock, output);
}

static void handle_mode(struct wl_listener *listener, void *data)
{
	struct tinct_output *output = wl_container_of(listener, output, mode);
	update_background(output);
	server_arrange(output->server);
	panel_schedule_update(output->server->panel);
}

static void handle_destroy(struct wl_listener *listener, void *data)
{
	struct tinct_output *output = wl_container_of(listener, output, destroy);
	struct tinct_server *server = output->server;

	layer_shell_output_destroyed(output);
	panel_output_destroyed(server->panel, output);
	session_lock_output_destroyed(server->session_lock, output);
	wl_list_remove(&output->frame.link);
	wl_list_remove(&output->destroy.link);
	wl_list_remove(&output->mode.link);
	wl_list_remove(&output->link);
	wlr_scene_node_destroy(&output->background->node);
	render_pass_finish(&output->render_pass);
	/* The scene output and the layout entry go away with the wlr_output. */
	free(output);

	server_arrange(server);
	views_ensure_visible(server);
}

static struct wlr_output_mode *find_mode(
	struct wlr_output *wlr_output, const struct tinct_output_config *oc)
{
	struct wlr_output_mode *mode, *best = NULL;
	wl_list_for_each (mode, &wlr_output->modes, link) {
		if (mode->width != oc->width || mode->height != oc->height) {
			continue;
		}
		if (oc->refresh_mhz == 0 || abs(mode->refresh - oc->refresh_mhz) < 500) {
			if (best == NULL || mode->refresh > best->refresh) {
				best = mode;
			}
		}
	}
	return best;
}

/* Applies the configured state; returns false if the output rejects it. */
static bool apply_config(
	struct wlr_output *wlr_output, const struct tinct_output_config *oc, bool use_config)
{
	wlr_output_enable(wlr_output, true);
	struct wlr_output_mode *preferred = wlr_output_preferred_mode(wlr_output);
	if (use_config && oc != NULL && oc->width > 0) {
		struct wlr_output_mode *mode = find_mode(wlr_output, oc);
		if (mode != NULL) {
			wlr_output_set_mode(wlr_output, mode);
		} else if (wl_list_empty(&wlr_output->modes)) {
			/* Headless and nested outputs take any size. */
			wlr_output_set_custom_mode(
				wlr_output, oc->width, oc->height, oc->refresh_mhz);
		} else {
			wlr_log(WLR_ERROR, "output %s has no mode %dx%d; using its preferred mode",
				wlr_output->name, oc->width, oc->height);
			wlr_output_set_mode(wlr_output, preferred);
		}
	} else if (preferred != NULL) {
		wlr_output_set_mode(wlr_output, preferred);
	}
	if (use_config && oc != NULL && oc->scale > 0) {
		wlr_output_set_scale(wlr_output, (float)oc->scale);
	}
	return wlr_output_commit(wlr_output);
}

void output_handle_new(struct wl_listener *listener, void *data)
{
	struct tinct_server *server = wl_container_of(listener, server, new_output);
	struct wlr_output *wlr_output = data;

	if (!wlr_output_init_render(wlr_output, server->allocator, server->renderer)) {
		wlr_log(WLR_ERROR, "cannot initialise rendering on output %s", wlr_output->name);
		return;
	}

	struct tinct_output_config *oc = config_find_output(server->config, wlr_output->name);
	if (oc != NULL && !oc->enabled) {
		wlr_log(WLR_INFO, "output %s disabled by configuration", wlr_output->name);
		wlr_output_enable(wlr_output, false);
		wlr_output_commit(wlr_output);
		return;
	}
	if (!apply_config(wlr_output, oc, true) && !apply_config(wlr_output, oc, false)) {
		wlr_log(WLR_ERROR, "cannot enable output %s", wlr_output->name);
		return;
	}

	struct tinct_output *output = calloc(1, sizeof(*output));
	if (output == NULL) {
		wlr_log_errno(WLR_ERROR, "cannot allocate output");
		return;
	}
	output->server = server;
	output->wlr_output = wlr_output;
	wlr_output->data = output;
	for (size_t i = 0; i < 4; i++) {
		wl_list_init(&output->layer_surfaces[i]);
	}
	render_pass_init(&output->render_pass);

	const struct tinct_colour *bg = &server->config->appearance.background;
	float colour[4] = {bg->r, bg->g, bg->b, 1.0f};
	output->background =
		wlr_scene_rect_create(server->layers[TINCT_LAYER_BACKGROUND], 0, 0, colour);
	if (output->background == NULL) {
		free(output);
		return;
	}
	wlr_scene_node_lower_to_bottom(&output->background->node);
	/* The scene clears to black anyway: a black rect would only cost a fill. */
	wlr_scene_node_set_enabled(&output->background->node, bg->r > 0 || bg->g > 0 || bg->b > 0);

	output->frame.notify = handle_frame;
	wl_signal_add(&wlr_output->events.frame, &output->frame);
	output->destroy.notify = handle_destroy;
	wl_signal_add(&wlr_output->events.destroy, &output->destroy);
	output->mode.notify = handle_mode;
	wl_signal_add(&wlr_output->events.mode, &output->mode);
	wl_list_insert(server->outputs.prev, &output->link);

	if (oc != NULL && oc->has_position) {
		wlr_output_layout_add(server->output_layout, wlr_output, oc->x, oc->y);
	} else {
		wlr_output_layout_add_auto(server->output_layout, wlr_output);
	}
	output->scene_output = wlr_scene_output_create(server->scene, wlr_output);
	update_background(output);
	panel_schedule_update(server->panel);
	wlr_log(WLR_INFO, "output %s: %dx%d scale %.2f", wlr_output->name, wlr_output->width,
		wlr_output->height, wlr_output->scale);
	server_arrange(server);
}

struct wlr_box output_layout_box(struct tinct_output *output)
{
	struct wlr_box *box =
		wlr_output_layout_get_box(output->server->output_layout, output->wlr_output);
	return box != NULL ? *box : (struct wlr_box){0};
}

struct tinct_output *output_at(struct tinct_server *server, double lx, double ly)
{
	struct wlr_output *wlr_output = wlr_output_layout_output_at(server->output_layout, lx, ly);
	if (wlr_output != NULL && wlr_output->data != NULL) {
		return wlr_output->data;
	}
	if (wl_list_empty(&server->outputs)) {
		return NULL;
	}
	struct tinct_output *output = wl_container_of(server->outputs.next, output, link);
	return output;
}

/* Publishes the current layout to output-management clients. */
static void send_output_configuration(struct tinct_server *server)
{
	struct wlr_output_configuration_v1 *config = wlr_output_configuration_v1_create();
	if (config == NULL) {
		return;
	}
	struct tinct_output *output;
	wl_list_for_each (output, &server->outputs, link) {
		struct wlr_output_configuration_head_v1 *head =
			wlr_output_configuration_head_v1_create(config, output->wlr_output);
		if (head == NULL) {
			continue;
		}
		struct wlr_box box = output_layout_box(output);
		head->state.enabled = output->wlr_output->enabled;
		head->state.x = box.x;
		head->state.y = box.y;
	}
	wlr_output_manager_v1_set_configuration(server->output_manager, config);
}

void output_layout_handle_change(struct wl_listener *listener, void *data)
{
	struct tinct_server *server = wl_container_of(listener, server, layout_change);
	struct tinct_output *output;
	wl_list_for_each (output, &server->outputs, link) {
		update_background(output);
	}
	send_output_configuration(server);
	server_arrange(server);
	views_ensure_visible(server);
	panel_schedule_update(server->panel);
}

static bool apply_output_configuration(
	struct tinct_server *server, struct wlr_output_configuration_v1 *config, bool test_only)
{
	bool ok = true;
	struct wlr_output_configuration_head_v1 *head;
	wl_list_for_each (head, &config->heads, link) {
		struct wlr_output *wlr_output = head->state.output;
		wlr_output_enable(wlr_output, head->state.enabled);
		if (head->state.enabled) {
			if (head->state.mode != NULL) {
				wlr_output_set_mode(wlr_output, head->state.mode);
			} else {
				wlr_output_set_custom_mode(wlr_output,
					head->state.custom_mode.width,
					head->state.custom_mode.height,
					head->state.custom_mode.refresh);
			}
			wlr_output_set_scale(wlr_output, head->state.scale);
			wlr_output_set_transform(wlr_output, head->state.transform);
		}
		if (test_only) {
			ok = ok && wlr_output_test(wlr_output);
			wlr_output_rollback(wlr_output);
		} else {
			ok = wlr_output_commit(wlr_output) && ok;
			if (head->state.enabled && wlr_output->data != NULL) {
				wlr_output_layout_move(server->output_layout, wlr_output,
					head->state.x, head->state.y);
			}
		}
	}
	return ok;
}

void output_manager_handle_apply(struct wl_listener *listener, void *data)
{
	struct tinct_server *server = wl_container_of(listener, server, output_manager_apply);
	struct wlr_output_configuration_v1 *config = data;
	if (apply_output_configuration(server, config, false)) {
		wlr_output_configuration_v1_send_succeeded(config);
	} else {
		wlr_output_configuration_v1_send_failed(config);
	}
	wlr_output_configuration_v1_destroy(config);
	send_output_configuration(server);
}

void output_manager_handle_test(struct wl_listener *listener, void *data)
{
	struct tinct_server *server = wl_container_of(listener, server, output_manager_test);
	struct wlr_output_configuration_v1 *config = data;
	if (apply_output_configuration(server, config, true)) {
		wlr_output_configuration_v1_send_succeeded(config);
	} else {
		wlr_output_configuration_v1_send_failed(config);
	}
	wlr_output_configuration_v1_destroy(config);
}

void output_power_handle_set_mode(struct wl_listener *listener, void *data)
{
	struct wlr_output_power_v1_set_mode_event *event = data;
	wlr_output_enable(event->output, event->mode == ZWLR_OUTPUT_POWER_V1_MODE_ON);
	if (!wlr_output_commit(event->output)) {
		wlr_log(WLR_ERROR, "cannot set power mode of output %s", event->output->name);
	}
}
