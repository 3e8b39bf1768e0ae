/*
 * The tinct server: one wl_display, one event loop, the wlroots objects and
 * the fixed scene layers. server_init() creates everything, server_start()
 * opens the socket and lights the outputs, server_fini() tears down in reverse.
 */
#ifndef TINCT_SERVER_H
#define TINCT_SERVER_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <wayland-server-core.h>

#include "virtio-wl/client_tag.h"

struct tinct_config;
struct tinct_seat;
struct tinct_view;
struct tinct_vm_manager_protocol;

/* Every scene node tinct creates carries one of these in node->data. */
enum tinct_node_type {
	TINCT_NODE_VIEW, // a view's tree; owner is the tinct_view
	TINCT_NODE_FRAME, // border or title bar; owner is the tinct_view
	TINCT_NODE_LAYER_SURFACE, // owner is the tinct_layer_surface
	TINCT_NODE_POPUP, // owner is the tinct_popup
	TINCT_NODE_PANEL, // the bar or the menu; owner is the tinct_panel
	TINCT_NODE_PLACEHOLDER, // a VM's placeholder window; owner is the tinct_desktop_vm
};

struct tinct_node_desc {
	enum tinct_node_type type;
	void *owner;
	/* For TINCT_NODE_FRAME: which part was hit (WLR_EDGE_* mask, 0 = title). */
	uint32_t edges;
};

/* Scene layers, bottom to top; created once in this order. */
enum tinct_layer {
	TINCT_LAYER_BACKGROUND,
	TINCT_LAYER_BOTTOM,
	TINCT_LAYER_VIEWS,
	TINCT_LAYER_TOP,
	TINCT_LAYER_VM_DRAG, // drag icons of VM clients: never over the panel
	TINCT_LAYER_PANEL,
	TINCT_LAYER_FULLSCREEN, // views allowed to cover the panel
	TINCT_LAYER_OVERLAY,
	TINCT_LAYER_MENU, // tinct's VM menu: above everything a client draws
	TINCT_LAYER_DRAG,
	TINCT_LAYER_LOCK,
	TINCT_LAYER_COUNT,
};

struct tinct_server {
	struct wl_display *display;
	struct wl_event_loop *loop;
	struct tinct_config *config;

	struct wlr_backend *backend;
	struct wlr_session *session; // NULL unless on a real seat
	struct wlr_renderer *renderer;
	struct wlr_allocator *allocator;
	struct wlr_compositor *compositor;

	struct wlr_scene *scene;
	struct wlr_scene_node *layers[TINCT_LAYER_COUNT];

	struct wlr_output_layout *output_layout;
	struct wl_list outputs; // tinct_output.link
	struct wlr_output_manager_v1 *output_manager;
	struct wlr_output_power_manager_v1 *output_power;
	struct wlr_presentation *presentation;

	struct wlr_xdg_shell *xdg_shell;
	struct wlr_layer_shell_v1 *layer_shell;
	struct wlr_xdg_decoration_manager_v1 *xdg_decoration;
	struct wlr_server_decoration_manager *kde_decoration;
	struct wlr_xdg_activation_v1 *activation;
	struct wlr_foreign_toplevel_manager_v1 *foreign_toplevel;
	struct wlr_idle *idle;
	struct wlr_idle_inhibit_manager_v1 *idle_inhibit;
	struct wlr_input_inhibit_manager *input_inhibit;

	struct wl_list views; // tinct_view.link, most recently focused first
	struct tinct_seat *seat;

	/* The VMs: one VMM process each, driven by this loop (vmm/vm.h). */
	struct tinct_vm_manager *vms;
	struct tinct_panel *panel;
	struct wl_list consoles; // console_launch.link (consoles.c)
	struct wl_list desktop_vms; // tinct_desktop_vm.link
	struct wl_listener vm_added;
	struct wl_listener vm_display_state;
	struct tinct_vm_manager_protocol *vm_manager_protocol; // tinctctl's global
	struct tinct_session_lock *session_lock; // ext-session-lock-v1

	/* Placement of the next new view (cascade). */
	int cascade_x, cascade_y;

	/* Tags every client as host or VM as it is created (virtio-wl). */
	struct tinct_client_tagger tagger;

	/* Globals hidden from clients without a right (policy.c). */
	struct wl_array restricted_globals;

	struct wl_list idle_inhibitors; // tinct_idle_inhibitor.link
	struct wl_list children; // tinct_spawned.link
	const char *socket; // WAYLAND_DISPLAY name of the host socket
	long fd_limit; // RLIMIT_NOFILE as raised at start (policy.h's budget)
	int exit_code;

	struct wl_event_source *sigterm_source, *sigint_source;

	struct wl_listener new_output;
	struct wl_listener layout_change;
	struct wl_listener output_manager_apply;
	struct wl_listener output_manager_test;
	struct wl_listener output_power_set_mode;
	struct wl_listener new_xdg_surface;
	struct wl_listener new_layer_surface;
	struct wl_listener new_xdg_decoration;
	struct wl_listener new_kde_decoration;
	struct wl_listener request_activate;
	struct wl_listener new_idle_inhibitor;
	struct wl_listener input_inhibit_activate;
	struct wl_listener input_inhibit_deactivate;
};

bool server_init(struct tinct_server *server, struct tinct_config *config);
/*
 * Loads the VM definitions (vms_dir first, may be NULL). Errors are written
 * to errors and counted; the other VMs still load.
 */
int server_load_vms(struct tinct_server *server, const char *vms_dir, FILE *errors);
/* Starts every VM whose definition says autostart = true. */
void server_autostart_vms(struct tinct_server *server);
/* Opens the host socket, starts the backend, exports WAYLAND_DISPLAY. */
bool server_start(struct tinct_server *server);
/* Runs the event loop until exit; returns the exit code. */
int server_run(struct tinct_server *server);
void server_fini(struct tinct_server *server);

/* Asks the loop to stop; safe to call from any handler. */
void server_terminate(struct tinct_server *server);

/*
 * The highest output scale: window titles are drawn at it, so they are
 * sharp on every output (and downscaled elsewhere).
 */
float server_max_scale(struct tinct_server *server);

/* Recomputes the usable area of every output and re-arranges layer surfaces. */
void server_arrange(struct tinct_server *server);

#endif
