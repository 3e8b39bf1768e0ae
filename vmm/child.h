/*
 * Watching one child process on the owner's wl_event_loop: its pidfd is an
 * event source, and when the child exits it is reaped and the owner called.
 * No SIGCHLD handler and no waitpid(-1): other children of the owner are
 * none of a watch's business.
 *
 * Life of a watch: child_spawn() (or child_create() for a child from
 * spawn_fork()); the child runs; it exits, is reaped, and `exited` is
 * called once; child_destroy() frees the watch, killing the child first if
 * it still runs. `exited` may call child_destroy(). A child that does not
 * die on SIGKILL (stuck in the kernel: a hung disk, a vCPU) never holds up
 * the owner for more than a bounded wait: it is left behind, logged.
 */
#ifndef TINCT_VMM_CHILD_H
#define TINCT_VMM_CHILD_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

struct wl_event_loop;
struct tinct_child;
struct tinct_spawn;

/**
 * The child exited and was reaped; `info` is its waitid() record
 * (si_code CLD_EXITED with si_status the exit status, else killed by the
 * signal si_status). Not called for a child reaped by child_kill() or
 * child_destroy().
 */
typedef void (*tinct_child_exit_func)(void *data, const siginfo_t *info);

enum tinct_child_flags {
	// When the child exits, SIGKILL what is left of its process group
	// (helpers it forked) before reaping it: while the leader is an
	// unreaped zombie its group id cannot be reused, so the kill cannot
	// hit a stranger. Not for children whose descendants are meant to
	// outlive them (a startup script that starts a terminal).
	TINCT_CHILD_KILL_GROUP = 1 << 0,
	// child_spawn() only: `exited` is called once the child and every
	// process that inherited its descriptors have exited, at most
	// WAIT_ALL_MS after the child. A confined VMM is bwrap's grandchild
	// (jail.h): without this, its exit would be reported while it still
	// held its TAP, disk locks and sockets. The child gets the write end
	// of a pipe as one more passed descriptor; its hang-up is the signal.
	TINCT_CHILD_WAIT_ALL = 1 << 1,
};

#define TINCT_CHILD_WAIT_ALL_MS 2000

/**
 * Spawns a child (spawn.h) and watches it. Returns NULL (logged) when it
 * could not be started or watched; nothing is left running then.
 */
struct tinct_child *child_spawn(struct wl_event_loop *loop, const struct tinct_spawn *spawn,
	uint32_t flags, tinct_child_exit_func exited, void *data);
/**
 * Watches a child the caller forked: `pid`, leader of its own process
 * group, and its `pidfd`, which the watch takes (closed on failure too).
 * Returns NULL (logged) on failure, after killing and reaping the child.
 */
struct tinct_child *child_create(struct wl_event_loop *loop, pid_t pid, int pidfd, uint32_t flags,
	tinct_child_exit_func exited, void *data);
/**
 * Kills the child if it still runs (SIGKILL to its process group, reaped,
 * waiting at most 1 s) and frees the watch. NULL is a no-op.
 */
void child_destroy(struct tinct_child *child);

/**
 * Whether the child exited and was reaped and, with TINCT_CHILD_WAIT_ALL,
 * every process holding its pipe is gone too: nothing the child started
 * still holds what it inherited. false while it runs, when it was killed
 * by child_kill()/child_destroy(), or when processes outlived it.
 */
bool child_all_gone(const struct tinct_child *child);
/** The child's pid while it runs (it is not reaped yet), else 0. */
pid_t child_pid(const struct tinct_child *child);
/**
 * Sends `sig` to the child's process group (to the child alone should it
 * have left the group). false (logged) when that failed; no-op returning
 * false once the child was reaped: its pid may belong to a stranger.
 */
bool child_signal(struct tinct_child *child, int sig);
/**
 * Waits up to `timeout_ms` for the child to exit, without the loop; when
 * it does, it is handled as the loop would (`exited` is called, and may
 * destroy the child). Returns whether it exited. For owners shutting down.
 */
bool child_wait(struct tinct_child *child, int timeout_ms);
/**
 * SIGKILL to the process group, and a reap without calling `exited`,
 * waiting at most `timeout_ms`. Returns false when the child is still
 * alive then: it is left alone from now on (child_destroy() does not wait
 * for it again, and nothing reaps it).
 */
bool child_kill(struct tinct_child *child, int timeout_ms);

#endif
