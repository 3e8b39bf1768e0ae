/*
 * Per-VM desktop state and the lifetime of each VM's display.
 */
#include "compositor/vms.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <wlr/util/log.h>

#include "common/colour.h"
#include "common/time.h"
#include "compositor/config.h"
#include "compositor/consoles.h"
#include "compositor/panel.h"
#include "virtio-wl/memfd_server.h"
#include "compositor/placeholder.h"
#include "compositor/policy.h"
#include "compositor/server.h"
#include "vmm/network.h"
#include "vmm/vm-def.h"
#include "vmm/vm.h"
#include "virtio-wl/vm_display.h"

// The VM's display and its memfd server go together.
static void display_destroy(struct tinct_desktop_vm *dvm)
{
	memfd_server_destroy(dvm->memfd);
	dvm->memfd = NULL;
	vm_display_destroy(dvm->display);
	dvm->display = NULL;
}

static void desktop_vm_destroy(struct tinct_desktop_vm *dvm)
{
	consoles_forget_vm(dvm->server, dvm);
	placeholder_remove(dvm);
	display_destroy(dvm);
	wl_list_remove(&dvm->vm_destroy.link);
	wl_list_remove(&dvm->link);
	free(dvm);
}

static void handle_vm_destroy(struct wl_listener *listener, void *data)
{
	struct tinct_desktop_vm *dvm = wl_container_of(listener, dvm, vm_destroy);
	desktop_vm_destroy(dvm);
}

static void desktop_vm_create(struct tinct_server *server, struct tinct_vm *vm)
{
	struct tinct_desktop_vm *dvm = calloc(1, sizeof(*dvm));
	if (dvm == NULL) {
		wlr_log_errno(WLR_ERROR, "cannot track VM %s", vm_name(vm));
		return;
	}
	dvm->server = server;
	dvm->vm = vm;
	dvm->colour = colour_from_rgb(vm->def->colour);
	dvm->permissions = vm->def->wayland_allow;
	dvm->max_windows = vm->def->max_windows;
	dvm->max_connections = vm->def->max_connections;
	dvm->memfd_quota = vm->def->memfd_quota;
	dvm->vm_destroy.notify = handle_vm_destroy;
	wl_signal_add(&vm->events.destroy, &dvm->vm_destroy);
	wl_list_insert(server->desktop_vms.prev, &dvm->link);
}

static void handle_vm_added(struct wl_listener *listener, void *data)
{
	struct tinct_server *server = wl_container_of(listener, server, vm_added);
	desktop_vm_create(server, data);
}

static void handle_vm_state(struct wl_listener *listener, void *data)
{
	struct tinct_server *server = wl_container_of(listener, server, vm_display_state);
	struct tinct_vm_state_event *event = data;
	struct tinct_desktop_vm *dvm = vms_find(server, event->vm);
	if (dvm == NULL) {
		return;
	}
	if (event->new_state == TINCT_VM_STOPPED || event->new_state == TINCT_VM_CRASHED) {
		/* The VM's clients go with it: windows vanish, nothing lingers. */
		display_destroy(dvm);
	}
}

struct tinct_desktop_vm *vms_find(struct tinct_server *server, const struct tinct_vm *vm)
{
	struct tinct_desktop_vm *dvm;
	wl_list_for_each (dvm, &server->desktop_vms, link) {
		if (dvm->vm == vm) {
			return dvm;
		}
	}
	return NULL;
}

bool vms_action_allowed(const struct tinct_vm *vm, enum tinct_vm_action action)
{
	enum tinct_vm_state state = vm->state;
	bool active = state == TINCT_VM_STARTING || state == TINCT_VM_BOOTING ||
		      state == TINCT_VM_RUNNING;
	switch (action) {
	case TINCT_VM_ACTION_START:
		return state == TINCT_VM_STOPPED || state == TINCT_VM_CRASHED;
	case TINCT_VM_ACTION_STOP:
		return active;
	case TINCT_VM_ACTION_KILL:
		return active || state == TINCT_VM_STOPPING;
	case TINCT_VM_ACTION_CONSOLE:
		/* A crash keeps the console's backlog for reading. */
		return active || state == TINCT_VM_STOPPING ||
		       (state == TINCT_VM_CRASHED && vm_has_console((struct tinct_vm *)vm));
	case TINCT_VM_ACTION_COUNT:
		break;
	}
	return false;
}

bool vms_check_def(const struct tinct_config *config, const struct tinct_vm_def *def,
	void (*report)(void *data, const char *message), void *data)
{
	struct tinct_colour colour = colour_from_rgb(def->colour);
	struct tinct_colour host = config->appearance.host_colour;
	host.a = 1.0f;
	float delta = colour_delta_e(colour, host);
	if (delta >= COLOUR_MIN_HOST_DELTA_E) {
		return true;
	}
	uint32_t host_rgb = (uint32_t)(host.r * 255.0f + 0.5f) << 16 |
			    (uint32_t)(host.g * 255.0f + 0.5f) << 8 |
			    (uint32_t)(host.b * 255.0f + 0.5f);
	char message[512];
	snprintf(message, sizeof(message),
		"%s:%d: [vm] colour: #%06x is too close to the host frame colour #%06x "
		"(colour difference %.1f, at least %.0f needed): its windows would pass for "
		"host windows; pick another colour",
		def->path != NULL ? def->path : def->name, def->colour_line, def->colour, host_rgb,
		(double)delta, (double)COLOUR_MIN_HOST_DELTA_E);
	report(data, message);
	return false;
}

