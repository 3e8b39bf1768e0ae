/*
 * VM lifecycle: spawning VMMs, watching them with pidfds, graceful and
 * forced stops, runtime directories and the per-VM console relay. Every
 * wait is an event source on the owner's loop; nothing here blocks except
 * vm_manager_shutdown(), which is meant to.
 */
#include "vmm/vm.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>
#include <wlr/util/log.h>

#include "common/time.h"
#include "common/untrusted_dir.h"
#include "vmm/argv.h"
#include "vmm/backend.h"
#include "vmm/child.h"
#include "vmm/console.h"
#include "vmm/control.h"
#include "vmm/jail.h"
#include "vmm/kvm.h"
#include "vmm/network.h"
#include "vmm/snapshot.h"
#include "vmm/spawn.h"
#include "vmm/tap.h"
#include "vmm/vm-def.h"
#include "vmm/waypipe.h"

#define SERIAL_TIMEOUT_MS 30000
#define KILL_GRACE_MS 3000
// A guest that is still booting misses an ACPI power button press (Linux
// ignores it until its button driver and the guest's acpid are up), so the
// press is repeated until the stop timeout. The demo guests print "ready"
// only once a press is honoured; this is the safety net for other guests
// and for stops requested mid-boot.
#define POWERDOWN_REPEAT_MS 2000
#define CRASH_LOG_LINES 10

const char *vm_state_name(enum tinct_vm_state state)
{
	switch (state) {
	case TINCT_VM_STOPPED:
		return "stopped";
	case TINCT_VM_STARTING:
		return "starting";
	case TINCT_VM_BOOTING:
		return "booting";
	case TINCT_VM_RUNNING:
		return "running";
	case TINCT_VM_STOPPING:
		return "stopping";
	case TINCT_VM_CRASHED:
		return "crashed";
	}
	return "unknown";
}

static bool is_active(struct tinct_vm *vm)
{
	return vm->state == TINCT_VM_STARTING || vm->state == TINCT_VM_BOOTING ||
	       vm->state == TINCT_VM_RUNNING || vm->state == TINCT_VM_STOPPING;
}

static void set_state(struct tinct_vm *vm, enum tinct_vm_state state)
{
	if (vm->state == state) {
		return;
	}
	struct tinct_vm_state_event event = {
		.vm = vm,
		.old_state = vm->state,
		.new_state = state,
	};
	vm->state = state;
	wlr_log(WLR_INFO, "VM %s: %s -> %s", vm->def->name, vm_state_name(event.old_state),
		vm_state_name(state));
	wl_signal_emit(&vm->manager->events.state_changed, &event);
}

static bool mkdir_private(const char *path)
{
	if (mkdir(path, 0700) < 0 && errno != EEXIST) {
		wlr_log_errno(WLR_ERROR, "Cannot create %s", path);
		return false;
	}
	struct stat st;
	if (lstat(path, &st) < 0 || !S_ISDIR(st.st_mode) || st.st_uid != geteuid()) {
		wlr_log(WLR_ERROR, "%s is not a directory owned by us", path);
		return false;
	}
	if ((st.st_mode & 0777) != 0700 && chmod(path, 0700) < 0) {
		wlr_log_errno(WLR_ERROR, "Cannot make %s private", path);
		return false;
	}
	return true;
}

static void stop_timer_arm(struct tinct_vm *vm, int ms)
{
	if (vm->stop_timer != NULL) {
		wl_event_source_timer_update(vm->stop_timer, ms > 0 ? ms : 1);
	}
}

static void signal_group(struct tinct_vm *vm, int sig)
{
	if (vm->vmm != NULL) {
		child_signal(vm->vmm, sig);
	}
}

static struct tinct_vmm_launch launch_for(
	struct tinct_vm *vm, const char *binary, const char *cmdline)
{
	return (struct tinct_vmm_launch){
		.def = vm->def,
		.binary = binary,
		.runtime_dir = vm->runtime_dir,
		.serial_socket = vm->serial_path,
		.api_socket = vm->api_path,
		.cmdline = cmdline,
		.tap_fd = vm->tap_fd >= 0 ? SPAWN_PASS_FD : -1,
		.kvm = false,
	};
}

// The graceful stop failed after it was requested: on to SIGTERM.
static void handle_stop_failed(void *data)
{
	struct tinct_vm *vm = data;
	wlr_log(WLR_INFO, "VM %s: the graceful stop failed, sending SIGTERM", vm->def->name);
	vm->stop_phase = 1;
	signal_group(vm, SIGTERM);
	stop_timer_arm(vm, KILL_GRACE_MS);
}

// Asks the backend to stop the guest gracefully; false when it cannot.
static bool request_graceful_stop(struct tinct_vm *vm)
{
	if (vm->backend->stop == NULL) {
		return false;
	}
	const char *name = vm->def->vmm_binary ? vm->def->vmm_binary : vm->backend->default_binary;
	char *binary = NULL;
	if (name != NULL) {
		binary = vm->def->confine ? spawn_find_system_program(name)
					  : spawn_find_program(name);
	}
	struct tinct_vmm_launch launch = launch_for(vm, binary ? binary : name, "");
	struct tinct_vmm_stop_request request = {
		.loop = vm->manager->loop,
		.log_path = vm->log_path,
		.jail = vm->jail,
		.failed = handle_stop_failed,
		.data = vm,
	};
	vm->stop = vm->backend->stop(&launch, &request);
	free(binary);
	return vm->stop != NULL;
}

static int handle_stop_timer(void *data)
{
	struct tinct_vm *vm = data;
	if (vm->vmm == NULL) {
		return 0;
	}
	int64_t left = vm->stop_deadline_ms - now_ms();
	if (vm->stop_phase == 0 && left > 0) {
		if (vm->backend->stop_repeat != NULL && vm->stop != NULL) {
			vm->backend->stop_repeat(vm->stop);
		}
		stop_timer_arm(vm, left < POWERDOWN_REPEAT_MS ? (int)left : POWERDOWN_REPEAT_MS);
		return 0;
	}
	if (vm->stop_phase == 0) {
		wlr_log(WLR_INFO, "VM %s did not stop in time, sending SIGTERM", vm->def->name);
		vm->stop_phase = 1;
		signal_group(vm, SIGTERM);
		stop_timer_arm(vm, KILL_GRACE_MS);
	} else {
		wlr_log(WLR_ERROR, "VM %s ignores SIGTERM, sending SIGKILL", vm->def->name);
		vm->stop_phase = 2;
		signal_group(vm, SIGKILL);
	}
	return 0;
}

