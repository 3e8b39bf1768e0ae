/*
 * Serial console relay (protocol in console.h). Every descriptor here is
 * non-blocking and driven by the event loop; a reader that cannot keep up
 * is disconnected rather than ever blocking the loop or the guest.
 */
#include "vmm/console.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>
#include <wlr/util/log.h>

#include "common/time.h"
#include "common/untrusted_dir.h"
#include "vmm/ring.h"

// Only for the moment between a VMM's bind() and listen(), when its
// socket exists but refuses connections.
#define RETRY_INTERVAL_MS 20
#define READ_CHUNK 65536
// Bounded work per dispatch so a chatty guest cannot starve the loop.
#define MAX_READS_PER_DISPATCH 16

struct tinct_console {
	struct wl_event_loop *loop;
	struct tinct_ring ring;
	struct tinct_console_events events;

	char *socket_path;
	int listen_fd;
	struct wl_event_source *listen_source;

	// The attached client, -1 when none.
	int client_fd;
	struct wl_event_source *client_source;
	uint64_t client_pos; // next ring position to send

	char *serial_path;
	int serial_fd;
	struct wl_event_source *serial_source;
	int serial_listen_fd; // crosvm mode, until the VMM connects
	struct wl_event_source *serial_listen_source;
	struct wl_event_source *retry_timer;
	int64_t retry_deadline_ms;
	// Waiting for a listening VMM to create its socket.
	int inotify_fd;
	struct wl_event_source *inotify_source;
};

static bool fill_addr(struct sockaddr_un *addr, const char *path)
{
	*addr = (struct sockaddr_un){.sun_family = AF_UNIX};
	if (strlen(path) >= sizeof(addr->sun_path)) {
		wlr_log(WLR_ERROR, "Socket path too long: %s", path);
		return false;
	}
	strcpy(addr->sun_path, path);
	return true;
}

static int listen_unix(const char *path)
{
	struct sockaddr_un addr;
	if (!fill_addr(&addr, path)) {
		return -1;
	}
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0) {
		wlr_log_errno(WLR_ERROR, "socket() for %s", path);
		return -1;
	}
	unlink(path);
	if (bind(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0 || chmod(path, 0600) < 0 ||
		listen(fd, 4) < 0) {
		wlr_log_errno(WLR_ERROR, "Cannot listen on %s", path);
		close(fd);
		return -1;
	}
	return fd;
}

static void client_close(struct tinct_console *console)
{
	if (console->client_fd < 0) {
		return;
	}
	wl_event_source_remove(console->client_source);
	console->client_source = NULL;
	close(console->client_fd);
	console->client_fd = -1;
}

// Sends what the client has not seen yet; waits for writability instead of
// blocking, and lets go of a client the ring has overtaken.
static void client_flush(struct tinct_console *console)
{
	if (console->client_fd < 0) {
		return;
	}
	for (;;) {
		if (console->client_pos < ring_start(&console->ring)) {
			wlr_log(WLR_INFO, "Console client on %s too slow, disconnecting",
				console->socket_path);
			client_close(console);
			return;
		}
		const char *data;
		size_t n = ring_peek(&console->ring, console->client_pos, &data);
		if (n == 0) {
			wl_event_source_fd_update(console->client_source, WL_EVENT_READABLE);
			return;
		}
		ssize_t w = send(console->client_fd, data, n, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (w < 0) {
			if (errno == EAGAIN || errno == EINTR) {
				wl_event_source_fd_update(console->client_source,
					WL_EVENT_READABLE | WL_EVENT_WRITABLE);
				return;
			}
			wlr_log_errno(
				WLR_DEBUG, "Console client on %s went away", console->socket_path);
			client_close(console);
			return;
		}
		console->client_pos += (uint64_t)w;
	}
}

static int handle_client(int fd, uint32_t mask, void *data)
{
	struct tinct_console *console = data;
	if (mask & WL_EVENT_READABLE) {
		char untrusted_keys[4096];
		ssize_t n = recv(fd, untrusted_keys, sizeof(untrusted_keys), MSG_DONTWAIT);
		if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
			client_close(console);
			return 0;
		}
		if (n > 0) {
			// Keystrokes are opaque to tinct: the guest interprets
			// them, so there is nothing to validate beyond the length.
			console_write(console, untrusted_keys, (size_t)n);
		}
	}
	if (mask & (WL_EVENT_HANGUP | WL_EVENT_ERROR)) {
		client_close(console);
		return 0;
	}
	client_flush(console);
	return 0;
}

