/*
 * Server lifecycle: creates the wlroots objects and every protocol global,
 * the fixed scene layers, and the one global filter through which the trust
 * policy hides privileged globals from untrusted (VM) clients.
 */
#include "compositor/server.h"

#include <signal.h>
#include <sys/resource.h>
#include <stdlib.h>
#include <wlr/backend.h>
#include <wlr/render/allocator.h>
#include <wlr/render/wlr_renderer.h>
#include <wlr/types/wlr_compositor.h>
#include <wlr/types/wlr_data_control_v1.h>
#include <wlr/types/wlr_data_device.h>
#include <wlr/types/wlr_export_dmabuf_v1.h>
#include <wlr/types/wlr_foreign_toplevel_management_v1.h>
#include <wlr/types/wlr_gamma_control_v1.h>
#include <wlr/types/wlr_idle.h>
#include <wlr/types/wlr_idle_inhibit_v1.h>
#include <wlr/types/wlr_input_inhibitor.h>
#include <wlr/types/wlr_layer_shell_v1.h>
#include <wlr/types/wlr_output_layout.h>
#include <wlr/types/wlr_output_management_v1.h>
#include <wlr/types/wlr_output_power_management_v1.h>
#include <wlr/types/wlr_presentation_time.h>
#include <wlr/types/wlr_primary_selection_v1.h>
#include <wlr/types/wlr_scene.h>
#include <wlr/types/wlr_screencopy_v1.h>
#include <wlr/types/wlr_seat.h>
#include <wlr/types/wlr_server_decoration.h>
#include <wlr/types/wlr_viewporter.h>
#include <wlr/types/wlr_xdg_activation_v1.h>
#include <wlr/types/wlr_xdg_decoration_v1.h>
#include <wlr/types/wlr_xdg_output_v1.h>
#include <wlr/types/wlr_xdg_shell.h>
#include <wlr/util/log.h>

#include "compositor/config.h"
#include "compositor/decoration.h"
#include "compositor/idle.h"
#include "compositor/policy.h"
#include "compositor/layer_shell.h"
#include "compositor/output.h"
#include "compositor/seat.h"
#include "compositor/session_lock.h"
#include "compositor/shm_guard.h"
#include "compositor/spawn.h"
#include "compositor/consoles.h"
#include "compositor/panel.h"
#include "compositor/view.h"
#include "vmm/vm-def.h"
#include "vmm/vm.h"
#include "compositor/vm_manager_protocol.h"
#include "compositor/vms.h"
#include "compositor/xdg_shell.h"

float server_max_scale(struct tinct_server *server)
{
	float scale = 1.0f;
	struct tinct_output *output;
	wl_list_for_each (output, &server->outputs, link) {
		if (output->wlr_output->scale > scale) {
			scale = output->wlr_output->scale;
		}
	}
	return scale;
}

void server_arrange(struct tinct_server *server)
{
	struct tinct_output *output;
	wl_list_for_each (output, &server->outputs, link) {
		layer_shell_arrange(output);
	}
	views_arrange(server);
}

void server_terminate(struct tinct_server *server)
{
	wl_display_terminate(server->display);
}

static int handle_signal(int signal, void *data)
{
	struct tinct_server *server = data;
	wlr_log(WLR_INFO, "received signal %d, exiting", signal);
	server_terminate(server);
	return 0;
}

static void handle_request_activate(struct wl_listener *listener, void *data)
{
	struct tinct_server *server = wl_container_of(listener, server, request_activate);
	struct wlr_xdg_activation_v1_request_activate_event *event = data;
	struct tinct_view *view = view_from_surface(server, event->surface);
	if (view == NULL || !view->mapped) {
		return;
	}
	if (!policy_may_take_focus(view)) {
		wlr_log(WLR_DEBUG, "activation of %s refused: its VM does not have focus",
			view->title);
		return;
	}
	view_focus(view);
}

static void handle_input_inhibit_activate(struct wl_listener *listener, void *data)
{
	struct tinct_server *server = wl_container_of(listener, server, input_inhibit_activate);
	if (session_lock_is_locked(server->session_lock)) {
		return; // the lock surface keeps the keys
	}
	struct wlr_seat *wlr_seat = seat_wlr_seat(server->seat);
	struct wlr_surface *focused = wlr_seat->keyboard_state.focused_surface;
	if (focused != NULL &&
		wl_resource_get_client(focused->resource) != server->input_inhibit->active_client) {
		wlr_seat_keyboard_notify_clear_focus(wlr_seat);
	}
	wlr_seat_pointer_notify_clear_focus(wlr_seat);
}

