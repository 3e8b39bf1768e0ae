/*
 * The server side of tinct-vm-manager-unstable-v1 (the protocol is described
 * in protocols/tinct-vm-manager-unstable-v1.xml). One tinct_vm_entry follows
 * each VM of the vm manager and holds the handles clients have for it, so a
 * state change is one walk over a short list. Result and window-list objects
 * live only for the request that creates them.
 */
#include "compositor/vm_manager_protocol.h"

#include <stdio.h>
#include <stdlib.h>
#include <wayland-server-core.h>
#include <wlr/types/wlr_xdg_shell.h>
#include <wlr/util/log.h>

#include "compositor/placeholder.h"
#include "compositor/policy.h"
#include "compositor/server.h"
#include "tinct-vm-manager-unstable-v1-protocol.h"
#include "compositor/title.h"
#include "compositor/view.h"
#include "vmm/vm-def.h"
#include "vmm/vm.h"
#include "compositor/vms.h"

#define MANAGER_VERSION 2

/* The protocol's state values are the vm manager's, on purpose. */
_Static_assert((int)TINCT_VM_HANDLE_V1_STATE_STOPPED == (int)TINCT_VM_STOPPED, "state");
_Static_assert((int)TINCT_VM_HANDLE_V1_STATE_STARTING == (int)TINCT_VM_STARTING, "state");
_Static_assert((int)TINCT_VM_HANDLE_V1_STATE_RUNNING == (int)TINCT_VM_RUNNING, "state");
_Static_assert((int)TINCT_VM_HANDLE_V1_STATE_STOPPING == (int)TINCT_VM_STOPPING, "state");
_Static_assert((int)TINCT_VM_HANDLE_V1_STATE_CRASHED == (int)TINCT_VM_CRASHED, "state");
_Static_assert((int)TINCT_VM_HANDLE_V1_STATE_BOOTING == (int)TINCT_VM_BOOTING, "state");

struct tinct_vm_manager_protocol {
	struct tinct_server *server;
	struct wl_global *global;
	struct wl_list resources; // tinct_vm_manager_v1 wl_resource links
	struct wl_list vms; // tinct_vm_entry.link
	struct wl_listener vm_added;
	struct wl_listener vm_state_changed;
};

struct tinct_vm_entry {
	struct tinct_vm_manager_protocol *protocol;
	struct tinct_vm *vm;
	struct wl_list handles; // tinct_vm_handle_v1 wl_resource links
	struct wl_listener vm_destroy;
	struct wl_list link; // tinct_vm_manager_protocol.vms
};

/*
 * Unlinks a resource from whatever list holds it and makes it inert: its
 * destroy handler then finds an empty link and no user data.
 */
static void resource_detach(struct wl_resource *resource)
{
	wl_list_remove(wl_resource_get_link(resource));
	wl_list_init(wl_resource_get_link(resource));
	wl_resource_set_user_data(resource, NULL);
}

static void handle_resource_destroy(struct wl_resource *resource)
{
	wl_list_remove(wl_resource_get_link(resource));
}

static void handle_request_destroy(struct wl_client *client, struct wl_resource *resource)
{
	wl_resource_destroy(resource);
}

static const struct tinct_vm_handle_v1_interface vm_handle_impl = {
	.destroy = handle_request_destroy,
};

static void vm_handle_send_state(struct wl_resource *handle, struct tinct_vm_entry *entry)
{
	struct tinct_vm *vm = entry->vm;
	const char *socket = vms_socket_path(entry->protocol->server, vm);
	enum tinct_vm_state state = vm->state;
	bool v2 = wl_resource_get_version(handle) >= TINCT_VM_HANDLE_V1_CRASH_SINCE_VERSION;
	if (state == TINCT_VM_BOOTING && !v2) {
		/* Version 1 knows no booting: it is still starting there. */
		state = TINCT_VM_STARTING;
	}
	if (state == TINCT_VM_CRASHED && v2) {
		int status = -1, signal = 0;
		if (!vm_exit_status(vm, &status, &signal)) {
			status = -1;
			signal = 0;
		}
		const char *reason = vm_reason(vm);
		tinct_vm_handle_v1_send_crash(
			handle, reason != NULL ? reason : "", status, (uint32_t)signal);
	}
	tinct_vm_handle_v1_send_state(handle, state);
	tinct_vm_handle_v1_send_socket(handle, socket != NULL ? socket : "");
}

