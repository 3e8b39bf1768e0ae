/*
 * The memfd server in-process, on its own wl_event_loop: every wire-format
 * check of tests/tools/memfd-client run against it from a child process
 * while this one dispatches the loop, so sanitizer builds watch the server's side of each malformed
 * request. Afterwards the count handed out must be exactly the quota, and destroy must remove the
 * socket.
 */
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <wayland-server-core.h>

#include "check.h"
#include "virtio-wl/memfd_server.h"

static void test_server(void)
{
	const char *build = getenv("TINCT_BUILD_ROOT");
	if (build == NULL) {
		ok(false, "TINCT_BUILD_ROOT is set (run through meson test)");
		return;
	}
	char client[4096];
	snprintf(client, sizeof(client), "%s/tests/tools/memfd-client", build);
	char dir[] = "/tmp/tinct-memfd-XXXXXX";
	if (!ok(mkdtemp(dir) != NULL, "a runtime directory")) {
		return;
	}
	struct wl_event_loop *loop = wl_event_loop_create();
	const uint64_t quota = 1 << 20;
	struct tinct_memfd_server *server = memfd_server_create(loop, dir, "unit", quota);
	if (!ok(server != NULL, "server created")) {
		return;
	}
	char path[4200];
	snprintf(path, sizeof(path), "%s/memfd", dir);
	is_str(memfd_server_path(server), path, "socket at DIR/memfd");
	struct stat st;
	ok(stat(path, &st) == 0 && S_ISSOCK(st.st_mode) && (st.st_mode & 0777) == 0600,
		"a 0600 socket");

	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		// The child's TAP lines become diagnostics of this test.
		char *argv[] = {client, "check", path, "unit", "1048576", NULL};
		dup2(2, 1);
		execv(client, argv);
		_exit(127);
	}
	int status = -1;
	for (int i = 0; i < 1200; i++) { // 60 s
		wl_event_loop_dispatch(loop, 50);
		if (waitpid(pid, &status, WNOHANG) == pid) {
			break;
		}
	}
	if (status == -1) {
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
	}
	ok(WIFEXITED(status) && WEXITSTATUS(status) == 0,
		"every memfd-client check passes against the server");
	ok(memfd_server_handed_out(server) == quota, "exactly the quota was handed out");

	memfd_server_destroy(server);
	ok(access(path, F_OK) != 0, "destroy removes the socket");
	memfd_server_destroy(NULL);
	wl_event_loop_destroy(loop);
	rmdir(dir);
}

int main(void)
{
	test_server();
	return check_done();
}
