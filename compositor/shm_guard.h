/*
 * The guard that keeps a client from killing tinct with SIGBUS by shrinking
 * the file behind a wl_shm pool. wlroots 0.15 keeps reading a committed
 * shm buffer after the client destroyed the wl_buffer (wlr_shm_client_buffer
 * keeps a reference on the pool), and those reads are outside libwayland's
 * own SIGBUS guard (wl_shm_buffer_begin_access): a client that truncates
 * the pool's file to zero makes the next redraw fault.
 *
 * The guard records the memory of every shm buffer that a surface commits,
 * for as long as wlroots holds the buffer, and installs a SIGBUS handler
 * that, for a fault inside one of those ranges, maps a zero page over the
 * faulting page and returns: the window shows zeros where the client took
 * its memory away. Any other SIGBUS goes to the handler installed before
 * (libwayland's guard), or kills tinct as it always would.
 */
#ifndef TINCT_COMPOSITOR_SHM_GUARD_H
#define TINCT_COMPOSITOR_SHM_GUARD_H

struct wlr_compositor;
struct tinct_shm_guard;

/* Watches every surface of compositor. NULL on failure (logged). */
struct tinct_shm_guard *shm_guard_create(struct wlr_compositor *compositor);
/*
 * Stops watching new commits. Buffers already recorded stay guarded until
 * wlroots destroys them. NULL is a no-op.
 */
void shm_guard_destroy(struct tinct_shm_guard *guard);

#endif
