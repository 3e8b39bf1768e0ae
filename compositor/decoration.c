/*
 * Decoration negotiation: every toplevel is told to expect server-side
 * decorations, whatever mode it asks for.
 */
#include "compositor/decoration.h"

#include <stdlib.h>
#include <wlr/types/wlr_server_decoration.h>
#include <wlr/types/wlr_xdg_decoration_v1.h>
#include <wlr/util/log.h>

#include "compositor/server.h"

struct tinct_decoration {
	struct wlr_xdg_toplevel_decoration_v1 *decoration;
	struct wl_listener request_mode;
	struct wl_listener destroy;
};

static void decoration_handle_request_mode(struct wl_listener *listener, void *data)
{
	struct tinct_decoration *decoration = wl_container_of(listener, decoration, request_mode);
	/* tinct always draws the frame: identity is never left to the client. */
	wlr_xdg_toplevel_decoration_v1_set_mode(
		decoration->decoration, WLR_XDG_TOPLEVEL_DECORATION_V1_MODE_SERVER_SIDE);
}

static void decoration_handle_destroy(struct wl_listener *listener, void *data)
{
	struct tinct_decoration *decoration = wl_container_of(listener, decoration, destroy);
	wl_list_remove(&decoration->request_mode.link);
	wl_list_remove(&decoration->destroy.link);
	free(decoration);
}

static void handle_new_xdg_decoration(struct wl_listener *listener, void *data)
{
	struct wlr_xdg_toplevel_decoration_v1 *wlr_decoration = data;
	struct tinct_decoration *decoration = calloc(1, sizeof(*decoration));
	if (decoration == NULL) {
		return;
	}
	decoration->decoration = wlr_decoration;
	decoration->request_mode.notify = decoration_handle_request_mode;
	wl_signal_add(&wlr_decoration->events.request_mode, &decoration->request_mode);
	decoration->destroy.notify = decoration_handle_destroy;
	wl_signal_add(&wlr_decoration->events.destroy, &decoration->destroy);
	decoration_handle_request_mode(&decoration->request_mode, wlr_decoration);
}

static void handle_new_kde_decoration(struct wl_listener *listener, void *data)
{
	/* The default mode (server) is all tinct needs; nothing to track. */
}

bool decoration_init(struct tinct_server *server)
{
	server->xdg_decoration = wlr_xdg_decoration_manager_v1_create(server->display);
	server->kde_decoration = wlr_server_decoration_manager_create(server->display);
	if (server->xdg_decoration == NULL || server->kde_decoration == NULL) {
		wlr_log(WLR_ERROR, "cannot create the decoration globals");
		return false;
	}
	wlr_server_decoration_manager_set_default_mode(
		server->kde_decoration, WLR_SERVER_DECORATION_MANAGER_MODE_SERVER);
	server->new_xdg_decoration.notify = handle_new_xdg_decoration;
	wl_signal_add(&server->xdg_decoration->events.new_toplevel_decoration,
		&server->new_xdg_decoration);
	server->new_kde_decoration.notify = handle_new_kde_decoration;
	wl_signal_add(&server->kde_decoration->events.new_decoration, &server->new_kde_decoration);
	return true;
}

void decoration_finish(struct tinct_server *server)
{
	wl_list_remove(&server->new_xdg_decoration.link);
	wl_list_remove(&server->new_kde_decoration.link);
}