/* Creates a handle for entry on manager and sends all it describes. */
static void entry_announce(struct tinct_vm_entry *entry, struct wl_resource *manager)
{
	struct wl_client *client = wl_resource_get_client(manager);
	struct wl_resource *handle = wl_resource_create(
		client, &tinct_vm_handle_v1_interface, wl_resource_get_version(manager), 0);
	if (handle == NULL) {
		wl_client_post_no_memory(client);
		return;
	}
	wl_resource_set_implementation(handle, &vm_handle_impl, entry, handle_resource_destroy);
	wl_list_insert(entry->handles.prev, wl_resource_get_link(handle));

	tinct_vm_manager_v1_send_vm(manager, handle);
	tinct_vm_handle_v1_send_name(handle, vm_name(entry->vm));
	tinct_vm_handle_v1_send_colour(handle, entry->vm->def->colour & 0xffffff);
	vm_handle_send_state(handle, entry);
	tinct_vm_handle_v1_send_console(handle, vm_console_path(entry->vm));
	if (wl_resource_get_version(handle) >= TINCT_VM_HANDLE_V1_APP_SINCE_VERSION) {
		const struct tinct_vm_def *def = entry->vm->def;
		for (size_t i = 0; i < def->guest_runs_len; i++) {
			tinct_vm_handle_v1_send_app(handle, (uint32_t)i, vm_def_app_name(def, i));
		}
	}
	tinct_vm_handle_v1_send_done(handle);
}

static void entry_destroy(struct tinct_vm_entry *entry)
{
	struct wl_resource *handle, *tmp;
	wl_resource_for_each_safe (handle, tmp, &entry->handles) {
		tinct_vm_handle_v1_send_removed(handle);
		resource_detach(handle);
	}
	wl_list_remove(&entry->vm_destroy.link);
	wl_list_remove(&entry->link);
	free(entry);
}

static void handle_vm_destroy(struct wl_listener *listener, void *data)
{
	struct tinct_vm_entry *entry = wl_container_of(listener, entry, vm_destroy);
	entry_destroy(entry);
}

static struct tinct_vm_entry *entry_create(
	struct tinct_vm_manager_protocol *protocol, struct tinct_vm *vm)
{
	struct tinct_vm_entry *entry = calloc(1, sizeof(*entry));
	if (entry == NULL) {
		wlr_log_errno(WLR_ERROR, "cannot offer VM %s to tinctctl", vm_name(vm));
		return NULL;
	}
	entry->protocol = protocol;
	entry->vm = vm;
	wl_list_init(&entry->handles);
	entry->vm_destroy.notify = handle_vm_destroy;
	wl_signal_add(&vm->events.destroy, &entry->vm_destroy);
	wl_list_insert(protocol->vms.prev, &entry->link);
	return entry;
}

static struct tinct_vm_entry *entry_find(
	struct tinct_vm_manager_protocol *protocol, struct tinct_vm *vm)
{
	struct tinct_vm_entry *entry;
	wl_list_for_each (entry, &protocol->vms, link) {
		if (entry->vm == vm) {
			return entry;
		}
	}
	return NULL;
}

static void handle_vm_added(struct wl_listener *listener, void *data)
{
	struct tinct_vm_manager_protocol *protocol = wl_container_of(listener, protocol, vm_added);
	struct tinct_vm_entry *entry = entry_create(protocol, data);
	if (entry == NULL) {
		return;
	}
	struct wl_resource *manager;
	wl_resource_for_each (manager, &protocol->resources) {
		entry_announce(entry, manager);
		tinct_vm_manager_v1_send_done(manager);
	}
}