// Keeps the tail of vmm.log: that is where a VMM says why it died.
static char *read_log_tail(const char *path)
{
	int fd = untrusted_open_read(path);
	if (fd < 0) {
		return NULL;
	}
	char buf[4096];
	off_t size = lseek(fd, 0, SEEK_END);
	off_t start = size > (off_t)sizeof(buf) - 1 ? size - (off_t)sizeof(buf) + 1 : 0;
	ssize_t n = pread(fd, buf, sizeof(buf) - 1, start);
	close(fd);
	if (n <= 0) {
		return strdup("");
	}
	buf[n] = '\0';
	while (n > 0 && buf[n - 1] == '\n') {
		buf[--n] = '\0';
	}
	int lines = 0;
	char *p = buf + n;
	while (p > buf) {
		if (p[-1] == '\n' && ++lines == CRASH_LOG_LINES) {
			break;
		}
		p--;
	}
	return strdup(p);
}

// Copies `len` bytes of `in` as one printable line: control characters
// and escape sequences go, blanks at both ends too. UTF-8 passes.
static void printable_line(char *out, size_t size, const char *in, size_t len)
{
	size_t o = 0;
	for (size_t i = 0; i < len && o + 1 < size; i++) {
		unsigned char c = (unsigned char)in[i];
		if (c == 0x1b) {
			// CSI: skip to its final byte; other escapes: one more byte.
			if (i + 1 < len && in[i + 1] == '[') {
				i += 2;
				while (i < len && ((unsigned char)in[i] < 0x40 || in[i] == 0x7f)) {
					i++;
				}
			} else {
				i++;
			}
			continue;
		}
		if (c == '\t') {
			c = ' ';
		}
		if (c < 0x20 || c == 0x7f || (c == ' ' && o == 0)) {
			continue;
		}
		out[o++] = (char)c;
	}
	while (o > 0 && out[o - 1] == ' ') {
		o--;
	}
	// Never end inside a UTF-8 sequence that was cut.
	size_t cont = 0;
	while (cont < o && ((unsigned char)out[o - 1 - cont] & 0xc0) == 0x80) {
		cont++;
	}
	if (cont < o) {
		unsigned char lead = (unsigned char)out[o - 1 - cont];
		size_t need = lead >= 0xf0 ? 3 : lead >= 0xe0 ? 2 : lead >= 0xc0 ? 1 : 0;
		if (need != cont) {
			o -= cont + (lead >= 0xc0 ? 1 : 0);
		}
	}
	out[o] = '\0';
}

// Lines a VMM writes while it works normally, which never say why it
// ended: QEMU's chardev reconnects to a waypipe or control socket that is
// being restarted.
static bool log_line_is_chatter(const char *line)
{
	return strstr(line, "Unable to connect character device") != NULL;
}

// The last meaningful line of `log`, printable, into `out`; "" when none.
static void last_log_line(const char *log, char *out, size_t size)
{
	out[0] = '\0';
	if (log == NULL) {
		return;
	}
	const char *end = log + strlen(log);
	while (end > log) {
		const char *start = end;
		while (start > log && start[-1] != '\n') {
			start--;
		}
		printable_line(out, size, start, (size_t)(end - start));
		if (out[0] != '\0' && !log_line_is_chatter(out)) {
			return;
		}
		out[0] = '\0';
		end = start > log ? start - 1 : log;
	}
}

static void console_teardown(struct tinct_vm *vm)
{
	if (vm->console == NULL) {
		return;
	}
	wl_list_remove(&vm->console_output.link);
	wl_list_remove(&vm->serial_ready.link);
	console_destroy(vm->console);
	vm->console = NULL;
}

// Releases everything a run holds once the VMM is gone. With
// `keep_console`, the console relay stays with its backlog (a crash).
static void run_cleanup(struct tinct_vm *vm, bool keep_console)
{
	if (vm->console != NULL) {
		console_drain(vm->console);
	}
	if (keep_console && vm->console != NULL) {
		console_close_serial(vm->console);
	} else {
		console_teardown(vm);
	}
	control_destroy(vm->control);
	vm->control = NULL;
	backend_stop_destroy(vm->stop);
	vm->stop = NULL;
	waypipe_set_destroy(vm->waypipe);
	vm->waypipe = NULL;
	if (vm->stop_timer != NULL) {
		wl_event_source_remove(vm->stop_timer);
		vm->stop_timer = NULL;
	}
	// Nothing of a VMM that is gone holds what it inherited.
	bool vmm_gone = vm->vmm == NULL || child_all_gone(vm->vmm);
	child_destroy(vm->vmm);
	vm->vmm = NULL;
	snapshot_run_destroy(vm->snapshot);
	vm->snapshot = NULL;
	network_detach(vm, vmm_gone);
	if (vm->tap_fd >= 0) {
		close(vm->tap_fd);
		vm->tap_fd = -1;
		vm->tap_name[0] = '\0';
	}
	unlink(vm->serial_path);
	unlink(vm->api_path);
	if (vm->uid_lock >= 0) {
		// Take its files back. Only when every process of the VM's uid is
		// known to be gone may another VM get the uid; else the claim
		// stays, its descriptor open until tinct exits.
		jail_give_dir(vm->runtime_dir, geteuid(), getegid());
		if (vmm_gone) {
			close(vm->uid_lock);
		} else {
			wlr_log(WLR_ERROR, "VM %s: its uid stays claimed (processes may remain)",
				vm_name(vm));
		}
		vm->uid_lock = -1;
	}
	jail_finish(vm->jail);
}

// Enters CRASHED with `reason` (copied), logging the crash once.
static void crash(struct tinct_vm *vm, const char *reason)
{
	free(vm->reason);
	vm->reason = strdup(reason);
	wlr_log(WLR_ERROR, "VM %s crashed: %s%s%s%s", vm->def->name, reason,
		vm->crash_log != NULL && vm->crash_log[0] != '\0' ? "; last lines of " : "",
		vm->crash_log != NULL && vm->crash_log[0] != '\0' ? vm->log_path : "",
		vm->crash_log != NULL && vm->crash_log[0] != '\0' ? ":" : "");
	if (vm->crash_log != NULL && vm->crash_log[0] != '\0') {
		wlr_log(WLR_ERROR, "%s", vm->crash_log);
	}
	if (vm->state == TINCT_VM_CRASHED) {
		// A failed restart of a crashed VM: the reason is new, say so.
		struct tinct_vm_state_event event = {
			.vm = vm,
			.old_state = TINCT_VM_CRASHED,
			.new_state = TINCT_VM_CRASHED,
		};
		wl_signal_emit(&vm->manager->events.state_changed, &event);
		return;
	}
	set_state(vm, TINCT_VM_CRASHED);
}

