/*
 * Files and sockets in a directory someone else can write to (see
 * untrusted_dir.h).
 */
#include "common/untrusted_dir.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

int untrusted_connect(int fd, const char *path)
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

// `fd` (closed on failure) if it is a regular file with one link.
static int only_regular(int fd)
{
	struct stat st;
	int err = 0;
	if (fd < 0) {
		return -1;
	}
	if (fstat(fd, &st) < 0) {
		err = errno;
	} else if (!S_ISREG(st.st_mode)) {
		err = EINVAL;
	} else if (st.st_nlink != 1) {
		err = EMLINK;
	}
	if (err != 0) {
		close(fd);
		errno = err;
		return -1;
	}
	// Back to blocking: a regular file never blocks anyway.
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
	return fd;
}

int untrusted_open_write(const char *path, int append)
{
	int fd = only_regular(open(path,
		O_WRONLY | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | (append ? O_APPEND : 0),
		0600));
	if (fd >= 0 && !append && ftruncate(fd, 0) < 0) {
		int err = errno;
		close(fd);
		errno = err;
		return -1;
	}
	return fd;
}

int untrusted_open_read(const char *path)
{
	return only_regular(open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC));
}