static void handle_vm_state_changed(struct wl_listener *listener, void *data)
{
	struct tinct_vm_manager_protocol *protocol =
		wl_container_of(listener, protocol, vm_state_changed);
	struct tinct_vm_state_event *event = data;
	struct tinct_vm_entry *entry = entry_find(protocol, event->vm);
	if (entry == NULL) {
		return;
	}
	struct wl_resource *handle;
	wl_resource_for_each (handle, &entry->handles) {
		vm_handle_send_state(handle, entry);
		tinct_vm_handle_v1_send_done(handle);
	}
}

/*
 * Carries out start, stop or kill on the VM called name and fills in the
 * outcome. The message is for humans; it names the VM and its state.
 */
static enum tinct_vm_manager_v1_status vm_act(struct tinct_vm_manager_protocol *protocol,
	const char *name, enum tinct_vm_action action, char *message, size_t size)
{
	if (protocol == NULL) {
		snprintf(message, size, "tinct is shutting down");
		return TINCT_VM_MANAGER_V1_STATUS_FAILED;
	}
	struct tinct_vm *vm = vm_manager_find(protocol->server->vms, name);
	if (vm == NULL) {
		snprintf(message, size, "no VM is called %s", name);
		return TINCT_VM_MANAGER_V1_STATUS_NO_SUCH_VM;
	}
	if (!vms_action_allowed(vm, action)) {
		enum tinct_vm_state state = vm->state;
		if (action == TINCT_VM_ACTION_START) {
			snprintf(message, size, "VM %s is already %s", name, vm_state_name(state));
		} else {
			snprintf(message, size, "VM %s is %s, not running", name,
				vm_state_name(state));
		}
		return TINCT_VM_MANAGER_V1_STATUS_INVALID_STATE;
	}
	switch (action) {
	case TINCT_VM_ACTION_START:
		wlr_log(WLR_INFO, "VM %s: start requested by a host client", name);
		if (!vms_start(protocol->server, vm, true)) {
			const char *reason = vm_reason(vm);
			if (reason != NULL) {
				snprintf(message, size, "VM %s failed to start: %s", name, reason);
			} else {
				snprintf(message, size, "VM %s failed to start (see tinct's log)",
					name);
			}
			return TINCT_VM_MANAGER_V1_STATUS_FAILED;
		}
		break;
	case TINCT_VM_ACTION_STOP:
		wlr_log(WLR_INFO, "VM %s: stop requested by a host client", name);
		if (!vms_stop(protocol->server, vm, message, size)) {
			return TINCT_VM_MANAGER_V1_STATUS_FAILED;
		}
		break;
	case TINCT_VM_ACTION_KILL:
		wlr_log(WLR_INFO, "VM %s: kill requested by a host client", name);
		vm_kill(vm);
		break;
	default:
		return TINCT_VM_MANAGER_V1_STATUS_FAILED;
	}
	message[0] = '\0';
	return TINCT_VM_MANAGER_V1_STATUS_OK;
}

static void handle_vm_request(struct wl_client *client, struct wl_resource *manager,
	const char *name, uint32_t id, enum tinct_vm_action action)
{
	struct wl_resource *result = wl_resource_create(
		client, &tinct_vm_result_v1_interface, wl_resource_get_version(manager), id);
	if (result == NULL) {
		wl_client_post_no_memory(client);
		return;
	}
	wl_resource_set_implementation(result, NULL, NULL, NULL);
	char message[256];
	enum tinct_vm_manager_v1_status status =
		vm_act(wl_resource_get_user_data(manager), name, action, message, sizeof(message));
	tinct_vm_result_v1_send_result(result, status, message);
	wl_resource_destroy(result);
}