static bool vm_launch(struct tinct_vm *vm, const char *extra_cmdline, bool kvm, bool cold);

static void vm_exited(struct tinct_vm *vm, const siginfo_t *info)
{
	pid_t pid = info->si_pid;
	vm->exited = true;
	vm->exit_code = info->si_code == CLD_EXITED ? info->si_status : -1;
	vm->exit_signal = info->si_code == CLD_EXITED ? 0 : info->si_status;
	// bwrap reports a VMM killed by signal N as status 128 + N.
	if (vm->jail->enabled && vm->exit_code > 128) {
		vm->exit_signal = vm->exit_code - 128;
		vm->exit_code = -1;
	}
	bool restore_failed = !vm->stop_requested && snapshot_run_restore_failed(vm->snapshot);
	if (restore_failed) {
		run_cleanup(vm, false);
		wlr_log(WLR_ERROR, "VM %s: VMM %d did not restore the snapshot; booting cold",
			vm->def->name, (int)pid);
		free(vm->crash_reason);
		vm->crash_reason = NULL;
		free(vm->crash_log);
		vm->crash_log = NULL;
		if (vm_launch(vm, NULL, vm->kvm, true)) {
			return;
		}
	}
	char *reason = vm->crash_reason;
	vm->crash_reason = NULL;
	// A guest whose kernel panicked and that was then ended counts as
	// crashed even when the VMM exited cleanly (panic=N and a reboot).
	bool panicked = vm->panic_line[0] != '\0';
	bool clean = vm->stop_requested || (vm->exit_code == 0 && reason == NULL && !panicked);
	run_cleanup(vm, !clean);
	free(vm->crash_log);
	vm->crash_log = NULL;
	if (clean) {
		free(reason);
		wlr_log(WLR_INFO, "VM %s: VMM %d exited (%s %d)", vm->def->name, (int)pid,
			vm->exit_signal ? "signal" : "status",
			vm->exit_signal ? vm->exit_signal : vm->exit_code);
		set_state(vm, TINCT_VM_STOPPED);
		return;
	}
	vm->crash_log = read_log_tail(vm->log_path);
	char words[TINCT_VM_LINE_MAX];
	// The guest's kernel panic, when there was one, is what ended it.
	if (panicked) {
		snprintf(words, sizeof(words), "%s", vm->panic_line);
	} else {
		last_log_line(vm->crash_log, words, sizeof(words));
	}
	char line[512];
	if (reason != NULL) {
		snprintf(line, sizeof(line), "%s", reason);
		char *log = NULL;
		if (asprintf(&log, "%s\n%s", reason, vm->crash_log ? vm->crash_log : "") >= 0) {
			free(vm->crash_log);
			vm->crash_log = log;
		}
		free(reason);
	} else if (vm->exit_signal) {
		snprintf(line, sizeof(line), "VMM killed by signal %d (%s)%s%s", vm->exit_signal,
			strsignal(vm->exit_signal), words[0] ? ": " : "", words);
	} else {
		snprintf(line, sizeof(line), "VMM exited with status %d%s%s", vm->exit_code,
			words[0] ? ": " : "", words);
	}
	crash(vm, line);
}

// The VMM was reaped; whatever it left behind in its group went with it.
static void handle_vmm_exit(void *data, const siginfo_t *info)
{
	vm_exited(data, info);
}

// The guest is up: the VM runs.
static void guest_ready(struct tinct_vm *vm)
{
	if (vm->state == TINCT_VM_STARTING || vm->state == TINCT_VM_BOOTING) {
		set_state(vm, TINCT_VM_RUNNING);
	}
}

// One whole line of console output (untrusted guest text).
static void console_line(struct tinct_vm *vm, const char *untrusted, size_t len)
{
	char line[TINCT_VM_LINE_MAX];
	printable_line(line, sizeof(line), untrusted, len);
	if (line[0] == '\0') {
		return;
	}
	memcpy(vm->last_line, line, sizeof(line));
	if (strstr(line, "Kernel panic") != NULL && vm->panic_line[0] == '\0') {
		memcpy(vm->panic_line, line, sizeof(line));
	}
	if (vm->def->guest_ready == TINCT_GUEST_READY_GUEST &&
		strcmp(line, "tinct-guest: ready") == 0) {
		guest_ready(vm);
	}
}

static void handle_console_output(struct wl_listener *listener, void *data)
{
	struct tinct_vm *vm = wl_container_of(listener, vm, console_output);
	struct tinct_console_output *output = data;
	for (size_t i = 0; i < output->len; i++) {
		char c = output->data[i];
		if (c == '\n' || c == '\r') {
			console_line(vm, vm->line, vm->line_len);
			vm->line_len = 0;
		} else if (vm->line_len < sizeof(vm->line)) {
			// The rest of an over-long line is dropped: progress only.
			vm->line[vm->line_len++] = c;
		}
	}
	struct tinct_vm_output_event event = {
		.vm = vm,
		.data = output->data,
		.len = output->len,
	};
	wl_signal_emit(&vm->events.console_output, &event);
}

static void handle_serial_ready(struct wl_listener *listener, void *data)
{
	struct tinct_vm *vm = wl_container_of(listener, vm, serial_ready);
	bool *ok = data;
	if (!*ok) {
		wlr_log(WLR_ERROR, "VM %s runs without a serial console", vm->def->name);
	}
	if (vm->state != TINCT_VM_STARTING) {
		return;
	}
	if (vm->def->guest_ready == TINCT_GUEST_READY_CONSOLE) {
		set_state(vm, TINCT_VM_RUNNING);
	} else {
		set_state(vm, TINCT_VM_BOOTING);
	}
}

// A snapshot run let the guest go on. A restored guest's control agent was
// already listening when it was saved: it reads the new connection's lines.
static void handle_snapshot_guest_up(void *data, bool restored)
{
	struct tinct_vm *vm = data;
	if (restored && vm->control != NULL) {
		vm->control_ready = true;
	}
	guest_ready(vm);
}

static void handle_control_msg(void *data, const struct tinct_control_msg *msg)
{
	struct tinct_vm *vm = data;
	switch (msg->kind) {
	case TINCT_CONTROL_READY:
		vm->control_ready = true;
		guest_ready(vm);
		break;
	case TINCT_CONTROL_OK:
		wlr_log(WLR_INFO, "VM %s: application %u started", vm->def->name, msg->app);
		break;
	case TINCT_CONTROL_ERROR:
		wlr_log(WLR_ERROR, "VM %s: application %u did not start: %s", vm->def->name,
			msg->app, msg->text);
		break;
	case TINCT_CONTROL_EXIT:
		wlr_log(WLR_INFO, "VM %s: application %u exited with status %d", vm->def->name,
			msg->app, msg->status);
		break;
	}
}

