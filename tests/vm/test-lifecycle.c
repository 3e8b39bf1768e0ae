/*
 * Real-QEMU lifecycle test of the vmm library on a wl_event_loop:
 * a broken definition beside a good one, start -> running, the TAP device
 * while running, the console backlog for a late attacher, a refused second
 * attach, SIGKILL -> crashed with its status, restart, graceful stop that
 * reaches the guest, and the TAP device gone afterwards. Every wait is
 * bounded; every process started here is gone when it returns.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>
#include <wayland-server-core.h>
#include <wlr/util/log.h>

#include "../unit/vmm/check.h"
#include "console.h"
#include "vm.h"

#define SKIP 77

struct buffer {
	char *data;
	size_t len;
};

static void buffer_append(struct buffer *buffer, const char *data, size_t len)
{
	char *grown = realloc(buffer->data, buffer->len + len + 1);
	if (grown == NULL) {
		abort();
	}
	memcpy(grown + buffer->len, data, len);
	buffer->len += len;
	grown[buffer->len] = '\0';
	buffer->data = grown;
}

static bool buffer_has(struct buffer *buffer, const char *text)
{
	return buffer->data != NULL && strstr(buffer->data, text) != NULL;
}

static struct wl_event_loop *loop;
static struct tinct_vm *vm;
static struct buffer output;
static struct wl_listener output_listener;

static void handle_output(struct wl_listener *listener, void *data)
{
	struct tinct_vm_output_event *event = data;
	buffer_append(&output, event->data, event->len);
}

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

struct attacher {
	int fd;
	struct buffer received;
};

static void attacher_poll(struct attacher *attacher)
{
	char buf[4096];
	ssize_t n;
	while (attacher->fd >= 0 && (n = recv(attacher->fd, buf, sizeof(buf), MSG_DONTWAIT)) > 0) {
		buffer_append(&attacher->received, buf, (size_t)n);
	}
}

static struct attacher attachers[2] = {{.fd = -1}, {.fd = -1}};

// Runs the loop until cond() holds or `timeout_ms` passes.
static bool wait_for(bool (*cond)(void *), void *data, int timeout_ms)
{
	int64_t deadline = now_ms() + timeout_ms;
	while (!cond(data)) {
		if (now_ms() > deadline) {
			return false;
		}
		wl_event_loop_dispatch(loop, 50);
		for (int i = 0; i < 2; i++) {
			attacher_poll(&attachers[i]);
		}
	}
	return true;
}

static bool state_is(void *data)
{
	return vm->state == *(enum tinct_vm_state *)data;
}

static bool wait_state(enum tinct_vm_state state, int timeout_ms)
{
	return wait_for(state_is, &state, timeout_ms);
}

static bool output_has(void *data)
{
	return buffer_has(&output, data);
}

static bool attacher_has(void *data)
{
	return buffer_has(&attachers[0].received, data);
}

static bool second_answered(void *data)
{
	return memchr(attachers[1].received.data ? attachers[1].received.data : "", '\n',
		       attachers[1].received.len) != NULL;
}

static int attach(const char *path)
{
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	snprintf(addr.sun_path, sizeof(addr.sun_path), "%s", path);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd >= 0 && connect(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static bool tap_exists(const char *name)
{
	char path[128];
	snprintf(path, sizeof(path), "/sys/class/net/%s", name);
	return access(path, F_OK) == 0;
}

static int reports;

static void report(void *data, const char *message)
{
	reports++;
	printf("# reported: %s\n", message);
}

static void write_file(const char *path, const char *text)
{
	FILE *file = fopen(path, "w");
	if (file == NULL) {
		abort();
	}
	fputs(text, file);
	fclose(file);
}

int main(void)
{
	const char *images = getenv("TINCT_IMAGES");
	char images_buf[512];
	if (images == NULL) {
		snprintf(images_buf, sizeof(images_buf), "%s/.cache/tinct/images",
			getenv("HOME") ? getenv("HOME") : "/root");
		images = images_buf;
	}
	char kernel[600], initrd[600];
	snprintf(kernel, sizeof(kernel), "%s/vmlinuz", images);
	snprintf(initrd, sizeof(initrd), "%s/initrd.img", images);
	if (access(kernel, R_OK) != 0 || access(initrd, R_OK) != 0) {
		printf("1..0 # SKIP guest images missing in %s (make images)\n", images);
		return SKIP;
	}
	if (access("/usr/bin/qemu-system-x86_64", X_OK) != 0) {
		printf("1..0 # SKIP qemu-system-x86_64 is not installed\n");
		return SKIP;
	}
	bool tap = access("/dev/net/tun", R_OK | W_OK) == 0;

	wlr_log_init(WLR_INFO, NULL);
	char base[] = "/tmp/tinct-lifecycle-XXXXXX";
	if (mkdtemp(base) == NULL) {
		return 1;
	}
	char runtime[600], vms[600], path[700];
	snprintf(runtime, sizeof(runtime), "%s/run", base);
	snprintf(vms, sizeof(vms), "%s/vms", base);
	mkdir(runtime, 0700);
	mkdir(vms, 0700);
	setenv("XDG_RUNTIME_DIR", runtime, 1);
	setenv("XDG_CONFIG_HOME", base, 1); // no user definitions leak in
	snprintf(path, sizeof(path), "%s/broken.ini", vms);
	write_file(path, "[vm]\nkernel = vmlinuz\nmemory = lots\n");
	snprintf(path, sizeof(path), "%s/life.ini", vms);
	char def[1024];
	snprintf(def, sizeof(def),
		"[vm]\ncolour = green\nkernel = vmlinuz\ninitrd = initrd.img\n"
		"memory = 256\nnetwork = %s\nstop-timeout = 60\nconsole-buffer = 256K\n",
		tap ? "tap" : "none");
	write_file(path, def);

	loop = wl_event_loop_create();
	struct tinct_vm_manager *manager = vm_manager_create(loop, images);
	check(manager != NULL, "manager created");
	int errors = vm_manager_load(manager, vms, report, NULL);
	check(errors == 1 && reports == 1, "the broken definition is reported once");
	vm = vm_manager_find(manager, "life");
	check(vm != NULL && vm_manager_find(manager, "broken") == NULL,
		"the good definition still loads");
	if (vm == NULL) {
		goto out;
	}
	output_listener.notify = handle_output;
	wl_signal_add(&vm->events.console_output, &output_listener);

	check(vm_start(vm, NULL), "start");
	check(vm->state == TINCT_VM_STARTING, "starting");
	check(wait_state(TINCT_VM_RUNNING, 30000), "running once the serial is connected");
	check(wait_for(output_has, "tinct-guest: ready", 90000), "the guest boots");
	if (tap) {
		check(vm_tap_name(vm) != NULL && tap_exists(vm_tap_name(vm)),
			"TAP device exists while the VM runs");
	}

	attachers[0].fd = attach(vm_console_path(vm));
	check(attachers[0].fd >= 0, "late attacher connects");
	check(wait_for(attacher_has, "tinct-guest: ready", 5000) &&
			attachers[0].received.data[0] == TINCT_CONSOLE_ACK,
		"late attacher gets ACK and the backlog");
	check(buffer_has(&attachers[0].received, "Linux version"),
		"backlog starts with the kernel's boot output");
	attachers[1].fd = attach(vm_console_path(vm));
	check(wait_for(second_answered, NULL, 5000) &&
			attachers[1].received.data[0] == TINCT_CONSOLE_NAK &&
			buffer_has(&attachers[1].received, "already attached"),
		"second attach is refused with a message");
	// Keystrokes reach the guest's shell and its answer comes back.
	const char keys[] = "echo tinct-$((6*7))\n";
	send(attachers[0].fd, keys, sizeof(keys) - 1, MSG_NOSIGNAL);
	check(wait_for(attacher_has, "tinct-42", 20000), "keystrokes are forwarded");
	for (int i = 0; i < 2; i++) {
		close(attachers[i].fd);
		attachers[i].fd = -1;
	}

	char tap_name[16] = "";
	if (vm_tap_name(vm) != NULL) {
		snprintf(tap_name, sizeof(tap_name), "%s", vm_tap_name(vm));
	}
	pid_t pid = vm_pid(vm);
	check(pid > 0 && kill(pid, SIGKILL) == 0, "SIGKILL the VMM");
	check(wait_state(TINCT_VM_CRASHED, 10000), "crashed");
	check(vm->exit_signal == SIGKILL && vm->exit_code == -1, "crash keeps the exit status");
	check(vm_crash_log(vm) != NULL, "crash keeps the log tail");
	check(kill(pid, 0) < 0 && errno == ESRCH, "the VMM is reaped");
	if (tap) {
		check(!tap_exists(tap_name), "TAP device is gone after the crash");
	}

	free(output.data);
	output = (struct buffer){0};
	check(vm_start(vm, NULL), "restart after a crash");
	check(wait_for(output_has, "tinct-guest: ready", 90000), "the guest boots again");
	if (vm_tap_name(vm) != NULL) {
		snprintf(tap_name, sizeof(tap_name), "%s", vm_tap_name(vm));
	}
	vm_stop(vm);
	check(vm->state == TINCT_VM_STOPPING, "stopping");
	check(wait_state(TINCT_VM_STOPPED, 50000), "graceful stop ends stopped");
	check(buffer_has(&output, "tinct-guest: shutting down"), "the guest saw the power button");
	check(vm->stop_phase == 0, "no SIGTERM was needed");
	if (tap) {
		check(!tap_exists(tap_name), "TAP device is gone after the stop");
	}
	check(access(vm_console_path(vm), F_OK) != 0, "console socket removed");

	wl_list_remove(&output_listener.link);
out:
	vm_manager_destroy(manager);
	wl_event_loop_destroy(loop);
	free(output.data);
	for (int i = 0; i < 2; i++) {
		free(attachers[i].received.data);
	}
	char cmd[700];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", base);
	if (system(cmd) != 0) {
		printf("# cannot remove %s\n", base);
	}
	return check_done();
}