static void refuse(int fd, const char *message)
{
	char buf[256];
	int n = snprintf(buf, sizeof(buf), "%c%s\n", TINCT_CONSOLE_NAK, message);
	// Best effort: a fresh socket has room for one short line.
	if (send(fd, buf, (size_t)n, MSG_NOSIGNAL | MSG_DONTWAIT) < 0) {
		wlr_log_errno(WLR_DEBUG, "Refusing a console client");
	}
	close(fd);
}

static int handle_listen(int fd, uint32_t mask, void *data)
{
	struct tinct_console *console = data;
	int client = accept4(fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
	if (client < 0) {
		if (errno != EAGAIN && errno != EINTR) {
			wlr_log_errno(WLR_ERROR, "accept() on %s", console->socket_path);
		}
		return 0;
	}
	if (console->client_fd >= 0) {
		refuse(client, "tinct: this console is already attached elsewhere");
		return 0;
	}
	const char ack = TINCT_CONSOLE_ACK;
	if (send(client, &ack, 1, MSG_NOSIGNAL | MSG_DONTWAIT) != 1) {
		close(client);
		return 0;
	}
	console->client_source = wl_event_loop_add_fd(
		console->loop, client, WL_EVENT_READABLE, handle_client, console);
	if (console->client_source == NULL) {
		wlr_log(WLR_ERROR, "Cannot watch a console client on %s", console->socket_path);
		close(client);
		return 0;
	}
	console->client_fd = client;
	console->client_pos = ring_start(&console->ring);
	client_flush(console);
	return 0;
}

struct tinct_console *console_create(
	struct wl_event_loop *loop, const char *socket_path, size_t buffer_size)
{
	struct tinct_console *console = calloc(1, sizeof(*console));
	if (console == NULL) {
		wlr_log(WLR_ERROR, "Out of memory creating a console");
		return NULL;
	}
	console->loop = loop;
	console->listen_fd = -1;
	console->client_fd = -1;
	console->serial_fd = -1;
	console->serial_listen_fd = -1;
	console->inotify_fd = -1;
	wl_signal_init(&console->events.output);
	wl_signal_init(&console->events.serial_ready);
	if (!ring_init(&console->ring, buffer_size)) {
		wlr_log(WLR_ERROR, "Out of memory for a %zu byte console buffer", buffer_size);
		goto fail;
	}
	console->socket_path = strdup(socket_path);
	if (console->socket_path == NULL) {
		goto fail;
	}
	console->listen_fd = listen_unix(socket_path);
	if (console->listen_fd < 0) {
		goto fail;
	}
	console->listen_source = wl_event_loop_add_fd(
		loop, console->listen_fd, WL_EVENT_READABLE, handle_listen, console);
	if (console->listen_source == NULL) {
		wlr_log(WLR_ERROR, "Cannot watch console socket %s", socket_path);
		goto fail;
	}
	return console;

fail:
	console_destroy(console);
	return NULL;
}

static void serial_close(struct tinct_console *console)
{
	if (console->serial_source != NULL) {
		wl_event_source_remove(console->serial_source);
		console->serial_source = NULL;
	}
	if (console->serial_fd >= 0) {
		close(console->serial_fd);
		console->serial_fd = -1;
	}
}

static void serial_listen_close(struct tinct_console *console)
{
	if (console->serial_listen_source != NULL) {
		wl_event_source_remove(console->serial_listen_source);
		console->serial_listen_source = NULL;
	}
	if (console->serial_listen_fd >= 0) {
		close(console->serial_listen_fd);
		console->serial_listen_fd = -1;
	}
}

static void inotify_close(struct tinct_console *console)
{
	if (console->inotify_source != NULL) {
		wl_event_source_remove(console->inotify_source);
		console->inotify_source = NULL;
	}
	if (console->inotify_fd >= 0) {
		close(console->inotify_fd);
		console->inotify_fd = -1;
	}
}

static void serial_wait_end(struct tinct_console *console)
{
	inotify_close(console);
	if (console->retry_timer != NULL) {
		wl_event_source_remove(console->retry_timer);
		console->retry_timer = NULL;
	}
}

void console_close_serial(struct tinct_console *console)
{
	serial_close(console);
	serial_listen_close(console);
	serial_wait_end(console);
}

void console_destroy(struct tinct_console *console)
{
	if (console == NULL) {
		return;
	}
	client_close(console);
	console_close_serial(console);
	if (console->listen_source != NULL) {
		wl_event_source_remove(console->listen_source);
	}
	if (console->listen_fd >= 0) {
		close(console->listen_fd);
		unlink(console->socket_path);
	}
	free(console->socket_path);
	free(console->serial_path);
	ring_finish(&console->ring);
	free(console);
}

struct tinct_console_events *console_events(struct tinct_console *console)
{
	return &console->events;
}

bool console_attached(struct tinct_console *console)
{
	return console->client_fd >= 0;
}

// Returns false once the serial is closed or has nothing more right now.
static bool serial_read_once(struct tinct_console *console)
{
	static char buf[READ_CHUNK];
	ssize_t n = read(console->serial_fd, buf, sizeof(buf));
	if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
		return false;
	}
	if (n <= 0) {
		if (n < 0) {
			wlr_log_errno(WLR_DEBUG, "Reading serial %s", console->serial_path);
		}
		serial_close(console);
		return false;
	}
	ring_write(&console->ring, buf, (size_t)n);
	struct tinct_console_output output = {.data = buf, .len = (size_t)n};
	wl_signal_emit(&console->events.output, &output);
	client_flush(console);
	return true;
}

