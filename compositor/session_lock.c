/*
 * ext-session-lock-v1 (session_lock.h has the behaviour).
 *
 * Objects: one tinct_session_lock per server (the global and the lock
 * state), one tinct_lock per ext_session_lock_v1, one tinct_lock_surface
 * per ext_session_lock_surface_v1, and one lock_output per output holding
 * its opaque fill. The lock layer holds two trees: the fills, and above
 * them the lock surfaces. It is enabled only while the session is locked,
 * and then every other layer is disabled, so neither rendering nor hit
 * testing can reach anything else.
 */
#include "compositor/session_lock.h"

#include <stdlib.h>
#include <string.h>
#include <wayland-server-core.h>
#include <wlr/types/wlr_output.h>
#include <wlr/types/wlr_scene.h>
#include <wlr/types/wlr_seat.h>
#include <wlr/types/wlr_surface.h>
#include <wlr/util/log.h>

#include "ext-session-lock-v1-protocol.h"
#include "compositor/output.h"
#include "compositor/panel.h"
#include "compositor/policy.h"
#include "compositor/seat.h"
#include "compositor/server.h"

#define MANAGER_VERSION 1

/* What is left on screen while no lock surface covers an output. */
static const float fill_colour[4] = {0.0f, 0.0f, 0.0f, 1.0f};

struct tinct_session_lock {
	struct tinct_server *server;
	struct wl_global *global;
	struct wlr_scene_node *fills; // lock_output.fill
	struct wlr_scene_node *surfaces; // trees of tinct_lock_surface
	bool locked;
	struct tinct_lock *active; // the live locker; NULL when none
	struct wl_list locks; // tinct_lock.link, live and finished
	struct wl_list outputs; // lock_output.link
};

struct tinct_lock {
	struct tinct_session_lock *manager;
	struct wl_resource *resource;
	bool started; // this lock locked an unlocked session
	bool locked_sent;
	bool unlocked; // unlock_and_destroy
	bool cancelled; // destroy before locked was sent
	struct wl_list surfaces; // tinct_lock_surface.link
	struct wl_list link; // tinct_session_lock.locks
};

struct lock_configure {
	uint32_t serial;
	int width, height;
};

struct tinct_lock_surface {
	struct tinct_lock *lock; // NULL once its lock is gone
	struct wl_resource *resource;
	struct wlr_surface *surface; // NULL once destroyed
	struct wlr_output *output; // NULL once gone
	struct wlr_scene_node *node; // subsurface tree, from the first commit
	struct wl_array configures; // lock_configure, sent and not yet acked
	bool acked; // a configure was acked
	int width, height; // of the last acked configure
	struct wl_listener surface_destroy;
	struct wl_list link; // tinct_lock.surfaces
};

struct lock_output {
	struct tinct_output *output;
	struct wlr_scene_rect *fill;
	bool frame_pending; // locked waits for this output to show the fill
	struct wl_list link; // tinct_session_lock.outputs
};

static const struct ext_session_lock_v1_interface lock_impl;
static const struct ext_session_lock_surface_v1_interface lock_surface_impl;
static void lock_surface_role_commit(struct wlr_surface *surface);

static const struct wlr_surface_role lock_surface_role = {
	.name = "ext_session_lock_surface_v1",
	.commit = lock_surface_role_commit,
};

bool session_lock_is_locked(const struct tinct_session_lock *lock)
{
	return lock != NULL && lock->locked;
}

bool session_lock_is_abandoned(const struct tinct_session_lock *lock)
{
	return session_lock_is_locked(lock) && lock->active == NULL;
}

bool session_lock_client_may_focus(const struct tinct_session_lock *lock, struct wl_client *client)
{
	if (!session_lock_is_locked(lock)) {
		return true;
	}
	return lock->active != NULL && wl_resource_get_client(lock->active->resource) == client;
}

static struct tinct_lock_surface *lock_surface_from_surface(struct wlr_surface *surface)
{
	if (surface == NULL || surface->role != &lock_surface_role) {
		return NULL;
	}
	return surface->role_data;
}

bool session_lock_owns_surface(const struct tinct_session_lock *lock, struct wlr_surface *surface)
{
	struct tinct_lock_surface *ls = lock_surface_from_surface(surface);
	return session_lock_is_locked(lock) && ls != NULL && ls->lock != NULL &&
	       ls->lock == lock->active;
}

