/*
 * A minimal QMP client for QEMU's graceful stop and one-off commands (a
 * network link's state, vmm/network.h): it connects to the QMP monitor
 * socket, negotiates capabilities and presses the ACPI power button
 * (`system_powerdown`) or runs the command. QMP runs commands in order, so the
 * handshake and the request go in one write without waiting for the
 * greeting. Replies are untrusted and of no further use: a stop is
 * confirmed by the VMM exiting, not by what it says, so they are read and
 * dropped.
 */
#ifndef TINCT_VMM_QMP_H
#define TINCT_VMM_QMP_H

#include <stdbool.h>

struct wl_event_loop;
struct tinct_qmp;

/**
 * Connects to the QMP socket at `path` and sends `system_powerdown`.
 * `vm_name` is for messages. Returns NULL (logged) when the request could
 * not be sent.
 */
struct tinct_qmp *qmp_powerdown(struct wl_event_loop *loop, const char *path, const char *vm_name);
/**
 * Presses the power button again on the same connection. false (logged at
 * debug level) when QEMU has closed it or the send failed.
 */
bool qmp_powerdown_again(struct tinct_qmp *qmp);
/**
 * Connects to the QMP socket at `path` and runs `command`, one QMP command
 * as JSON (`{"execute":...}`). The connection stays open until QEMU has
 * answered it: QEMU drops the commands of a client that hangs up before
 * they ran. `done` (may be NULL) is called once that answer or the end of
 * the connection arrived; it may destroy the tinct_qmp. The answer itself
 * is not looked at. Returns NULL (logged) when the command could not be
 * sent.
 */
struct tinct_qmp *qmp_execute(struct wl_event_loop *loop, const char *path, const char *vm_name,
	const char *command, void (*done)(void *data), void *data);
/** Closes the connection. NULL is a no-op. */
void qmp_destroy(struct tinct_qmp *qmp);

#endif
