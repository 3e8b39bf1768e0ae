/*
 * The compositor's side of the VMs: for every VM the vmm library knows, its
 * colour, its Wayland permissions and limits, and while it is active its own
 * display and memfd server (virtio-wl). Both are created before the VMM
 * starts and destroyed when it stops or crashes, which disconnects every
 * client of the VM and so removes its windows.
 *
 * The [wayland] keys (allow, max-windows, memfd-quota, named) are parsed and
 * checked with the rest of the definition (vmm/vm-def.h): a definition with
 * a bad one defines no VM, so what is copied here is always valid.
 */
#ifndef TINCT_VMS_H
#define TINCT_VMS_H

#include <stdbool.h>
#include <stdint.h>
#include <wayland-server-core.h>

#include "common/colour.h"
#include "vm-def.h"

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
	int windows; // mapped or not, toplevels that exist now
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
/* The desktop VM of a client, or NULL for host clients. */
struct tinct_desktop_vm *vms_for_client(
	struct tinct_server *server, const struct wl_client *client);

/* The absolute path of vm's display socket, or NULL while it is not active. */
const char *vms_socket_path(struct tinct_server *server, struct tinct_vm *vm);

#endif
