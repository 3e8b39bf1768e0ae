/*
 * The compositor's side of the VMs: for every VM the vmm library knows, its
 * colour, its Wayland permissions and limits, and while it is active its own
 * display and memfd server (virtio-wl). Both are created before the VMM
 * starts and destroyed when it stops or crashes, which disconnects every
 * client of the VM and so removes its windows.
 *
 * The [wayland] keys (allow, max-windows, max-connections,
 * memfd-quota, named) are parsed and
 * checked with the rest of the definition (vmm/vm-def.h): a definition with
 * a bad one defines no VM, so what is copied here is always valid.
 */
#ifndef TINCT_VMS_H
#define TINCT_VMS_H

#include <stdbool.h>
#include <stdint.h>
#include <wayland-server-core.h>

#include "common/colour.h"
#include "vmm/vm-def.h"

struct tinct_config;
struct tinct_server;
struct tinct_memfd_server;
struct tinct_vm;
struct wl_client;

struct tinct_desktop_vm {
	struct tinct_server *server;
	struct tinct_vm *vm;
	struct tinct_colour colour;
	uint32_t permissions; // enum tinct_vm_permission, [wayland] allow
	int max_windows; // [wayland] max-windows
	int max_connections; // [wayland] max-connections
	int windows; // mapped or not, toplevels that exist now
	/*
	 * The user just asked for the VM: until then (CLOCK_MONOTONIC ms) its
	 * next window may take the keyboard, unless the user does anything
	 * else first (policy.h). 0: no grant.
	 */
	int64_t focus_grant_until_ms;
	/* A window of the VM opened without the keyboard; its chip says so. */
	bool wants_attention;
	/*
	 * A network VM that others use was asked to stop once: a second Stop
	 * until then (CLOCK_MONOTONIC ms) stops it. 0: not asked.
	 */
	int64_t stop_confirm_until_ms;
	struct tinct_vm_display *display; // NULL while the VM is not active
	uint64_t memfd_quota; // [wayland] memfd-quota
	struct tinct_memfd_server *memfd; // with display: NULL while not active
	struct tinct_placeholder *placeholder; // placeholder.h, NULL when none
	struct wl_listener vm_destroy;
	struct wl_list link; // tinct_server.desktop_vms
};

/* Starts tracking the VMs of server->vms. */
void vms_init(struct tinct_server *server);
void vms_finish(struct tinct_server *server);

/*
 * Starts vm: creates its display, then the VMM. by_user: the user asked for
 * it just now (panel, tinctctl from a host client), so its first window may
 * take the keyboard; autostart is not the user. Returns false (logged) when
 * either fails; nothing is left behind then.
 */
bool vms_start(struct tinct_server *server, struct tinct_vm *vm, bool by_user);

/* How long a network VM's first Stop waits for the second that confirms it. */
#define TINCT_NETVM_CONFIRM_MS 5000

/*
 * Stops vm (vm_stop). A network VM whose network active VMs use stops only
 * on a second request within TINCT_NETVM_CONFIRM_MS: the first one says so
 * on the panel and in message (may be NULL) and returns false. Their links
 * go down when it stops (vmm/network.h).
 */
bool vms_stop(struct tinct_server *server, struct tinct_vm *vm, char *message, size_t size);

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

/*
 * Checks def's colour against tinct's own (common/colour.h): one too close
 * to the host frame colour is an error, reported as "path:line: [vm]
 * colour: ..." through report. (A colour too dark for the background is
 * fine: its frames are outlined.) Used at load (server.c) and by
 * `tinct --validate`.
 */
bool vms_check_def(const struct tinct_config *config, const struct tinct_vm_def *def,
	void (*report)(void *data, const char *message), void *data);

/* The VM's name (a safe identifier). */
const char *vms_name(const struct tinct_desktop_vm *dvm);

/*
 * Starts application app ([guest] run) in the running vm, through its guest
 * control channel (vm_run_app). by_user: as for vms_start, its window may
 * take the keyboard. False with a sentence in message when it cannot.
 */
bool vms_run_app(struct tinct_server *server, struct tinct_vm *vm, size_t app, bool by_user,
	char *message, size_t size);

/*
 * A toplevel of dvm went away (dvm->windows already counts it out). The
 * last one stops a VM with [vm] stop-when-idle, gracefully.
 */
void vms_window_closed(struct tinct_desktop_vm *dvm);

/* The absolute path of vm's display socket, or NULL while it is not active. */
const char *vms_socket_path(struct tinct_server *server, struct tinct_vm *vm);

#endif
