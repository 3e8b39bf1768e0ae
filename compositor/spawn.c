/*
 * The compositor's children, started with vmm's spawn (vmm/spawn.h) and
 * watched with its child helper (vmm/child.h): default signal dispositions
 * and mask, a new session, no inherited descriptors beyond stdin, stdout
 * and stderr, and tinct's own environment, which holds WAYLAND_DISPLAY.
 * They do not die with tinct: a session's programs outlive a crash of it.
 */
#include "compositor/spawn.h"

#include <signal.h>
#include <stdlib.h>
#include <wayland-server-core.h>
#include <wlr/util/log.h>

#include "common/time.h"
#include "compositor/server.h"
#include "vmm/child.h"
#include "vmm/spawn.h"

#define TERMINATE_GRACE_MS 2000

struct tinct_spawned {
	struct tinct_server *server;
	struct tinct_child *child;
	tinct_spawn_exit_func exited; // or NULL
	struct wl_list link; // tinct_server.children
};

static void spawned_destroy(struct tinct_spawned *spawned)
{
	child_destroy(spawned->child);
	wl_list_remove(&spawned->link);
	free(spawned);
}

static void handle_exit(void *data, const siginfo_t *info)
{
	struct tinct_spawned *spawned = data;
	if (info->si_code == CLD_EXITED) {
		wlr_log(WLR_DEBUG, "child %d exited with status %d", info->si_pid, info->si_status);
	} else {
		wlr_log(WLR_DEBUG, "child %d killed by signal %d", info->si_pid, info->si_status);
	}
	struct tinct_server *server = spawned->server;
	tinct_spawn_exit_func exited = spawned->exited;
	spawned_destroy(spawned);
	if (exited != NULL) {
		exited(server, info->si_pid);
	}
}

pid_t spawn_command_notify(
	struct tinct_server *server, const char *command, tinct_spawn_exit_func exited)
{
	struct tinct_spawned *spawned = calloc(1, sizeof(*spawned));
	if (spawned == NULL) {
		wlr_log_errno(WLR_ERROR, "cannot run \"%s\"", command);
		return -1;
	}
	char *const argv[] = {"/bin/sh", "-c", (char *)command, NULL};
	struct tinct_spawn spawn = {
		.program = "/bin/sh",
		.argv = argv,
		.inherit_env = true,
		.stdin_fd = 0,
		.stdout_fd = 1,
		.stderr_fd = 2,
		.new_session = true,
	};
	spawned->server = server;
	spawned->exited = exited;
	spawned->child = child_spawn(server->loop, &spawn, 0, handle_exit, spawned);
	if (spawned->child == NULL) {
		free(spawned);
		return -1;
	}
	wl_list_insert(&server->children, &spawned->link);
	pid_t pid = child_pid(spawned->child);
	wlr_log(WLR_DEBUG, "started child %d: %s", pid, command);
	return pid;
}

pid_t spawn_command(struct tinct_server *server, const char *command)
{
	return spawn_command_notify(server, command, NULL);
}

void spawn_terminate_all(struct tinct_server *server)
{
	struct tinct_spawned *spawned, *tmp;
	wl_list_for_each (spawned, &server->children, link) {
		child_signal(spawned->child, SIGTERM);
	}
	/* Give them two seconds to go, watching their pidfds. */
	int64_t deadline = now_ms() + TERMINATE_GRACE_MS;
	while (!wl_list_empty(&server->children)) {
		int64_t left = deadline - now_ms();
		if (left <= 0) {
			break;
		}
		struct tinct_spawned *first = wl_container_of(server->children.next, first, link);
		/* On exit, handle_exit() takes it off the list. */
		child_wait(first->child, (int)left);
	}
	wl_list_for_each_safe (spawned, tmp, &server->children, link) {
		wlr_log(WLR_INFO, "child %d did not exit on SIGTERM; killing it",
			child_pid(spawned->child));
		spawned_destroy(spawned);
	}
}
