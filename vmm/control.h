/*
 * Guest control channel: a small line protocol between tinct and the
 * guest's init, over a virtio-serial port named `tinct.control` (QEMU).
 * tinct listens on `<runtime dir>/control` before the VMM starts; the
 * VMM's chardev connects to it (and reconnects), so nothing polls.
 *
 * Protocol. Lines of ASCII text ending in '\n', at most
 * TINCT_CONTROL_MAX_LINE bytes including the '\n'; fields are separated by
 * one space; N is a decimal application index (0..TINCT_CONTROL_MAX_APP),
 * the i-th `[guest] run` of the VM definition (tinct.app.I on the kernel
 * command line).
 *
 *   guest -> host
 *     ready            the guest's init is up: the VM is running
 *     ok N             `run N` started application N
 *     error N TEXT     `run N` failed; TEXT says why (printable ASCII)
 *     exit N STATUS    application N ended with STATUS (0..255)
 *   host -> guest
 *     run N            start application N on a free Wayland channel
 *
 * Everything the guest sends is untrusted: a line that is too long is
 * dropped whole, unknown or malformed lines are ignored, TEXT is cut to
 * printable ASCII. The guest answers every `run` with ok or error, but
 * tinct never waits for it.
 */
#ifndef TINCT_VMM_CONTROL_H
#define TINCT_VMM_CONTROL_H

#include <stdbool.h>
#include <stddef.h>

struct wl_event_loop;

#define TINCT_CONTROL_MAX_LINE 256
#define TINCT_CONTROL_MAX_APP 255
#define TINCT_CONTROL_SOCKET_NAME "control"
#define TINCT_CONTROL_PORT_NAME "tinct.control"

enum tinct_control_kind {
	TINCT_CONTROL_READY,
	TINCT_CONTROL_OK,
	TINCT_CONTROL_ERROR,
	TINCT_CONTROL_EXIT,
};

/** One validated message from the guest. */
struct tinct_control_msg {
	enum tinct_control_kind kind;
	unsigned app; // ok, error, exit
	int status; // exit: 0..255
	char text[TINCT_CONTROL_MAX_LINE]; // error: printable ASCII, may be empty
};

/** Splits a byte stream into lines; feed it untrusted bytes. */
struct tinct_control_parser {
	char line[TINCT_CONTROL_MAX_LINE];
	size_t len;
	bool overlong; // dropping the rest of a line that was too long
};

typedef void (*tinct_control_msg_func)(void *data, const struct tinct_control_msg *msg);

/** Parses one line (without its '\n'); false when it is no valid message. */
bool control_parse_line(const char *untrusted, size_t len, struct tinct_control_msg *msg);
/**
 * Feeds `len` bytes; calls `handle` for each valid message completed by
 * them. Returns how many lines were rejected (malformed or too long).
 */
size_t control_parser_feed(struct tinct_control_parser *parser, const char *untrusted, size_t len,
	tinct_control_msg_func handle, void *data);

struct tinct_control;

/**
 * Listens on `path` (mode 0600; a stale file is replaced). Messages go to
 * `handle`. `vm_name` is for messages. NULL (logged) on failure.
 */
struct tinct_control *control_create(struct wl_event_loop *loop, const char *path,
	const char *vm_name, tinct_control_msg_func handle, void *data);
/** Closes the connection and removes the socket. NULL is a no-op. */
void control_destroy(struct tinct_control *control);
/** Whether the guest side is connected now. */
bool control_connected(struct tinct_control *control);
/** Sends `run N`. False when not connected or the channel is full. */
bool control_send_run(struct tinct_control *control, unsigned app);

#endif
