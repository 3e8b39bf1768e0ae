/*
 * Client tags: which VM a Wayland client belongs to. A tag is attached when
 * tinct accepts a connection on a VM's own socket, before the client can send
 * a single request, and lives exactly as long as the client. Nothing the
 * client says can set or change it. Clients without a tag are host clients.
 */
#ifndef TINCT_CLIENT_TAG_H
#define TINCT_CLIENT_TAG_H

#include <stdbool.h>

struct wl_client;
struct tinct_vm;

struct tinct_client_tag {
	struct tinct_vm *vm; // never NULL
	char *socket_name; // "wayland" or the named socket it came through
};

/* Tags client; false on ENOMEM (the caller must then drop the client). */
bool client_tag_set(struct wl_client *client, struct tinct_vm *vm, const char *socket_name);

/* The tag of client, or NULL for a host client. */
const struct tinct_client_tag *client_tag_get(const struct wl_client *client);

/* Shorthand: the VM of client, or NULL for a host client. */
struct tinct_vm *client_tag_vm(const struct wl_client *client);

#endif