static int handle_serial(int fd, uint32_t mask, void *data)
{
	struct tinct_console *console = data;
	for (int i = 0; i < MAX_READS_PER_DISPATCH && console->serial_fd >= 0; i++) {
		if (!serial_read_once(console)) {
			break;
		}
	}
	if (console->serial_fd >= 0 && (mask & (WL_EVENT_HANGUP | WL_EVENT_ERROR)) &&
		!(mask & WL_EVENT_READABLE)) {
		serial_close(console);
	}
	return 0;
}

void console_drain(struct tinct_console *console)
{
	// Bounded: a VMM that has exited wrote a finite amount, and the socket
	// buffer holds at most a few hundred KiB.
	for (int i = 0; i < 256 && console->serial_fd >= 0; i++) {
		if (!serial_read_once(console)) {
			break;
		}
	}
}

static bool serial_watch(struct tinct_console *console, int fd)
{
	console->serial_fd = fd;
	console->serial_source =
		wl_event_loop_add_fd(console->loop, fd, WL_EVENT_READABLE, handle_serial, console);
	if (console->serial_source == NULL) {
		wlr_log(WLR_ERROR, "Cannot watch serial %s", console->serial_path);
		close(fd);
		console->serial_fd = -1;
		return false;
	}
	return true;
}

static void serial_ready(struct tinct_console *console, bool ok)
{
	serial_wait_end(console);
	wl_signal_emit(&console->events.serial_ready, &ok);
}

// Tries to connect to a listening VMM's serial socket. Returns false when
// the caller should wait: the socket does not exist yet (inotify says when
// it does) or does not listen yet (the timer retries shortly).
static bool serial_try_connect(struct tinct_console *console)
{
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	// The VM's uid owns the directory: never a link it put there.
	if (fd >= 0 && untrusted_connect(fd, console->serial_path) == 0) {
		serial_ready(console, serial_watch(console, fd));
		return true;
	}
	// ENOENT/ECONNREFUSED until the VMM is up; anything else is final.
	int err = errno;
	if (fd >= 0) {
		close(fd);
	}
	int64_t left = console->retry_deadline_ms - now_ms();
	if (fd >= 0 && (err == ENOENT || err == ECONNREFUSED) && left > 0) {
		// Without inotify, or while the socket exists but does not
		// listen yet, retry shortly; else the timer only bounds the wait.
		bool retry = err == ECONNREFUSED || console->inotify_fd < 0;
		wl_event_source_timer_update(console->retry_timer,
			retry && left > RETRY_INTERVAL_MS ? RETRY_INTERVAL_MS : (int)left);
		return false;
	}
	wlr_log(WLR_ERROR, "Cannot connect to serial socket %s: %s", console->serial_path,
		strerror(err));
	serial_ready(console, false);
	return true;
}