static struct lock_output *lock_output_find(
	struct tinct_session_lock *lock, const struct tinct_output *output)
{
	struct lock_output *lo;
	wl_list_for_each (lo, &lock->outputs, link) {
		if (lo->output == output) {
			return lo;
		}
	}
	return NULL;
}

/* The lock surface that should have the keyboard: the one that has it, or the first shown. */
static void update_focus(struct tinct_session_lock *lock)
{
	struct tinct_seat *seat = lock->server->seat;
	if (!lock->locked || seat == NULL) {
		return;
	}
	struct wlr_surface *focused = seat_wlr_seat(seat)->keyboard_state.focused_surface;
	struct tinct_lock_surface *ls = lock_surface_from_surface(focused);
	if (ls == NULL || ls->lock != lock->active || ls->node == NULL) {
		focused = NULL;
		if (lock->active != NULL) {
			wl_list_for_each (ls, &lock->active->surfaces, link) {
				if (ls->node != NULL && ls->output != NULL) {
					focused = ls->surface;
					break;
				}
			}
		}
		seat_focus_lock_surface(seat, focused);
	}
	seat_update_pointer(seat);
}

static void maybe_send_locked(struct tinct_session_lock *lock)
{
	struct tinct_lock *active = lock->active;
	if (!lock->locked || active == NULL || active->locked_sent) {
		return;
	}
	struct lock_output *lo;
	wl_list_for_each (lo, &lock->outputs, link) {
		/* An output that is off shows nothing and draws no frame. */
		if (lo->frame_pending && lo->output->wlr_output->enabled) {
			return;
		}
	}
	active->locked_sent = true;
	ext_session_lock_v1_send_locked(active->resource);
	wlr_log(WLR_INFO, "session locked");
}

static void set_layers(struct tinct_session_lock *lock, bool locked)
{
	struct tinct_server *server = lock->server;
	for (size_t i = 0; i < TINCT_LAYER_COUNT; i++) {
		wlr_scene_node_set_enabled(server->layers[i], (i == TINCT_LAYER_LOCK) == locked);
	}
}

static void session_lock(struct tinct_session_lock *lock)
{
	struct tinct_server *server = lock->server;
	lock->locked = true;
	/* The menu would take keys; a fresh one could show a stale state later. */
	if (server->panel != NULL) {
		panel_close_menu(server->panel);
		panel_clear_notice(server->panel);
	}
	set_layers(lock, true);
	struct lock_output *lo;
	wl_list_for_each (lo, &lock->outputs, link) {
		lo->frame_pending = true;
		wlr_output_schedule_frame(lo->output->wlr_output);
	}
	if (server->seat != NULL) {
		seat_lock_changed(server->seat);
	}
	wlr_log(WLR_INFO, "session locking");
}

static void session_unlock(struct tinct_session_lock *lock)
{
	struct tinct_server *server = lock->server;
	lock->locked = false;
	lock->active = NULL;
	set_layers(lock, false);
	struct lock_output *lo;
	wl_list_for_each (lo, &lock->outputs, link) {
		lo->frame_pending = false;
	}
	if (server->seat != NULL) {
		seat_lock_changed(server->seat);
	}
	panel_schedule_update(server->panel);
	wlr_log(WLR_INFO, "session unlocked");
}

/* Lock surfaces. */

static struct tinct_output *lock_surface_output(struct tinct_lock_surface *ls)
{
	return ls->output != NULL ? ls->output->data : NULL;
}

static void lock_surface_configure(struct tinct_lock_surface *ls)
{
	struct tinct_output *output = lock_surface_output(ls);
	if (output == NULL) {
		return;
	}
	struct wlr_box box = output_layout_box(output);
	struct lock_configure *last = NULL;
	size_t n = ls->configures.size / sizeof(*last);
	if (n > 0) {
		last = (struct lock_configure *)ls->configures.data + n - 1;
	}
	if (last != NULL ? last->width == box.width && last->height == box.height
			 : ls->acked && ls->width == box.width && ls->height == box.height) {
		return;
	}
	struct lock_configure *configure = wl_array_add(&ls->configures, sizeof(*configure));
	if (configure == NULL) {
		wl_resource_post_no_memory(ls->resource);
		return;
	}
	configure->serial =
		wl_display_next_serial(wl_client_get_display(wl_resource_get_client(ls->resource)));
	configure->width = box.width;
	configure->height = box.height;
	ext_session_lock_surface_v1_send_configure(ls->resource, configure->serial,
		(uint32_t)configure->width, (uint32_t)configure->height);
}

