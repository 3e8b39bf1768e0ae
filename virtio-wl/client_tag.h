/*
 * Client tags: whose a Wayland client is. Every client gets a tag the moment
 * libwayland creates it, before it can send a single request: host clients
 * (tinct's own socket) one without a VM, clients accepted on a VM's socket
 * one with that VM. Nothing a client says can set or change its tag.
 *
 * Trust is fail-closed: a client without a tag is not a host client. That
 * matters at the end of a client's life, when libwayland drops the tag (the
 * client's destroy signal) before it destroys the client's objects.
 */
#ifndef TINCT_CLIENT_TAG_H
#define TINCT_CLIENT_TAG_H

#include <stdbool.h>
#include <wayland-server-core.h>

struct tinct_vm;

struct tinct_client_tag {
	struct tinct_vm *vm; // NULL for host clients
	char *socket_name; // the VM socket it came through, NULL for host clients
};

/* Tags every new client of a display; one per display. */
struct tinct_client_tagger {
	struct wl_listener client_created;
	/* Set only while client_tagger_create_vm_client() creates a client. */
	struct tinct_vm *pending_vm;
	const char *pending_socket;
};

void client_tagger_init(struct tinct_client_tagger *tagger, struct wl_display *display);
void client_tagger_finish(struct tinct_client_tagger *tagger);

/*
 * Creates the client for an accepted connection on a VM's socket, tagged
 * with vm from its first moment. Returns NULL (fd closed, logged) on failure.
 */
struct wl_client *client_tagger_create_vm_client(struct tinct_client_tagger *tagger,
	struct wl_display *display, int fd, struct tinct_vm *vm, const char *socket_name);

/* The tag of client, or NULL (an untrusted client on its way out). */
const struct tinct_client_tag *client_tag_get(const struct wl_client *client);

/* Whether client is a trusted host client. */
bool client_tag_is_host(const struct wl_client *client);

/* The VM of client, or NULL for host (and untagged) clients. */
struct tinct_vm *client_tag_vm(const struct wl_client *client);

#endif
