/*
 * Child processes started the same way every time (see spawn.h): the
 * environment and /dev/null are prepared before fork(), so that the child
 * runs only async-signal-safe calls until execve().
 */
#include "spawn.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <wlr/util/log.h>

extern char **environ;

static const char *const clean_path =
	"/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

static char *find_in(const char *name, const char *path)
{
	if (strchr(name, '/') != NULL) {
		return access(name, X_OK) == 0 ? strdup(name) : NULL;
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

char *spawn_find_program(const char *name)
{
	const char *path = getenv("PATH");
	return find_in(name, path != NULL && path[0] != '\0' ? path : clean_path);
}

char *spawn_find_system_program(const char *name)
{
	char *found = find_in(name, clean_path);
	return found != NULL ? found : spawn_find_program(name);
}

struct tinct_spawn spawn_vm_child(const char *program, char *const *argv, int log_fd)
{
	return (struct tinct_spawn){
		.program = program,
		.argv = argv,
		.stdin_fd = SPAWN_NULL,
		.stdout_fd = log_fd,
		.stderr_fd = log_fd,
		.die_with_parent = true,
	};
}

static bool uses_null(const struct tinct_spawn *spawn)
{
	return spawn->stdin_fd == SPAWN_NULL || spawn->stdout_fd == SPAWN_NULL ||
	       spawn->stderr_fd == SPAWN_NULL;
}

// In the child: async-signal-safe calls only. Returns false on failure.
static bool child_setup(const struct tinct_spawn *spawn, pid_t parent, int null_fd)
{
	sigset_t none;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	signal(SIGPIPE, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	signal(SIGINT, SIG_DFL);
	if (spawn->new_session ? setsid() < 0 : setpgid(0, 0) < 0) {
		return false;
	}
	if (spawn->no_new_privs && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) {
		return false;
	}
	if (spawn->die_with_parent) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent) {
			return false; // the owner died before prctl()
		}
	}
	// Passed descriptors move out of the way of their targets first, so
	// that one's source cannot be another's target.
	size_t n = spawn->pass_fds_len;
	int moved[SPAWN_MAX_PASS_FDS];
	for (size_t i = 0; i < n; i++) {
		moved[i] = fcntl(spawn->pass_fds[i], F_DUPFD_CLOEXEC, SPAWN_PASS_FD + (int)n);
		if (moved[i] < 0) {
			return false;
		}
	}
	int stdio[3] = {spawn->stdin_fd, spawn->stdout_fd, spawn->stderr_fd};
	for (int fd = 0; fd < 3; fd++) {
		int from = stdio[fd] == SPAWN_NULL ? null_fd : stdio[fd];
		if (from != fd && dup2(from, fd) < 0) {
			return false;
		}
	}
	for (size_t i = 0; i < n; i++) {
		if (dup2(moved[i], SPAWN_PASS_FD + (int)i) < 0) {
			return false;
		}
	}
	unsigned first_closed = SPAWN_PASS_FD + (unsigned)n;
	if (syscall(SYS_close_range, first_closed, ~0U, 0) != 0) {
		for (int fd = (int)first_closed; fd < 1024; fd++) {
			close(fd);
		}
	}
	return true;
}

pid_t spawn_fork(const struct tinct_spawn *spawn, int *pidfd)
{
	const char *what = spawn->program != NULL ? spawn->program : "a child process";
	if (spawn->pass_fds_len > SPAWN_MAX_PASS_FDS) {
		wlr_log(WLR_ERROR, "Cannot pass %zu descriptors to %s", spawn->pass_fds_len, what);
		return -1;
	}
	int null_fd = -1;
	if (uses_null(spawn)) {
		null_fd = open("/dev/null", O_RDWR | O_CLOEXEC);
		if (null_fd < 0) {
			wlr_log_errno(WLR_ERROR, "Cannot open /dev/null");
			return -1;
		}
	}
	pid_t parent = getpid();
	pid_t pid = fork();
	if (pid < 0) {
		wlr_log_errno(WLR_ERROR, "Cannot fork for %s", what);
		if (null_fd >= 0) {
			close(null_fd);
		}
		return -1;
	}
	if (pid == 0) {
		if (!child_setup(spawn, parent, null_fd)) {
			_exit(127);
		}
		return 0;
	}
	if (null_fd >= 0) {
		close(null_fd);
	}
	// pidfds are O_CLOEXEC from the start.
	*pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (*pidfd < 0) {
		wlr_log_errno(WLR_ERROR, "pidfd_open(%d) for %s", (int)pid, what);
		kill(-pid, SIGKILL);
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		return -1;
	}
	return pid;
}

pid_t spawn_process(const struct tinct_spawn *spawn, int *pidfd)
{
	char env_path[256], env_home[1024], env_runtime[1024];
	char *clean_env[6] = {NULL};
	char *const *envp = environ;
	if (!spawn->inherit_env) {
		const char *home = getenv("HOME");
		const char *runtime = getenv("XDG_RUNTIME_DIR");
		snprintf(env_path, sizeof(env_path), "PATH=%s", clean_path);
		snprintf(env_home, sizeof(env_home), "HOME=%s", home ? home : "/");
		snprintf(env_runtime, sizeof(env_runtime), "XDG_RUNTIME_DIR=%s",
			runtime ? runtime : "");
		clean_env[0] = env_path;
		clean_env[1] = env_home;
		clean_env[2] = env_runtime;
		clean_env[3] = "LC_ALL=C.UTF-8";
		clean_env[4] = (char *)spawn->extra_env;
		envp = clean_env;
	}
	pid_t pid = spawn_fork(spawn, pidfd);
	if (pid == 0) {
		execve(spawn->program, spawn->argv, envp);
		static const char message[] = "tinct: cannot execute the program\n";
		if (write(2, message, sizeof(message) - 1) < 0) {
			_exit(127);
		}
		_exit(127);
	}
	return pid;
}
