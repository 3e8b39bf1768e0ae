/*
 * untrusted_connect (common/untrusted_dir.h): a socket connects; a symbolic link to a
 * socket, put where the socket should be, does not.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "check.h"
#include "common/untrusted_dir.h"

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
	int ret = untrusted_connect(fd, path);
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

	// Files: a regular file is written and read; links and FIFOs are not.
	char target[256], log[256], fifo[256], hard[256];
	snprintf(target, sizeof(target), "%s/target", dir);
	snprintf(log, sizeof(log), "%s/log", dir);
	snprintf(fifo, sizeof(fifo), "%s/fifo", dir);
	snprintf(hard, sizeof(hard), "%s/hard", dir);
	f = fopen(target, "w");
	if (f != NULL) {
		fputs("precious\n", f);
		fclose(f);
	}
	int fd = untrusted_open_write(log, false);
	ok(fd >= 0 && write(fd, "one\n", 4) == 4, "a missing file is created and written");
	close(fd);
	fd = untrusted_open_write(log, true);
	ok(fd >= 0 && write(fd, "two\n", 4) == 4, "and appended to");
	close(fd);
	char buf[64] = "";
	fd = untrusted_open_read(log);
	ok(fd >= 0 && read(fd, buf, sizeof(buf) - 1) == 8 && strcmp(buf, "one\ntwo\n") == 0,
		"and read back");
	close(fd);
	fd = untrusted_open_write(log, false);
	ok(fd >= 0 && lseek(fd, 0, SEEK_END) == 0, "writing anew empties it");
	close(fd);

	unlink(log);
	symlink(target, log);
	fd = untrusted_open_write(log, true);
	is_int(fd < 0 ? errno : 0, ELOOP, "a link to another file is not appended to");
	fd = untrusted_open_write(log, false);
	is_int(fd < 0 ? errno : 0, ELOOP, "nor emptied");
	fd = untrusted_open_read(log);
	is_int(fd < 0 ? errno : 0, ELOOP, "nor read");
	unlink(log);
	link(target, hard);
	fd = untrusted_open_write(hard, false);
	is_int(fd < 0 ? errno : 0, EMLINK, "a hard link to another file is not emptied");
	f = fopen(target, "r");
	char line[32] = "";
	ok(f != NULL && fgets(line, sizeof(line), f) != NULL && strcmp(line, "precious\n") == 0,
		"the file linked to is untouched");
	if (f != NULL) {
		fclose(f);
	}
	mkfifo(fifo, 0600);
	fd = untrusted_open_write(fifo, true);
	ok(fd < 0 && (errno == EINVAL || errno == ENXIO),
		"a FIFO is not written (and does not block)");
	fd = untrusted_open_read(fifo);
	is_int(fd < 0 ? errno : 0, EINVAL, "nor read");
	unlink(fifo);
	unlink(hard);
	unlink(target);
	unlink(own);
	unlink(other);
	unlink(link_path);
	unlink(file);
	rmdir(dir);
	return check_done();
}