static void handle_start(
	struct wl_client *client, struct wl_resource *resource, const char *name, uint32_t id)
{
	handle_vm_request(client, resource, name, id, TINCT_VM_ACTION_START);
}

static void handle_stop(
	struct wl_client *client, struct wl_resource *resource, const char *name, uint32_t id)
{
	handle_vm_request(client, resource, name, id, TINCT_VM_ACTION_STOP);
}

static void handle_kill(
	struct wl_client *client, struct wl_resource *resource, const char *name, uint32_t id)
{
	handle_vm_request(client, resource, name, id, TINCT_VM_ACTION_KILL);
}

static void send_window(struct wl_resource *list, struct tinct_view *view, bool focused)
{
	const char *vm = view_vm_name(view);
	/* app_id, like the title, may come from a guest: never pass it on raw. */
	char *app_id = title_sanitize(view->xdg_surface->toplevel->app_id, TINCT_TITLE_MAX_CHARS);
	tinct_window_list_v1_send_window(list, vm != NULL ? vm : "",
		view->title != NULL ? view->title : "", app_id != NULL ? app_id : "", focused);
	free(app_id);
}

static void handle_run(struct wl_client *client, struct wl_resource *manager, const char *name,
	uint32_t app, uint32_t id)
{
	struct wl_resource *result = wl_resource_create(
		client, &tinct_vm_result_v1_interface, wl_resource_get_version(manager), id);
	if (result == NULL) {
		wl_client_post_no_memory(client);
		return;
	}
	wl_resource_set_implementation(result, NULL, NULL, NULL);
	struct tinct_vm_manager_protocol *protocol = wl_resource_get_user_data(manager);
	char message[256] = "";
	enum tinct_vm_manager_v1_status status = TINCT_VM_MANAGER_V1_STATUS_OK;
	struct tinct_vm *vm =
		protocol != NULL ? vm_manager_find(protocol->server->vms, name) : NULL;
	if (protocol == NULL) {
		snprintf(message, sizeof(message), "tinct is shutting down");
		status = TINCT_VM_MANAGER_V1_STATUS_FAILED;
	} else if (vm == NULL) {
		snprintf(message, sizeof(message), "no VM is called %s", name);
		status = TINCT_VM_MANAGER_V1_STATUS_NO_SUCH_VM;
	} else if (vm->state != TINCT_VM_RUNNING) {
		snprintf(message, sizeof(message), "VM %s is %s, not running", name,
			vm_state_name(vm->state));
		status = TINCT_VM_MANAGER_V1_STATUS_INVALID_STATE;
	} else {
		wlr_log(WLR_INFO, "VM %s: application %u requested by a host client", name, app);
		if (!vms_run_app(protocol->server, vm, app, true, message, sizeof(message))) {
			status = TINCT_VM_MANAGER_V1_STATUS_FAILED;
		}
	}
	tinct_vm_result_v1_send_result(result, status, status == 0 ? "" : message);
	wl_resource_destroy(result);
}

static void handle_list_windows(struct wl_client *client, struct wl_resource *manager, uint32_t id)
{
	struct wl_resource *list = wl_resource_create(
		client, &tinct_window_list_v1_interface, wl_resource_get_version(manager), id);
	if (list == NULL) {
		wl_client_post_no_memory(client);
		return;
	}
	wl_resource_set_implementation(list, NULL, NULL, NULL);
	struct tinct_vm_manager_protocol *protocol = wl_resource_get_user_data(manager);
	if (protocol != NULL) {
		struct tinct_server *server = protocol->server;
		struct tinct_view *focused = view_focused(server);
		/* Placeholders are raised when made: above every window. */
		struct tinct_desktop_vm *dvm;
		wl_list_for_each (dvm, &server->desktop_vms, link) {
			const char *title = placeholder_title(dvm);
			if (title != NULL &&
				wl_resource_get_version(list) >=
					TINCT_WINDOW_LIST_V1_PLACEHOLDER_SINCE_VERSION) {
				tinct_window_list_v1_send_placeholder(list, vms_name(dvm), title);
			}
		}
		struct tinct_view *view;
		/* server->views is in stacking order, topmost first. */
		wl_list_for_each (view, &server->views, link) {
			if (view->mapped) {
				send_window(list, view, view == focused);
			}
		}
	}
	tinct_window_list_v1_send_done(list);
	wl_resource_destroy(list);
}

