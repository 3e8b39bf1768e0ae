/*
 * unix_connect (common/unix.h): a socket connects; a symbolic link to a
 * socket, put where the socket should be, does not.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "check.h"
#include "common/unix.h"

static int listening(const char *path)
{
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	snprintf(addr.sun_path, sizeof(addr.sun_path), "%s", path);
	if (bind(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0 || listen(fd, 1) < 0) {
		return -1;
	}
	return fd;
}

static int try_connect(const char *path)
{
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);
	int ret = unix_connect(fd, path);
	int err = errno;
	close(fd);
	return ret == 0 ? 0 : err;
}

int main(void)
{
	char dir[] = "/tmp/tinct-unix-XXXXXX";
	if (mkdtemp(dir) == NULL) {
		return 1;
	}
	char own[256], other[256], link_path[256], file[256];
	snprintf(own, sizeof(own), "%s/own", dir);
	snprintf(other, sizeof(other), "%s/other", dir);
	snprintf(link_path, sizeof(link_path), "%s/link", dir);
	snprintf(file, sizeof(file), "%s/file", dir);
	int a = listening(own), b = listening(other);
	ok(a >= 0 && b >= 0, "two listening sockets");
	is_int(try_connect(own), 0, "a socket connects");
	ok(symlink(other, link_path) == 0, "a link to the other socket");
	is_int(try_connect(link_path), ELOOP, "a link to a socket does not connect");
	FILE *f = fopen(file, "w");
	if (f != NULL) {
		fclose(f);
	}
	is_int(try_connect(file), ENOTSOCK, "a file is no socket");
	char missing[256];
	snprintf(missing, sizeof(missing), "%s/missing", dir);
	is_int(try_connect(missing), ENOENT, "a missing socket: ENOENT");
	close(a);
	is_int(try_connect(own), ECONNREFUSED, "a socket nobody listens on: ECONNREFUSED");
	close(b);
	unlink(own);
	unlink(other);
	unlink(link_path);
	unlink(file);
	rmdir(dir);
	return check_done();
}