static void lock_surface_place(struct tinct_lock_surface *ls)
{
	if (ls->node == NULL) {
		return;
	}
	struct tinct_output *output = lock_surface_output(ls);
	bool shown = output != NULL && ls->lock != NULL && ls->lock == ls->lock->manager->active;
	wlr_scene_node_set_enabled(ls->node, shown);
	if (output != NULL) {
		struct wlr_box box = output_layout_box(output);
		wlr_scene_node_set_position(ls->node, box.x, box.y);
	}
}

static void lock_surface_role_commit(struct wlr_surface *surface)
{
	struct tinct_lock_surface *ls = surface->role_data;
	if (ls == NULL) {
		return; // its role object is gone: the surface shows nowhere
	}
	if (!ls->acked) {
		wl_resource_post_error(ls->resource,
			EXT_SESSION_LOCK_SURFACE_V1_ERROR_COMMIT_BEFORE_FIRST_ACK,
			"committed before the first ack_configure");
		return;
	}
	if (!wlr_surface_has_buffer(surface)) {
		wl_resource_post_error(ls->resource, EXT_SESSION_LOCK_SURFACE_V1_ERROR_NULL_BUFFER,
			"committed with a null buffer");
		return;
	}
	if (surface->current.width != ls->width || surface->current.height != ls->height) {
		wl_resource_post_error(ls->resource,
			EXT_SESSION_LOCK_SURFACE_V1_ERROR_DIMENSIONS_MISMATCH,
			"committed %dx%d, configured %dx%d", surface->current.width,
			surface->current.height, ls->width, ls->height);
		return;
	}
	if (ls->node != NULL || ls->lock == NULL) {
		return;
	}
	ls->node = wlr_scene_subsurface_tree_create(ls->lock->manager->surfaces, surface);
	if (ls->node == NULL) {
		wl_resource_post_no_memory(ls->resource);
		return;
	}
	lock_surface_place(ls);
	update_focus(ls->lock->manager);
}

/* Detaches ls from its surface and its lock; the resource may live on, inert. */
static void lock_surface_detach(struct tinct_lock_surface *ls)
{
	struct tinct_session_lock *manager = ls->lock != NULL ? ls->lock->manager : NULL;
	if (ls->surface != NULL) {
		if (ls->node != NULL) {
			wlr_scene_node_destroy(ls->node);
		}
		ls->surface->role_data = NULL;
		wl_list_remove(&ls->surface_destroy.link);
		ls->surface = NULL;
	}
	ls->node = NULL;
	if (ls->lock != NULL) {
		wl_list_remove(&ls->link);
		ls->lock = NULL;
	}
	if (manager != NULL) {
		update_focus(manager);
	}
}

static void handle_lock_surface_surface_destroy(struct wl_listener *listener, void *data)
{
	struct tinct_lock_surface *ls = wl_container_of(listener, ls, surface_destroy);
	/* The subsurface tree goes with the surface. */
	ls->node = NULL;
	wl_list_remove(&ls->surface_destroy.link);
	ls->surface->role_data = NULL;
	ls->surface = NULL;
	if (ls->lock != NULL) {
		struct tinct_session_lock *manager = ls->lock->manager;
		wl_list_remove(&ls->link);
		wl_list_init(&ls->link);
		ls->lock = NULL;
		update_focus(manager);
	}
}

static void handle_lock_surface_resource_destroy(struct wl_resource *resource)
{
	struct tinct_lock_surface *ls = wl_resource_get_user_data(resource);
	lock_surface_detach(ls);
	wl_array_release(&ls->configures);
	free(ls);
}

static void handle_lock_surface_destroy(struct wl_client *client, struct wl_resource *resource)
{
	wl_resource_destroy(resource);
}

