/*
 * Starting child processes the same way every time, for the vmm library
 * (VMMs, stop helpers, waypipe clients, the KVM probe) and the compositor
 * (startup command, exec bindings, consoles). Every child gets:
 *
 *   - an empty signal mask and default SIGPIPE, SIGTERM and SIGINT (the
 *     owner's loop blocks the signals it watches, and blocked signals
 *     survive exec);
 *   - its own process group (or session), so that it and whatever it forks
 *     can be signalled as one, and terminal signals meant for the owner do
 *     not reach it;
 *   - no descriptors but its stdio and the ones passed on purpose, whatever
 *     forgot O_CLOEXEC;
 *   - optionally, death with its owner (PR_SET_PDEATHSIG), so nothing
 *     outlives a crashed owner;
 *   - optionally, no-new-privileges (PR_SET_NO_NEW_PRIVS): no setuid bit
 *     or file capability gives it or what it runs more than it has;
 *   - a pidfd, to be watched on the owner's loop (child.h).
 *
 * The programs that serve a VM are also confined (jail.h): jail_apply()
 * turns a spawn_vm_child() description into one that starts the program
 * inside bubblewrap.
 */
#ifndef TINCT_VMM_SPAWN_H
#define TINCT_VMM_SPAWN_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

// The descriptor number the first passed descriptor gets; fds 0-2 are stdio.
#define SPAWN_PASS_FD 3
#define SPAWN_MAX_PASS_FDS 20

/** How to start a child. Zero-initialised fields mean the usual thing. */
struct tinct_spawn {
	const char *program; // the path execve() runs (see spawn_find_program)
	char *const *argv;
	// The owner's environment as it is (the compositor's children, which
	// need WAYLAND_DISPLAY and the user's settings). false: a clean one
	// with PATH (a fixed, safe one), HOME, XDG_RUNTIME_DIR,
	// LC_ALL=C.UTF-8 and `extra_env`.
	bool inherit_env;
	const char *extra_env; // "NAME=value" added to the clean environment, or NULL
	// The child's fds 0-2: a descriptor of the owner (0, 1, 2 keep the
	// owner's stdio), or SPAWN_NULL for /dev/null.
	int stdin_fd, stdout_fd, stderr_fd;
	// Passed as SPAWN_PASS_FD, SPAWN_PASS_FD + 1, ...
	const int *pass_fds;
	size_t pass_fds_len; // at most SPAWN_MAX_PASS_FDS
	// setsid(): a session (and process group) of its own. false: only a
	// process group of its own, in the owner's session.
	bool new_session;
	// SIGKILL when the owner dies (PR_SET_PDEATHSIG).
	bool die_with_parent;
	// PR_SET_NO_NEW_PRIVS before execve().
	bool no_new_privs;
};

#define SPAWN_NULL (-1)

/**
 * How the vmm library starts the programs that serve a VM (VMM, stop
 * helper, waypipe client): clean environment, stdin on /dev/null, stdout
 * and stderr on `log_fd`, death with the owner. Callers add `extra_env`
 * or `pass_fds`.
 */
struct tinct_spawn spawn_vm_child(const char *program, char *const *argv, int log_fd);

/**
 * Finds `name` in the owner's PATH (or checks it when it holds a slash),
 * because the clean environment of the child must not decide which program
 * runs. Returns a malloc'ed path or NULL.
 */
char *spawn_find_program(const char *name);

/**
 * Like spawn_find_program(), but in the fixed system PATH the clean
 * environment gets (/usr/local/sbin ... /bin) first, and only then in the
 * owner's: for children that see nothing of the user's files but the
 * program itself (jail.h), so a wrapper in the home directory (a pyenv
 * shim) does not shadow the system's program.
 */
char *spawn_find_system_program(const char *name);

/**
 * Starts `spawn->program` as described above. Returns the pid and a pidfd
 * (O_CLOEXEC) in `*pidfd`, or -1 (logged). The child is its own process
 * group's leader: kill(-pid, ...) reaches it and what it forks.
 */
pid_t spawn_process(const struct tinct_spawn *spawn, int *pidfd);

/**
 * Like spawn_process() without the exec: returns 0 in the child, set up
 * as described (`program`, `argv` and the environment unused), which must
 * end with _exit(). For throwaway children that run a function of the
 * owner (the KVM probe's `hlt` guest).
 */
pid_t spawn_fork(const struct tinct_spawn *spawn, int *pidfd);

#endif
