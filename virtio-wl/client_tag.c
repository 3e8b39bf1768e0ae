/*
 * Tags ride on the client's destroy listener list: libwayland finds a
 * listener by its notify function, so the tag needs no table of its own and
 * is freed with the client. The display's client_created signal fires inside
 * wl_client_create(), before the client's first request is read, so tagging
 * there leaves no moment in which a client is unknown.
 */
#include "client_tag.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <wlr/util/log.h>

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

static bool tag_client(struct wl_client *client, struct tinct_vm *vm, const char *socket_name)
{
	struct client_tag *tag = calloc(1, sizeof(*tag));
	if (tag == NULL) {
		return false;
	}
	tag->tag.vm = vm;
	if (socket_name != NULL) {
		tag->tag.socket_name = strdup(socket_name);
		if (tag->tag.socket_name == NULL) {
			free(tag);
			return false;
		}
	}
	tag->client_destroy.notify = handle_client_destroy;
	wl_client_add_destroy_listener(client, &tag->client_destroy);
	return true;
}

static void handle_client_created(struct wl_listener *listener, void *data)
{
	struct tinct_client_tagger *tagger = wl_container_of(listener, tagger, client_created);
	struct wl_client *client = data;
	if (!tag_client(client, tagger->pending_vm, tagger->pending_socket)) {
		/* Untagged means untrusted, and a VM client is dropped below. */
		wlr_log(WLR_ERROR, "cannot tag a new client: out of memory");
	}
}

void client_tagger_init(struct tinct_client_tagger *tagger, struct wl_display *display)
{
	*tagger = (struct tinct_client_tagger){0};
	tagger->client_created.notify = handle_client_created;
	wl_display_add_client_created_listener(display, &tagger->client_created);
}

void client_tagger_finish(struct tinct_client_tagger *tagger)
{
	wl_list_remove(&tagger->client_created.link);
}

struct wl_client *client_tagger_create_vm_client(struct tinct_client_tagger *tagger,
	struct wl_display *display, int fd, struct tinct_vm *vm, const char *socket_name)
{
	tagger->pending_vm = vm;
	tagger->pending_socket = socket_name;
	struct wl_client *client = wl_client_create(display, fd);
	tagger->pending_vm = NULL;
	tagger->pending_socket = NULL;
	if (client == NULL) {
		wlr_log_errno(WLR_ERROR, "cannot create a client for VM socket %s", socket_name);
		close(fd);
		return NULL;
	}
	if (client_tag_vm(client) != vm) {
		wlr_log(WLR_ERROR, "cannot tag a client of VM socket %s; dropping it", socket_name);
		wl_client_destroy(client);
		return NULL;
	}
	return client;
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

bool client_tag_is_host(const struct wl_client *client)
{
	const struct tinct_client_tag *tag = client_tag_get(client);
	return tag != NULL && tag->vm == NULL;
}

struct tinct_vm *client_tag_vm(const struct wl_client *client)
{
	const struct tinct_client_tag *tag = client_tag_get(client);
	return tag != NULL ? tag->vm : NULL;
}
