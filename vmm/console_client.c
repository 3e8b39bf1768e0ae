/*
 * Attaching a terminal to a console relay socket (console_client.h). One
 * ppoll() loop over the socket and stdin; the signals that end an attach
 * are blocked except inside ppoll(), so none slips in between the check and
 * the wait and the terminal is always restored before returning.
 */
#include "vmm/console_client.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <termios.h>
#include <unistd.h>

#include "vmm/console.h"
#include "vmm/console_filter.h"

static const int ending_signals[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT};
#define ENDING_SIGNALS (sizeof(ending_signals) / sizeof(ending_signals[0]))

static volatile sig_atomic_t caught_signal;

static void handle_signal(int sig)
{
	caught_signal = sig;
}

struct attach {
	int fd;
	bool raw;
	struct termios saved_termios;
	sigset_t saved_mask;
	struct sigaction saved_actions[ENDING_SIGNALS];
};

static void terminal_raw(struct attach *attach)
{
	if (!isatty(STDIN_FILENO) || tcgetattr(STDIN_FILENO, &attach->saved_termios) < 0) {
		return;
	}
	struct termios raw = attach->saved_termios;
	cfmakeraw(&raw);
	attach->raw = tcsetattr(STDIN_FILENO, TCSANOW, &raw) == 0;
}

static void terminal_restore(struct attach *attach)
{
	if (attach->raw) {
		tcsetattr(STDIN_FILENO, TCSANOW, &attach->saved_termios);
		attach->raw = false;
	}
}

static void signals_catch(struct attach *attach)
{
	sigset_t block;
	sigemptyset(&block);
	caught_signal = 0;
	struct sigaction action = {.sa_handler = handle_signal};
	sigemptyset(&action.sa_mask);
	for (size_t i = 0; i < ENDING_SIGNALS; i++) {
		sigaddset(&block, ending_signals[i]);
		sigaction(ending_signals[i], &action, &attach->saved_actions[i]);
	}
	sigprocmask(SIG_BLOCK, &block, &attach->saved_mask);
}

static void signals_restore(struct attach *attach)
{
	for (size_t i = 0; i < ENDING_SIGNALS; i++) {
		sigaction(ending_signals[i], &attach->saved_actions[i], NULL);
	}
	sigprocmask(SIG_SETMASK, &attach->saved_mask, NULL);
}

bool console_client_write_all(int fd, const void *buffer, size_t len)
{
	const char *data = buffer;
	while (len > 0) {
		/* MSG_NOSIGNAL only applies to sockets; stdout falls back to write(). */
		ssize_t n = send(fd, data, len, MSG_NOSIGNAL);
		if (n < 0 && errno == ENOTSOCK) {
			n = write(fd, data, len);
		}
		if (n < 0) {
			if (errno == EINTR) {
				continue;
			}
			return false;
		}
		data += n;
		len -= (size_t)n;
	}
	return true;
}

bool console_client_write_filtered(
	struct tinct_console_filter *filter, int fd, const void *buffer, size_t len)
{
	const char *data = buffer;
	char out[CONSOLE_FILTER_OUT_MAX(4096)];
	while (len > 0) {
		size_t chunk = len < 4096 ? len : 4096;
		size_t n = console_filter_feed(filter, data, chunk, out);
		if (!console_client_write_all(fd, out, n)) {
			return false;
		}
		data += chunk;
		len -= chunk;
	}
	return true;
}

