/*
 * The memfd server (protocol in memfd_server.h). Everything is non-blocking
 * on tinct's event loop: a client's request is gathered in its own buffer
 * across as many reads as it takes, and the one-byte reply is sent with
 * MSG_DONTWAIT; a client that cannot take it is dropped rather than waited
 * for. Raw request fields carry the untrusted_ prefix until checked.
 */
#include "virtio-wl/memfd_server.h"

#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>
#include <wayland-server-core.h>
#include <wlr/util/log.h>

// Requests served per readable event before yielding to the loop.
#define REQUESTS_PER_DISPATCH 8

struct tinct_memfd_server {
	struct wl_event_loop *loop;
	char *label;
	char *path;
	int fd;
	struct wl_event_source *source;
	uint64_t quota;
	uint64_t handed_out; // page-rounded sizes delivered so far
	uint64_t page_size;
	size_t client_count;
	bool reported_full;
	bool reported_quota;
	struct wl_list clients; // memfd_client.link
};

struct memfd_client {
	struct tinct_memfd_server *server;
	int fd;
	struct wl_event_source *source;
	uint8_t buf[sizeof(struct tinct_memfd_request)];
	size_t len; // bytes of the current request received so far
	struct wl_list link; // tinct_memfd_server.clients
};

static void client_destroy(struct memfd_client *client)
{
	if (client->source != NULL) {
		wl_event_source_remove(client->source);
	}
	close(client->fd);
	wl_list_remove(&client->link);
	client->server->client_count--;
	free(client);
}

// Sends the status and, with TINCT_MEMFD_OK, memfd. false: drop the client.
static bool send_reply(struct memfd_client *client, enum tinct_memfd_status status, int memfd)
{
	uint8_t byte = (uint8_t)status;
	struct iovec iov = {.iov_base = &byte, .iov_len = 1};
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} control;
	struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1};
	if (memfd >= 0) {
		memset(&control, 0, sizeof(control));
		msg.msg_control = control.buf;
		msg.msg_controllen = sizeof(control.buf);
		struct cmsghdr *cmsg = CMSG_FIRSTHDR(&msg);
		cmsg->cmsg_level = SOL_SOCKET;
		cmsg->cmsg_type = SCM_RIGHTS;
		cmsg->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(cmsg), &memfd, sizeof(int));
	}
	ssize_t n;
	do {
		n = sendmsg(client->fd, &msg, MSG_DONTWAIT | MSG_NOSIGNAL);
	} while (n < 0 && errno == EINTR);
	if (n != 1) {
		wlr_log_errno(WLR_DEBUG, "memfd server %s: cannot reply; dropping the client",
			client->server->label);
		return false;
	}
	return true;
}

