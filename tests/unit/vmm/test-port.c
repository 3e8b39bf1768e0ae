/*
 * A network VM's port (vmm/port.h): an end that a VMM left as it got it
 * passes port_end_check() and is drained; every way a hostile VMM can
 * change the shared socket for the next one fails it.
 */
#include <errno.h>
#include <linux/filter.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "check.h"
#include "vmm/port.h"

static bool check(struct tinct_net_port *port, int side, char *why, size_t size)
{
	why[0] = '\0';
	return port_end_check(port, side, why, size);
}

// A fresh port, end 1 changed by `tamper`; whether the check fails, and why.
static void expect_broken(void (*tamper)(int fd, int other), const char *want, const char *what)
{
	struct tinct_net_port port;
	port_init(&port);
	ok(port_make(&port), "%s: made", what);
	tamper(port.ends[1], port.ends[0]);
	char why[128];
	bool passed = check(&port, 1, why, sizeof(why));
	ok(!passed && strstr(why, want) != NULL, "%s: refused (%s)", what, why);
	port_close(&port);
}

static void bind_it(int fd, int other)
{
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	bind(fd, (struct sockaddr *)&addr, sizeof(sa_family_t)); // autobind
}

static void connect_elsewhere(int fd, int other)
{
	int s = socket(AF_UNIX, SOCK_DGRAM, 0);
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	socklen_t len = sizeof(sa_family_t);
	bind(s, (struct sockaddr *)&addr, len);
	len = sizeof(addr);
	getsockname(s, (struct sockaddr *)&addr, &len);
	connect(fd, (struct sockaddr *)&addr, len);
	close(s);
}

static void disconnect(int fd, int other)
{
	struct sockaddr addr = {.sa_family = AF_UNSPEC};
	connect(fd, &addr, sizeof(addr));
}

static void shut_read(int fd, int other)
{
	shutdown(fd, SHUT_RD);
}

static void shut_write(int fd, int other)
{
	shutdown(fd, SHUT_WR);
}

static struct sock_filter drop_all[] = {{BPF_RET | BPF_K, 0, 0, 0}};

static void lock_filter(int fd, int other)
{
	struct sock_fprog prog = {.len = 1, .filter = drop_all};
	int one = 1;
	setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof(prog));
	setsockopt(fd, SOL_SOCKET, SO_LOCK_FILTER, &one, sizeof(one));
}

static void shrink(int fd, int other)
{
	int size = 1;
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
}

int main(void)
{
	struct tinct_net_port port;
	port_init(&port);
	ok(port_make(&port), "a port is made");
	char why[128];
	ok(check(&port, 0, why, sizeof(why)) && check(&port, 1, why, sizeof(why)),
		"both ends of a new port pass (%s)", why);

	// Frames a gone VMM never read are dropped before the end is handed on.
	for (int i = 0; i < 3; i++) {
		send(port.ends[0], "frame", 5, 0);
	}
	ok(check(&port, 1, why, sizeof(why)), "an end with queued frames passes (%s)", why);
	char buf[16];
	ok(recv(port.ends[1], buf, sizeof(buf), MSG_DONTWAIT) < 0 && errno == EAGAIN,
		"and its queued frames are gone");

	// An unlocked filter is removed: frames flow again.
	struct sock_fprog prog = {.len = 1, .filter = drop_all};
	setsockopt(port.ends[1], SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof(prog));
	ok(check(&port, 1, why, sizeof(why)), "an end with an unlocked filter passes (%s)", why);
	send(port.ends[0], "frame", 5, 0);
	ok(recv(port.ends[1], buf, sizeof(buf), MSG_DONTWAIT) == 5, "its filter is gone");

	// A port made anew is a new pair.
	ino_t old = port.ino[1];
	ok(port_make(&port) && check(&port, 1, why, sizeof(why)), "made anew (%s)", why);
	ok(port.ino[1] != old, "a new pair");
	port_close(&port);
	ok(port.ends[0] == -1 && port.ends[1] == -1, "closed");

	expect_broken(bind_it, "bound", "an end bound to a name");
	expect_broken(connect_elsewhere, "connected elsewhere", "an end connected elsewhere");
	expect_broken(disconnect, "connected elsewhere", "a disconnected end");
	expect_broken(shut_read, "shut down", "an end shut down for reading");
	expect_broken(shut_write, "shut down", "an end shut down for writing");
	expect_broken(lock_filter, "locked", "an end with a locked filter");
	expect_broken(shrink, "buffer", "an end with a shrunk buffer");
	return check_done();
}
