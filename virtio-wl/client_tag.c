/*
 * Tags ride on the client's destroy listener list: libwayland finds a
 * listener by its notify function, so the tag needs no table of its own and
 * is freed together with the client.
 */
#include "client_tag.h"

#include <stdlib.h>
#include <string.h>
#include <wayland-server-core.h>

struct client_tag {
	struct tinct_client_tag tag;
	struct wl_listener client_destroy;
};

static void handle_client_destroy(struct wl_listener *listener, void *data)
{
	struct client_tag *tag = wl_container_of(listener, tag, client_destroy);
	wl_list_remove(&tag->client_destroy.link);
	free(tag->tag.socket_name);
	free(tag);
}

bool client_tag_set(struct wl_client *client, struct tinct_vm *vm, const char *socket_name)
{
	if (client_tag_get(client) != NULL) {
		return false;
	}
	struct client_tag *tag = calloc(1, sizeof(*tag));
	if (tag == NULL) {
		return false;
	}
	tag->tag.vm = vm;
	tag->tag.socket_name = strdup(socket_name);
	if (tag->tag.socket_name == NULL) {
		free(tag);
		return false;
	}
	tag->client_destroy.notify = handle_client_destroy;
	wl_client_add_destroy_listener(client, &tag->client_destroy);
	return true;
}

const struct tinct_client_tag *client_tag_get(const struct wl_client *client)
{
	struct wl_listener *listener =
		wl_client_get_destroy_listener((struct wl_client *)client, handle_client_destroy);
	if (listener == NULL) {
		return NULL;
	}
	struct client_tag *tag = wl_container_of(listener, tag, client_destroy);
	return &tag->tag;
}

struct tinct_vm *client_tag_vm(const struct wl_client *client)
{
	const struct tinct_client_tag *tag = client_tag_get(client);
	return tag != NULL ? tag->vm : NULL;
}