static const struct tinct_vm_manager_v1_interface manager_impl = {
	.destroy = handle_request_destroy,
	.start = handle_start,
	.stop = handle_stop,
	.kill = handle_kill,
	.list_windows = handle_list_windows,
	.run = handle_run,
};

static void handle_bind(struct wl_client *client, void *data, uint32_t version, uint32_t id)
{
	struct tinct_vm_manager_protocol *protocol = data;
	/* The global filter already hides the global; this is the second lock. */
	if (!policy_may(client, TINCT_PERM_VM_MANAGER)) {
		wl_client_post_implementation_error(
			client, "tinct_vm_manager_v1 is for host clients");
		return;
	}
	struct wl_resource *manager =
		wl_resource_create(client, &tinct_vm_manager_v1_interface, (int)version, id);
	if (manager == NULL) {
		wl_client_post_no_memory(client);
		return;
	}
	wl_resource_set_implementation(manager, &manager_impl, protocol, handle_resource_destroy);
	wl_list_insert(protocol->resources.prev, wl_resource_get_link(manager));

	struct tinct_vm_entry *entry;
	wl_list_for_each (entry, &protocol->vms, link) {
		entry_announce(entry, manager);
	}
	tinct_vm_manager_v1_send_done(manager);
}

struct tinct_vm_manager_protocol *vm_manager_protocol_create(struct tinct_server *server)
{
	struct tinct_vm_manager_protocol *protocol = calloc(1, sizeof(*protocol));
	if (protocol == NULL) {
		wlr_log_errno(WLR_ERROR, "cannot create the VM manager protocol");
		return NULL;
	}
	protocol->server = server;
	wl_list_init(&protocol->resources);
	wl_list_init(&protocol->vms);
	protocol->global = wl_global_create(server->display, &tinct_vm_manager_v1_interface,
		MANAGER_VERSION, protocol, handle_bind);
	if (protocol->global == NULL) {
		wlr_log(WLR_ERROR, "cannot create the tinct_vm_manager_v1 global");
		free(protocol);
		return NULL;
	}
	/* No VM may ever control VMs (DESIGN.md, trust model). */
	policy_restrict_global(server, protocol->global, TINCT_PERM_VM_MANAGER);

	struct tinct_vm *vm;
	wl_list_for_each (vm, &server->vms->vms, link) {
		entry_create(protocol, vm);
	}
	protocol->vm_added.notify = handle_vm_added;
	wl_signal_add(&server->vms->events.vm_added, &protocol->vm_added);
	protocol->vm_state_changed.notify = handle_vm_state_changed;
	wl_signal_add(&server->vms->events.state_changed, &protocol->vm_state_changed);
	return protocol;
}

void vm_manager_protocol_destroy(struct tinct_vm_manager_protocol *protocol)
{
	if (protocol == NULL) {
		return;
	}
	wl_list_remove(&protocol->vm_added.link);
	wl_list_remove(&protocol->vm_state_changed.link);
	struct tinct_vm_entry *entry, *tmp;
	wl_list_for_each_safe (entry, tmp, &protocol->vms, link) {
		entry_destroy(entry);
	}
	struct wl_resource *manager, *tmp_manager;
	wl_resource_for_each_safe (manager, tmp_manager, &protocol->resources) {
		resource_detach(manager);
	}
	wl_global_destroy(protocol->global);
	free(protocol);
}
