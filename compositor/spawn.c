/*
 * fork + exec with the hygiene a compositor owes its children: default signal
 * dispositions and mask, a new session, no inherited descriptors beyond
 * stdin/stdout/stderr.
 */
#include "spawn.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <wayland-server-core.h>
#include <wlr/util/log.h>

#include "common/time.h"
#include "server.h"

struct tinct_child {
	struct tinct_server *server;
	pid_t pid;
	int pidfd;
	struct wl_event_source *source;
	struct wl_list link; // tinct_server.children
};

static void child_destroy(struct tinct_child *child)
{
	wl_event_source_remove(child->source);
	close(child->pidfd);
	wl_list_remove(&child->link);
	free(child);
}

static int handle_child_exit(int fd, uint32_t mask, void *data)
{
	struct tinct_child *child = data;
	int status = 0;
	if (waitpid(child->pid, &status, WNOHANG) == child->pid) {
		if (WIFEXITED(status)) {
			wlr_log(WLR_DEBUG, "child %d exited with status %d", child->pid,
				WEXITSTATUS(status));
		} else if (WIFSIGNALED(status)) {
			wlr_log(WLR_DEBUG, "child %d killed by signal %d", child->pid,
				WTERMSIG(status));
		}
	}
	child_destroy(child);
	return 0;
}

static void exec_child(const char *command)
{
	sigset_t set;
	sigemptyset(&set);
	sigprocmask(SIG_SETMASK, &set, NULL);
	signal(SIGPIPE, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	signal(SIGINT, SIG_DFL);
	setsid();
	/* Nothing of tinct's leaks into clients, whatever forgot O_CLOEXEC. */
	if (syscall(SYS_close_range, 3, ~0U, 0) != 0) {
		for (int fd = 3; fd < 1024; fd++) {
			close(fd);
		}
	}
	execl("/bin/sh", "/bin/sh", "-c", command, (char *)NULL);
	_exit(127);
}

pid_t spawn_command(struct tinct_server *server, const char *command)
{
	struct tinct_child *child = calloc(1, sizeof(*child));
	if (child == NULL) {
		wlr_log_errno(WLR_ERROR, "cannot run \"%s\"", command);
		return -1;
	}
	pid_t pid = fork();
	if (pid < 0) {
		wlr_log_errno(WLR_ERROR, "cannot fork to run \"%s\"", command);
		free(child);
		return -1;
	}
	if (pid == 0) {
		exec_child(command);
	}
	child->server = server;
	child->pid = pid;
	child->pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (child->pidfd < 0) {
		wlr_log_errno(WLR_ERROR, "pidfd_open for child %d", pid);
		free(child);
		return pid;
	}
	fcntl(child->pidfd, F_SETFD, FD_CLOEXEC);
	child->source = wl_event_loop_add_fd(
		server->loop, child->pidfd, WL_EVENT_READABLE, handle_child_exit, child);
	if (child->source == NULL) {
		close(child->pidfd);
		free(child);
		return pid;
	}
	wl_list_insert(&server->children, &child->link);
	wlr_log(WLR_DEBUG, "started child %d: %s", pid, command);
	return pid;
}

void spawn_terminate_all(struct tinct_server *server)
{
	struct tinct_child *child, *tmp;
	wl_list_for_each (child, &server->children, link) {
		kill(-child->pid, SIGTERM);
		kill(child->pid, SIGTERM);
	}
	/* Give them two seconds to go, watching their pidfds. */
	int64_t deadline = now_ms() + 2000;
	while (!wl_list_empty(&server->children)) {
		int64_t left = deadline - now_ms();
		if (left <= 0) {
			break;
		}
		struct tinct_child *first = wl_container_of(server->children.next, first, link);
		struct pollfd pfd = {.fd = first->pidfd, .events = POLLIN};
		if (poll(&pfd, 1, (int)left) > 0) {
			waitpid(first->pid, NULL, 0);
			child_destroy(first);
		}
	}
	wl_list_for_each_safe (child, tmp, &server->children, link) {
		wlr_log(WLR_INFO, "child %d did not exit on SIGTERM; killing it", child->pid);
		kill(-child->pid, SIGKILL);
		kill(child->pid, SIGKILL);
		waitpid(child->pid, NULL, 0);
		child_destroy(child);
	}
}
