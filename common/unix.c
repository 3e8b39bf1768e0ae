/*
 * Connecting to a Unix socket without following a link (see unix.h).
 */
#include "common/unix.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

int unix_connect(int fd, const char *path)
{
	int file = open(path, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (file < 0) {
		return -1;
	}
	struct stat st;
	int ret = -1;
	if (fstat(file, &st) < 0) {
		// errno set
	} else if (S_ISLNK(st.st_mode)) {
		errno = ELOOP;
	} else if (!S_ISSOCK(st.st_mode)) {
		errno = ENOTSOCK;
	} else {
		// The socket itself, whatever the path names by now.
		struct sockaddr_un addr = {.sun_family = AF_UNIX};
		snprintf(addr.sun_path, sizeof(addr.sun_path), "/proc/self/fd/%d", file);
		ret = connect(fd, (struct sockaddr *)&addr, sizeof(addr));
	}
	int err = errno;
	close(file);
	errno = err;
	return ret;
}