static void handle_waypipe_killed(void *data, unsigned index, int sig)
{
	struct tinct_vm *vm = data;
	if (vm->stop_requested || vm->vmm == NULL) {
		return;
	}
	// The channel's Wayland stream broke mid-message and cannot be
	// resumed: the VM's display is lost, so the VM goes down as crashed.
	free(vm->crash_reason);
	if (asprintf(&vm->crash_reason, "waypipe client for channel %u killed by signal %d", index,
		    sig) < 0) {
		vm->crash_reason = NULL;
	}
	signal_group(vm, SIGKILL);
}

// Starts the waypipe clients when the VM has a display to show them on.
// Returns false on failure; `*ports` is how many channels the VMM gets.
// A guest CID unique on this host: vhost-vsock CIDs are host-wide, and
// another tinct or tinct-vm may run beside this one. The owner's pid (at
// most 22 bits) and the VM's index make it so; 0-2 are reserved.
static unsigned vsock_cid(struct tinct_vm *vm)
{
	unsigned index = 0;
	struct tinct_vm *other;
	wl_list_for_each (other, &vm->manager->vms, link) {
		if (other == vm) {
			break;
		}
		index++;
	}
	return 3u + ((unsigned)getpid() << 8) + (index & 0xff);
}

static bool waypipe_start(struct tinct_vm *vm, unsigned *ports)
{
	const struct tinct_vm_def *def = vm->def;
	*ports = 0;
	if (def->wayland_kind != TINCT_VM_WAYLAND_WAYPIPE) {
		return true;
	}
	char *display = NULL;
	if (asprintf(&display, "%s/wayland", vm->runtime_dir) < 0) {
		return false;
	}
	struct stat st;
	if (stat(display, &st) < 0 || !S_ISSOCK(st.st_mode)) {
		wlr_log(WLR_INFO, "VM %s: no display at %s; running without waypipe", def->name,
			display);
		free(display);
		return true;
	}
	bool ok = false;
	size_t n = def->wayland_ports;
	char **sockets = calloc(n, sizeof(*sockets));
	if (sockets == NULL) {
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		sockets[i] = backend_waypipe_socket(vm->backend, vm->runtime_dir, (unsigned)i);
		if (sockets[i] == NULL) {
			goto out;
		}
	}
	vm->waypipe = waypipe_set_create(vm->manager->loop, def->name, display, sockets, n,
		vm->waypipe_log_path, vm->jail, handle_waypipe_killed, vm);
	ok = vm->waypipe != NULL;
	*ports = ok ? (unsigned)n : 0;
out:
	for (size_t i = 0; sockets != NULL && i < n; i++) {
		free(sockets[i]);
	}
	free(sockets);
	free(display);
	return ok;
}

// Refuses to start over a VM that another process (a second tinct or
// tinct-vm) is running: its console socket still answers.
static bool runtime_dir_in_use(struct tinct_vm *vm)
{
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	if (strlen(vm->console_path) >= sizeof(addr.sun_path)) {
		return false;
	}
	strcpy(addr.sun_path, vm->console_path);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		return false;
	}
	bool in_use = connect(fd, (struct sockaddr *)&addr, sizeof(addr)) == 0;
	close(fd);
	return in_use;
}

// The program that runs the VM's VMM, found in the owner's PATH.
static char *vmm_program(struct tinct_vm *vm)
{
	const struct tinct_vm_def *def = vm->def;
	char *binary = NULL;
	if (def->vmm == TINCT_VMM_COMMAND) {
		struct tinct_argv words;
		argv_init(&words);
		const char *error = NULL;
		if (argv_split(&words, def->command, NULL, NULL, &error) && words.len > 0) {
			binary = strdup(words.argv[0]);
		}
		argv_finish(&words);
	} else {
		binary = strdup(def->vmm_binary ? def->vmm_binary : vm->backend->default_binary);
	}
	if (binary == NULL) {
		wlr_log(WLR_ERROR, "VM %s: no VMM program", def->name);
		return NULL;
	}
	// A confined VMM sees the system's programs and its own file only.
	char *program =
		def->confine ? spawn_find_system_program(binary) : spawn_find_program(binary);
	if (program == NULL) {
		wlr_log(WLR_ERROR, "VM %s: VMM %s not found", def->name, binary);
	}
	free(binary);
	return program;
}

static bool console_start(struct tinct_vm *vm)
{
	if (vm->console != NULL) {
		return true;
	}
	vm->console = console_create(vm->manager->loop, vm->console_path, vm->def->console_buffer);
	if (vm->console == NULL) {
		return false;
	}
	vm->console_output.notify = handle_console_output;
	wl_signal_add(&console_events(vm->console)->output, &vm->console_output);
	vm->serial_ready.notify = handle_serial_ready;
	wl_signal_add(&console_events(vm->console)->serial_ready, &vm->serial_ready);
	return true;
}

// Confines this run (jail.h): a uid of its own where tinct is root, which
// gets the runtime directory before anything of the VM starts.
static bool jail_start(struct tinct_vm *vm)
{
	const char *name = vm->def->name;
	if (!vm->def->confine) {
		wlr_log(WLR_INFO, "VM %s runs unconfined (confine = false)", name);
		return true;
	}
	uid_t uid = 0;
	if (geteuid() == 0) {
		vm->uid_lock = jail_uid_claim(&uid);
		if (vm->uid_lock < 0) {
			return false;
		}
	}
	if (!jail_prepare(vm->jail, name, vm->runtime_dir, uid)) {
		return false;
	}
	if (uid != 0 && !jail_give_dir(vm->runtime_dir, uid, (gid_t)uid)) {
		return false;
	}
	wlr_log(WLR_DEBUG, "VM %s runs confined, as uid %u", name,
		(unsigned)(uid != 0 ? uid : geteuid()));
	return true;
}

// Forgets what the previous run left for inspection, as a new run begins.
static void run_reset(struct tinct_vm *vm)
{
	vm->stop_requested = false;
	vm->stop_phase = 0;
	vm->exited = false;
	vm->exit_code = 0;
	vm->exit_signal = 0;
	free(vm->crash_log);
	vm->crash_log = NULL;
	free(vm->reason);
	vm->reason = NULL;
	vm->line_len = 0;
	vm->control_ready = false;
	vm->last_line[0] = '\0';
	vm->panic_line[0] = '\0';
}