static int connect_relay(const char *path, const char *prog, const char *vm)
{
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	if (strlen(path) >= sizeof(addr.sun_path)) {
		fprintf(stderr, "%s: console path of %s is too long: %s\n", prog, vm, path);
		return -1;
	}
	strcpy(addr.sun_path, path);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		fprintf(stderr, "%s: cannot create a socket: %s\n", prog, strerror(errno));
		return -1;
	}
	if (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
		fprintf(stderr, "%s: VM %s is not running (%s: %s)\n", prog, vm, path,
			strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

/* Prints the relay's refusal; it comes from tinct but is shown as plain text. */
static void print_refusal(int fd)
{
	char message[256];
	ssize_t n = read(fd, message, sizeof(message) - 1);
	message[n > 0 ? n : 0] = '\0';
	for (char *p = message; *p; p++) {
		if ((unsigned char)*p < 0x20 && *p != '\n') {
			*p = '?';
		}
	}
	fprintf(stderr, "%s", message);
	if (n <= 0 || message[n - 1] != '\n') {
		fputc('\n', stderr);
	}
}

/* Forwards one read of stdin; returns false once the user detached. */
static bool forward_input(struct attach *attach, struct pollfd *input, bool *failed)
{
	char buf[4096];
	ssize_t n = read(STDIN_FILENO, buf, sizeof(buf));
	if (n < 0 && (errno == EINTR || errno == EAGAIN)) {
		return true;
	}
	if (n <= 0) {
		/* End of input: stop forwarding, keep showing the console. */
		input->fd = -1;
		return true;
	}
	char *escape = memchr(buf, TINCT_CONSOLE_ESCAPE, (size_t)n);
	size_t len = escape != NULL ? (size_t)(escape - buf) : (size_t)n;
	if (!console_client_write_all(attach->fd, buf, len)) {
		*failed = true;
		return false;
	}
	return escape == NULL;
}

static enum console_client_status attach_loop(struct attach *attach, int *signal_out)
{
	struct pollfd fds[2] = {
		{.fd = attach->fd, .events = POLLIN},
		{.fd = STDIN_FILENO, .events = POLLIN},
	};
	struct tinct_console_filter filter;
	console_filter_init(&filter);
	char buf[65536];
	for (;;) {
		if (ppoll(fds, 2, NULL, &attach->saved_mask) < 0 && errno != EINTR) {
			return CONSOLE_CLIENT_FAILED;
		}
		if (caught_signal != 0) {
			if (signal_out != NULL) {
				*signal_out = caught_signal;
			}
			return CONSOLE_CLIENT_INTERRUPTED;
		}
		if (fds[0].revents != 0) {
			ssize_t n = read(attach->fd, buf, sizeof(buf));
			if (n < 0 && errno == EINTR) {
				continue;
			}
			if (n <= 0) {
				return CONSOLE_CLIENT_CLOSED;
			}
			if (!console_client_write_filtered(
				    &filter, STDOUT_FILENO, buf, (size_t)n)) {
				return CONSOLE_CLIENT_FAILED;
			}
		}
		if (fds[1].fd >= 0 && fds[1].revents != 0) {
			bool failed = false;
			if (!forward_input(attach, &fds[1], &failed)) {
				return failed ? CONSOLE_CLIENT_FAILED : CONSOLE_CLIENT_DETACHED;
			}
		}
	}
}

enum console_client_status console_client_attach(
	const char *path, const char *prog, const char *vm, int *signal_out)
{
	struct attach attach = {.fd = connect_relay(path, prog, vm)};
	if (attach.fd < 0) {
		return CONSOLE_CLIENT_UNREACHABLE;
	}
	unsigned char status;
	ssize_t n;
	do {
		n = read(attach.fd, &status, 1);
	} while (n < 0 && errno == EINTR);
	if (n != 1 || (status != TINCT_CONSOLE_ACK && status != TINCT_CONSOLE_NAK)) {
		fprintf(stderr, "%s: no answer from the console of %s (%s)\n", prog, vm, path);
		close(attach.fd);
		return CONSOLE_CLIENT_FAILED;
	}
	if (status == TINCT_CONSOLE_NAK) {
		print_refusal(attach.fd);
		close(attach.fd);
		return CONSOLE_CLIENT_REFUSED;
	}

	signals_catch(&attach);
	if (isatty(STDIN_FILENO)) {
		fprintf(stderr, "%s: console of %s, detach with Ctrl-]\n", prog, vm);
		terminal_raw(&attach);
	}
	enum console_client_status result = attach_loop(&attach, signal_out);
	terminal_restore(&attach);
	signals_restore(&attach);
	close(attach.fd);

	switch (result) {
	case CONSOLE_CLIENT_DETACHED:
		fprintf(stderr, "\n%s: detached from %s\n", prog, vm);
		break;
	case CONSOLE_CLIENT_CLOSED:
		fprintf(stderr, "\n%s: console of %s closed\n", prog, vm);
		break;
	case CONSOLE_CLIENT_FAILED:
		fprintf(stderr, "\n%s: console of %s: %s\n", prog, vm, strerror(errno));
		break;
	default:
		break;
	}
	return result;
}