static void handle_input_inhibit_deactivate(struct wl_listener *listener, void *data)
{
	struct tinct_server *server = wl_container_of(listener, server, input_inhibit_deactivate);
	struct tinct_view *view = view_top(server);
	seat_focus_surface(server->seat, view != NULL ? view->xdg_surface->surface : NULL);
	seat_update_pointer(server->seat);
}

static void report_vm_error(void *data, const char *message)
{
	FILE *errors = data;
	fprintf(errors, "%s\n", message);
}

static bool check_vm_def(void *data, const struct tinct_vm_def *def,
	void (*report)(void *report_data, const char *message), void *report_data)
{
	struct tinct_server *server = data;
	return vms_check_def(server->config, def, report, report_data);
}

int server_load_vms(struct tinct_server *server, const char *vms_dir, FILE *errors)
{
	/* What only tinct knows (its colours) is checked with the rest. */
	server->vms->check_def = check_vm_def;
	server->vms->check_def_data = server;
	int n = vm_manager_load(server->vms, vms_dir, report_vm_error, errors);
	/* Probe KVM now, in the background, so the first start does not wait. */
	vm_manager_probe_kvm(server->vms);
	return n;
}

void server_autostart_vms(struct tinct_server *server)
{
	struct tinct_vm *vm;
	wl_list_for_each (vm, &server->vms->vms, link) {
		if (vm->def->autostart) {
			wlr_log(WLR_INFO, "starting VM %s (autostart)", vm_name(vm));
			vms_start(server, vm, false);
		}
	}
}

/*
 * Every client costs tinct a descriptor: take all the system allows, so the
 * caps of policy.h, not the default soft limit (often 1024), decide who is
 * refused. Returns the soft limit in force.
 */
static long raise_fd_limit(void)
{
	struct rlimit limit;
	if (getrlimit(RLIMIT_NOFILE, &limit) < 0) {
		wlr_log_errno(WLR_ERROR, "cannot read the descriptor limit");
		return 1024;
	}
	if (limit.rlim_cur < limit.rlim_max) {
		rlim_t soft = limit.rlim_cur;
		limit.rlim_cur = limit.rlim_max;
		if (setrlimit(RLIMIT_NOFILE, &limit) < 0) {
			wlr_log_errno(WLR_ERROR, "cannot raise the descriptor limit");
			limit.rlim_cur = soft;
		}
	}
	wlr_log(WLR_DEBUG, "descriptor limit %llu", (unsigned long long)limit.rlim_cur);
	/* RLIM_INFINITY is not a count; no VM needs more than this anyway. */
	return limit.rlim_cur > (1u << 20) ? 1L << 20 : (long)limit.rlim_cur;
}

