/*
 * Per-VM desktop state and the lifetime of each VM's display.
 */
#include "vms.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <wlr/util/log.h>

#include "consoles.h"
#include "memfd_server.h"
#include "policy.h"
#include "server.h"
#include "vm-def.h"
#include "vm.h"
#include "vm_display.h"

static struct tinct_colour colour_from_rgb(uint32_t rgb)
{
	return (struct tinct_colour){
		.r = (float)((rgb >> 16) & 0xff) / 255.0f,
		.g = (float)((rgb >> 8) & 0xff) / 255.0f,
		.b = (float)(rgb & 0xff) / 255.0f,
		.a = 1.0f,
	};
}

static void report(
	const struct tinct_vm_def *def, const struct tinct_vm_def_entry *entry, const char *message)
{
	wlr_log(WLR_ERROR, "%s:%d: [wayland] %s: %s", def->path ? def->path : def->name,
		entry->line, entry->key, message);
}

static void parse_allow(struct tinct_desktop_vm *dvm, const struct tinct_vm_def *def,
	const struct tinct_vm_def_entry *entry)
{
	char *copy = strdup(entry->value);
	char *save = NULL;
	for (char *word = strtok_r(copy, ", \t", &save); word != NULL;
		word = strtok_r(NULL, ", \t", &save)) {
		if (strcmp(word, "pointer-constraints") == 0) {
			dvm->permissions |= TINCT_PERM_POINTER_CONSTRAINTS;
		} else if (strcmp(word, "relative-pointer") == 0) {
			dvm->permissions |= TINCT_PERM_RELATIVE_POINTER;
		} else if (strcmp(word, "fullscreen") == 0) {
			dvm->permissions |= TINCT_PERM_FULLSCREEN;
		} else if (strcmp(word, "idle-inhibit") == 0) {
			dvm->permissions |= TINCT_PERM_IDLE_INHIBIT;
		} else {
			report(def, entry,
				"unknown permission (pointer-constraints, relative-pointer, "
				"fullscreen, idle-inhibit); ignored");
		}
	}
	free(copy);
}

static void parse_wayland_section(struct tinct_desktop_vm *dvm, const struct tinct_vm_def *def)
{
	for (size_t i = 0; i < def->wayland_entries_len; i++) {
		const struct tinct_vm_def_entry *entry = &def->wayland_entries[i];
		if (strcmp(entry->key, "allow") == 0) {
			parse_allow(dvm, def, entry);
		} else if (strcmp(entry->key, "memfd-quota") == 0) {
			if (!memfd_server_parse_quota(entry->value, &dvm->memfd_quota)) {
				report(def, entry,
					"expected bytes with an optional K, M or G suffix, at most "
					"64G; using 256M");
			}
		} else if (strcmp(entry->key, "max-windows") == 0) {
			char *end;
			long n = strtol(entry->value, &end, 10);
			if (*entry->value == '\0' || *end != '\0' || n < 1 || n > 100000) {
				report(def, entry, "expected a number from 1 to 100000; using 500");
			} else {
				dvm->max_windows = (int)n;
			}
		} else if (strcmp(entry->key, "max-connections") == 0) {
			char *end;
			long n = strtol(entry->value, &end, 10);
			if (*entry->value == '\0' || *end != '\0' || n < 1 || n > 10000) {
				report(def, entry, "expected a number from 1 to 10000; using 64");
			} else {
				dvm->max_connections = (int)n;
			}
		}
	}
}

static bool may_connect(void *owner)
{
	return policy_may_connect(owner);
}

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
	dvm->max_windows = TINCT_VM_DEFAULT_MAX_WINDOWS;
	dvm->max_connections = TINCT_VM_DEFAULT_MAX_CONNECTIONS;
	dvm->memfd_quota = TINCT_MEMFD_DEFAULT_QUOTA;
	parse_wayland_section(dvm, vm->def);
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
	bool active = state == TINCT_VM_STARTING || state == TINCT_VM_RUNNING;
	switch (action) {
	case TINCT_VM_ACTION_START:
		return state == TINCT_VM_STOPPED || state == TINCT_VM_CRASHED;
	case TINCT_VM_ACTION_STOP:
		return active;
	case TINCT_VM_ACTION_KILL:
	case TINCT_VM_ACTION_CONSOLE:
		return active || state == TINCT_VM_STOPPING;
	case TINCT_VM_ACTION_COUNT:
		break;
	}
	return false;
}

const char *vms_name(const struct tinct_desktop_vm *dvm)
{
	return vm_name(dvm->vm);
}

bool vms_start(struct tinct_server *server, struct tinct_vm *vm)
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
	policy_grant_first_window(dvm);
	if (!vm_start(vm, NULL)) {
		display_destroy(dvm);
		return false;
	}
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