static void handle_lock_surface_ack_configure(
	struct wl_client *client, struct wl_resource *resource, uint32_t serial)
{
	struct tinct_lock_surface *ls = wl_resource_get_user_data(resource);
	struct lock_configure *configures = ls->configures.data;
	size_t n = ls->configures.size / sizeof(*configures);
	size_t i = 0;
	while (i < n && configures[i].serial != serial) {
		i++;
	}
	if (i == n) {
		wl_resource_post_error(resource, EXT_SESSION_LOCK_SURFACE_V1_ERROR_INVALID_SERIAL,
			"serial %u is no pending configure", serial);
		return;
	}
	ls->acked = true;
	ls->width = configures[i].width;
	ls->height = configures[i].height;
	/* This configure and every older one are consumed. */
	size_t left = n - i - 1;
	memmove(configures, configures + i + 1, left * sizeof(*configures));
	ls->configures.size = left * sizeof(*configures);
}

static const struct ext_session_lock_surface_v1_interface lock_surface_impl = {
	.destroy = handle_lock_surface_destroy,
	.ack_configure = handle_lock_surface_ack_configure,
};

/* Lock objects. */

static void handle_lock_get_lock_surface(struct wl_client *client, struct wl_resource *resource,
	uint32_t id, struct wl_resource *surface_resource, struct wl_resource *output_resource)
{
	struct tinct_lock *lock = wl_resource_get_user_data(resource);
	struct wlr_surface *surface = wlr_surface_from_resource(surface_resource);
	struct wlr_output *output = wlr_output_from_resource(output_resource);

	if (wlr_surface_has_buffer(surface) ||
		(surface->pending.committed & WLR_SURFACE_STATE_BUFFER) != 0) {
		wl_resource_post_error(resource, EXT_SESSION_LOCK_V1_ERROR_ALREADY_CONSTRUCTED,
			"the surface has a buffer attached or committed");
		return;
	}
	struct tinct_lock_surface *other;
	if (lock != NULL && output != NULL) {
		wl_list_for_each (other, &lock->surfaces, link) {
			if (other->output == output) {
				wl_resource_post_error(resource,
					EXT_SESSION_LOCK_V1_ERROR_DUPLICATE_OUTPUT,
					"output %s already has a lock surface", output->name);
				return;
			}
		}
	}

	struct tinct_lock_surface *ls = calloc(1, sizeof(*ls));
	if (ls == NULL) {
		wl_resource_post_no_memory(resource);
		return;
	}
	wl_array_init(&ls->configures);
	wl_list_init(&ls->link);
	ls->resource = wl_resource_create(client, &ext_session_lock_surface_v1_interface,
		wl_resource_get_version(resource), id);
	if (ls->resource == NULL) {
		free(ls);
		wl_resource_post_no_memory(resource);
		return;
	}
	wl_resource_set_implementation(
		ls->resource, &lock_surface_impl, ls, handle_lock_surface_resource_destroy);
	if (!wlr_surface_set_role(
		    surface, &lock_surface_role, ls, resource, EXT_SESSION_LOCK_V1_ERROR_ROLE)) {
		return; // the error is posted; the resource goes with the client
	}
	ls->surface = surface;
	ls->surface_destroy.notify = handle_lock_surface_surface_destroy;
	wl_signal_add(&surface->events.destroy, &ls->surface_destroy);
	/* A destroyed lock or output leaves the surface inert, never shown. */
	if (lock == NULL || output == NULL || output->data == NULL) {
		return;
	}
	ls->lock = lock;
	ls->output = output;
	wl_list_insert(lock->surfaces.prev, &ls->link);
	lock_surface_configure(ls);
}

static void handle_lock_destroy(struct wl_client *client, struct wl_resource *resource)
{
	struct tinct_lock *lock = wl_resource_get_user_data(resource);
	if (lock != NULL && lock->locked_sent) {
		wl_resource_post_error(resource, EXT_SESSION_LOCK_V1_ERROR_INVALID_DESTROY,
			"the session is locked: only unlock_and_destroy ends this lock");
		return;
	}
	if (lock != NULL) {
		lock->cancelled = true;
	}
	wl_resource_destroy(resource);
}

