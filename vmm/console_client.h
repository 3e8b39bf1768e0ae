/*
 * The client side of the console relay (protocol in console.h): attaches
 * the terminal to a VM's serial console. Shared by `tinct-vm console` and
 * `tinctctl console`, so both behave the same way.
 *
 * While attached, the backlog and then live output go to stdout through the
 * console filter (console_filter.h: text and harmless sequences only, also
 * when stdout is a pipe, which may well end in a terminal) and what is read
 * from stdin goes to the guest. When stdin is a terminal it is put
 * in raw mode (so Ctrl-C reaches the guest) and a hint is printed; the
 * terminal is restored on every way out, signals included. Ctrl-] (0x1d,
 * like telnet) detaches, also when it comes from a pipe. End of stdin only
 * stops forwarding: output keeps coming until the relay closes.
 */
#ifndef TINCT_VMM_CONSOLE_CLIENT_H
#define TINCT_VMM_CONSOLE_CLIENT_H

#include <stdbool.h>
#include <stddef.h>

struct tinct_console_filter;

#define TINCT_CONSOLE_ESCAPE 0x1d // Ctrl-]

enum console_client_status {
	CONSOLE_CLIENT_DETACHED, // the user pressed Ctrl-]
	CONSOLE_CLIENT_CLOSED, // the relay closed the connection (the VM stopped)
	CONSOLE_CLIENT_INTERRUPTED, // SIGINT, SIGTERM, SIGHUP or SIGQUIT
	CONSOLE_CLIENT_REFUSED, // another client is attached
	CONSOLE_CLIENT_UNREACHABLE, // nothing listens at the path: the VM is not running
	CONSOLE_CLIENT_FAILED, // no valid answer, or reading or writing failed
};

/*
 * Attaches to the console relay socket at path until one of the statuses
 * above. Messages go to stderr, prefixed with prog and naming vm; a refusal
 * prints the relay's own line. *signal_out (may be NULL) receives the
 * signal number for CONSOLE_CLIENT_INTERRUPTED.
 */
enum console_client_status console_client_attach(
	const char *path, const char *prog, const char *vm, int *signal_out);

/*
 * Writes all of data to fd, retrying on EINTR. A socket whose peer is gone
 * fails with EPIPE instead of raising SIGPIPE. Returns false on failure.
 */
bool console_client_write_all(int fd, const void *data, size_t len);

/*
 * Writes guest output to fd through filter (console_filter.h), like
 * console_client_write_all. Returns false on failure.
 */
bool console_client_write_filtered(
	struct tinct_console_filter *filter, int fd, const void *data, size_t len);

#endif
