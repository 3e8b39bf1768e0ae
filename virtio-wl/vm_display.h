/*
 * A VM's own Wayland display: listening sockets in the VM's runtime
 * directory ("wayland", plus "wayland-NAME" for each named socket, which
 * crosvm offers to the guest as named virtio_wl contexts). Every connection
 * accepted on them becomes a wl_client of tinct's one wl_display, tagged with
 * the VM before it can send anything (client_tag.h). The sockets exist while
 * the VM is active; destroying the display disconnects every client of the
 * VM and removes the sockets.
 *
 * A VM must not starve tinct of descriptors or time. Whether one more
 * connection may be accepted is the owner's decision (may_connect, the
 * compositor's policy); refused connections are accepted and closed at once,
 * so the guest sees them fail. When accept itself fails for lack of
 * descriptors (EMFILE, ENFILE) the socket stops being watched for a while,
 * backing off up to VM_DISPLAY_BACKOFF_MAX_MS, instead of spinning on a
 * connection it cannot take; those errors are logged at most once per
 * VM_DISPLAY_LOG_INTERVAL_MS per socket.
 */
#ifndef TINCT_VM_DISPLAY_H
#define TINCT_VM_DISPLAY_H

#include <stdbool.h>
#include <stddef.h>
#include <wayland-server-core.h>

struct tinct_client_tagger;

#define VM_DISPLAY_BACKOFF_MIN_MS 50
#define VM_DISPLAY_BACKOFF_MAX_MS 2000
#define VM_DISPLAY_LOG_INTERVAL_MS 5000

struct tinct_vm_display {
	struct wl_display *display;
	struct tinct_client_tagger *tagger;
	void *owner; // what every client is tagged with (client_tag.h)
	char *path; // the main socket, absolute
	struct wl_list sockets; // vm_socket.link
	struct wl_list connections; // vm_connection.link: the VM's live clients
	size_t connection_count;
	/*
	 * Asked before every new connection, with owner; NULL accepts all.
	 * Set it right after vm_display_create(), before the loop runs.
	 */
	bool (*may_connect)(void *owner);
};

/*
 * Listens on dir/wayland and dir/wayland-NAME for each of names (count
 * entries), tagging every client with owner (not NULL). dir must exist.
 * Returns NULL on failure (logged).
 */
struct tinct_vm_display *vm_display_create(struct wl_display *display,
	struct tinct_client_tagger *tagger, void *owner, const char *dir, const char *const *names,
	size_t count);
/* The VM's clients connected now, on all its sockets. */
size_t vm_display_connections(const struct tinct_vm_display *vm_display);
/* Disconnects the VM's clients and removes the sockets. NULL is a no-op. */
void vm_display_destroy(struct tinct_vm_display *vm_display);

#endif