static void handle_lock_unlock_and_destroy(struct wl_client *client, struct wl_resource *resource)
{
	struct tinct_lock *lock = wl_resource_get_user_data(resource);
	if (lock != NULL && !lock->locked_sent) {
		wl_resource_post_error(resource, EXT_SESSION_LOCK_V1_ERROR_INVALID_UNLOCK,
			"the locked event was never sent");
		return;
	}
	if (lock != NULL) {
		lock->unlocked = true;
	}
	wl_resource_destroy(resource);
}

static const struct ext_session_lock_v1_interface lock_impl = {
	.destroy = handle_lock_destroy,
	.get_lock_surface = handle_lock_get_lock_surface,
	.unlock_and_destroy = handle_lock_unlock_and_destroy,
};

static void handle_lock_resource_destroy(struct wl_resource *resource)
{
	struct tinct_lock *lock = wl_resource_get_user_data(resource);
	if (lock == NULL) {
		return;
	}
	struct tinct_session_lock *manager = lock->manager;
	struct tinct_lock_surface *ls, *tmp;
	wl_list_for_each_safe (ls, tmp, &lock->surfaces, link) {
		if (ls->node != NULL) {
			wlr_scene_node_destroy(ls->node);
			ls->node = NULL;
		}
		wl_list_remove(&ls->link);
		wl_list_init(&ls->link);
		ls->lock = NULL;
	}
	wl_list_remove(&lock->link);
	if (manager->active == lock) {
		if (lock->unlocked || (lock->cancelled && lock->started)) {
			/* The locker unlocked, or gave up before the session was locked. */
			session_unlock(manager);
		} else {
			/* The locker died: the session stays locked (the protocol's rule). */
			manager->active = NULL;
			wlr_log(WLR_ERROR,
				"the screen locker went away without unlocking; "
				"the session stays locked until a new locker unlocks it");
			update_focus(manager);
		}
	}
	free(lock);
}

/* The manager. */

static void handle_manager_destroy(struct wl_client *client, struct wl_resource *resource)
{
	wl_resource_destroy(resource);
}

static void handle_manager_lock(struct wl_client *client, struct wl_resource *resource, uint32_t id)
{
	struct tinct_session_lock *manager = wl_resource_get_user_data(resource);
	struct tinct_lock *lock = calloc(1, sizeof(*lock));
	if (lock == NULL) {
		wl_resource_post_no_memory(resource);
		return;
	}
	lock->manager = manager;
	wl_list_init(&lock->surfaces);
	lock->resource = wl_resource_create(
		client, &ext_session_lock_v1_interface, wl_resource_get_version(resource), id);
	if (lock->resource == NULL) {
		free(lock);
		wl_resource_post_no_memory(resource);
		return;
	}
	wl_resource_set_implementation(
		lock->resource, &lock_impl, lock, handle_lock_resource_destroy);
	wl_list_insert(&manager->locks, &lock->link);
	if (manager->active != NULL) {
		wlr_log(WLR_INFO, "a second screen locker was refused: the session is held");
		ext_session_lock_v1_send_finished(lock->resource);
		return;
	}
	manager->active = lock;
	if (manager->locked) {
		/* Abandoned: the fill has been on screen all along. */
		lock->locked_sent = true;
		ext_session_lock_v1_send_locked(lock->resource);
		wlr_log(WLR_INFO, "a new screen locker took over the locked session");
		return;
	}
	lock->started = true;
	session_lock(manager);
	maybe_send_locked(manager);
}

static const struct ext_session_lock_manager_v1_interface manager_impl = {
	.destroy = handle_manager_destroy,
	.lock = handle_manager_lock,
};

static void handle_bind(struct wl_client *client, void *data, uint32_t version, uint32_t id)
{
	struct tinct_session_lock *manager = data;
	/* The global filter already hides the global; this is the second lock. */
	if (!policy_may(client, TINCT_PERM_SESSION_LOCK)) {
		wl_client_post_implementation_error(
			client, "ext_session_lock_manager_v1 is for host clients");
		return;
	}
	struct wl_resource *resource = wl_resource_create(
		client, &ext_session_lock_manager_v1_interface, (int)version, id);
	if (resource == NULL) {
		wl_client_post_no_memory(client);
		return;
	}
	wl_resource_set_implementation(resource, &manager_impl, manager, NULL);
}

/* Outputs. */

