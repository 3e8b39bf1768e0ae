/*
 * Tags ride on the client's destroy listener list: libwayland finds a
 * listener by its notify function, so the tag needs no table of its own and
 * is freed with the client. The display's client_created signal fires inside
 * wl_client_create(), before the client's first request is read, so tagging
 * there leaves no moment in which a client is unknown.
 */
#include "virtio-wl/client_tag.h"

#include <stdlib.h>
#include <unistd.h>
#include <wlr/util/log.h>

struct client_tag {
	void *owner; // NULL for host clients
	struct wl_listener client_destroy;
};

static void handle_client_destroy(struct wl_listener *listener, void *data)
{
	struct client_tag *tag = wl_container_of(listener, tag, client_destroy);
	wl_list_remove(&tag->client_destroy.link);
	free(tag);
}

static bool tag_client(struct wl_client *client, void *owner)
{
	struct client_tag *tag = calloc(1, sizeof(*tag));
	if (tag == NULL) {
		return false;
	}
	tag->owner = owner;
	tag->client_destroy.notify = handle_client_destroy;
	wl_client_add_destroy_listener(client, &tag->client_destroy);
	return true;
}

static void handle_client_created(struct wl_listener *listener, void *data)
{
	struct tinct_client_tagger *tagger = wl_container_of(listener, tagger, client_created);
	struct wl_client *client = data;
	if (!tag_client(client, tagger->pending_owner)) {
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

static struct client_tag *tag_get(const struct wl_client *client)
{
	struct wl_listener *listener =
		wl_client_get_destroy_listener((struct wl_client *)client, handle_client_destroy);
	if (listener == NULL) {
		return NULL;
	}
	struct client_tag *tag = wl_container_of(listener, tag, client_destroy);
	return tag;
}

struct wl_client *client_tagger_create_vm_client(
	struct tinct_client_tagger *tagger, struct wl_display *display, int fd, void *owner)
{
	if (owner == NULL) {
		/* A VM client without an owner would be tagged as the host's. */
		wlr_log(WLR_ERROR, "refusing a VM client without an owner");
		close(fd);
		return NULL;
	}
	tagger->pending_owner = owner;
	struct wl_client *client = wl_client_create(display, fd);
	tagger->pending_owner = NULL;
	if (client == NULL) {
		wlr_log_errno(WLR_ERROR, "cannot create a client for a VM socket");
		close(fd);
		return NULL;
	}
	struct client_tag *tag = tag_get(client);
	if (tag == NULL || tag->owner != owner) {
		wlr_log(WLR_ERROR, "cannot tag a client of a VM socket; dropping it");
		wl_client_destroy(client);
		return NULL;
	}
	return client;
}

bool client_tag_is_host(const struct wl_client *client)
{
	const struct client_tag *tag = tag_get(client);
	return tag != NULL && tag->owner == NULL;
}

void *client_tag_owner(const struct wl_client *client)
{
	const struct client_tag *tag = tag_get(client);
	return tag != NULL ? tag->owner : NULL;
}
