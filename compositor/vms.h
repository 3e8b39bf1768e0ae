/*
 * The compositor's side of the VMs: for every VM the vmm library knows, its
 * colour, its Wayland permissions and limits (from the [wayland] section of
 * its definition), and while it is active its own display and memfd server
 * (virtio-wl). Both are created before the VMM starts and destroyed when it
 * stops or crashes, which disconnects every client of the VM and so removes
 * its windows.
 *
 * [wayland] keys:
 *   named = NAME ...        extra sockets wayland-NAME (crosvm named contexts;
 *                           parsed with the definition, vm-def.h)
 *   allow = PERM, ...       pointer-constraints, relative-pointer, fullscreen,
 *                           idle-inhibit
 *   max-windows = N         toplevels the VM may have at once (default 500)
 *   max-connections = N     Wayland clients the VM may have connected at once
 *                           on all its sockets (default 64; policy.h)
 *   memfd-quota = SIZE      total the VM's memfd server hands out while the
 *                           VM runs, K/M/G suffix (default 256M; see
 *                           virtio-wl/memfd_server.h)
 */
#ifndef TINCT_VMS_H
#define TINCT_VMS_H

#include <stdbool.h>
#include <stdint.h>
#include <wayland-server-core.h>

#include "config.h"

struct tinct_server;
struct tinct_memfd_server;
struct tinct_vm;
struct wl_client;

enum tinct_vm_permission {
	TINCT_PERM_POINTER_CONSTRAINTS = 1 << 0,
	TINCT_PERM_RELATIVE_POINTER = 1 << 1,
	TINCT_PERM_FULLSCREEN = 1 << 2,
	TINCT_PERM_IDLE_INHIBIT = 1 << 3,
};

#define TINCT_VM_DEFAULT_MAX_WINDOWS 500
#define TINCT_VM_DEFAULT_MAX_CONNECTIONS 64

struct tinct_desktop_vm {
	struct tinct_server *server;
	struct tinct_vm *vm;
	struct tinct_colour colour;
	uint32_t permissions; // enum tinct_vm_permission
	int max_windows;
	int windows; // mapped or not, toplevels that exist now
	int max_connections; // [wayland] max-connections
	/*
	 * The user just started the VM: its next window may take the keyboard,
	 * unless another window gets it first.
	 */
	bool focus_next_window;
	struct tinct_vm_display *display; // NULL while the VM is not active
	uint64_t memfd_quota; // [wayland] memfd-quota
	struct tinct_memfd_server *memfd; // with display: NULL while not active
	struct wl_listener vm_destroy;
	struct wl_list link; // tinct_server.desktop_vms
};

/* Starts tracking the VMs of server->vms. */
void vms_init(struct tinct_server *server);
void vms_finish(struct tinct_server *server);

/*
 * Starts vm: creates its display, then the VMM. Returns false (logged) when
 * either fails; nothing is left behind then.
 */
bool vms_start(struct tinct_server *server, struct tinct_vm *vm);

struct tinct_desktop_vm *vms_find(struct tinct_server *server, const struct tinct_vm *vm);
/* What the user (panel, tinctctl) can ask of a VM. */
enum tinct_vm_action {
	TINCT_VM_ACTION_START,
	TINCT_VM_ACTION_STOP,
	TINCT_VM_ACTION_KILL,
	TINCT_VM_ACTION_CONSOLE,
	TINCT_VM_ACTION_COUNT,
};

/*
 * Whether action makes sense in vm's current state: the one set of rules
 * for the panel menu and the VM-manager protocol.
 */
bool vms_action_allowed(const struct tinct_vm *vm, enum tinct_vm_action action);

/* The VM's name (a safe identifier). */
const char *vms_name(const struct tinct_desktop_vm *dvm);

/* The absolute path of vm's display socket, or NULL while it is not active. */
const char *vms_socket_path(struct tinct_server *server, struct tinct_vm *vm);

#endif
