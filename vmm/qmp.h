/*
 * A minimal QMP client for QEMU's graceful stop: it connects to the QMP
 * monitor socket, negotiates capabilities and presses the ACPI power
 * button (`system_powerdown`). QMP runs commands in order, so the
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
/** Closes the connection. NULL is a no-op. */
void qmp_destroy(struct tinct_qmp *qmp);

#endif