bool server_init(struct tinct_server *server, struct tinct_config *config)
{
	server->config = config;
	server->fd_limit = raise_fd_limit();
	wl_list_init(&server->outputs);
	wl_list_init(&server->views);
	wl_list_init(&server->children);

	server->display = wl_display_create();
	if (server->display == NULL) {
		wlr_log(WLR_ERROR, "cannot create the Wayland display");
		return false;
	}
	server->loop = wl_display_get_event_loop(server->display);
	client_tagger_init(&server->tagger, server->display);
	policy_init(server);

	server->backend = wlr_backend_autocreate(server->display);
	if (server->backend == NULL) {
		wlr_log(WLR_ERROR, "cannot create a backend (no seat, no display, no headless?)");
		goto error_display;
	}
	server->session = wlr_backend_get_session(server->backend);
	server->renderer = wlr_renderer_autocreate(server->backend);
	if (server->renderer == NULL) {
		wlr_log(WLR_ERROR, "cannot create a renderer");
		goto error_backend;
	}
	wlr_renderer_init_wl_display(server->renderer, server->display);
	server->allocator = wlr_allocator_autocreate(server->backend, server->renderer);
	if (server->allocator == NULL) {
		wlr_log(WLR_ERROR, "cannot create an allocator");
		goto error_renderer;
	}

	server->compositor = wlr_compositor_create(server->display, server->renderer);
	server->output_layout = wlr_output_layout_create();
	server->scene = wlr_scene_create();
	if (server->compositor == NULL || server->output_layout == NULL || server->scene == NULL) {
		wlr_log(WLR_ERROR, "cannot create the compositor, layout or scene");
		goto error_allocator;
	}
	for (size_t i = 0; i < TINCT_LAYER_COUNT; i++) {
		server->layers[i] = &wlr_scene_tree_create(&server->scene->node)->node;
	}
	/* No client may kill tinct by shrinking its shm pool (shm_guard.h). */
	if (shm_guard_create(server->compositor) == NULL) {
		goto error_scene;
	}

	server->presentation = wlr_presentation_create(server->display, server->backend);
	wlr_scene_set_presentation(server->scene, server->presentation);
	wlr_viewporter_create(server->display);
	wlr_data_device_manager_create(server->display);
	wlr_primary_selection_v1_device_manager_create(server->display);
	wlr_xdg_output_manager_v1_create(server->display, server->output_layout);

	server->xdg_shell = wlr_xdg_shell_create(server->display);
	server->layer_shell = wlr_layer_shell_v1_create(server->display);
	server->activation = wlr_xdg_activation_v1_create(server->display);
	server->foreign_toplevel = wlr_foreign_toplevel_manager_v1_create(server->display);
	server->output_manager = wlr_output_manager_v1_create(server->display);
	server->output_power = wlr_output_power_manager_v1_create(server->display);
	server->input_inhibit = wlr_input_inhibit_manager_create(server->display);
	struct wlr_screencopy_manager_v1 *screencopy =
		wlr_screencopy_manager_v1_create(server->display);
	struct wlr_export_dmabuf_manager_v1 *export_dmabuf =
		wlr_export_dmabuf_manager_v1_create(server->display);
	struct wlr_data_control_manager_v1 *data_control =
		wlr_data_control_manager_v1_create(server->display);
	struct wlr_gamma_control_manager_v1 *gamma =
		wlr_gamma_control_manager_v1_create(server->display);
	if (server->xdg_shell == NULL || server->layer_shell == NULL ||
		server->activation == NULL || server->foreign_toplevel == NULL ||
		server->output_manager == NULL || server->output_power == NULL ||
		server->input_inhibit == NULL || screencopy == NULL || export_dmabuf == NULL ||
		data_control == NULL || gamma == NULL || !decoration_init(server) ||
		!idle_init(server)) {
		wlr_log(WLR_ERROR, "cannot create the protocol globals");
		goto error_scene;
	}

	/* Who may see what: the rules are in policy.h. */
	policy_restrict_global(server, server->layer_shell->global, TINCT_PERM_LAYER_SHELL);
	policy_restrict_global(
		server, server->foreign_toplevel->global, TINCT_PERM_FOREIGN_TOPLEVEL);
	policy_restrict_global(
		server, server->output_manager->global, TINCT_PERM_OUTPUT_MANAGEMENT);
	policy_restrict_global(server, server->output_power->global, TINCT_PERM_OUTPUT_MANAGEMENT);
	policy_restrict_global(server, server->input_inhibit->global, TINCT_PERM_INPUT_INHIBIT);
	policy_restrict_global(server, screencopy->global, TINCT_PERM_SCREEN_CAPTURE);
	policy_restrict_global(server, export_dmabuf->global, TINCT_PERM_SCREEN_CAPTURE);
	policy_restrict_global(server, data_control->global, TINCT_PERM_DATA_CONTROL);
	policy_restrict_global(server, gamma->global, TINCT_PERM_OUTPUT_MANAGEMENT);

	server->seat = seat_create(server);
	if (server->seat == NULL) {
		goto error_scene;
	}
	server->vms = vm_manager_create(server->loop, NULL);
	if (server->vms == NULL) {
		goto error_seat;
	}
	vms_init(server);
	wl_list_init(&server->consoles);
	server->panel = panel_create(server);
	if (server->panel == NULL) {
		goto error_vms;
	}
	server->vm_manager_protocol = vm_manager_protocol_create(server);
	if (server->vm_manager_protocol == NULL) {
		goto error_panel;
	}
	server->session_lock = session_lock_create(server);
	if (server->session_lock == NULL) {
		goto error_vm_manager_protocol;
	}

	server->new_output.notify = output_handle_new;
	wl_signal_add(&server->backend->events.new_output, &server->new_output);
	server->layout_change.notify = output_layout_handle_change;
	wl_signal_add(&server->output_layout->events.change, &server->layout_change);
	server->output_manager_apply.notify = output_manager_handle_apply;
	wl_signal_add(&server->output_manager->events.apply, &server->output_manager_apply);
	server->output_manager_test.notify = output_manager_handle_test;
	wl_signal_add(&server->output_manager->events.test, &server->output_manager_test);
	server->output_power_set_mode.notify = output_power_handle_set_mode;
	wl_signal_add(&server->output_power->events.set_mode, &server->output_power_set_mode);
	server->new_xdg_surface.notify = xdg_shell_handle_new_surface;
	wl_signal_add(&server->xdg_shell->events.new_surface, &server->new_xdg_surface);
	server->new_layer_surface.notify = layer_shell_handle_new_surface;
	wl_signal_add(&server->layer_shell->events.new_surface, &server->new_layer_surface);
	server->request_activate.notify = handle_request_activate;
	wl_signal_add(&server->activation->events.request_activate, &server->request_activate);
	server->input_inhibit_activate.notify = handle_input_inhibit_activate;
	wl_signal_add(&server->input_inhibit->events.activate, &server->input_inhibit_activate);
	server->input_inhibit_deactivate.notify = handle_input_inhibit_deactivate;
	wl_signal_add(&server->input_inhibit->events.deactivate, &server->input_inhibit_deactivate);

	server->sigterm_source =
		wl_event_loop_add_signal(server->loop, SIGTERM, handle_signal, server);
	server->sigint_source =
		wl_event_loop_add_signal(server->loop, SIGINT, handle_signal, server);
	return true;

error_vm_manager_protocol:
	vm_manager_protocol_destroy(server->vm_manager_protocol);
error_panel:
	panel_destroy(server->panel);
error_vms:
	vms_finish(server);
	vm_manager_destroy(server->vms);
error_seat:
	seat_destroy(server->seat);
error_scene:
	wlr_scene_node_destroy(&server->scene->node);
	wlr_output_layout_destroy(server->output_layout);
error_allocator:
	wlr_allocator_destroy(server->allocator);
error_renderer:
	wlr_renderer_destroy(server->renderer);
error_backend:
	wlr_backend_destroy(server->backend);
error_display:
	client_tagger_finish(&server->tagger);
	wl_display_destroy(server->display);
	policy_finish(server);
	return false;
}