// A restore went wrong with QEMU still running: vm_exited() boots cold.
static void handle_restore_failed(void *data)
{
	struct tinct_vm *vm = data;
	signal_group(vm, SIGKILL);
}

// Spawns the VMM and enters STARTING. On failure, everything the run
// held (the console of a VM that waited for the KVM probe, too) is
// released and the state is unchanged. `cold`: never restore a snapshot.
static bool vm_launch(struct tinct_vm *vm, const char *extra_cmdline, bool kvm, bool cold)
{
	const struct tinct_vm_def *def = vm->def;
	bool ok = false;
	char *cmdline = NULL;
	int log_fd = -1;
	struct tinct_vmm_net_link *links = NULL;
	size_t links_len = 0;
	// A TAP and every port of a network VM, with room for child_spawn's own.
	_Static_assert(1 + TINCT_NETVM_MAX_PORTS < SPAWN_MAX_PASS_FDS, "too few passed fds");
	int pass_fds[SPAWN_MAX_PASS_FDS];
	size_t pass_len = 0;
	struct tinct_argv argv, jailed;
	argv_init(&argv);
	argv_init(&jailed);
	struct tinct_jail vmm_jail;
	jail_init(&vmm_jail);

	char *binary = vmm_program(vm);
	if (binary == NULL) {
		goto out;
	}
	const char *no_snapshot = NULL;
	bool snapshot = snapshot_eligible(def, extra_cmdline, &no_snapshot);
	cmdline = backend_kernel_cmdline(def, snapshot ? TINCT_SNAPSHOT_CMDLINE : extra_cmdline);
	if (cmdline == NULL) {
		goto out;
	}
	if (def->network == TINCT_VM_NETWORK_TAP ||
		(def->netvm && def->netvm_upstream == TINCT_NETVM_UPSTREAM_TAP)) {
		vm->tap_fd = tap_create("tinct%d", vm->tap_name);
		if (vm->tap_fd < 0) {
			goto out;
		}
	}
	if (!network_attach(vm, &links, &links_len)) {
		goto out;
	}
	// The TAP first (launch_for), then the network links.
	if (vm->tap_fd >= 0) {
		pass_fds[pass_len++] = vm->tap_fd;
	}
	pass_len += network_links_pass(
		links, links_len, pass_fds + pass_len, SPAWN_PASS_FD + (int)pass_len);
	struct tinct_vmm_launch launch = launch_for(vm, binary, cmdline);
	launch.net_links = links;
	launch.net_links_len = links_len;
	launch.kvm = def->vmm == TINCT_VMM_QEMU ? kvm : true;
	free(vm->crash_reason);
	vm->crash_reason = NULL;
	if (!jail_start(vm)) {
		goto out;
	}
	launch.confined = vm->jail->enabled;
	if (launch.confined && def->vmm == TINCT_VMM_QEMU && launch.kvm &&
		!jail_device_usable(vm->jail, "/dev/kvm")) {
		wlr_log(WLR_INFO, "VM %s: /dev/kvm is not open to the VM's uid; using TCG",
			def->name);
		launch.kvm = false;
	}
	// The clients listen before the VMM connects its channels to them.
	if (!waypipe_start(vm, &launch.waypipe_ports)) {
		goto out;
	}
	// The control channel listens before the VMM connects to it.
	if (def->vmm == TINCT_VMM_QEMU && def->guest_ready == TINCT_GUEST_READY_GUEST) {
		vm->control = control_create(
			vm->manager->loop, vm->control_path, def->name, handle_control_msg, vm);
		if (vm->control == NULL) {
			goto out;
		}
		launch.control_socket = vm->control_path;
	}
	// Confined, the device must be open to the VM's uid, not only to tinct.
	bool vsock = launch.confined ? jail_device_usable(vm->jail, "/dev/vhost-vsock")
				     : backend_vhost_vsock_usable();
	if (launch.waypipe_ports > 0 && def->vmm == TINCT_VMM_QEMU && vsock) {
		launch.vsock_cid = vsock_cid(vm);
	}
	if (!vm->backend->build_argv(&launch, &argv)) {
		wlr_log(WLR_ERROR, "VM %s: cannot build the VMM command line", def->name);
		goto out;
	}
	if (snapshot && launch.waypipe_ports > 0 && launch.vsock_cid == 0) {
		struct tinct_snapshot_config config = {
			.loop = vm->manager->loop,
			.cache = vm->manager->snapshot_cache,
			.def = def,
			.runtime_dir = vm->runtime_dir,
			.force_cold = cold,
			.restore_failed = handle_restore_failed,
			.guest_up = handle_snapshot_guest_up,
			.data = vm,
		};
		vm->snapshot = snapshot_run_create(&config, &argv);
	} else if (def->vmm == TINCT_VMM_QEMU) {
		wlr_log(WLR_INFO, "VM %s: cold boot without snapshot: %s", def->name,
			snapshot ? "no waypipe channel or a vsock device" : no_snapshot);
	}
	if (vm->snapshot == NULL) {
		snapshot_note_boot(vm->runtime_dir, "cold");
	}
	vm->kvm = launch.kvm;
	// The command backend's first word is the program; resolve it the same.
	if (def->vmm == TINCT_VMM_COMMAND) {
		free(argv.argv[0]);
		argv.argv[0] = strdup(binary);
		if (argv.argv[0] == NULL) {
			goto out;
		}
	}

	if (!console_start(vm)) {
		goto out;
	}
	if (vm->backend->serial_vmm_connects &&
		!console_open_serial(vm->console, vm->serial_path, true, SERIAL_TIMEOUT_MS)) {
		goto out;
	}

	// The sockets tinct listens on for this run are new (the serial socket
	// for crosvm, the control channel, the snapshot's): the VM's uid must
	// be able to connect to them.
	if (vm->uid_lock >= 0 && !jail_give_dir(vm->runtime_dir, vm->jail->uid, vm->jail->gid)) {
		goto out;
	}
	// The VM's uid may have put anything there in an earlier run.
	unlink(vm->log_path);
	log_fd = untrusted_open_write(vm->log_path, false);
	if (log_fd < 0) {
		wlr_log_errno(WLR_ERROR, "Cannot create %s", vm->log_path);
		goto out;
	}
	struct tinct_spawn spawn = spawn_vm_child(binary, argv.argv, log_fd);
	spawn.pass_fds = pass_fds;
	spawn.pass_fds_len = pass_len;
	if (launch.confined && (!jail_copy(&vmm_jail, vm->jail) ||
				       !backend_jail(vm->backend, &launch, &vmm_jail) ||
				       !jail_apply(&vmm_jail, &spawn, &jailed))) {
		wlr_log(WLR_ERROR, "VM %s: out of memory confining the VMM", def->name);
		goto out;
	}
	argv_log("Starting VMM", launch.confined ? &jailed : &argv);
	vm->vmm = child_spawn(vm->manager->loop, &spawn,
		TINCT_CHILD_KILL_GROUP | TINCT_CHILD_WAIT_ALL, handle_vmm_exit, vm);
	if (vm->vmm == NULL) {
		goto out;
	}
	vm->stop_timer = wl_event_loop_add_timer(vm->manager->loop, handle_stop_timer, vm);
	if (vm->stop_timer == NULL) {
		wlr_log(WLR_ERROR, "VM %s: cannot watch the VMM", def->name);
		goto out;
	}
	if (!vm->backend->serial_vmm_connects &&
		!console_open_serial(vm->console, vm->serial_path, false, SERIAL_TIMEOUT_MS)) {
		goto out;
	}
	wlr_log(WLR_INFO, "VM %s: started %s as %d (%s)", def->name, vm->backend->name,
		(int)child_pid(vm->vmm), launch.kvm ? "KVM" : "TCG");
	if (vm->state != TINCT_VM_STARTING) {
		run_reset(vm);
	}
	set_state(vm, TINCT_VM_STARTING);
	ok = true;

out:
	if (!ok) {
		// The VMM goes before its console is drained.
		child_destroy(vm->vmm);
		vm->vmm = NULL;
		run_cleanup(vm, false);
	}
	if (log_fd >= 0) {
		close(log_fd);
	}
	argv_finish(&argv);
	argv_finish(&jailed);
	jail_finish(&vmm_jail);
	network_links_free(links, links_len);
	free(cmdline);
	free(binary);
	return ok;
}

