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

/* Runs command with /bin/sh -c. Returns the pid, or -1 (logged). */
pid_t spawn_command(struct tinct_server *server, const char *command);

/* SIGTERM to every child's process group, a short wait, then SIGKILL. */
void spawn_terminate_all(struct tinct_server *server);

#endif