bool server_start(struct tinct_server *server)
{
	server->socket = wl_display_add_socket_auto(server->display);
	if (server->socket == NULL) {
		wlr_log(WLR_ERROR, "cannot open a Wayland socket (is XDG_RUNTIME_DIR set?)");
		return false;
	}
	if (!wlr_backend_start(server->backend)) {
		wlr_log(WLR_ERROR, "cannot start the backend");
		return false;
	}
	/* Children talk to the host socket; never hand them ours by fd. */
	setenv("WAYLAND_DISPLAY", server->socket, true);
	unsetenv("WAYLAND_SOCKET");
	wlr_log(WLR_INFO, "running on WAYLAND_DISPLAY=%s", server->socket);
	return true;
}

int server_run(struct tinct_server *server)
{
	wl_display_run(server->display);
	return server->exit_code;
}

void server_fini(struct tinct_server *server)
{
	/* Guests first, gracefully: their disks must not be cut mid-write. */
	vm_manager_shutdown(server->vms);
	panel_destroy(server->panel);
	server->panel = NULL;
	consoles_finish(server);
	vm_manager_protocol_destroy(server->vm_manager_protocol);
	vms_finish(server);
	vm_manager_destroy(server->vms);
	spawn_terminate_all(server);
	wl_display_destroy_clients(server->display);
	/*
	 * Run what the clients' destruction left for the idle loop (a virtual
	 * keyboard's wlr_keyboard is freed there, keyboard.c): the loop never
	 * runs again.
	 */
	wl_event_loop_dispatch_idle(server->loop);

	wl_list_remove(&server->new_output.link);
	wl_list_remove(&server->layout_change.link);
	wl_list_remove(&server->output_manager_apply.link);
	wl_list_remove(&server->output_manager_test.link);
	wl_list_remove(&server->output_power_set_mode.link);
	wl_list_remove(&server->new_xdg_surface.link);
	wl_list_remove(&server->new_layer_surface.link);
	decoration_finish(server);
	wl_list_remove(&server->request_activate.link);
	idle_finish(server);
	wl_list_remove(&server->input_inhibit_activate.link);
	wl_list_remove(&server->input_inhibit_deactivate.link);
	wl_event_source_remove(server->sigterm_source);
	wl_event_source_remove(server->sigint_source);

	/* Outputs go with the backend; their handlers still see a whole server. */
	wlr_backend_destroy(server->backend);
	session_lock_destroy(server->session_lock);
	server->session_lock = NULL;
	seat_destroy(server->seat);
	wlr_scene_node_destroy(&server->scene->node);
	wlr_output_layout_destroy(server->output_layout);
	wlr_allocator_destroy(server->allocator);
	wlr_renderer_destroy(server->renderer);
	client_tagger_finish(&server->tagger);
	wl_display_destroy(server->display);
	policy_finish(server);
}
