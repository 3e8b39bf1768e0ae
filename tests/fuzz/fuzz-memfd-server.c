/*
 * Fuzzes the memfd server's request handling (virtio-wl/memfd_server.h)
 * through its socket, as a guest would reach it: the first byte picks the
 * quota, the rest is sent as the stream of requests. A model of the wire
 * format predicts every reply. Properties: the replies are exactly the
 * predicted statuses, in order; every TINCT_MEMFD_OK carries one memfd of
 * the requested size sealed against shrinking and further seals, and no
 * other status carries a descriptor; the quota is never exceeded; a bad
 * version closes the connection; the server never hangs on any input.
 */
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>
#include <wayland-server-core.h>

#include "fuzz.h"
#include "virtio-wl/memfd_server.h"

static char dir[] = "/tmp/tinct-fuzz-memfd.XXXXXX";
static struct wl_event_loop *loop;

static void cleanup(void)
{
	char path[sizeof(dir) + 16];
	snprintf(path, sizeof(path), "%s/" TINCT_MEMFD_SOCKET, dir);
	unlink(path);
	rmdir(dir);
}

static void setup(void)
{
	if (loop != NULL) {
		return;
	}
	FUZZ_CHECK(mkdtemp(dir) != NULL, "mkdtemp");
	atexit(cleanup);
	loop = wl_event_loop_create();
	FUZZ_CHECK(loop != NULL, "wl_event_loop_create");
}

// The statuses the server must send for stream, in order.
static size_t predict(const uint8_t *stream, size_t len, uint64_t quota, uint8_t *want,
	uint64_t *sizes, uint64_t *handed_out)
{
	uint64_t page = (uint64_t)sysconf(_SC_PAGESIZE);
	size_t count = 0;
	*handed_out = 0;
	for (size_t at = 0; at < len; at += sizeof(struct tinct_memfd_request)) {
		if (stream[at] != TINCT_MEMFD_VERSION) {
			want[count++] = TINCT_MEMFD_BAD_VERSION;
			break;
		}
		if (len - at < sizeof(struct tinct_memfd_request)) {
			break; // incomplete: no reply
		}
		struct tinct_memfd_request req;
		memcpy(&req, stream + at, sizeof(req));
		uint64_t size = le64toh(req.size);
		uint8_t status;
		if (le32toh(req.flags) != 0 || req.pad[0] || req.pad[1] || req.pad[2]) {
			status = TINCT_MEMFD_BAD_FLAGS;
		} else if (size == 0 || size > TINCT_MEMFD_MAX_SIZE) {
			status = TINCT_MEMFD_BAD_SIZE;
		} else if (memchr(req.name, '\0', sizeof(req.name)) == NULL) {
			status = TINCT_MEMFD_BAD_NAME;
		} else if ((size + page - 1) / page * page > quota - *handed_out) {
			status = TINCT_MEMFD_OVER_QUOTA;
		} else {
			status = TINCT_MEMFD_OK;
			*handed_out += (size + page - 1) / page * page;
		}
		sizes[count] = size;
		want[count++] = status;
	}
	return count;
}

// Receives one reply byte and its descriptor, if any: 1, 0 at the end, -1 none yet.
static int receive(int fd, uint8_t *status, int *memfd)
{
	union {
		char buf[CMSG_SPACE(sizeof(int) * 4)];
		struct cmsghdr align;
	} control;
	struct iovec iov = {.iov_base = status, .iov_len = 1};
	struct msghdr msg = {
		.msg_iov = &iov,
		.msg_iovlen = 1,
		.msg_control = control.buf,
		.msg_controllen = sizeof(control.buf),
	};
	ssize_t n = recvmsg(fd, &msg, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
	if (n < 0 && errno == ECONNRESET) {
		return 0; // closed with input unread: after a bad version
	}
	if (n < 0) {
		FUZZ_CHECK(errno == EAGAIN || errno == EINTR, "recvmsg");
		return -1;
	}
	*memfd = -1;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c != NULL; c = CMSG_NXTHDR(&msg, c)) {
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
			FUZZ_CHECK(
				c->cmsg_len == CMSG_LEN(sizeof(int)), "one descriptor per reply");
			memcpy(memfd, CMSG_DATA(c), sizeof(int));
		}
	}
	return n == 1 ? 1 : 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1 || size > 64 * sizeof(struct tinct_memfd_request)) {
		return 0;
	}
	setup();
	uint64_t page = (uint64_t)sysconf(_SC_PAGESIZE);
	uint64_t quota = (uint64_t)(data[0] % 16) * 4 * page;
	const uint8_t *stream = data + 1;
	size_t len = size - 1;

	uint8_t want[64];
	uint64_t sizes[64];
	uint64_t want_handed_out;
	size_t want_count = predict(stream, len, quota, want, sizes, &want_handed_out);

	struct tinct_memfd_server *server = memfd_server_create(loop, dir, "fuzz", quota);
	FUZZ_CHECK(server != NULL, "memfd_server_create");
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	snprintf(addr.sun_path, sizeof(addr.sun_path), "%s", memfd_server_path(server));
	FUZZ_CHECK(connect(fd, (struct sockaddr *)&addr, sizeof(addr)) == 0, "connect");
	// The server may close early (bad version): ignore what it did not read.
	if (len > 0) {
		ssize_t sent = send(fd, stream, len, MSG_NOSIGNAL);
		(void)sent;
	}
	shutdown(fd, SHUT_WR);

	size_t count = 0;
	bool ended = false;
	for (int round = 0; round < 100000 && !ended; round++) {
		wl_event_loop_dispatch(loop, 0);
		for (;;) {
			uint8_t status;
			int memfd;
			int r = receive(fd, &status, &memfd);
			if (r < 0) {
				break;
			}
			if (r == 0) {
				ended = true;
				break;
			}
			FUZZ_CHECK(count < want_count, "no more replies than complete requests");
			FUZZ_CHECK(status == want[count], "the predicted status");
			if (status == TINCT_MEMFD_OK) {
				struct stat st;
				FUZZ_CHECK(
					memfd >= 0 && fstat(memfd, &st) == 0, "OK carries a memfd");
				FUZZ_CHECK(
					(uint64_t)st.st_size == sizes[count], "of the size asked");
				FUZZ_CHECK(
					fcntl(memfd, F_GET_SEALS) == (F_SEAL_SHRINK | F_SEAL_SEAL),
					"sealed against shrinking and new seals");
			} else {
				FUZZ_CHECK(memfd < 0, "only OK carries a descriptor");
			}
			if (memfd >= 0) {
				close(memfd);
			}
			count++;
		}
	}
	FUZZ_CHECK(ended, "the server closes the connection at the end of the input");
	FUZZ_CHECK(count == want_count, "every complete request is answered");
	FUZZ_CHECK(memfd_server_handed_out(server) == want_handed_out, "the quota is counted");
	FUZZ_CHECK(memfd_server_handed_out(server) <= quota, "the quota holds");
	close(fd);
	memfd_server_destroy(server);
	return 0;
}
