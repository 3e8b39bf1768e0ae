/*
 * Serial console relay. tinct, not the user, owns the VMM's serial socket:
 * it keeps the output in a ring buffer and serves a console socket in the
 * VM's runtime directory to which one interactive client at a time can
 * attach.
 *
 * Console socket protocol (SOCK_STREAM, one connection per attachment):
 *   - The server speaks first, with one status byte:
 *       0x06 (ACK): attached. The whole backlog follows, then live output,
 *                   raw bytes exactly as the guest wrote them.
 *       0x15 (NAK): refused. One line of human-readable text ending in
 *                   '\n' follows, then the server closes the connection.
 *                   Sent when another client is attached.
 *   - Everything the client sends is forwarded raw to the guest's serial
 *     input. There is no framing and no escape: detaching is closing.
 *   - When the VM crashes, the console stays: an attached client keeps its
 *     connection (nothing more arrives) and new clients get the backlog,
 *     so the end of the boot (a kernel panic) stays readable, until the
 *     VM starts again.
 *   - The server closes the connection when the VM stops, and when the
 *     client falls so far behind that the ring buffer overwrote output it
 *     had not read yet (output is never held up for a slow reader).
 */
#ifndef TINCT_VMM_CONSOLE_H
#define TINCT_VMM_CONSOLE_H

#include <stdbool.h>
#include <stddef.h>
#include <wayland-server-core.h>

#define TINCT_CONSOLE_ACK 0x06
#define TINCT_CONSOLE_NAK 0x15

struct tinct_console;

/** Data of tinct_console.events.output. */
struct tinct_console_output {
	const char *data;
	size_t len;
};

struct tinct_console_events {
	// struct tinct_console_output *: bytes the guest wrote
	struct wl_signal output;
	// bool *: true once the serial is connected, false when giving up
	struct wl_signal serial_ready;
};

/**
 * Creates the relay and its listening console socket at `socket_path`
 * (mode 0600, a stale file there is replaced). `buffer_size` bytes of
 * backlog are kept.
 */
struct tinct_console *console_create(
	struct wl_event_loop *loop, const char *socket_path, size_t buffer_size);
/** Closes the serial, disconnects the attached client, removes the socket. */
void console_destroy(struct tinct_console *console);
struct tinct_console_events *console_events(struct tinct_console *console);

/**
 * Starts connecting to the VMM's serial socket at `path`: at once when it
 * exists, else as soon as the VMM creates it (inotify on its directory),
 * giving up after `timeout_ms`. With `listen` set, tinct
 * instead listens at `path` and takes the first connection (for VMMs that
 * connect, such as crosvm), which must be called before the VMM starts.
 */
bool console_open_serial(
	struct tinct_console *console, const char *path, bool listen, int timeout_ms);
/**
 * Stops reading the serial (the VMM has gone) but keeps the console socket
 * and the backlog: a client can still attach and read what was printed.
 */
void console_close_serial(struct tinct_console *console);
/** Reads whatever the serial still holds, e.g. once the VMM has exited. */
void console_drain(struct tinct_console *console);
/**
 * Sends bytes to the guest's serial input. Input that the serial cannot
 * take right now is dropped (it is typing; the guest will not be blocked
 * on it). Returns false when there is no serial.
 */
bool console_write(struct tinct_console *console, const void *data, size_t len);
/* Whether a client is attached to the relay now (one at a time). */
bool console_attached(struct tinct_console *console);

#endif
