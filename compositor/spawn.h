/*
 * Children tinct starts (startup command, exec bindings). Each runs in its own
 * session with a clean descriptor table and is watched with a pidfd, so no
 * SIGCHLD handler competes with other child watchers on the loop. On exit,
 * tinct terminates every child it started.
 */
#ifndef TINCT_SPAWN_H
#define TINCT_SPAWN_H

#include <stdbool.h>
#include <sys/types.h>

struct tinct_server;

/* Called once a child has exited and was reaped: its pid is free again. */
typedef void (*tinct_spawn_exit_func)(struct tinct_server *server, pid_t pid);

/* Runs command with /bin/sh -c. Returns the pid, or -1 (logged). */
pid_t spawn_command(struct tinct_server *server, const char *command);
/* Like spawn_command, and calls `exited` when the command has exited. */
pid_t spawn_command_notify(
	struct tinct_server *server, const char *command, tinct_spawn_exit_func exited);

/* SIGTERM to every child's process group, a short wait, then SIGKILL. */
void spawn_terminate_all(struct tinct_server *server);

#endif