void session_lock_output_arrange(struct tinct_session_lock *lock, struct tinct_output *output)
{
	if (lock == NULL) {
		return;
	}
	struct lock_output *lo = lock_output_find(lock, output);
	if (lo == NULL) {
		lo = calloc(1, sizeof(*lo));
		if (lo == NULL) {
			wlr_log_errno(WLR_ERROR, "cannot allocate the lock fill");
			return;
		}
		lo->output = output;
		lo->fill = wlr_scene_rect_create(lock->fills, 0, 0, fill_colour);
		if (lo->fill == NULL) {
			free(lo);
			return;
		}
		/* A screen added while locked shows the fill before anything else. */
		lo->frame_pending = lock->locked;
		wl_list_insert(lock->outputs.prev, &lo->link);
	}
	struct wlr_box box = output_layout_box(output);
	wlr_scene_node_set_position(&lo->fill->node, box.x, box.y);
	wlr_scene_rect_set_size(lo->fill, box.width, box.height);
	struct tinct_lock *each;
	wl_list_for_each (each, &lock->locks, link) {
		struct tinct_lock_surface *ls;
		wl_list_for_each (ls, &each->surfaces, link) {
			if (ls->output == output->wlr_output) {
				lock_surface_configure(ls);
				lock_surface_place(ls);
			}
		}
	}
}

void session_lock_output_destroyed(struct tinct_session_lock *lock, struct tinct_output *output)
{
	if (lock == NULL) {
		return;
	}
	struct lock_output *lo = lock_output_find(lock, output);
	if (lo != NULL) {
		wlr_scene_node_destroy(&lo->fill->node);
		wl_list_remove(&lo->link);
		free(lo);
	}
	struct tinct_lock *each;
	wl_list_for_each (each, &lock->locks, link) {
		struct tinct_lock_surface *ls;
		wl_list_for_each (ls, &each->surfaces, link) {
			if (ls->output == output->wlr_output) {
				ls->output = NULL;
				lock_surface_place(ls);
			}
		}
	}
	update_focus(lock);
	maybe_send_locked(lock);
}

void session_lock_output_frame(struct tinct_session_lock *lock, struct tinct_output *output)
{
	if (!session_lock_is_locked(lock)) {
		return;
	}
	struct lock_output *lo = lock_output_find(lock, output);
	if (lo != NULL && lo->frame_pending) {
		lo->frame_pending = false;
		maybe_send_locked(lock);
	}
}

struct tinct_session_lock *session_lock_create(struct tinct_server *server)
{
	struct tinct_session_lock *lock = calloc(1, sizeof(*lock));
	if (lock == NULL) {
		wlr_log_errno(WLR_ERROR, "cannot allocate the session lock");
		return NULL;
	}
	lock->server = server;
	wl_list_init(&lock->locks);
	wl_list_init(&lock->outputs);
	struct wlr_scene_node *layer = server->layers[TINCT_LAYER_LOCK];
	struct wlr_scene_tree *fills = wlr_scene_tree_create(layer);
	struct wlr_scene_tree *surfaces = wlr_scene_tree_create(layer);
	lock->global = wl_global_create(server->display, &ext_session_lock_manager_v1_interface,
		MANAGER_VERSION, lock, handle_bind);
	if (fills == NULL || surfaces == NULL || lock->global == NULL) {
		wlr_log(WLR_ERROR, "cannot create the ext_session_lock_manager_v1 global");
		if (lock->global != NULL) {
			wl_global_destroy(lock->global);
		}
		free(lock);
		return NULL;
	}
	lock->fills = &fills->node;
	lock->surfaces = &surfaces->node;
	wlr_scene_node_set_enabled(layer, false);
	/* Only host clients may lock; a VM never sees the global (policy.h). */
	policy_restrict_global(server, lock->global, TINCT_PERM_SESSION_LOCK);
	return lock;
}

void session_lock_destroy(struct tinct_session_lock *lock)
{
	if (lock == NULL) {
		return;
	}
	/* Called once the clients are gone: no lock object is left. */
	wl_global_destroy(lock->global);
	struct lock_output *lo, *tmp;
	wl_list_for_each_safe (lo, tmp, &lock->outputs, link) {
		wl_list_remove(&lo->link);
		free(lo);
	}
	free(lock);
}