static int handle_retry(void *data)
{
	struct tinct_console *console = data;
	if (console->serial_listen_fd >= 0) {
		// crosvm mode: the timer only bounds the wait.
		wlr_log(WLR_ERROR, "The VMM never connected to serial socket %s",
			console->serial_path);
		serial_listen_close(console);
		serial_ready(console, false);
		return 0;
	}
	if (now_ms() >= console->retry_deadline_ms) {
		wlr_log(WLR_ERROR, "The VMM never created serial socket %s", console->serial_path);
		serial_ready(console, false);
		return 0;
	}
	serial_try_connect(console);
	return 0;
}

// Something was created in the runtime directory: the serial socket?
static int handle_inotify(int fd, uint32_t mask, void *data)
{
	struct tinct_console *console = data;
	char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
	const char *base = strrchr(console->serial_path, '/') + 1;
	bool seen = false;
	ssize_t n;
	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		for (char *p = buf; p < buf + n;) {
			struct inotify_event *event = (struct inotify_event *)p;
			if (event->len > 0 && strcmp(event->name, base) == 0) {
				seen = true;
			}
			p += sizeof(*event) + event->len;
		}
	}
	if (seen) {
		serial_try_connect(console);
	}
	return 0;
}

// Watches the serial socket's directory, so that a VMM that listens is
// connected to the moment its socket appears, without polling.
static void serial_watch_dir(struct tinct_console *console)
{
	char *dir = strdup(console->serial_path);
	char *slash = dir != NULL ? strrchr(dir, '/') : NULL;
	if (slash == NULL) {
		free(dir);
		return;
	}
	*slash = '\0';
	console->inotify_fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (console->inotify_fd < 0 ||
		inotify_add_watch(console->inotify_fd, dir, IN_CREATE | IN_MOVED_TO) < 0) {
		wlr_log_errno(WLR_DEBUG, "inotify on %s; polling instead", dir);
		inotify_close(console);
		free(dir);
		return;
	}
	free(dir);
	console->inotify_source = wl_event_loop_add_fd(
		console->loop, console->inotify_fd, WL_EVENT_READABLE, handle_inotify, console);
	if (console->inotify_source == NULL) {
		inotify_close(console);
	}
}

static int handle_serial_accept(int fd, uint32_t mask, void *data)
{
	struct tinct_console *console = data;
	int serial = accept4(fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
	if (serial < 0) {
		return 0;
	}
	serial_listen_close(console);
	unlink(console->serial_path);
	serial_ready(console, serial_watch(console, serial));
	return 0;
}

bool console_open_serial(
	struct tinct_console *console, const char *path, bool listen, int timeout_ms)
{
	free(console->serial_path);
	console->serial_path = strdup(path);
	if (console->serial_path == NULL) {
		return false;
	}
	console->retry_timer = wl_event_loop_add_timer(console->loop, handle_retry, console);
	if (console->retry_timer == NULL) {
		wlr_log(WLR_ERROR, "Cannot create a timer for serial %s", path);
		return false;
	}
	console->retry_deadline_ms = now_ms() + timeout_ms;
	if (!listen) {
		// The watch comes first, so a socket created meanwhile is seen.
		// The first attempt runs from the loop, never inside the caller.
		serial_watch_dir(console);
		wl_event_source_timer_update(console->retry_timer, 1);
		return true;
	}
	console->serial_listen_fd = listen_unix(path);
	if (console->serial_listen_fd < 0) {
		return false;
	}
	console->serial_listen_source = wl_event_loop_add_fd(console->loop,
		console->serial_listen_fd, WL_EVENT_READABLE, handle_serial_accept, console);
	if (console->serial_listen_source == NULL) {
		serial_listen_close(console);
		return false;
	}
	wl_event_source_timer_update(console->retry_timer, timeout_ms > 0 ? timeout_ms : 1);
	return true;
}

bool console_write(struct tinct_console *console, const void *data, size_t len)
{
	if (console->serial_fd < 0) {
		return false;
	}
	ssize_t n = send(console->serial_fd, data, len, MSG_NOSIGNAL | MSG_DONTWAIT);
	if (n < 0 && errno != EAGAIN && errno != EINTR) {
		wlr_log_errno(WLR_DEBUG, "Writing to serial %s", console->serial_path);
		return false;
	}
	if (n < (ssize_t)len) {
		wlr_log(WLR_DEBUG, "Serial %s is full, dropped %zd bytes of input",
			console->serial_path, (ssize_t)len - (n < 0 ? 0 : n));
	}
	return true;
}
