/*
 * A real client of a VM's memfd server (virtio-wl/memfd_server.h), for
 * tests. It speaks the wire format byte by byte from the documentation,
 * not from the server's header, so a change of either side shows.
 *
 *   memfd-client check SOCKET VM QUOTA   every check below, TAP output;
 *                                        QUOTA: the VM's quota in bytes, of
 *                                        which nothing may be handed out yet
 *   memfd-client get SOCKET SIZE [NAME]  one request; prints the status and,
 *                                        with 0, the memfd's size
 *
 * Exit status 0 when every check passed.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define REQUEST_LEN 80
#define PAGE 4096
#define MAX_SIZE (UINT64_C(1) << 30)
#define MAX_CLIENTS 16

enum {
	ST_OK = 0,
	ST_BAD_VERSION = 1,
	ST_BAD_SIZE = 2,
	ST_OVER_QUOTA = 3,
	ST_BAD_NAME = 4,
	ST_INTERNAL = 5,
	ST_BAD_FLAGS = 6,
	ST_CLOSED = -1, // the server closed the connection
	ST_TIMEOUT = -2,
};

static const char *socket_path;
static int tests, failures;

static void check(bool ok, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	printf("%s %d - ", ok ? "ok" : "not ok", ++tests);
	vprintf(fmt, ap);
	printf("\n");
	fflush(stdout);
	va_end(ap);
	if (!ok) {
		failures++;
	}
}

static int connect_server(void)
{
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	snprintf(addr.sun_path, sizeof(addr.sun_path), "%s", socket_path);
	if (fd < 0 || connect(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
		perror(socket_path);
		exit(1);
	}
	return fd;
}

static void put_le32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++) {
		p[i] = (uint8_t)(v >> (8 * i));
	}
}

static void put_le64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++) {
		p[i] = (uint8_t)(v >> (8 * i));
	}
}

// The 80-byte request: version, 3 pad, le32 flags, le64 size, name[64].
static void build(uint8_t *req, uint8_t version, uint32_t flags, uint64_t size, const char *name)
{
	memset(req, 0, REQUEST_LEN);
	req[0] = version;
	put_le32(req + 4, flags);
	put_le64(req + 8, size);
	if (name != NULL) {
		strncpy((char *)req + 16, name, 63);
	}
}

static void send_all(int fd, const uint8_t *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = send(fd, buf, len, MSG_NOSIGNAL);
		if (n <= 0) {
			perror("send");
			exit(1);
		}
		buf += n;
		len -= (size_t)n;
	}
}

// Waits up to 5 s for a reply: the status, and the memfd in *memfd (or -1).
static int reply(int fd, int *memfd)
{
	*memfd = -1;
	struct pollfd pfd = {.fd = fd, .events = POLLIN};
	if (poll(&pfd, 1, 5000) <= 0) {
		return ST_TIMEOUT;
	}
	uint8_t status;
	struct iovec iov = {.iov_base = &status, .iov_len = 1};
	union {
		char buf[CMSG_SPACE(sizeof(int) * 4)];
		struct cmsghdr align;
	} control;
	struct msghdr msg = {
		.msg_iov = &iov,
		.msg_iovlen = 1,
		.msg_control = control.buf,
		.msg_controllen = sizeof(control.buf),
	};
	ssize_t n = recvmsg(fd, &msg, MSG_CMSG_CLOEXEC);
	if (n <= 0) {
		return ST_CLOSED;
	}
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c != NULL; c = CMSG_NXTHDR(&msg, c)) {
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
			memcpy(memfd, CMSG_DATA(c), sizeof(int));
		}
	}
	return status;
}

// One request on fd; returns the status, the memfd in *memfd.
static int request(
	int fd, uint8_t version, uint32_t flags, uint64_t size, const char *name, int *memfd)
{
	uint8_t req[REQUEST_LEN];
	build(req, version, flags, size, name);
	send_all(fd, req, sizeof(req));
	return reply(fd, memfd);
}

static int get(uint64_t size, const char *name, int *memfd)
{
	int fd = connect_server();
	int status = request(fd, 1, 0, size, name, memfd);
	close(fd);
	return status;
}

static bool closed_by_server(int fd)
{
	int memfd;
	return reply(fd, &memfd) == ST_CLOSED;
}

static uint64_t pages(uint64_t size)
{
	return (size + PAGE - 1) / PAGE * PAGE;
}

static void check_memfd(int memfd, uint64_t size, const char *vm)
{
	struct stat st;
	check(fstat(memfd, &st) == 0 && (uint64_t)st.st_size == size, "memfd is %llu bytes",
		(unsigned long long)size);
	int seals = fcntl(memfd, F_GET_SEALS);
	check(seals == (F_SEAL_SHRINK | F_SEAL_SEAL), "sealed SHRINK|SEAL exactly (got %#x)",
		seals);
	check((fcntl(memfd, F_GETFD) & FD_CLOEXEC) != 0, "received with close-on-exec");

	uint8_t *map = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, memfd, 0);
	check(map != MAP_FAILED, "mmap read-write shared");
	if (map != MAP_FAILED) {
		bool zero = true;
		for (uint64_t i = 0; i < size; i++) {
			zero = zero && map[i] == 0;
			map[i] = (uint8_t)(i * 7 + 3);
		}
		check(zero, "fresh memory reads as zeroes");
		munmap(map, size);
		map = mmap(NULL, size, PROT_READ, MAP_SHARED, memfd, 0);
		bool same = map != MAP_FAILED;
		for (uint64_t i = 0; same && i < size; i++) {
			same = map[i] == (uint8_t)(i * 7 + 3);
		}
		check(same, "what was written through one mapping reads back through another");
		if (map != MAP_FAILED) {
			munmap(map, size);
		}
	}
	check(ftruncate(memfd, (off_t)size - 1) < 0 && errno == EPERM, "shrinking fails (EPERM)");
	check(fcntl(memfd, F_ADD_SEALS, F_SEAL_WRITE) < 0 && errno == EPERM,
		"no more seals can be added");

	char link[64], target[256];
	snprintf(link, sizeof(link), "/proc/self/fd/%d", memfd);
	ssize_t n = readlink(link, target, sizeof(target) - 1);
	target[n > 0 ? n : 0] = '\0';
	char want[128];
	snprintf(want, sizeof(want), "/memfd:tinct:%s:", vm);
	check(strncmp(target, want, strlen(want)) == 0, "memfd named after the VM (%s)", target);
}

static void run_checks(const char *vm, uint64_t quota)
{
	uint64_t used = 0;
	int memfd;

	// A good request, checked from every side.
	uint64_t size = 3 * PAGE + 100;
	int status = get(size, "wl_shm pool", &memfd);
	check(status == ST_OK && memfd >= 0, "a good request gets status 0 and a memfd");
	if (memfd >= 0) {
		check_memfd(memfd, size, vm);
		char target[256], link[64];
		snprintf(link, sizeof(link), "/proc/self/fd/%d", memfd);
		ssize_t n = readlink(link, target, sizeof(target) - 1);
		target[n > 0 ? n : 0] = '\0';
		check(strstr(target, ":wl_shm_pool") != NULL, "name sanitised (%s)", target);
		close(memfd);
	}
	used += pages(size);

	// Several requests on one connection, and bad ones in between do not
	// spoil it.
	int fd = connect_server();
	status = request(fd, 1, 0, PAGE, "one", &memfd);
	check(status == ST_OK && memfd >= 0, "first request on a connection");
	close(memfd);
	used += PAGE;
	check(request(fd, 1, 0, 0, "zero", &memfd) == ST_BAD_SIZE && memfd < 0,
		"size 0: bad size (2), no descriptor");
	check(request(fd, 1, 0, MAX_SIZE + 1, "big", &memfd) == ST_BAD_SIZE,
		"size 1 GiB + 1: bad size (2)");
	check(request(fd, 1, 0, UINT64_MAX, "huge", &memfd) == ST_BAD_SIZE,
		"size 2^64 - 1: bad size (2)");
	check(request(fd, 1, 1, PAGE, "flags", &memfd) == ST_BAD_FLAGS, "flags 1: bad flags (6)");
	uint8_t req[REQUEST_LEN];
	build(req, 1, 0, PAGE, "pad");
	req[2] = 1;
	send_all(fd, req, sizeof(req));
	check(reply(fd, &memfd) == ST_BAD_FLAGS, "non-zero padding: bad flags (6)");
	build(req, 1, 0, PAGE, NULL);
	memset(req + 16, 'A', 64);
	send_all(fd, req, sizeof(req));
	check(reply(fd, &memfd) == ST_BAD_NAME && memfd < 0, "name without NUL: bad name (4)");
	status = request(fd, 1, 0, 2 * PAGE, "", &memfd);
	check(status == ST_OK && memfd >= 0, "the connection still serves; an empty name is fine");
	close(memfd);
	used += 2 * PAGE;
	close(fd);

	// Wrong version: status 1, then the server closes.
	fd = connect_server();
	check(request(fd, 2, 0, PAGE, "v2", &memfd) == ST_BAD_VERSION,
		"version 2: bad version (1)");
	check(closed_by_server(fd), "connection closed after a bad version");
	close(fd);
	fd = connect_server();
	uint8_t garbage[REQUEST_LEN];
	for (size_t i = 0; i < sizeof(garbage); i++) {
		garbage[i] = (uint8_t)(0xff - i * 13);
	}
	send_all(fd, garbage, sizeof(garbage));
	check(reply(fd, &memfd) == ST_BAD_VERSION && closed_by_server(fd),
		"garbage: bad version (1), then closed");
	close(fd);
	// Only the version byte: answered at once, no waiting for the rest.
	fd = connect_server();
	send_all(fd, (const uint8_t *)"\x07", 1);
	check(reply(fd, &memfd) == ST_BAD_VERSION, "a lone wrong version byte is answered at once");
	close(fd);

	// A short request, then close; and a short request that stalls.
	fd = connect_server();
	build(req, 1, 0, PAGE, "short");
	send_all(fd, req, 40);
	close(fd);
	fd = connect_server();
	send_all(fd, req, 79);
	struct pollfd pfd = {.fd = fd, .events = POLLIN};
	check(poll(&pfd, 1, 300) == 0, "79 of 80 bytes: no reply, the server waits");
	send_all(fd, req + 79, 1);
	check(reply(fd, &memfd) == ST_OK && memfd >= 0, "the 80th byte completes the request");
	close(memfd);
	close(fd);
	used += PAGE;

	// One byte at a time.
	fd = connect_server();
	build(req, 1, 0, 5 * PAGE, "bytewise");
	for (size_t i = 0; i < sizeof(req); i++) {
		send_all(fd, req + i, 1);
		nanosleep(&(struct timespec){.tv_nsec = 2000000}, NULL);
	}
	status = reply(fd, &memfd);
	check(status == ST_OK && memfd >= 0, "a request sent one byte at a time");
	if (memfd >= 0) {
		struct stat st;
		check(fstat(memfd, &st) == 0 && st.st_size == 5 * PAGE, "... of the size asked");
		close(memfd);
	}
	close(fd);
	used += 5 * PAGE;

	// Two requests in one write get two replies.
	fd = connect_server();
	uint8_t two[2 * REQUEST_LEN];
	build(two, 1, 0, PAGE, "a");
	build(two + REQUEST_LEN, 1, 0, PAGE, "b");
	send_all(fd, two, sizeof(two));
	int m1, m2;
	int s1 = reply(fd, &m1);
	int s2 = reply(fd, &m2);
	check(s1 == ST_OK && s2 == ST_OK && m1 >= 0 && m2 >= 0 && m1 != m2,
		"two requests in one write: two replies, two memfds");
	close(m1);
	close(m2);
	close(fd);
	used += 2 * PAGE;

	// Descriptors sent along with a request are not taken.
	fd = connect_server();
	build(req, 1, 0, PAGE, "with-fd");
	int extra = open("/dev/null", O_RDONLY | O_CLOEXEC);
	struct iovec iov = {.iov_base = req, .iov_len = sizeof(req)};
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} control = {0};
	struct msghdr msg = {.msg_iov = &iov,
		.msg_iovlen = 1,
		.msg_control = control.buf,
		.msg_controllen = sizeof(control.buf)};
	struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &extra, sizeof(int));
	check(sendmsg(fd, &msg, MSG_NOSIGNAL) == REQUEST_LEN, "request with a descriptor sent");
	close(extra);
	check(reply(fd, &memfd) == ST_OK && memfd >= 0, "a descriptor sent along is ignored");
	close(memfd);
	close(fd);
	used += PAGE;

	// Connections beyond the limit are closed at once; idle ones stay.
	int idle[MAX_CLIENTS];
	bool all_accepted = true;
	for (int i = 0; i < MAX_CLIENTS; i++) {
		idle[i] = connect_server();
		// A reply proves the server accepted it (a bad request costs no quota).
		all_accepted = request(idle[i], 1, 1, PAGE, "idle", &memfd) == ST_BAD_FLAGS &&
			       all_accepted;
	}
	check(all_accepted, "%d connections accepted and answered", MAX_CLIENTS);
	fd = connect_server();
	check(closed_by_server(fd), "connection %d is closed at once", MAX_CLIENTS + 1);
	close(fd);
	for (int i = 0; i < MAX_CLIENTS; i++) {
		close(idle[i]);
	}
	bool served = false;
	for (int attempt = 0; attempt < 20 && !served; attempt++) {
		nanosleep(&(struct timespec){.tv_nsec = 50000000}, NULL);
		fd = connect_server();
		served = request(fd, 1, 0, PAGE, "after", &memfd) == ST_OK;
		close(fd);
		if (served) {
			close(memfd);
		}
	}
	check(served, "served again once the idle connections are gone");
	used += PAGE;

	// The quota: exactly the rest is fine, one byte more is not.
	if (quota < used + PAGE) {
		check(false, "quota %llu too small for the checks (%llu used)",
			(unsigned long long)quota, (unsigned long long)used);
		return;
	}
	uint64_t rest = quota - used;
	if (rest > MAX_SIZE) {
		check(false, "quota %llu too big for the checks", (unsigned long long)quota);
		return;
	}
	check(get(rest - PAGE, "most", &memfd) == ST_OK, "all but one page of the quota");
	close(memfd);
	check(get(PAGE + 1, "over", &memfd) == ST_OVER_QUOTA && memfd < 0,
		"a page and a byte more: over quota (3), no descriptor");
	check(get(PAGE, "last", &memfd) == ST_OK, "the last page");
	close(memfd);
	check(get(1, "nothing-left", &memfd) == ST_OVER_QUOTA, "one byte more: over quota (3)");
	check(get(1, "still-none", &memfd) == ST_OVER_QUOTA,
		"closing memfds gives nothing back while the VM runs");
}

int main(int argc, char *argv[])
{
	if (argc >= 5 && strcmp(argv[1], "check") == 0) {
		socket_path = argv[2];
		run_checks(argv[3], strtoull(argv[4], NULL, 0));
		printf("1..%d\n", tests);
		return failures == 0 ? 0 : 1;
	}
	if (argc >= 4 && strcmp(argv[1], "get") == 0) {
		socket_path = argv[2];
		int memfd;
		int status = get(strtoull(argv[3], NULL, 0), argc > 4 ? argv[4] : "get", &memfd);
		struct stat st = {0};
		if (memfd >= 0) {
			fstat(memfd, &st);
		}
		printf("status %d size %lld\n", status, (long long)st.st_size);
		return 0;
	}
	fprintf(stderr, "usage: memfd-client check SOCKET VM QUOTA | get SOCKET SIZE [NAME]\n");
	return 2;
}