// The memfd's name: "tinct:VM:NAME", NAME reduced to [A-Za-z0-9._-].
static void memfd_name(char *out, size_t size, const char *label, const char *name)
{
	int n = snprintf(out, size, "tinct:%s:", label);
	size_t at = n < 0 ? 0 : ((size_t)n < size ? (size_t)n : size - 1);
	for (const char *c = name; *c != '\0' && at + 1 < size; c++) {
		bool ok = (*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
			  (*c >= '0' && *c <= '9') || *c == '.' || *c == '_' || *c == '-';
		out[at++] = ok ? *c : '_';
	}
	out[at] = '\0';
}

static int create_memfd(struct tinct_memfd_server *server, const char *name, uint64_t size)
{
	char full[TINCT_MEMFD_NAME_LEN + 64];
	memfd_name(full, sizeof(full), server->label, name);
	int fd = memfd_create(full, MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (fd < 0) {
		wlr_log_errno(WLR_ERROR, "memfd server %s: memfd_create", server->label);
		return -1;
	}
	if (ftruncate(fd, (off_t)size) < 0) {
		wlr_log_errno(WLR_ERROR, "memfd server %s: ftruncate to %llu bytes", server->label,
			(unsigned long long)size);
		close(fd);
		return -1;
	}
	if (fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_SEAL) < 0) {
		wlr_log_errno(WLR_ERROR, "memfd server %s: sealing", server->label);
		close(fd);
		return -1;
	}
	return fd;
}

/*
 * Checks a whole request; on TINCT_MEMFD_OK, *memfd is the new file and
 * *charge what it costs against the quota.
 */
static enum tinct_memfd_status handle_request(
	struct tinct_memfd_server *server, const uint8_t *raw, int *memfd, uint64_t *charge)
{
	struct tinct_memfd_request req;
	memcpy(&req, raw, sizeof(req));
	uint32_t untrusted_flags = le32toh(req.flags);
	uint64_t untrusted_size = le64toh(req.size);

	// The version byte was checked as it arrived.
	if (untrusted_flags != 0 || req.pad[0] != 0 || req.pad[1] != 0 || req.pad[2] != 0) {
		return TINCT_MEMFD_BAD_FLAGS;
	}
	if (untrusted_size == 0 || untrusted_size > TINCT_MEMFD_MAX_SIZE) {
		return TINCT_MEMFD_BAD_SIZE;
	}
	uint64_t size = untrusted_size;
	if (memchr(req.name, '\0', sizeof(req.name)) == NULL) {
		return TINCT_MEMFD_BAD_NAME;
	}
	const char *name = req.name;
	// size <= 1 GiB, so rounding up cannot overflow.
	uint64_t pages = (size + server->page_size - 1) / server->page_size * server->page_size;
	if (pages > server->quota - server->handed_out) {
		// Once per run at INFO: a VM asking again and again must not
		// flood the log.
		wlr_log(server->reported_quota ? WLR_DEBUG : WLR_INFO,
			"memfd server %s: refusing %llu bytes: %llu of the quota of %llu handed "
			"out",
			server->label, (unsigned long long)size,
			(unsigned long long)server->handed_out, (unsigned long long)server->quota);
		server->reported_quota = true;
		return TINCT_MEMFD_OVER_QUOTA;
	}
	*memfd = create_memfd(server, name, size);
	if (*memfd < 0) {
		return TINCT_MEMFD_INTERNAL_ERROR;
	}
	*charge = pages;
	return TINCT_MEMFD_OK;
}

// Serves the complete request in client->buf. false: drop the client.
static bool serve_request(struct memfd_client *client)
{
	struct tinct_memfd_server *server = client->server;
	int memfd = -1;
	uint64_t charge = 0;
	enum tinct_memfd_status status = handle_request(server, client->buf, &memfd, &charge);
	client->len = 0;
	bool sent = send_reply(client, status, memfd);
	if (memfd >= 0) {
		// The client has its own descriptor now (or nothing at all).
		close(memfd);
		if (sent) {
			server->handed_out += charge;
		}
	}
	if (status != TINCT_MEMFD_OK) {
		wlr_log(WLR_DEBUG, "memfd server %s: request refused with status %d", server->label,
			(int)status);
	}
	return sent;
}

// Reads what is there of the current request. false: drop the client.
static bool client_read(struct memfd_client *client, bool *complete)
{
	*complete = false;
	ssize_t n;
	do {
		// recv without control buffer: descriptors a client sends along
		// are discarded by the kernel.
		n = recv(client->fd, client->buf + client->len, sizeof(client->buf) - client->len,
			MSG_DONTWAIT);
	} while (n < 0 && errno == EINTR);
	if (n < 0) {
		if (errno == EAGAIN || errno == EWOULDBLOCK) {
			return true;
		}
		wlr_log_errno(
			WLR_DEBUG, "memfd server %s: reading a request", client->server->label);
		return false;
	}
	if (n == 0) {
		if (client->len > 0) {
			wlr_log(WLR_DEBUG,
				"memfd server %s: client left after %zu bytes of a request",
				client->server->label, client->len);
		}
		return false;
	}
	client->len += (size_t)n;
	uint8_t untrusted_version = client->buf[0];
	if (untrusted_version != TINCT_MEMFD_VERSION) {
		// An unknown version's length is unknown: reply and close.
		wlr_log(WLR_DEBUG, "memfd server %s: request of version %u", client->server->label,
			untrusted_version);
		send_reply(client, TINCT_MEMFD_BAD_VERSION, -1);
		return false;
	}
	*complete = client->len == sizeof(client->buf);
	return true;
}

static int handle_client(int fd, uint32_t mask, void *data)
{
	struct memfd_client *client = data;
	for (int i = 0; i < REQUESTS_PER_DISPATCH; i++) {
		bool complete;
		size_t before = client->len;
		if (!client_read(client, &complete)) {
			client_destroy(client);
			return 0;
		}
		if (complete) {
			if (!serve_request(client)) {
				client_destroy(client);
				return 0;
			}
		} else if (client->len == before) {
			return 0; // nothing more to read now
		}
	}
	return 0;
}

static int handle_connection(int fd, uint32_t mask, void *data)
{
	struct tinct_memfd_server *server = data;
	int client_fd = accept4(fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
	if (client_fd < 0) {
		if (errno != EAGAIN && errno != EINTR) {
			wlr_log_errno(WLR_ERROR, "memfd server %s: accept", server->label);
		}
		return 0;
	}
	if (server->client_count >= TINCT_MEMFD_MAX_CLIENTS) {
		if (!server->reported_full) {
			wlr_log(WLR_INFO, "memfd server %s: %d connections already; refusing more",
				server->label, TINCT_MEMFD_MAX_CLIENTS);
			server->reported_full = true;
		}
		close(client_fd);
		return 0;
	}
	struct memfd_client *client = calloc(1, sizeof(*client));
	if (client == NULL) {
		wlr_log_errno(WLR_ERROR, "memfd server %s: new client", server->label);
		close(client_fd);
		return 0;
	}
	client->server = server;
	client->fd = client_fd;
	wl_list_insert(&server->clients, &client->link);
	server->client_count++;
	client->source = wl_event_loop_add_fd(
		server->loop, client_fd, WL_EVENT_READABLE, handle_client, client);
	if (client->source == NULL) {
		wlr_log(WLR_ERROR, "memfd server %s: cannot watch a client", server->label);
		client_destroy(client);
	}
	return 0;
}

struct tinct_memfd_server *memfd_server_create(
	struct wl_event_loop *loop, const char *dir, const char *label, uint64_t quota)
{
	struct tinct_memfd_server *server = calloc(1, sizeof(*server));
	if (server == NULL) {
		wlr_log_errno(WLR_ERROR, "memfd server %s", label);
		return NULL;
	}
	server->loop = loop;
	server->fd = -1;
	server->quota = quota;
	long page = sysconf(_SC_PAGESIZE);
	server->page_size = page > 0 ? (uint64_t)page : 4096;
	wl_list_init(&server->clients);
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	server->label = strdup(label);
	if (server->label == NULL || asprintf(&server->path, "%s/" TINCT_MEMFD_SOCKET, dir) < 0) {
		server->path = NULL;
		wlr_log(WLR_ERROR, "memfd server %s: out of memory", label);
		goto error;
	}
	if (strlen(server->path) >= sizeof(addr.sun_path)) {
		wlr_log(WLR_ERROR, "memfd server %s: socket path too long: %s", label,
			server->path);
		goto error;
	}
	strcpy(addr.sun_path, server->path);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0) {
		wlr_log_errno(WLR_ERROR, "memfd server %s: socket", label);
		goto error;
	}
	unlink(server->path);
	if (bind(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0 ||
		listen(fd, TINCT_MEMFD_MAX_CLIENTS) < 0) {
		wlr_log_errno(
			WLR_ERROR, "memfd server %s: cannot listen on %s", label, server->path);
		close(fd);
		goto error;
	}
	server->fd = fd;
	chmod(server->path, 0600);
	server->source =
		wl_event_loop_add_fd(loop, fd, WL_EVENT_READABLE, handle_connection, server);
	if (server->source == NULL) {
		wlr_log(WLR_ERROR, "memfd server %s: cannot watch %s", label, server->path);
		goto error;
	}
	wlr_log(WLR_DEBUG, "memfd server %s: listening on %s, quota %llu bytes", label,
		server->path, (unsigned long long)quota);
	return server;

error:
	memfd_server_destroy(server);
	return NULL;
}

void memfd_server_destroy(struct tinct_memfd_server *server)
{
	if (server == NULL) {
		return;
	}
	struct memfd_client *client, *tmp;
	wl_list_for_each_safe (client, tmp, &server->clients, link) {
		client_destroy(client);
	}
	if (server->source != NULL) {
		wl_event_source_remove(server->source);
	}
	if (server->fd >= 0) {
		close(server->fd);
		unlink(server->path);
	}
	free(server->path);
	free(server->label);
	free(server);
}

const char *memfd_server_path(const struct tinct_memfd_server *server)
{
	return server->path;
}

uint64_t memfd_server_handed_out(const struct tinct_memfd_server *server)
{
	return server->handed_out;
}