// Enters STARTING without a VMM until the KVM probe has a result. The
// console relay is up already, so the runtime directory counts as in use
// and an early attacher sees the boot from its first line.
static bool vm_wait_for_kvm(struct tinct_vm *vm, const char *extra_cmdline)
{
	if (extra_cmdline != NULL) {
		vm->extra_cmdline = strdup(extra_cmdline);
		if (vm->extra_cmdline == NULL) {
			wlr_log(WLR_ERROR, "Out of memory starting VM %s", vm->def->name);
			return false;
		}
	}
	if (!console_start(vm)) {
		free(vm->extra_cmdline);
		vm->extra_cmdline = NULL;
		return false;
	}
	run_reset(vm);
	vm->waiting_for_kvm = true;
	wlr_log(WLR_INFO, "VM %s: waiting for the KVM probe", vm->def->name);
	set_state(vm, TINCT_VM_STARTING);
	return true;
}

// Ends the wait for the KVM probe without a VMM ever having run.
static void vm_cancel_wait(struct tinct_vm *vm)
{
	vm->waiting_for_kvm = false;
	free(vm->extra_cmdline);
	vm->extra_cmdline = NULL;
	vm->stop_requested = true;
	run_cleanup(vm, false);
	set_state(vm, TINCT_VM_STOPPED);
}

static void handle_kvm_probe_done(struct wl_listener *listener, void *data)
{
	struct tinct_vm_manager *manager = wl_container_of(listener, manager, kvm_probe_done);
	enum tinct_kvm_result *result = data;
	struct tinct_vm *vm, *tmp;
	wl_list_for_each_safe (vm, tmp, &manager->vms, link) {
		if (!vm->waiting_for_kvm) {
			continue;
		}
		vm->waiting_for_kvm = false;
		char *extra_cmdline = vm->extra_cmdline;
		vm->extra_cmdline = NULL;
		bool ok = vm_launch(vm, extra_cmdline, *result == TINCT_KVM_USABLE, false);
		free(extra_cmdline);
		if (!ok) {
			// vm_start() has long returned true: report it like a VMM
			// that died at once.
			vm->exit_code = -1;
			vm->exit_signal = 0;
			free(vm->crash_log);
			vm->crash_log = NULL;
			crash(vm, "tinct could not start the VMM (see tinct's log)");
		}
	}
}

bool vm_start(struct tinct_vm *vm, const char *extra_cmdline)
{
	if (is_active(vm)) {
		wlr_log(WLR_ERROR, "VM %s is already %s", vm->def->name, vm_state_name(vm->state));
		return false;
	}
	const struct tinct_vm_def *def = vm->def;
	// The console a crash left for reading goes: this is a new run.
	console_teardown(vm);
	char missing[512];
	if (!vm_def_check_files(def, missing, sizeof(missing))) {
		run_reset(vm);
		crash(vm, missing);
		return false;
	}
	if (!mkdir_private(vm->manager->runtime_root)) {
		return false;
	}
	struct stat st;
	if (geteuid() == 0 && lstat(vm->runtime_dir, &st) == 0 && S_ISDIR(st.st_mode) &&
		st.st_uid != 0 && !jail_give_dir(vm->runtime_dir, 0, 0)) {
		// A run that never cleaned up (tinct was killed) left it to its uid.
		return false;
	}
	if (!mkdir_private(vm->runtime_dir)) {
		return false;
	}
	if (runtime_dir_in_use(vm)) {
		wlr_log(WLR_ERROR, "VM %s is already running elsewhere (%s answers)", def->name,
			vm->console_path);
		return false;
	}
	// Its network VM first, once nothing of its own stands in the way.
	if (!network_start_first(vm)) {
		return false;
	}
	unlink(vm->serial_path);
	unlink(vm->api_path);

	bool kvm = true;
	if (def->vmm == TINCT_VMM_QEMU) {
		char *program = vmm_program(vm);
		if (program == NULL) {
			return false;
		}
		/* Without a kernel of its own, verify with the demo kernel if there is one. */
		char *kernel = NULL;
		if (def->kernel != NULL) {
			kernel = strdup(def->kernel);
		} else if (asprintf(&kernel, "%s/vmlinuz", vm->manager->images_dir) < 0) {
			kernel = NULL;
		} else if (access(kernel, R_OK) != 0) {
			free(kernel);
			kernel = NULL;
		}
		enum tinct_kvm_result result =
			kvm_probe_start(vm->manager->kvm_probe, program, kernel);
		free(kernel);
		free(program);
		if (result == TINCT_KVM_UNKNOWN) {
			return vm_wait_for_kvm(vm, extra_cmdline);
		}
		kvm = result == TINCT_KVM_USABLE;
	}
	return vm_launch(vm, extra_cmdline, kvm, false);
}

