/*
 * Child processes started the same way every time (see spawn.h): the
 * environment and /dev/null are prepared before the child exists, so that
 * it runs only async-signal-safe calls until execve(). Programs start with
 * clone(CLONE_VM | CLONE_VFORK) (spawn_process); children that do not exec
 * are forked (spawn_fork).
 */
#include "vmm/spawn.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include <sched.h>
#include <sys/mman.h>
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

struct exec_args {
	const struct tinct_spawn *spawn;
	char *const *envp;
	pid_t parent;
	int null_fd;
	sigset_t mask; // the caller's, restored in the parent after clone
};

// The child of spawn_process(), sharing the caller's memory until execve():
// async-signal-safe calls only, and nothing written but its own stack.
static int exec_child(void *data)
{
	const struct exec_args *args = data;
	// The caller's handlers must not run here, in its memory.
	for (int sig = 1; sig < NSIG; sig++) {
		struct sigaction sa;
		if (sig != SIGKILL && sig != SIGSTOP && sigaction(sig, NULL, &sa) == 0 &&
			sa.sa_handler != SIG_IGN && sa.sa_handler != SIG_DFL) {
			signal(sig, SIG_DFL);
		}
	}
	if (child_setup(args->spawn, args->parent, args->null_fd)) {
		execve(args->spawn->program, args->spawn->argv, args->envp);
	}
	static const char message[] = "tinct: cannot execute the program\n";
	if (write(2, message, sizeof(message) - 1) < 0) {
		_exit(127);
	}
	_exit(127);
}

pid_t spawn_process(const struct tinct_spawn *spawn, int *pidfd)
{
	const char *what = spawn->program != NULL ? spawn->program : "a child process";
	if (spawn->pass_fds_len > SPAWN_MAX_PASS_FDS) {
		wlr_log(WLR_ERROR, "Cannot pass %zu descriptors to %s", spawn->pass_fds_len, what);
		return -1;
	}
	char env_path[256], env_home[1024], env_runtime[1024];
	char *clean_env[6] = {NULL};
	struct exec_args args = {
		.spawn = spawn, .envp = environ, .parent = getpid(), .null_fd = -1};
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
		args.envp = clean_env;
	}
	if (uses_null(spawn)) {
		args.null_fd = open("/dev/null", O_RDWR | O_CLOEXEC);
		if (args.null_fd < 0) {
			wlr_log_errno(WLR_ERROR, "Cannot open /dev/null");
			return -1;
		}
	}
	/*
	 * clone(CLONE_VM | CLONE_VFORK), as posix_spawn does: no copy of the
	 * compositor's page tables (fork() of a big process is most of a
	 * launch), and the caller waits until the child has exec'd. Signals
	 * stay blocked until the child has reset the handlers it shares.
	 */
	size_t stack_size = 64 * 1024;
	void *stack = mmap(NULL, stack_size, PROT_READ | PROT_WRITE,
		MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
	if (stack == MAP_FAILED) {
		wlr_log_errno(WLR_ERROR, "Cannot map a stack to start %s", what);
		if (args.null_fd >= 0) {
			close(args.null_fd);
		}
		return -1;
	}
	sigset_t all;
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &args.mask);
	int fd = -1;
	pid_t pid = clone(exec_child, (char *)stack + stack_size,
		CLONE_VM | CLONE_VFORK | CLONE_PIDFD | SIGCHLD, &args, &fd);
	int saved = errno;
	pthread_sigmask(SIG_SETMASK, &args.mask, NULL);
	munmap(stack, stack_size);
	if (args.null_fd >= 0) {
		close(args.null_fd);
	}
	if (pid < 0) {
		errno = saved;
		wlr_log_errno(WLR_ERROR, "Cannot start %s", what);
		return -1;
	}
	// CLONE_PIDFD descriptors are close-on-exec already.
	*pidfd = fd;
	return pid;
}