/* Every new connection on a VM's sockets asks the policy first. */
static bool may_connect(void *owner)
{
	return policy_may_connect(owner);
}

const char *vms_name(const struct tinct_desktop_vm *dvm)
{
	return vm_name(dvm->vm);
}

bool vms_start(struct tinct_server *server, struct tinct_vm *vm, bool by_user)
{
	struct tinct_desktop_vm *dvm = vms_find(server, vm);
	if (dvm == NULL) {
		return false;
	}
	if (vm->state != TINCT_VM_STOPPED && vm->state != TINCT_VM_CRASHED) {
		return true;
	}
	/* The display exists before the VMM, which may connect to it at once. */
	const char *dir = vm_runtime_dir(vm);
	if (dvm->display == NULL) {
		if (mkdir(server->vms->runtime_root, 0700) < 0 && errno != EEXIST) {
			wlr_log_errno(WLR_ERROR, "cannot create %s", server->vms->runtime_root);
			return false;
		}
		if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
			wlr_log_errno(WLR_ERROR, "cannot create %s", dir);
			return false;
		}
		dvm->display = vm_display_create(server->display, &server->tagger, dvm, dir,
			(const char *const *)vm->def->wayland_named, vm->def->wayland_named_len);
		if (dvm->display == NULL) {
			return false;
		}
		dvm->display->may_connect = may_connect;
		dvm->memfd = memfd_server_create(wl_display_get_event_loop(server->display), dir,
			vm_name(vm), dvm->memfd_quota);
		if (dvm->memfd == NULL) {
			display_destroy(dvm);
			return false;
		}
	}
	if (by_user) {
		policy_grant_first_window(dvm);
	}
	/* Feedback in the next frame, long before the guest has a window. */
	placeholder_show(dvm);
	if (!vm_start(vm, NULL)) {
		display_destroy(dvm);
		if (vm->state != TINCT_VM_CRASHED) {
			placeholder_remove(dvm);
		}
		return false;
	}
	return true;
}

bool vms_run_app(struct tinct_server *server, struct tinct_vm *vm, size_t app, bool by_user,
	char *message, size_t size)
{
	struct tinct_desktop_vm *dvm = vms_find(server, vm);
	if (dvm == NULL || !vm_run_app(vm, app, message, size)) {
		return false;
	}
	if (by_user) {
		policy_grant_first_window(dvm);
	}
	return true;
}

void vms_window_closed(struct tinct_desktop_vm *dvm)
{
	struct tinct_vm *vm = dvm->vm;
	if (dvm->windows == 0 && vm->def->stop_when_idle && vm->state == TINCT_VM_RUNNING) {
		wlr_log(WLR_INFO, "VM %s: its last window closed, stopping it (stop-when-idle)",
			vm_name(vm));
		vm_stop(vm);
	}
}

bool vms_stop(struct tinct_server *server, struct tinct_vm *vm, char *message, size_t size)
{
	struct tinct_desktop_vm *dvm = vms_find(server, vm);
	char users[256];
	int64_t now = now_ms();
	if (dvm != NULL && network_users(vm, users, sizeof(users)) > 0 &&
		now >= dvm->stop_confirm_until_ms) {
		dvm->stop_confirm_until_ms = now + TINCT_NETVM_CONFIRM_MS;
		char text[512];
		snprintf(text, sizeof(text), "%s is the network of %s: Stop again to stop it",
			vm_name(vm), users);
		wlr_log(WLR_INFO, "VM %s: stop needs confirming (%s)", vm_name(vm), users);
		panel_show_notice(server->panel, TINCT_NOTICE_INFO, text, TINCT_NETVM_CONFIRM_MS);
		if (message != NULL) {
			snprintf(message, size, "%s; within %d s", text,
				TINCT_NETVM_CONFIRM_MS / 1000);
		}
		return false;
	}
	if (dvm != NULL) {
		dvm->stop_confirm_until_ms = 0;
	}
	vm_stop(vm);
	return true;
}

const char *vms_socket_path(struct tinct_server *server, struct tinct_vm *vm)
{
	struct tinct_desktop_vm *dvm = vms_find(server, vm);
	return dvm != NULL && dvm->display != NULL ? dvm->display->path : NULL;
}

void vms_init(struct tinct_server *server)
{
	wl_list_init(&server->desktop_vms);
	server->vm_added.notify = handle_vm_added;
	wl_signal_add(&server->vms->events.vm_added, &server->vm_added);
	server->vm_display_state.notify = handle_vm_state;
	wl_signal_add(&server->vms->events.state_changed, &server->vm_display_state);
	struct tinct_vm *vm;
	wl_list_for_each (vm, &server->vms->vms, link) {
		desktop_vm_create(server, vm);
	}
}

void vms_finish(struct tinct_server *server)
{
	wl_list_remove(&server->vm_added.link);
	wl_list_remove(&server->vm_display_state.link);
	struct tinct_desktop_vm *dvm, *tmp;
	wl_list_for_each_safe (dvm, tmp, &server->desktop_vms, link) {
		desktop_vm_destroy(dvm);
	}
}
