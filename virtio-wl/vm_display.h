/*
 * A VM's own Wayland display: listening sockets in the VM's runtime
 * directory ("wayland", plus "wayland-NAME" for each named socket, which
 * crosvm offers to the guest as named virtio_wl contexts). Every connection
 * accepted on them becomes a wl_client of tinct's one wl_display, tagged with
 * the VM before it can send anything (client_tag.h). The sockets exist while
 * the VM is active; destroying the display disconnects every client of the
 * VM and removes the sockets.
 */
#ifndef TINCT_VM_DISPLAY_H
#define TINCT_VM_DISPLAY_H

#include <stdbool.h>
#include <stddef.h>
#include <wayland-server-core.h>

struct tinct_client_tagger;

struct tinct_vm_display {
	struct wl_display *display;
	struct tinct_client_tagger *tagger;
	void *owner; // what every client is tagged with (client_tag.h)
	char *path; // the main socket, absolute
	struct wl_list sockets; // vm_socket.link
};

/*
 * Listens on dir/wayland and dir/wayland-NAME for each of names (count
 * entries), tagging every client with owner (not NULL). dir must exist.
 * Returns NULL on failure (logged).
 */
struct tinct_vm_display *vm_display_create(struct wl_display *display,
	struct tinct_client_tagger *tagger, void *owner, const char *dir, const char *const *names,
	size_t count);
/* Disconnects the VM's clients and removes the sockets. NULL is a no-op. */
void vm_display_destroy(struct tinct_vm_display *vm_display);

#endif
