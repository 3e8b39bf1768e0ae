/*
 * wlr-foreign-toplevel-management: host taskbars and docks (never VMs, see
 * policy.h) see every mapped view with tinct's title, "[vm] " prefix
 * included, and may activate, close, maximise or fullscreen it.
 */
#include "compositor/foreign_toplevel.h"

#include <wlr/types/wlr_foreign_toplevel_management_v1.h>
#include <wlr/types/wlr_xdg_shell.h>

#include "compositor/server.h"
#include "compositor/view.h"

static void handle_foreign_request_activate(struct wl_listener *listener, void *data)
{
	struct tinct_view *view = wl_container_of(listener, view, foreign_request_activate);
	view_focus(view);
}

static void handle_foreign_request_close(struct wl_listener *listener, void *data)
{
	struct tinct_view *view = wl_container_of(listener, view, foreign_request_close);
	view_close(view);
}

static void handle_foreign_request_maximize(struct wl_listener *listener, void *data)
{
	struct tinct_view *view = wl_container_of(listener, view, foreign_request_maximize);
	struct wlr_foreign_toplevel_handle_v1_maximized_event *event = data;
	view_set_maximized(view, event->maximized);
}

static void handle_foreign_request_fullscreen(struct wl_listener *listener, void *data)
{
	struct tinct_view *view = wl_container_of(listener, view, foreign_request_fullscreen);
	struct wlr_foreign_toplevel_handle_v1_fullscreen_event *event = data;
	view_set_fullscreen(view, event->fullscreen);
}

void foreign_toplevel_create(struct tinct_view *view)
{
	struct wlr_xdg_toplevel *toplevel = view->xdg_surface->toplevel;
	view->foreign = wlr_foreign_toplevel_handle_v1_create(view->server->foreign_toplevel);
	if (view->foreign == NULL) {
		return;
	}
	if (view->title != NULL) {
		wlr_foreign_toplevel_handle_v1_set_title(view->foreign, view->title);
	}
	if (toplevel->app_id != NULL) {
		wlr_foreign_toplevel_handle_v1_set_app_id(view->foreign, toplevel->app_id);
	}
	view->foreign_request_activate.notify = handle_foreign_request_activate;
	wl_signal_add(&view->foreign->events.request_activate, &view->foreign_request_activate);
	view->foreign_request_close.notify = handle_foreign_request_close;
	wl_signal_add(&view->foreign->events.request_close, &view->foreign_request_close);
	view->foreign_request_maximize.notify = handle_foreign_request_maximize;
	wl_signal_add(&view->foreign->events.request_maximize, &view->foreign_request_maximize);
	view->foreign_request_fullscreen.notify = handle_foreign_request_fullscreen;
	wl_signal_add(&view->foreign->events.request_fullscreen, &view->foreign_request_fullscreen);
}

void foreign_toplevel_destroy(struct tinct_view *view)
{
	if (view->foreign == NULL) {
		return;
	}
	wl_list_remove(&view->foreign_request_activate.link);
	wl_list_remove(&view->foreign_request_close.link);
	wl_list_remove(&view->foreign_request_maximize.link);
	wl_list_remove(&view->foreign_request_fullscreen.link);
	wlr_foreign_toplevel_handle_v1_destroy(view->foreign);
	view->foreign = NULL;
}

void foreign_toplevel_set_activated(struct tinct_view *view, bool activated)
{
	if (view->foreign != NULL) {
		wlr_foreign_toplevel_handle_v1_set_activated(view->foreign, activated);
	}
}

void foreign_toplevel_set_maximized(struct tinct_view *view, bool maximized)
{
	if (view->foreign != NULL) {
		wlr_foreign_toplevel_handle_v1_set_maximized(view->foreign, maximized);
	}
}

void foreign_toplevel_set_fullscreen(struct tinct_view *view, bool fullscreen)
{
	if (view->foreign != NULL) {
		wlr_foreign_toplevel_handle_v1_set_fullscreen(view->foreign, fullscreen);
	}
}

void foreign_toplevel_update_title(struct tinct_view *view)
{
	if (view->foreign != NULL && view->title != NULL) {
		wlr_foreign_toplevel_handle_v1_set_title(view->foreign, view->title);
	}
}

void foreign_toplevel_update_app_id(struct tinct_view *view)
{
	const char *app_id = view->xdg_surface->toplevel->app_id;
	if (view->foreign != NULL && app_id != NULL) {
		wlr_foreign_toplevel_handle_v1_set_app_id(view->foreign, app_id);
	}
}