void vm_stop(struct tinct_vm *vm)
{
	if (vm->state != TINCT_VM_STARTING && vm->state != TINCT_VM_BOOTING &&
		vm->state != TINCT_VM_RUNNING) {
		return;
	}
	if (vm->waiting_for_kvm) {
		vm_cancel_wait(vm);
		return;
	}
	vm->stop_requested = true;
	set_state(vm, TINCT_VM_STOPPING);
	if (request_graceful_stop(vm)) {
		vm->stop_phase = 0;
		vm->stop_deadline_ms = now_ms() + vm->def->stop_timeout_ms;
		bool repeat = vm->backend->stop_repeat != NULL &&
			      vm->def->stop_timeout_ms > POWERDOWN_REPEAT_MS;
		stop_timer_arm(vm, repeat ? POWERDOWN_REPEAT_MS : (int)vm->def->stop_timeout_ms);
	} else {
		vm->stop_phase = 1;
		signal_group(vm, SIGTERM);
		stop_timer_arm(vm, KILL_GRACE_MS);
	}
}

void vm_kill(struct tinct_vm *vm)
{
	if (!is_active(vm)) {
		return;
	}
	if (vm->waiting_for_kvm) {
		vm_cancel_wait(vm);
		return;
	}
	vm->stop_requested = true;
	vm->stop_phase = 2;
	signal_group(vm, SIGKILL);
	set_state(vm, TINCT_VM_STOPPING);
}

const char *vm_name(struct tinct_vm *vm)
{
	return vm->def->name;
}

const char *vm_console_path(struct tinct_vm *vm)
{
	return vm->console_path;
}

const char *vm_runtime_dir(struct tinct_vm *vm)
{
	return vm->runtime_dir;
}

pid_t vm_pid(struct tinct_vm *vm)
{
	return vm->vmm != NULL ? child_pid(vm->vmm) : 0;
}

const char *vm_tap_name(struct tinct_vm *vm)
{
	return vm->tap_fd >= 0 ? vm->tap_name : NULL;
}

bool vm_console_write(struct tinct_vm *vm, const void *data, size_t len)
{
	return vm->console != NULL && console_write(vm->console, data, len);
}

const char *vm_crash_log(struct tinct_vm *vm)
{
	return vm->crash_log;
}

const char *vm_reason(struct tinct_vm *vm)
{
	return vm->state == TINCT_VM_CRASHED ? vm->reason : NULL;
}

bool vm_exit_status(struct tinct_vm *vm, int *status, int *signal)
{
	if (vm->state != TINCT_VM_CRASHED || !vm->exited) {
		return false;
	}
	*status = vm->exit_code;
	*signal = vm->exit_signal;
	return true;
}

const char *vm_console_last_line(struct tinct_vm *vm)
{
	return vm->last_line;
}

bool vm_has_console(struct tinct_vm *vm)
{
	return vm->console != NULL;
}

bool vm_run_app(struct tinct_vm *vm, size_t index, char *message, size_t size)
{
	const struct tinct_vm_def *def = vm->def;
	if (index >= def->guest_runs_len) {
		snprintf(message, size, "VM %s has no application %zu (it has %zu)", def->name,
			index, def->guest_runs_len);
		return false;
	}
	if (vm->state != TINCT_VM_RUNNING) {
		snprintf(message, size, "VM %s is %s, not running", def->name,
			vm_state_name(vm->state));
		return false;
	}
	// Only a guest that said ready on the channel reads it.
	if (!vm->control_ready || !control_send_run(vm->control, (unsigned)index)) {
		snprintf(message, size,
			"VM %s's guest does not take commands (its image has no tinct control "
			"channel)",
			def->name);
		return false;
	}
	wlr_log(WLR_INFO, "VM %s: asked the guest to start %s", def->name,
		vm_def_app_name(def, index));
	return true;
}

static void vm_destroy(struct tinct_vm *vm)
{
	if (vm == NULL) {
		return;
	}
	wl_signal_emit(&vm->events.destroy, vm);
	// The VMM goes before its console is drained.
	child_destroy(vm->vmm);
	vm->vmm = NULL;
	run_cleanup(vm, false);
	network_vm_destroy(vm);
	wl_list_remove(&vm->link);
	vm_def_destroy(vm->def);
	free(vm->runtime_dir);
	free(vm->serial_path);
	free(vm->api_path);
	free(vm->console_path);
	free(vm->log_path);
	free(vm->extra_cmdline);
	free(vm->waypipe_log_path);
	free(vm->crash_log);
	free(vm->crash_reason);
	free(vm->reason);
	free(vm->control_path);
	free(vm->jail);
	free(vm);
}

struct tinct_vm *vm_manager_find(struct tinct_vm_manager *manager, const char *name)
{
	struct tinct_vm *vm;
	wl_list_for_each (vm, &manager->vms, link) {
		if (strcmp(vm->def->name, name) == 0) {
			return vm;
		}
	}
	return NULL;
}

struct tinct_vm *vm_manager_add(struct tinct_vm_manager *manager, struct tinct_vm_def *def)
{
	if (vm_manager_find(manager, def->name) != NULL) {
		wlr_log(WLR_ERROR, "VM %s is already defined", def->name);
		vm_def_destroy(def);
		return NULL;
	}
	struct tinct_vm *vm = calloc(1, sizeof(*vm));
	if (vm == NULL) {
		wlr_log(WLR_ERROR, "Out of memory adding VM %s", def->name);
		vm_def_destroy(def);
		return NULL;
	}
	vm->manager = manager;
	vm->def = def;
	wl_list_remove(&def->link);
	wl_list_init(&def->link);
	vm->backend = backend_for(def->vmm);
	vm->tap_fd = -1;
	vm->uid_lock = -1;
	vm->jail = calloc(1, sizeof(*vm->jail));
	vm->net_port = -1;
	wl_signal_init(&vm->events.console_output);
	wl_signal_init(&vm->events.destroy);
	wl_list_init(&vm->link);
	if (vm->jail == NULL ||
		asprintf(&vm->runtime_dir, "%s/%s", manager->runtime_root, def->name) < 0 ||
		asprintf(&vm->serial_path, "%s/%s", vm->runtime_dir,
			vm->backend->serial_socket_name) < 0 ||
		asprintf(&vm->api_path, "%s/%s", vm->runtime_dir, vm->backend->api_socket_name) <
			0 ||
		asprintf(&vm->console_path, "%s/%s.console", manager->runtime_root, def->name) <
			0 ||
		asprintf(&vm->log_path, "%s/vmm.log", vm->runtime_dir) < 0 ||
		asprintf(&vm->waypipe_log_path, "%s/waypipe.log", vm->runtime_dir) < 0 ||
		asprintf(&vm->control_path, "%s/" TINCT_CONTROL_SOCKET_NAME, vm->runtime_dir) < 0) {
		wlr_log(WLR_ERROR, "Out of memory adding VM %s", def->name);
		vm_destroy(vm);
		return NULL;
	}
	wl_list_insert(manager->vms.prev, &vm->link);
	wl_signal_emit(&manager->events.vm_added, vm);
	return vm;
}

