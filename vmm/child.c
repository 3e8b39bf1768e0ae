/*
 * One child process watched through its pidfd (see child.h).
 */
#include "vmm/child.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <wayland-server-core.h>
#include <wlr/util/log.h>

#include "vmm/spawn.h"

#ifndef P_PIDFD
#define P_PIDFD 3
#endif

// How long child_destroy() waits for a killed child.
#define DESTROY_GRACE_MS 1000

struct tinct_child {
	struct wl_event_loop *loop;
	pid_t pid; // 0 once reaped or abandoned
	int pidfd; // -1 once reaped or abandoned
	struct wl_event_source *source;
	// TINCT_CHILD_WAIT_ALL: the read end of the pipe whose write end the
	// child's processes hold, and its bound once the child has exited.
	int hold_fd;
	struct wl_event_source *hold_source;
	struct wl_event_source *hold_timer;
	uint32_t flags;
	// Reaped, and with TINCT_CHILD_WAIT_ALL every holder of the pipe gone.
	bool all_gone;
	tinct_child_exit_func exited;
	void *data;
};

// Ends the watch: the pid is no longer ours to signal.
static void hold_end(struct tinct_child *child)
{
	if (child->hold_source != NULL) {
		wl_event_source_remove(child->hold_source);
		child->hold_source = NULL;
	}
	if (child->hold_timer != NULL) {
		wl_event_source_remove(child->hold_timer);
		child->hold_timer = NULL;
	}
	if (child->hold_fd >= 0) {
		close(child->hold_fd);
		child->hold_fd = -1;
	}
}

static void child_forget(struct tinct_child *child)
{
	hold_end(child);
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
		if (!(child->flags & TINCT_CHILD_WAIT_ALL)) {
			child->all_gone = true;
		}
		// Last use of `child`: the callback may destroy it.
		child->exited(child->data, &info);
	}
}

static int handle_hold_done(void *data)
{
	struct tinct_child *child = data;
	child->all_gone = true;
	if (child->hold_fd >= 0) {
		// Gone when every write end is closed (a holder may write).
		struct pollfd pfd = {.fd = child->hold_fd, .events = POLLIN};
		if (poll(&pfd, 1, 0) < 0 || !(pfd.revents & POLLHUP)) {
			wlr_log(WLR_ERROR, "processes of %d outlive it by %d ms; going on",
				(int)child->pid, TINCT_CHILD_WAIT_ALL_MS);
			child->all_gone = false;
		}
	}
	hold_end(child);
	child_handle_exit(child);
	return 0;
}

static int handle_hold(int fd, uint32_t mask, void *data)
{
	char buf[64];
	if (!(mask & (WL_EVENT_HANGUP | WL_EVENT_ERROR)) && read(fd, buf, sizeof(buf)) > 0) {
		return 0; // nobody should write; drained
	}
	return handle_hold_done(data);
}

static int handle_pidfd(int fd, uint32_t mask, void *data)
{
	struct tinct_child *child = data;
	if (child->hold_fd < 0) {
		child_handle_exit(child);
		return 0;
	}
	// The child is gone; what it left (the sandbox's processes) goes now,
	// and is reported once the last of them has closed the pipe.
	if (child->flags & TINCT_CHILD_KILL_GROUP) {
		kill(-child->pid, SIGKILL);
	}
	wl_event_source_remove(child->source);
	child->source = NULL;
	struct wl_event_loop *loop = child->loop;
	child->hold_source =
		wl_event_loop_add_fd(loop, child->hold_fd, WL_EVENT_READABLE, handle_hold, child);
	child->hold_timer = wl_event_loop_add_timer(loop, handle_hold_done, child);
	if (child->hold_source == NULL || child->hold_timer == NULL) {
		return handle_hold_done(child);
	}
	wl_event_source_timer_update(child->hold_timer, TINCT_CHILD_WAIT_ALL_MS);
	return 0;
}

struct tinct_child *child_create(struct wl_event_loop *loop, pid_t pid, int pidfd, uint32_t flags,
	tinct_child_exit_func exited, void *data)
{
	struct tinct_child *child = calloc(1, sizeof(*child));
	if (child != NULL) {
		child->loop = loop;
		child->hold_fd = -1;
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
	int hold[2] = {-1, -1};
	struct tinct_spawn with_hold = *spawn;
	int fds[SPAWN_MAX_PASS_FDS];
	if (flags & TINCT_CHILD_WAIT_ALL) {
		if (spawn->pass_fds_len >= SPAWN_MAX_PASS_FDS || pipe2(hold, O_CLOEXEC) < 0) {
			wlr_log(WLR_ERROR, "Cannot watch the processes of %s", spawn->program);
			return NULL;
		}
		if (spawn->pass_fds_len > 0) {
			memcpy(fds, spawn->pass_fds, spawn->pass_fds_len * sizeof(*fds));
		}
		fds[spawn->pass_fds_len] = hold[1];
		with_hold.pass_fds = fds;
		with_hold.pass_fds_len = spawn->pass_fds_len + 1;
	}
	pid_t pid = spawn_process(&with_hold, &pidfd);
	if (hold[1] >= 0) {
		close(hold[1]);
	}
	if (pid < 0) {
		if (hold[0] >= 0) {
			close(hold[0]);
		}
		return NULL;
	}
	struct tinct_child *child = child_create(loop, pid, pidfd, flags, exited, data);
	if (child == NULL) {
		if (hold[0] >= 0) {
			close(hold[0]);
		}
		return NULL;
	}
	child->hold_fd = hold[0];
	return child;
}

bool child_all_gone(const struct tinct_child *child)
{
	return child->all_gone;
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
	if (child->hold_fd >= 0) {
		if (child->flags & TINCT_CHILD_KILL_GROUP) {
			kill(-child->pid, SIGKILL);
		}
		struct pollfd hold = {.fd = child->hold_fd, .events = POLLIN};
		child->all_gone =
			poll(&hold, 1, TINCT_CHILD_WAIT_ALL_MS) > 0 && (hold.revents & POLLHUP);
		hold_end(child);
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
