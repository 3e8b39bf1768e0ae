/*
 * Host side of the waypipe transport (wayland = waypipe): one
 * `waypipe --oneshot client` per channel, listening on the channel's Unix
 * socket and connected to the VM's own Wayland display, so everything it
 * forwards is a client of that VM.
 *
 * Lifetime: the clients start with the VM (before the VMM, which connects
 * to their sockets) and are killed with it. A oneshot client carries one
 * guest application and exits when the application has gone (waypipe's
 * close message) or the channel broke; while the VM runs it is started
 * again at once, so the next application on that channel finds a listener
 * (QEMU's chardev reconnects within 1 s). A client that keeps exiting
 * within 2 s of its start is restarted with a growing delay and given up
 * after 5 tries in a row. A client killed by a signal means the channel's
 * stream is lost in the middle of the Wayland protocol, with no way to
 * resynchronise it: the owner is told (`killed`) and marks the VM crashed.
 */
#ifndef TINCT_VMM_WAYPIPE_H
#define TINCT_VMM_WAYPIPE_H

#include <stdbool.h>
#include <stddef.h>

struct wl_event_loop;
struct tinct_argv;
struct tinct_jail;
struct tinct_waypipe_set;

/** Called when channel `index`'s client was killed by `signal`. */
typedef void (*tinct_waypipe_killed_func)(void *data, unsigned index, int signal);

/**
 * Appends the argv of one channel's client: `program --no-gpu --compress
 * none --oneshot --socket SOCKET client`. No GPU (guests have none, and the
 * host takes no dmabufs from them), no compression (a local channel; the
 * TCG guest's CPU is the bottleneck).
 */
bool waypipe_client_argv(struct tinct_argv *argv, const char *program, const char *socket);

/**
 * Starts a client for each of the `len` sockets, with
 * WAYLAND_DISPLAY=`display` (an absolute path) and output appended to
 * `log_path`, each inside `jail` (jail.h; NULL or disabled: unconfined),
 * which must outlive the set. `vm_name` is for messages. Returns NULL
 * (logged) when waypipe is missing or a client cannot be spawned.
 */
struct tinct_waypipe_set *waypipe_set_create(struct wl_event_loop *loop, const char *vm_name,
	const char *display, char *const *sockets, size_t len, const char *log_path,
	const struct tinct_jail *jail, tinct_waypipe_killed_func killed, void *data);
/** SIGKILLs every client's process group, reaps them, removes the sockets. NULL is a no-op. */
void waypipe_set_destroy(struct tinct_waypipe_set *set);

#endif
