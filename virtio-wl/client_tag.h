/*
 * Client tags: whose a Wayland client is. Every client gets a tag the moment
 * libwayland creates it, before it can send a single request: host clients
 * (tinct's own socket) a host tag, clients accepted on a VM's socket a VM tag
 * carrying that VM's owner object (an opaque pointer the compositor handed to
 * the VM's display when it created it: the object whose rights the policy
 * reads). Nothing a client says can set or change its tag.
 *
 * Trust is fail-closed: a client without a tag is not a host client. That
 * matters at the end of a client's life, when libwayland drops the tag (the
 * client's destroy signal) before it destroys the client's objects.
 */
#ifndef TINCT_VIRTIO_WL_CLIENT_TAG_H
#define TINCT_VIRTIO_WL_CLIENT_TAG_H

#include <stdbool.h>
#include <wayland-server-core.h>

/* Tags every new client of a display; one per display. */
struct tinct_client_tagger {
	struct wl_listener client_created;
	/* Set only while client_tagger_create_vm_client() creates a client. */
	void *pending_owner;
};

void client_tagger_init(struct tinct_client_tagger *tagger, struct wl_display *display);
void client_tagger_finish(struct tinct_client_tagger *tagger);

/*
 * Creates the client for an accepted connection on a VM's socket, tagged
 * with owner (never NULL) from its first moment. Returns NULL (fd closed,
 * logged) on failure.
 */
struct wl_client *client_tagger_create_vm_client(
	struct tinct_client_tagger *tagger, struct wl_display *display, int fd, void *owner);

/* Whether client is a trusted host client (tagged, without an owner). */
bool client_tag_is_host(const struct wl_client *client);

/*
 * The owner of a VM client, or NULL for host clients and for untagged
 * clients (which are on their way out and trusted by no one).
 */
void *client_tag_owner(const struct wl_client *client);

#endif
