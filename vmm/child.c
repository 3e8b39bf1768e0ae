/*
 * One child process watched through its pidfd (see child.h).
 */
#include "child.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>
#include <wayland-server-core.h>
#include <wlr/util/log.h>

#include "spawn.h"

#ifndef P_PIDFD
#define P_PIDFD 3
#endif

// How long child_destroy() waits for a killed child.
#define DESTROY_GRACE_MS 1000

struct tinct_child {
	pid_t pid; // 0 once reaped or abandoned
	int pidfd; // -1 once reaped or abandoned
	struct wl_event_source *source;
	uint32_t flags;
	tinct_child_exit_func exited;
	void *data;
};

// Ends the watch: the pid is no longer ours to signal.
static void child_forget(struct tinct_child *child)
{
	if (child->source != NULL) {
		wl_event_source_remove(child->source);
		child->source = NULL;
	}
	if (child->pidfd >= 0) {
		close(child->pidfd);
		child->pidfd = -1;
	}
	child->pid = 0;
}

// Reaps the child if it has exited; returns false while it runs. Does not
// call `exited`; the caller does, once the watch is in order.
static bool child_reap(struct tinct_child *child, siginfo_t *info)
{
	*info = (siginfo_t){0};
	int options = WEXITED | WNOHANG;
	if (child->flags & TINCT_CHILD_KILL_GROUP) {
		// Peek first: the zombie leader keeps its group id reserved.
		options |= WNOWAIT;
	}
	if (waitid((idtype_t)P_PIDFD, (id_t)child->pidfd, info, options) < 0) {
		wlr_log_errno(WLR_ERROR, "waitid for process %d", (int)child->pid);
		return false;
	}
	if (info->si_pid == 0) {
		return false;
	}
	if (child->flags & TINCT_CHILD_KILL_GROUP) {
		kill(-child->pid, SIGKILL);
		siginfo_t reaped = {0};
		waitid((idtype_t)P_PIDFD, (id_t)child->pidfd, &reaped, WEXITED | WNOHANG);
	}
	child_forget(child);
	return true;
}

static void child_handle_exit(struct tinct_child *child)
{
	siginfo_t info;
	if (child_reap(child, &info)) {
		// Last use of `child`: the callback may destroy it.
		child->exited(child->data, &info);
	}
}

static int handle_pidfd(int fd, uint32_t mask, void *data)
{
	child_handle_exit(data);
	return 0;
}

struct tinct_child *child_create(struct wl_event_loop *loop, pid_t pid, int pidfd, uint32_t flags,
	tinct_child_exit_func exited, void *data)
{
	struct tinct_child *child = calloc(1, sizeof(*child));
	if (child != NULL) {
		child->pid = pid;
		child->pidfd = pidfd;
		child->flags = flags;
		child->exited = exited;
		child->data = data;
		child->source =
			wl_event_loop_add_fd(loop, pidfd, WL_EVENT_READABLE, handle_pidfd, child);
	}
	if (child == NULL || child->source == NULL) {
		wlr_log(WLR_ERROR, "Cannot watch process %d", (int)pid);
		kill(-pid, SIGKILL);
		kill(pid, SIGKILL);
		siginfo_t info;
		waitid((idtype_t)P_PIDFD, (id_t)pidfd, &info, WEXITED);
		close(pidfd);
		free(child);
		return NULL;
	}
	return child;
}

struct tinct_child *child_spawn(struct wl_event_loop *loop, const struct tinct_spawn *spawn,
	uint32_t flags, tinct_child_exit_func exited, void *data)
{
	int pidfd = -1;
	pid_t pid = spawn_process(spawn, &pidfd);
	if (pid < 0) {
		return NULL;
	}
	return child_create(loop, pid, pidfd, flags, exited, data);
}

pid_t child_pid(const struct tinct_child *child)
{
	return child->pid;
}

bool child_signal(struct tinct_child *child, int sig)
{
	if (child->pid <= 0) {
		return false;
	}
	if (kill(-child->pid, sig) == 0) {
		return true;
	}
	if (kill(child->pid, sig) < 0 && errno != ESRCH) {
		wlr_log_errno(WLR_ERROR, "kill(%d, %d)", (int)child->pid, sig);
		return false;
	}
	return true;
}

bool child_wait(struct tinct_child *child, int timeout_ms)
{
	if (child->pid <= 0) {
		return false;
	}
	struct pollfd pfd = {.fd = child->pidfd, .events = POLLIN};
	if (poll(&pfd, 1, timeout_ms) <= 0) {
		return false;
	}
	child_handle_exit(child);
	return true;
}

bool child_kill(struct tinct_child *child, int timeout_ms)
{
	if (child->pid <= 0) {
		return true;
	}
	child_signal(child, SIGKILL);
	struct pollfd pfd = {.fd = child->pidfd, .events = POLLIN};
	if (poll(&pfd, 1, timeout_ms) <= 0) {
		child_forget(child);
		return false;
	}
	siginfo_t info = {0};
	waitid((idtype_t)P_PIDFD, (id_t)child->pidfd, &info, WEXITED | WNOHANG);
	child_forget(child);
	return true;
}

void child_destroy(struct tinct_child *child)
{
	if (child == NULL) {
		return;
	}
	if (child->pid > 0) {
		pid_t pid = child->pid;
		if (!child_kill(child, DESTROY_GRACE_MS)) {
			wlr_log(WLR_ERROR, "process %d does not die on SIGKILL; leaving it",
				(int)pid);
		}
	}
	child_forget(child);
	free(child);
}
