/*
 * Idle inhibitors are tracked so that the policy decides, inhibitor by
 * inhibitor, whether one keeps the session awake.
 */
#include "compositor/idle.h"

#include <stdlib.h>
#include <wlr/types/wlr_idle.h>
#include <wlr/types/wlr_idle_inhibit_v1.h>
#include <wlr/util/log.h>

#include "compositor/policy.h"
#include "compositor/seat.h"
#include "compositor/server.h"

struct tinct_idle_inhibitor {
	struct tinct_server *server;
	struct wlr_idle_inhibitor_v1 *wlr_inhibitor;
	struct wl_listener destroy;
	struct wl_list link; // tinct_server.idle_inhibitors
};

static void update_idle(struct tinct_server *server)
{
	bool inhibited = false;
	struct tinct_idle_inhibitor *inhibitor;
	wl_list_for_each (inhibitor, &server->idle_inhibitors, link) {
		struct wl_client *client =
			wl_resource_get_client(inhibitor->wlr_inhibitor->resource);
		inhibited = inhibited || policy_may(client, TINCT_PERM_IDLE_INHIBIT);
	}
	wlr_idle_set_enabled(server->idle, seat_wlr_seat(server->seat), !inhibited);
}

static void idle_inhibitor_handle_destroy(struct wl_listener *listener, void *data)
{
	struct tinct_idle_inhibitor *inhibitor = wl_container_of(listener, inhibitor, destroy);
	struct tinct_server *server = inhibitor->server;
	wl_list_remove(&inhibitor->destroy.link);
	wl_list_remove(&inhibitor->link);
	free(inhibitor);
	update_idle(server);
}

static void handle_new_idle_inhibitor(struct wl_listener *listener, void *data)
{
	struct tinct_server *server = wl_container_of(listener, server, new_idle_inhibitor);
	struct wlr_idle_inhibitor_v1 *wlr_inhibitor = data;
	struct tinct_idle_inhibitor *inhibitor = calloc(1, sizeof(*inhibitor));
	if (inhibitor == NULL) {
		return;
	}
	inhibitor->server = server;
	inhibitor->wlr_inhibitor = wlr_inhibitor;
	inhibitor->destroy.notify = idle_inhibitor_handle_destroy;
	wl_signal_add(&wlr_inhibitor->events.destroy, &inhibitor->destroy);
	wl_list_insert(&server->idle_inhibitors, &inhibitor->link);
	update_idle(server);
}

bool idle_init(struct tinct_server *server)
{
	wl_list_init(&server->idle_inhibitors);
	server->idle = wlr_idle_create(server->display);
	server->idle_inhibit = wlr_idle_inhibit_v1_create(server->display);
	if (server->idle == NULL || server->idle_inhibit == NULL) {
		wlr_log(WLR_ERROR, "cannot create the idle globals");
		return false;
	}
	policy_restrict_global(server, server->idle->global, TINCT_PERM_IDLE);
	server->new_idle_inhibitor.notify = handle_new_idle_inhibitor;
	wl_signal_add(&server->idle_inhibit->events.new_inhibitor, &server->new_idle_inhibitor);
	return true;
}

void idle_finish(struct tinct_server *server)
{
	wl_list_remove(&server->new_idle_inhibitor.link);
	struct tinct_idle_inhibitor *inhibitor, *tmp;
	wl_list_for_each_safe (inhibitor, tmp, &server->idle_inhibitors, link) {
		wl_list_remove(&inhibitor->destroy.link);
		wl_list_remove(&inhibitor->link);
		free(inhibitor);
	}
}

void idle_notify_activity(struct tinct_server *server)
{
	wlr_idle_notify_activity(server->idle, seat_wlr_seat(server->seat));
}
