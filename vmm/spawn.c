/*
 * Child processes of the vmm library (VMMs, stop helpers, waypipe
 * clients): a clean environment, no inherited descriptors, their own
 * process group, and death with the owner.
 */
#include "spawn.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <wlr/util/log.h>

static const char *const clean_path =
	"/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

static int pidfd_open(pid_t pid)
{
	return (int)syscall(SYS_pidfd_open, pid, 0);
}

// Finds `name` in the owner's PATH, because the clean environment the VMM
// gets must not decide which program runs.
char *spawn_find_program(const char *name)
{
	if (strchr(name, '/') != NULL) {
		return access(name, X_OK) == 0 ? strdup(name) : NULL;
	}
	const char *path = getenv("PATH");
	if (path == NULL || path[0] == '\0') {
		path = clean_path;
	}
	char *copy = strdup(path);
	if (copy == NULL) {
		return NULL;
	}
	char *save = NULL;
	char *found = NULL;
	for (char *dir = strtok_r(copy, ":", &save); dir != NULL;
		dir = strtok_r(NULL, ":", &save)) {
		char *candidate = NULL;
		if (asprintf(&candidate, "%s/%s", dir, name) < 0) {
			break;
		}
		if (access(candidate, X_OK) == 0) {
			found = candidate;
			break;
		}
		free(candidate);
	}
	free(copy);
	return found;
}

pid_t spawn_child(const char *program, char *const *argv, const char *extra_env, int log_fd,
	int pass_fd, int *pidfd)
{
	const char *home = getenv("HOME");
	const char *runtime = getenv("XDG_RUNTIME_DIR");
	char env_path[256], env_home[1024], env_runtime[1024];
	snprintf(env_path, sizeof(env_path), "PATH=%s", clean_path);
	snprintf(env_home, sizeof(env_home), "HOME=%s", home ? home : "/");
	snprintf(env_runtime, sizeof(env_runtime), "XDG_RUNTIME_DIR=%s", runtime ? runtime : "");
	char *envp[] = {env_path, env_home, env_runtime, "LC_ALL=C.UTF-8", (char *)extra_env, NULL};

	int null_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (null_fd < 0) {
		wlr_log_errno(WLR_ERROR, "Cannot open /dev/null");
		return -1;
	}
	pid_t parent = getpid();
	pid_t pid = fork();
	if (pid < 0) {
		wlr_log_errno(WLR_ERROR, "Cannot fork for %s", program);
		close(null_fd);
		return -1;
	}
	if (pid == 0) {
		// Only async-signal-safe calls from here on.
		sigset_t none;
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		signal(SIGPIPE, SIG_DFL);
		setpgid(0, 0);
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent) {
			_exit(127);
		}
		if (dup2(null_fd, 0) < 0 || dup2(log_fd, 1) < 0 || dup2(log_fd, 2) < 0) {
			_exit(127);
		}
		if (pass_fd >= 0) {
			if (pass_fd == SPAWN_PASS_FD) {
				fcntl(pass_fd, F_SETFD, 0);
			} else if (dup2(pass_fd, SPAWN_PASS_FD) < 0) {
				_exit(127);
			}
		}
		close_range(pass_fd >= 0 ? SPAWN_PASS_FD + 1 : SPAWN_PASS_FD, ~0U, 0);
		execve(program, argv, envp);
		static const char message[] = "tinct: cannot execute the program\n";
		if (write(2, message, sizeof(message) - 1) < 0) {
			_exit(127);
		}
		_exit(127);
	}
	close(null_fd);
	*pidfd = pidfd_open(pid);
	if (*pidfd < 0) {
		wlr_log_errno(WLR_ERROR, "pidfd_open(%d)", (int)pid);
		kill(-pid, SIGKILL);
		waitpid(pid, NULL, 0);
		return -1;
	}
	return pid;
}

bool spawn_kill_and_reap(pid_t pid, int pidfd)
{
	siginfo_t info = {0};
	/* The leader is still unreaped here, so its group id is still its own. */
	if (kill(-pid, SIGKILL) < 0 && errno != ESRCH) {
		kill(pid, SIGKILL);
	}
	struct pollfd pfd = {.fd = pidfd, .events = POLLIN};
	if (poll(&pfd, 1, 1000) <= 0) {
		wlr_log(WLR_ERROR, "process %d does not die on SIGKILL; leaving it", (int)pid);
		return false;
	}
	waitid((idtype_t)P_PIDFD, (id_t)pidfd, &info, WEXITED | WNOHANG);
	return true;
}