struct tinct_vm_manager *vm_manager_create(struct wl_event_loop *loop, const char *images_dir)
{
	const char *runtime = getenv("XDG_RUNTIME_DIR");
	if (runtime == NULL || runtime[0] != '/') {
		wlr_log(WLR_ERROR, "XDG_RUNTIME_DIR is not set to an absolute path");
		return NULL;
	}
	struct tinct_vm_manager *manager = calloc(1, sizeof(*manager));
	if (manager == NULL) {
		wlr_log(WLR_ERROR, "Out of memory creating the VM manager");
		return NULL;
	}
	manager->loop = loop;
	wl_list_init(&manager->vms);
	wl_signal_init(&manager->events.state_changed);
	wl_signal_init(&manager->events.vm_added);
	manager->kvm_probe = kvm_probe_create(loop);
	if (manager->kvm_probe == NULL) {
		free(manager);
		return NULL;
	}
	manager->kvm_probe_done.notify = handle_kvm_probe_done;
	wl_signal_add(&manager->kvm_probe->events.done, &manager->kvm_probe_done);
	manager->snapshot_cache = snapshot_cache_create();
	network_init(manager);
	manager->images_dir = images_dir ? strdup(images_dir) : vm_def_images_dir();
	if (manager->images_dir == NULL || manager->snapshot_cache == NULL ||
		asprintf(&manager->runtime_root, "%s/tinct", runtime) < 0) {
		wlr_log(WLR_ERROR, "Out of memory creating the VM manager");
		manager->runtime_root = NULL;
		vm_manager_destroy(manager);
		return NULL;
	}
	return manager;
}

void vm_manager_destroy(struct tinct_vm_manager *manager)
{
	if (manager == NULL) {
		return;
	}
	network_finish(manager);
	struct tinct_vm *vm, *tmp;
	wl_list_for_each_safe (vm, tmp, &manager->vms, link) {
		vm_destroy(vm);
	}
	wl_list_remove(&manager->kvm_probe_done.link);
	kvm_probe_destroy(manager->kvm_probe);
	snapshot_cache_destroy(manager->snapshot_cache);
	free(manager->images_dir);
	free(manager->runtime_root);
	free(manager);
}

int vm_manager_load(struct tinct_vm_manager *manager, const char *extra_dir,
	void (*report)(void *data, const char *message), void *data)
{
	char **dirs = vm_def_search_dirs(extra_dir);
	if (dirs == NULL) {
		wlr_log(WLR_ERROR, "Out of memory listing VM directories");
		return 1;
	}
	struct wl_list defs;
	wl_list_init(&defs);
	// Names the manager already has count as defined.
	struct tinct_vm *vm;
	wl_list_for_each (vm, &manager->vms, link) {
		wl_list_insert(defs.prev, &vm->def->link);
	}
	int errors = vm_def_load_dirs(
		&defs, (const char *const *)dirs, manager->images_dir, report, data);
	vm_def_free_dirs(dirs);
	wl_list_for_each (vm, &manager->vms, link) {
		wl_list_remove(&vm->def->link);
		wl_list_init(&vm->def->link);
	}
	struct tinct_vm_def *def, *tmp;
	wl_list_for_each_safe (def, tmp, &defs, link) {
		if (manager->check_def != NULL &&
			!manager->check_def(manager->check_def_data, def, report, data)) {
			vm_def_destroy(def); // also unlinks it
			errors++;
			continue;
		}
		if (vm_manager_add(manager, def) == NULL) {
			errors++;
		}
	}
	return errors;
}

void vm_manager_stop_all(struct tinct_vm_manager *manager)
{
	struct tinct_vm *vm;
	wl_list_for_each (vm, &manager->vms, link) {
		vm_stop(vm);
	}
}

bool vm_manager_any_active(struct tinct_vm_manager *manager)
{
	struct tinct_vm *vm;
	wl_list_for_each (vm, &manager->vms, link) {
		if (is_active(vm)) {
			return true;
		}
	}
	return false;
}

void vm_manager_shutdown(struct tinct_vm_manager *manager)
{
	uint32_t longest = 0;
	struct tinct_vm *vm;
	wl_list_for_each (vm, &manager->vms, link) {
		if (is_active(vm) && vm->def->stop_timeout_ms > longest) {
			longest = vm->def->stop_timeout_ms;
		}
	}
	vm_manager_stop_all(manager);
	// VMs that waited for the probe are stopped now: nobody needs it.
	kvm_probe_cancel(manager->kvm_probe);
	// The stop timers escalate to SIGKILL on their own; the deadline only
	// guards against a VMM stuck in the kernel.
	int64_t deadline = now_ms() + longest + 2 * KILL_GRACE_MS + 1000;
	while (vm_manager_any_active(manager)) {
		int64_t left = deadline - now_ms();
		if (left <= 0) {
			wlr_log(WLR_ERROR, "VMs did not stop in time");
			break;
		}
		wl_event_loop_dispatch(manager->loop, (int)(left < 100 ? left : 100));
	}
}

bool vm_manager_probe_kvm(struct tinct_vm_manager *manager)
{
	char *program = NULL;
	char *kernel = NULL;
	struct tinct_vm *vm;
	wl_list_for_each (vm, &manager->vms, link) {
		if (vm->def->vmm == TINCT_VMM_QEMU && vm->def->kernel != NULL) {
			program = vmm_program(vm);
			kernel = strdup(vm->def->kernel);
			break;
		}
	}
	if (program == NULL || kernel == NULL) {
		free(program);
		free(kernel);
		program = spawn_find_program(backend_qemu.default_binary);
		kernel = NULL;
		if (asprintf(&kernel, "%s/vmlinuz", manager->images_dir) < 0) {
			kernel = NULL;
		}
	}
	bool ok = program != NULL && kernel != NULL && access(kernel, R_OK) == 0;
	if (!ok) {
		// A probe without a kernel to boot would trust the `hlt` guest,
		// which broken nested KVM passes: leave it to the first start.
		wlr_log(WLR_DEBUG, "No QEMU and kernel to probe KVM with yet");
	} else {
		kvm_probe_start(manager->kvm_probe, program, kernel);
	}
	free(program);
	free(kernel);
	return ok;
}
