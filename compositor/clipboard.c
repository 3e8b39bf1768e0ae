/*
 * Per-domain clipboards (clipboard.h says what for).
 *
 * wlroots keeps one selection per seat and destroys it when another is set,
 * so the domains' real sources live here, each watched for destroy. The
 * seat holds a proxy made by tinct for the domain that has the keyboard:
 * its send() forwards to that domain's source. On every keyboard focus
 * change the proxy is swapped (seat.c tells us just before the enter, so
 * the client losing the keyboard is offered nothing of the next domain and
 * the one getting it nothing of the last).
 *
 * wlroots' selection requests do not say who sent them. A protocol logger
 * notes the client and interface of every request as libwayland dispatches
 * it; the request_set_* signals and a proxy's send() run inside that
 * dispatch, so the note names their sender. That is how a host data-control
 * tool (wl-copy, wl-paste) is told from a VM: it sets the host's clipboard
 * and reads the host's, whoever has the keyboard.
 *
 * The global clipboard is tinct's own copy of bytes read from a domain by
 * clipboard-copy, handed to a domain by clipboard-paste as a data source of
 * tinct's that writes them out without blocking.
 */
#include "compositor/clipboard.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <wayland-server-core.h>
#include <wlr/types/wlr_data_device.h>
#include <wlr/types/wlr_primary_selection.h>
#include <wlr/types/wlr_seat.h>
#include <wlr/util/log.h>

#include "compositor/config.h"
#include "compositor/panel.h"
#include "compositor/policy.h"
#include "compositor/seat.h"
#include "compositor/server.h"
#include "common/utf8.h"
#include "vmm/vm.h"
#include "compositor/vms.h"

#define READ_TIMEOUT_MS 5000
#define MAX_WRITERS 32
#define NOTICE_MAX 160

enum clip_kind {
	CLIP_TEXT,
	CLIP_PNG,
};

static const char *const text_types[] = {
	"text/plain;charset=utf-8",
	"UTF8_STRING",
	"text/plain",
	"TEXT",
	"STRING",
};
static const char png_type[] = "image/png";

/* One domain: the host (dvm NULL) or a VM. */
struct clip_domain {
	struct tinct_clipboard *clipboard;
	struct tinct_desktop_vm *dvm; // compared only: it may be freed first
	char *name; // "host" or the VM's name
	struct wlr_data_source *source;
	uint32_t serial;
	struct wl_listener source_destroy;
	struct wlr_primary_selection_source *primary;
	uint32_t primary_serial;
	struct wl_listener primary_destroy;
	struct wl_listener vm_destroy;
	struct wl_list link; // tinct_clipboard.domains
};

/* Bytes shared by the global clipboard, sources and writers. */
struct clip_blob {
	int refs;
	enum clip_kind kind;
	size_t size;
	unsigned char data[];
};

struct clip_proxy {
	struct wlr_data_source base;
	struct clip_domain *domain;
};

struct clip_primary_proxy {
	struct wlr_primary_selection_source base;
	struct clip_domain *domain;
};

/* A data source of tinct's offering a blob (clipboard-paste). */
struct clip_stored_source {
	struct wlr_data_source base;
	struct tinct_clipboard *clipboard;
	struct clip_blob *blob;
};

/* Writes a blob into a client's pipe as it drains. */
struct clip_writer {
	struct tinct_clipboard *clipboard;
	struct clip_blob *blob;
	size_t offset;
	int fd;
	struct wl_event_source *source;
	struct wl_list link; // tinct_clipboard.writers
};

/* clipboard-copy in progress: reading a domain's source. */
struct clip_reader {
	int fd;
	enum clip_kind kind;
	char *from; // domain name
	unsigned char *data;
	size_t size, capacity;
	struct wl_event_source *source, *timer;
};

struct tinct_clipboard {
	struct tinct_server *server;
	struct wlr_seat *wlr_seat;
	struct clip_domain *host;
	struct wl_list domains; // clip_domain.link (VMs)
	struct clip_domain *seat_domain; // whose proxy the seat holds
	/* Selections count from serials sent after this (policy.h). */
	uint32_t focus_serial;
	bool focus_noted;

	/* The request being dispatched (see the top of the file). */
	struct wl_protocol_logger *logger;
	struct wl_client *request_client;
	const char *request_interface;

