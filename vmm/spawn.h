/*
 * Spawning the vmm library's children the same way every time: clean
 * environment, no inherited descriptors, own process group, PDEATHSIG.
 */
#ifndef TINCT_VMM_SPAWN_H
#define TINCT_VMM_SPAWN_H

#include <stdbool.h>
#include <sys/types.h>

// The descriptor number a child gets `pass_fd` as; fds 0-2 are stdio.
#define SPAWN_PASS_FD 3

/**
 * Finds `name` in the owner's PATH (or checks it when it holds a slash),
 * because the clean environment of the child must not decide which program
 * runs. Returns a malloc'ed path or NULL.
 */
char *spawn_find_program(const char *name);

/**
 * Spawns `program` with `argv` in its own process group, with the
 * environment PATH (a fixed clean one), HOME, XDG_RUNTIME_DIR,
 * LC_ALL=C.UTF-8 and `extra_env` ("NAME=value", may be NULL); stdin on
 * /dev/null, stdout and stderr on `log_fd`, `pass_fd` (if >= 0) as fd
 * SPAWN_PASS_FD and nothing else open. The child dies with its parent
 * (PR_SET_PDEATHSIG), so nothing outlives a crashed owner. Returns the pid
 * and a pidfd in `*pidfd`, or -1 (logged).
 */
pid_t spawn_child(const char *program, char *const *argv, const char *extra_env, int log_fd,
	int pass_fd, int *pidfd);

/**
 * Kills the process group of `pid` with SIGKILL and reaps `pid` through
 * `pidfd`, waiting at most one second: a child stuck in the kernel (a hung
 * disk, a stuck vCPU) must not freeze the owner's event loop. Returns false
 * (logged) when it had to give up; the child is then left to exit later.
 */
bool spawn_kill_and_reap(pid_t pid, int pidfd);

#endif