	struct clip_blob *global; // NULL: empty
	char *global_from;
	struct clip_reader *reader;
	struct wl_list writers; // clip_writer.link
	int writer_count;
	struct wlr_drag *refused_drag; // told the user about this drag already

	struct wl_listener focus_change;
	struct wl_listener request_set_selection;
	struct wl_listener request_set_primary_selection;
};

static void notice(struct tinct_clipboard *clipboard, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void notice(struct tinct_clipboard *clipboard, const char *fmt, ...)
{
	char text[NOTICE_MAX];
	va_list args;
	va_start(args, fmt);
	vsnprintf(text, sizeof(text), fmt, args);
	va_end(args);
	wlr_log(WLR_INFO, "clipboard: %s", text);
	panel_show_notice(clipboard->server->panel, TINCT_NOTICE_INFO, text, 6000);
}

static const char *kind_name(enum clip_kind kind)
{
	return kind == CLIP_PNG ? "image/png" : "text";
}

/* Blobs. */

static struct clip_blob *blob_ref(struct clip_blob *blob)
{
	blob->refs++;
	return blob;
}

static void blob_unref(struct clip_blob *blob)
{
	if (blob != NULL && --blob->refs == 0) {
		free(blob);
	}
}

/* Domains. */

static void domain_set_source(
	struct clip_domain *domain, struct wlr_data_source *source, uint32_t serial);
static void domain_set_primary(
	struct clip_domain *domain, struct wlr_primary_selection_source *source, uint32_t serial);
static void install(struct tinct_clipboard *clipboard, struct clip_domain *domain);

static void domain_destroy(struct clip_domain *domain)
{
	struct tinct_clipboard *clipboard = domain->clipboard;
	if (clipboard->seat_domain == domain) {
		install(clipboard, NULL);
	}
	domain_set_source(domain, NULL, 0);
	domain_set_primary(domain, NULL, 0);
	if (domain->dvm != NULL) {
		wl_list_remove(&domain->vm_destroy.link);
		wl_list_remove(&domain->link);
	}
	free(domain->name);
	free(domain);
}

static void handle_domain_vm_destroy(struct wl_listener *listener, void *data)
{
	struct clip_domain *domain = wl_container_of(listener, domain, vm_destroy);
	domain_destroy(domain);
}

static struct clip_domain *domain_create(
	struct tinct_clipboard *clipboard, struct tinct_desktop_vm *dvm)
{
	struct clip_domain *domain = calloc(1, sizeof(*domain));
	if (domain == NULL) {
		wlr_log_errno(WLR_ERROR, "cannot allocate a clipboard domain");
		return NULL;
	}
	domain->clipboard = clipboard;
	domain->dvm = dvm;
	domain->name = strdup(dvm != NULL ? vms_name(dvm) : "host");
	if (domain->name == NULL) {
		free(domain);
		return NULL;
	}
	if (dvm != NULL) {
		domain->vm_destroy.notify = handle_domain_vm_destroy;
		wl_signal_add(&dvm->vm->events.destroy, &domain->vm_destroy);
		wl_list_insert(&clipboard->domains, &domain->link);
	}
	return domain;
}

/* The domain of client, created on first use; NULL when it has none. */
static struct clip_domain *domain_of(struct tinct_clipboard *clipboard, struct wl_client *client)
{
	struct tinct_desktop_vm *dvm;
	if (client == NULL || !policy_clipboard_domain(client, &dvm)) {
		return NULL;
	}
	if (dvm == NULL) {
		return clipboard->host;
	}
	struct clip_domain *domain;
	wl_list_for_each (domain, &clipboard->domains, link) {
		if (domain->dvm == dvm) {
			return domain;
		}
	}
	return domain_create(clipboard, dvm);
}

/* The domain whose window has the keyboard (the host's when none has). */
static struct clip_domain *focused_domain(struct tinct_clipboard *clipboard)
{
	struct wlr_seat_client *focused = clipboard->wlr_seat->keyboard_state.focused_client;
	if (focused == NULL) {
		return clipboard->host;
	}
	return domain_of(clipboard, focused->client);
}

/* Proxies: what the seat holds. */

static bool request_is(struct tinct_clipboard *clipboard, const char *interface)
{
	return clipboard->request_interface != NULL &&
	       strcmp(clipboard->request_interface, interface) == 0;
}

static bool offers(struct wl_array *mime_types, const char *mime_type)
{
	char **type;
	wl_array_for_each (type, mime_types) {
		if (strcmp(*type, mime_type) == 0) {
			return true;
		}
	}
	return false;
}

/*
 * Who reads through a proxy of domain: its own clients, and host
 * data-control tools, which get the host's clipboard instead (never a
 * VM's). Returns the domain to read from, or NULL to refuse.
 */
static struct clip_domain *reader_domain(
	struct tinct_clipboard *clipboard, struct clip_domain *domain)
{
	struct wl_client *reader = clipboard->request_client;
	if (reader == NULL) {
		return NULL;
	}
	if (request_is(clipboard, "zwlr_data_control_offer_v1") &&
		policy_may(reader, TINCT_PERM_DATA_CONTROL)) {
		if (domain != clipboard->host) {
			wlr_log(WLR_DEBUG,
				"clipboard: a host tool reads while %s has the "
				"keyboard: it gets the host's clipboard",
				domain->name);
		}
		return clipboard->host;
	}
	if ((request_is(clipboard, "wl_data_offer") ||
		    request_is(clipboard, "zwp_primary_selection_offer_v1")) &&
		domain_of(clipboard, reader) == domain) {
		return domain;
	}
	wlr_log(WLR_DEBUG, "clipboard: read of %s's selection refused", domain->name);
	return NULL;
}

static void proxy_send(struct wlr_data_source *base, const char *mime_type, int32_t fd)
{
	struct clip_proxy *proxy = wl_container_of(base, proxy, base);
	struct clip_domain *from = reader_domain(proxy->domain->clipboard, proxy->domain);
	if (from != NULL && from->source != NULL && offers(&from->source->mime_types, mime_type)) {
		wlr_data_source_send(from->source, mime_type, fd);
		return;
	}
	close(fd);
}

static void proxy_destroy(struct wlr_data_source *base)
{
	struct clip_proxy *proxy = wl_container_of(base, proxy, base);
	free(proxy);
}

static const struct wlr_data_source_impl proxy_impl = {
	.send = proxy_send,
	.destroy = proxy_destroy,
};

static bool copy_types(struct wl_array *to, struct wl_array *from)
{
	char **type;
	wl_array_for_each (type, from) {
		char **slot = wl_array_add(to, sizeof(*slot));
		if (slot == NULL) {
			return false;
		}
		*slot = strdup(*type);
		if (*slot == NULL) {
			to->size -= sizeof(*slot);
			return false;
		}
	}
	return true;
}

static struct wlr_data_source *proxy_create(struct clip_domain *domain)
{
	struct clip_proxy *proxy = calloc(1, sizeof(*proxy));
	if (proxy == NULL) {
		return NULL;
	}
	wlr_data_source_init(&proxy->base, &proxy_impl);
	proxy->domain = domain;
	if (!copy_types(&proxy->base.mime_types, &domain->source->mime_types)) {
		wlr_data_source_destroy(&proxy->base);
		return NULL;
	}
	return &proxy->base;
}

static void primary_proxy_send(
	struct wlr_primary_selection_source *base, const char *mime_type, int fd)
{
	struct clip_primary_proxy *proxy = wl_container_of(base, proxy, base);
	struct clip_domain *from = reader_domain(proxy->domain->clipboard, proxy->domain);
	if (from != NULL && from->primary != NULL &&
		offers(&from->primary->mime_types, mime_type)) {
		wlr_primary_selection_source_send(from->primary, mime_type, fd);
		return;
	}
	close(fd);
}

static void primary_proxy_destroy(struct wlr_primary_selection_source *base)
{
	struct clip_primary_proxy *proxy = wl_container_of(base, proxy, base);
	free(proxy);
}

static const struct wlr_primary_selection_source_impl primary_proxy_impl = {
	.send = primary_proxy_send,
	.destroy = primary_proxy_destroy,
};

static struct wlr_primary_selection_source *primary_proxy_create(struct clip_domain *domain)
{
	struct clip_primary_proxy *proxy = calloc(1, sizeof(*proxy));
	if (proxy == NULL) {
		return NULL;
	}
	wlr_primary_selection_source_init(&proxy->base, &primary_proxy_impl);
	proxy->domain = domain;
	if (!copy_types(&proxy->base.mime_types, &domain->primary->mime_types)) {
		wlr_primary_selection_source_destroy(&proxy->base);
		return NULL;
	}
	return &proxy->base;
}

/*
 * Gives the seat domain's selections (NULL: none). The serial is the one
 * the domain's own source was set with, so it never makes a later request
 * of that domain's client look superseded to wlroots.
 */
static void install(struct tinct_clipboard *clipboard, struct clip_domain *domain)
{
	struct wlr_seat *wlr_seat = clipboard->wlr_seat;
	clipboard->seat_domain = domain;
	struct wlr_data_source *proxy = NULL;
	uint32_t serial = wlr_seat->selection_serial;
	if (domain != NULL && domain->source != NULL) {
		proxy = proxy_create(domain);
		serial = domain->serial;
	}
	wlr_seat_set_selection(wlr_seat, proxy, serial);
	struct wlr_primary_selection_source *primary = NULL;
	serial = wlr_seat->primary_selection_serial;
	if (domain != NULL && domain->primary != NULL) {
		primary = primary_proxy_create(domain);
		serial = domain->primary_serial;
	}
	wlr_seat_set_primary_selection(wlr_seat, primary, serial);
}

static void handle_source_destroy(struct wl_listener *listener, void *data)
{
	struct clip_domain *domain = wl_container_of(listener, domain, source_destroy);
	wl_list_remove(&domain->source_destroy.link);
	domain->source = NULL;
	if (domain->clipboard->seat_domain == domain) {
		install(domain->clipboard, domain);
	}
}

static void handle_primary_destroy(struct wl_listener *listener, void *data)
{
	struct clip_domain *domain = wl_container_of(listener, domain, primary_destroy);
	wl_list_remove(&domain->primary_destroy.link);
	domain->primary = NULL;
	if (domain->clipboard->seat_domain == domain) {
		install(domain->clipboard, domain);
	}
}

/* Replaces domain's clipboard; the old source is cancelled, as wlroots would. */
static void domain_set_source(
	struct clip_domain *domain, struct wlr_data_source *source, uint32_t serial)
{
	struct wlr_data_source *old = domain->source;
	if (old == source) {
		return;
	}
	if (old != NULL) {
		wl_list_remove(&domain->source_destroy.link);
	}
	domain->source = source;
	domain->serial = serial;
	if (source != NULL) {
		domain->source_destroy.notify = handle_source_destroy;
		wl_signal_add(&source->events.destroy, &domain->source_destroy);
	}
	if (domain->clipboard->seat_domain == domain) {
		install(domain->clipboard, domain);
	}
	wlr_data_source_destroy(old);
}

static void domain_set_primary(
	struct clip_domain *domain, struct wlr_primary_selection_source *source, uint32_t serial)
{
	struct wlr_primary_selection_source *old = domain->primary;
	if (old == source) {
		return;
	}
	if (old != NULL) {
		wl_list_remove(&domain->primary_destroy.link);
	}
	domain->primary = source;
	domain->primary_serial = serial;
	if (source != NULL) {
		domain->primary_destroy.notify = handle_primary_destroy;
		wl_signal_add(&source->events.destroy, &domain->primary_destroy);
	}
	if (domain->clipboard->seat_domain == domain) {
		install(domain->clipboard, domain);
	}
	if (old != NULL) {
		wlr_primary_selection_source_destroy(old);
	}
}

/* Requests from clients. */

/*
 * The domain a selection request from the current sender may set, or NULL
 * to refuse it. interface is the sender's device: a data-control device is
 * a host tool (VMs never see data-control), which sets the host's.
 */
static struct clip_domain *request_domain(
	struct tinct_clipboard *clipboard, const char *interface, uint32_t serial)
{
	struct wl_client *sender = clipboard->request_client;
	if (sender == NULL) {
		return NULL;
	}
	if (request_is(clipboard, "zwlr_data_control_device_v1")) {
		return policy_may(sender, TINCT_PERM_DATA_CONTROL) ? clipboard->host : NULL;
	}
	if (!request_is(clipboard, interface) || !policy_selection_allowed(clipboard->server,
							 sender, serial, clipboard->focus_serial)) {
		return NULL;
	}
	return domain_of(clipboard, sender);
}

static void handle_request_set_selection(struct wl_listener *listener, void *data)
{
	struct tinct_clipboard *clipboard =
		wl_container_of(listener, clipboard, request_set_selection);
	struct wlr_seat_request_set_selection_event *event = data;
	struct clip_domain *domain = request_domain(clipboard, "wl_data_device", event->serial);
	if (domain == NULL) {
		wlr_data_source_destroy(event->source);
		return;
	}
	domain_set_source(domain, event->source, event->serial);
}

static void handle_request_set_primary_selection(struct wl_listener *listener, void *data)
{
	struct tinct_clipboard *clipboard =
		wl_container_of(listener, clipboard, request_set_primary_selection);
	struct wlr_seat_request_set_primary_selection_event *event = data;
	struct clip_domain *domain =
		request_domain(clipboard, "zwp_primary_selection_device_v1", event->serial);
	if (domain == NULL) {
		if (event->source != NULL) {
			wlr_primary_selection_source_destroy(event->source);
		}
		return;
	}
	domain_set_primary(domain, event->source, event->serial);
}

static void log_request(void *data, enum wl_protocol_logger_type direction,
	const struct wl_protocol_logger_message *message)
{
	struct tinct_clipboard *clipboard = data;
	if (direction != WL_PROTOCOL_LOGGER_REQUEST) {
		return;
	}
	clipboard->request_client = wl_resource_get_client(message->resource);
	clipboard->request_interface = wl_resource_get_class(message->resource);
}

/* Keyboard focus. */

void clipboard_focus_will_change(struct tinct_clipboard *clipboard, struct wlr_surface *surface)
{
	struct wlr_seat_keyboard_state *state = &clipboard->wlr_seat->keyboard_state;
	if (state->focused_surface == surface || state->grab != state->default_grab) {
		/* wlroots will not move the keyboard (no enter, no focus_change). */
		return;
	}
	clipboard->focus_serial = wl_display_get_serial(clipboard->server->display);
	clipboard->focus_noted = true;
	install(clipboard, NULL);
}

static void handle_focus_change(struct wl_listener *listener, void *data)
{
	struct tinct_clipboard *clipboard = wl_container_of(listener, clipboard, focus_change);
	if (!clipboard->focus_noted) {
		/* Moved by wlroots itself: only serials from now on count. */
		clipboard->focus_serial = wl_display_get_serial(clipboard->server->display);
	}
	clipboard->focus_noted = false;
	install(clipboard, focused_domain(clipboard));
}

/* The global clipboard: clipboard-copy. */

static void reader_destroy(struct tinct_clipboard *clipboard)
{
	struct clip_reader *reader = clipboard->reader;
	if (reader == NULL) {
		return;
	}
	clipboard->reader = NULL;
	wl_event_source_remove(reader->source);
	wl_event_source_remove(reader->timer);
	close(reader->fd);
	free(reader->data);
	free(reader->from);
	free(reader);
}

static bool text_valid(const unsigned char *data, size_t size)
{
	/* data has a NUL after size bytes (reader keeps one spare byte). */
	size_t i = 0;
	while (i < size) {
		uint32_t cp;
		size_t len = utf8_decode(data + i, &cp);
		if (len == 0 || cp == 0) {
			return false;
		}
		i += len;
	}
	return true;
}

static void reader_finish(struct tinct_clipboard *clipboard)
{
	struct clip_reader *reader = clipboard->reader;
	static const unsigned char png_magic[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
	bool valid = reader->kind == CLIP_TEXT
			     ? text_valid(reader->data, reader->size)
			     : reader->size >= 8 && memcmp(reader->data, png_magic, 8) == 0;
	if (!valid) {
		notice(clipboard, "copy from [%s] refused: not valid %s", reader->from,
			reader->kind == CLIP_TEXT ? "UTF-8 text" : "PNG");
		reader_destroy(clipboard);
		return;
	}
	struct clip_blob *blob = malloc(sizeof(*blob) + reader->size);
	if (blob == NULL) {
		notice(clipboard, "copy from [%s] failed: out of memory", reader->from);
		reader_destroy(clipboard);
		return;
	}
	blob->refs = 1;
	blob->kind = reader->kind;
	blob->size = reader->size;
	memcpy(blob->data, reader->data, reader->size);
	blob_unref(clipboard->global);
	free(clipboard->global_from);
	clipboard->global = blob;
	clipboard->global_from = reader->from;
	reader->from = NULL;
	notice(clipboard, "copied from [%s]: %zu bytes, %s", clipboard->global_from, blob->size,
		kind_name(blob->kind));
	reader_destroy(clipboard);
}

static int handle_reader_readable(int fd, uint32_t mask, void *data)
{
	struct tinct_clipboard *clipboard = data;
	struct clip_reader *reader = clipboard->reader;
	size_t limit = clipboard->server->config->clipboard.max_bytes;
	for (;;) {
		if (reader->capacity - reader->size < 2) {
			size_t capacity = reader->capacity * 2;
			if (capacity > limit + 2) {
				capacity = limit + 2;
			}
			unsigned char *grown = realloc(reader->data, capacity);
			if (grown == NULL) {
				notice(clipboard, "copy from [%s] failed: out of memory",
					reader->from);
				reader_destroy(clipboard);
				return 0;
			}
			reader->data = grown;
			reader->capacity = capacity;
		}
		/* Keep a byte for the NUL that text validation reads. */
		ssize_t n =
			read(fd, reader->data + reader->size, reader->capacity - reader->size - 1);
		if (n < 0 && errno == EINTR) {
			continue;
		}
		if (n < 0 && errno == EAGAIN) {
			return 0;
		}
		if (n < 0) {
			notice(clipboard, "copy from [%s] failed: %s", reader->from,
				strerror(errno));
			reader_destroy(clipboard);
			return 0;
		}
		if (n == 0) {
			reader->data[reader->size] = '\0';
			reader_finish(clipboard);
			return 0;
		}
		reader->size += (size_t)n;
		if (reader->size > limit) {
			notice(clipboard, "copy from [%s] refused: more than %zu bytes",
				reader->from, limit);
			reader_destroy(clipboard);
			return 0;
		}
	}
}

static int handle_reader_timeout(void *data)
{
	struct tinct_clipboard *clipboard = data;
	notice(clipboard, "copy from [%s] failed: no data in %d s", clipboard->reader->from,
		READ_TIMEOUT_MS / 1000);
	reader_destroy(clipboard);
	return 0;
}

/* The type to copy: text first, then PNG; NULL when neither is offered. */
static const char *pick_type(struct wlr_data_source *source, enum clip_kind *kind)
{
	for (size_t i = 0; i < sizeof(text_types) / sizeof(text_types[0]); i++) {
		if (offers(&source->mime_types, text_types[i])) {
			*kind = CLIP_TEXT;
			return text_types[i];
		}
	}
	if (offers(&source->mime_types, png_type)) {
		*kind = CLIP_PNG;
		return png_type;
	}
	return NULL;
}

void clipboard_copy(struct tinct_clipboard *clipboard)
{
	struct clip_domain *domain = focused_domain(clipboard);
	if (domain == NULL) {
		return;
	}
	if (domain->source == NULL) {
		notice(clipboard, "nothing to copy: the clipboard of [%s] is empty", domain->name);
		return;
	}
	enum clip_kind kind;
	const char *type = pick_type(domain->source, &kind);
	if (type == NULL) {
		notice(clipboard, "copy from [%s] refused: only text and PNG images can be copied",
			domain->name);
		return;
	}
	reader_destroy(clipboard);
	int fds[2];
	if (pipe2(fds, O_CLOEXEC | O_NONBLOCK) != 0) {
		wlr_log_errno(WLR_ERROR, "clipboard: cannot create a pipe");
		return;
	}
	struct clip_reader *reader = calloc(1, sizeof(*reader));
	if (reader != NULL) {
		reader->fd = fds[0];
		reader->kind = kind;
		reader->from = strdup(domain->name);
		reader->capacity = 4096;
		reader->data = malloc(reader->capacity);
		reader->source = wl_event_loop_add_fd(clipboard->server->loop, fds[0],
			WL_EVENT_READABLE, handle_reader_readable, clipboard);
		reader->timer = wl_event_loop_add_timer(
			clipboard->server->loop, handle_reader_timeout, clipboard);
	}
	if (reader == NULL || reader->from == NULL || reader->data == NULL ||
		reader->source == NULL || reader->timer == NULL) {
		wlr_log(WLR_ERROR, "clipboard: cannot start reading");
		if (reader != NULL) {
			if (reader->source != NULL) {
				wl_event_source_remove(reader->source);
			}
			if (reader->timer != NULL) {
				wl_event_source_remove(reader->timer);
			}
			free(reader->data);
			free(reader->from);
			free(reader);
		}
		close(fds[0]);
		close(fds[1]);
		return;
	}
	clipboard->reader = reader;
	wl_event_source_timer_update(reader->timer, READ_TIMEOUT_MS);
	/* The source takes the write end (a client's gets it passed, then closed). */
	wlr_data_source_send(domain->source, type, fds[1]);
}

/* clipboard-paste: a data source of tinct's. */

static void writer_destroy(struct clip_writer *writer)
{
	wl_event_source_remove(writer->source);
	close(writer->fd);
	blob_unref(writer->blob);
	wl_list_remove(&writer->link);
	writer->clipboard->writer_count--;
	free(writer);
}

static int handle_writer_writable(int fd, uint32_t mask, void *data)
{
	struct clip_writer *writer = data;
	while (writer->offset < writer->blob->size) {
		ssize_t n = write(fd, writer->blob->data + writer->offset,
			writer->blob->size - writer->offset);
		if (n < 0 && errno == EINTR) {
			continue;
		}
		if (n < 0 && errno == EAGAIN) {
			return 0;
		}
		if (n <= 0) {
			break;
		}
		writer->offset += (size_t)n;
	}
	writer_destroy(writer);
	return 0;
}

static void stored_send(struct wlr_data_source *base, const char *mime_type, int32_t fd)
{
	struct clip_stored_source *stored = wl_container_of(base, stored, base);
	struct tinct_clipboard *clipboard = stored->clipboard;
	if (!offers(&base->mime_types, mime_type) || clipboard->writer_count >= MAX_WRITERS ||
		fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) != 0) {
		close(fd);
		return;
	}
	struct clip_writer *writer = calloc(1, sizeof(*writer));
	if (writer == NULL) {
		close(fd);
		return;
	}
	writer->source = wl_event_loop_add_fd(
		clipboard->server->loop, fd, WL_EVENT_WRITABLE, handle_writer_writable, writer);
	if (writer->source == NULL) {
		free(writer);
		close(fd);
		return;
	}
	writer->clipboard = clipboard;
	writer->blob = blob_ref(stored->blob);
	writer->fd = fd;
	wl_list_insert(&clipboard->writers, &writer->link);
	clipboard->writer_count++;
}

static void stored_destroy(struct wlr_data_source *base)
{
	struct clip_stored_source *stored = wl_container_of(base, stored, base);
	blob_unref(stored->blob);
	free(stored);
}

static const struct wlr_data_source_impl stored_impl = {
	.send = stored_send,
	.destroy = stored_destroy,
};

static struct wlr_data_source *stored_create(
	struct tinct_clipboard *clipboard, struct clip_blob *blob)
{
	struct clip_stored_source *stored = calloc(1, sizeof(*stored));
	if (stored == NULL) {
		return NULL;
	}
	wlr_data_source_init(&stored->base, &stored_impl);
	stored->clipboard = clipboard;
	stored->blob = blob_ref(blob);
	const char *const *types =
		blob->kind == CLIP_TEXT ? text_types : (const char *[]){png_type};
	size_t count = blob->kind == CLIP_TEXT ? sizeof(text_types) / sizeof(text_types[0]) : 1;
	for (size_t i = 0; i < count; i++) {
		char **slot = wl_array_add(&stored->base.mime_types, sizeof(*slot));
		if (slot == NULL || (*slot = strdup(types[i])) == NULL) {
			if (slot != NULL) {
				stored->base.mime_types.size -= sizeof(*slot);
			}
			wlr_data_source_destroy(&stored->base);
			return NULL;
		}
	}
	return &stored->base;
}

void clipboard_paste(struct tinct_clipboard *clipboard)
{
	struct clip_domain *domain = focused_domain(clipboard);
	if (domain == NULL) {
		return;
	}
	if (clipboard->global == NULL) {
		notice(clipboard, "nothing to paste: copy first with the clipboard-copy key");
		return;
	}
	struct wlr_data_source *source = stored_create(clipboard, clipboard->global);
	if (source == NULL) {
		wlr_log(WLR_ERROR, "clipboard: cannot create a data source");
		return;
	}
	domain_set_source(domain, source, wl_display_next_serial(clipboard->server->display));
	notice(clipboard, "pasted from [%s] into [%s]: %zu bytes, %s", clipboard->global_from,
		domain->name, clipboard->global->size, kind_name(clipboard->global->kind));
	if (clipboard->server->config->clipboard.clear_after_paste) {
		blob_unref(clipboard->global);
		clipboard->global = NULL;
		free(clipboard->global_from);
		clipboard->global_from = NULL;
	}
}

/* Drag and drop. */

bool clipboard_drag_may_enter(struct tinct_clipboard *clipboard, struct wlr_surface *surface)
{
	struct wlr_drag *drag = clipboard->wlr_seat->drag;
	if (drag == NULL) {
		return true;
	}
	struct wl_client *origin = drag->seat_client != NULL ? drag->seat_client->client : NULL;
	if (policy_drag_may_offer(origin, wl_resource_get_client(surface->resource))) {
		return true;
	}
	if (clipboard->refused_drag != drag) {
		clipboard->refused_drag = drag;
		notice(clipboard, "drag and drop stays within a VM: use the clipboard-copy "
				  "and clipboard-paste keys to move data");
	}
	return false;
}

/* Lifetime. */

struct tinct_clipboard *clipboard_create(struct tinct_seat *seat)
{
	struct tinct_clipboard *clipboard = calloc(1, sizeof(*clipboard));
	if (clipboard == NULL) {
		wlr_log_errno(WLR_ERROR, "cannot allocate the clipboard");
		return NULL;
	}
	clipboard->server = seat->server;
	clipboard->wlr_seat = seat_wlr_seat(seat);
	wl_list_init(&clipboard->domains);
	wl_list_init(&clipboard->writers);
	clipboard->host = domain_create(clipboard, NULL);
	clipboard->logger =
		wl_display_add_protocol_logger(clipboard->server->display, log_request, clipboard);
	if (clipboard->host == NULL || clipboard->logger == NULL) {
		wlr_log(WLR_ERROR, "cannot set up the clipboard");
		if (clipboard->logger != NULL) {
			wl_protocol_logger_destroy(clipboard->logger);
		}
		free(clipboard->host);
		free(clipboard);
		return NULL;
	}
	clipboard->seat_domain = clipboard->host;
	struct wlr_seat *wlr_seat = clipboard->wlr_seat;
	clipboard->focus_change.notify = handle_focus_change;
	wl_signal_add(&wlr_seat->keyboard_state.events.focus_change, &clipboard->focus_change);
	clipboard->request_set_selection.notify = handle_request_set_selection;
	wl_signal_add(&wlr_seat->events.request_set_selection, &clipboard->request_set_selection);
	clipboard->request_set_primary_selection.notify = handle_request_set_primary_selection;
	wl_signal_add(&wlr_seat->events.request_set_primary_selection,
		&clipboard->request_set_primary_selection);
	return clipboard;
}

void clipboard_destroy(struct tinct_clipboard *clipboard)
{
	if (clipboard == NULL) {
		return;
	}
	wl_list_remove(&clipboard->focus_change.link);
	wl_list_remove(&clipboard->request_set_selection.link);
	wl_list_remove(&clipboard->request_set_primary_selection.link);
	wl_protocol_logger_destroy(clipboard->logger);
	reader_destroy(clipboard);
	struct clip_writer *writer, *writer_tmp;
	wl_list_for_each_safe (writer, writer_tmp, &clipboard->writers, link) {
		writer_destroy(writer);
	}
	struct clip_domain *domain, *tmp;
	wl_list_for_each_safe (domain, tmp, &clipboard->domains, link) {
		domain_destroy(domain);
	}
	domain_destroy(clipboard->host);
	blob_unref(clipboard->global);
	free(clipboard->global_from);
	free(clipboard);
}
