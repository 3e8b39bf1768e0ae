/*
 * VMs and their manager: the public API of the vmm library, used by the
 * compositor and by tinct-vm.
 *
 * Each VM runs as one VMM process, started with a clean environment, no
 * inherited descriptors other than the ones passed on purpose, in its own
 * process group, and watched with a pidfd on the owner's wl_event_loop.
 *
 * States:
 *   STOPPED  -> STARTING   vm_start(): the VMM process was spawned, or,
 *                          for QEMU while the KVM probe runs, the VM
 *                          waits for its result (no VMM yet, vm_pid() 0)
 *   STARTING -> BOOTING    the serial console is connected (or, when it
 *                          never appears, the wait for it timed out and
 *                          the VM goes on without a console); the guest
 *                          has not said it is up yet
 *   BOOTING  -> RUNNING    the guest said it is ready: `ready` on the
 *                          control channel (control.h) or the line
 *                          `tinct-guest: ready` on the serial console
 *   STARTING -> RUNNING    [guest] ready = console (the default for
 *                          vmm = command): once the console is connected
 *   *        -> STOPPING   vm_stop()/vm_kill()
 *   STOPPING -> STOPPED    the VMM exited after a stop request
 *   STARTING -> STOPPED    vm_stop()/vm_kill() while waiting for the KVM
 *                          probe: there is nothing to stop
 *   RUNNING  -> STOPPED    the VMM exited with status 0 by itself (the
 *                          guest powered off)
 *   *        -> CRASHED    the VMM exited otherwise without a stop
 *                          request, or after the guest's kernel panicked;
 *                          also when the VMM could not be spawned after
 *                          waiting for the KVM probe
 *   STOPPED  -> CRASHED    vm_start() found the kernel, initrd or a disk
 *                          missing: no VMM was started
 * CRASHED behaves like STOPPED: vm_start() works again. A crash keeps
 * vm_reason() (one line: exit status or signal and the VMM's last
 * meaningful words, or what was missing), the exit status and the last
 * lines of vmm.log (vm_crash_log), and the console relay with its
 * backlog, so the end of the boot (a kernel panic) stays readable until
 * the VM starts again.
 *
 * KVM: QEMU VMs use KVM when a probe says it works (kvm.h). The probe
 * runs in child processes watched on the owner's loop and can take
 * seconds (a hanging nested KVM is only given up after a timeout), so it
 * never runs inside vm_start(): VMs started meanwhile wait in STARTING
 * and are all launched when it finishes, with KVM or with TCG. Start it
 * early with vm_manager_probe_kvm(). TINCT_KVM=0|1 skips it; TINCT_KVM=hang
 * makes the probe hang as broken nested KVM does (for tests).
 *
 * Stopping is graceful first (QMP system_powerdown, pressed again every
 * 2 s because a guest still booting ignores presses; crosvm powerbtn;
 * ch-remote power-button), then SIGTERM to the process group after the
 * definition's stop-timeout, then SIGKILL 3 s later. A VMM is spawned with
 * PR_SET_PDEATHSIG, so even a crashed owner leaves no VMM behind.
 *
 * Runtime directory: $XDG_RUNTIME_DIR/tinct/<vm>/ (0700), holding the
 * VMM's sockets and `vmm.log` (the VMM's stdout and stderr). It is the
 * VM's (its uid's, its VMM's sandbox's) while it runs, so tinct treats
 * what it finds there as the VM's (common/untrusted_dir.h). The console
 * relay socket (protocol in console.h), which host clients trust, is
 * $XDG_RUNTIME_DIR/tinct/<vm>.console, out of the VM's reach.
 *
 * Confinement: the VMM, its stop helper and the waypipe clients run
 * inside bubblewrap (jail.h) unless the definition says confine = false;
 * without bwrap such a VM does not start. Where tinct runs as root, each
 * run of a VM gets a uid of its own, which owns the runtime directory and
 * the display sockets in it until the VMM has exited.
 *
 * wayland = waypipe: when the VM's display socket `<runtime dir>/wayland`
 * exists at vm_start() (the compositor creates it first), one waypipe
 * client per channel runs next to the VMM (waypipe.h), logging to
 * `waypipe.log`; they stop with the VMM. A waypipe client killed by a
 * signal kills the VMM, and the VM ends CRASHED with that reason first in
 * vm_crash_log. Without the socket (tinct-vm) the VM runs without channels.
 *
 * Snapshots (snapshot.h): an application VM's first start boots cold and
 * saves the ready guest; later starts restore it. A restore that fails is
 * followed by a cold boot within the same STARTING state. `<runtime
 * dir>/boot` says how the current run started.
 *
 * network = NAME (network.h): vm_start() starts the network VM NAME first
 * when it is not active; the VM's NIC is joined to a port of it.
 */
#ifndef TINCT_VMM_VM_H
#define TINCT_VMM_VM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <wayland-server-core.h>

struct tinct_child;
struct tinct_jail;
struct tinct_kvm_probe;
struct tinct_net_ports;
struct tinct_qmp;
struct tinct_snapshot;
struct tinct_snapshot_cache;
struct tinct_vm_def;
struct tinct_vmm_stop;

// The values are those of the VM-manager protocol's state enum.
enum tinct_vm_state {
	TINCT_VM_STOPPED = 0,
	TINCT_VM_STARTING = 1,
	TINCT_VM_RUNNING = 2,
	TINCT_VM_STOPPING = 3,
	TINCT_VM_CRASHED = 4,
	TINCT_VM_BOOTING = 5,
};

// Bytes kept of the console's latest line (vm_console_last_line).
#define TINCT_VM_LINE_MAX 160

struct tinct_vm;

/** Data of tinct_vm_manager.events.state_changed. */
struct tinct_vm_state_event {
	struct tinct_vm *vm;
	enum tinct_vm_state old_state;
	enum tinct_vm_state new_state;
};

/** Data of tinct_vm.events.console_output. */
struct tinct_vm_output_event {
	struct tinct_vm *vm;
	const char *data;
	size_t len;
};

struct tinct_vm_manager {
	struct wl_event_loop *loop;
	char *runtime_root; // $XDG_RUNTIME_DIR/tinct
	char *images_dir;
	struct wl_list vms; // tinct_vm.link, in load order

	/*
	 * Optional, set by the caller: checks a loaded definition against what
	 * only the caller knows (tinct's frame colours). false, with the error
	 * reported, leaves the VM undefined, as any definition error does.
	 */
	bool (*check_def)(void *data, const struct tinct_vm_def *def,
		void (*report)(void *report_data, const char *message), void *report_data);
	void *check_def_data;

	struct {
		// struct tinct_vm_state_event *; old and new are both CRASHED
		// when a crashed VM failed to start again, with a new reason
		struct wl_signal state_changed;
		// struct tinct_vm *: a VM was added (loaded or vm_manager_add)
		struct wl_signal vm_added;
	} events;

	// Private to vm.c.
	struct tinct_kvm_probe *kvm_probe;
	struct wl_listener kvm_probe_done;
	struct tinct_snapshot_cache *snapshot_cache;
	struct wl_listener network_state; // network.c
};

struct tinct_vm {
	struct tinct_vm_manager *manager;
	struct tinct_vm_def *def; // owned
	enum tinct_vm_state state;
	struct wl_list link; // tinct_vm_manager.vms

	struct {
		// struct tinct_vm_output_event *: bytes from the serial console
		struct wl_signal console_output;
		// struct tinct_vm *: the VM is about to be freed
		struct wl_signal destroy;
	} events;

	// Everything below is private to vm.c.
	const struct tinct_vmm_backend *backend;
	char *runtime_dir;
	char *serial_path;
	char *api_path;
	char *console_path;
	char *log_path;
	// While waiting for the KVM probe: this boot's extra kernel command line.
	bool waiting_for_kvm;
	char *extra_cmdline;
	struct tinct_child *vmm; // while the VMM runs or until its exit is handled
	bool stop_requested;
	struct wl_event_source *stop_timer;
	int stop_phase; // 0 graceful, 1 SIGTERM sent, 2 SIGKILL sent
	int64_t stop_deadline_ms; // CLOCK_MONOTONIC end of the graceful phase
	struct tinct_vmm_stop *stop; // the graceful stop under way, or NULL
	int tap_fd;
	char tap_name[16];
	int net_port; // network = NAME: its port there while it runs, else -1
	bool net_link_down; // its link was set down (network.c)
	struct tinct_qmp *net_qmp; // a link state change under way (network.c)
	struct tinct_net_ports *net_ports; // a network VM's ports (network.c)
	struct tinct_console *console;
	struct wl_listener console_output;
	struct wl_listener serial_ready;
	struct tinct_waypipe_set *waypipe;
	char *waypipe_log_path;
	char *control_path;
	struct tinct_control *control; // QEMU with [guest] ready = guest
	bool control_ready; // the guest said ready on it this run
	// This run's confinement (jail.h), shared by the VMM's, stop helper's
	// and waypipe's; disabled with confine = false.
	struct tinct_jail *jail;
	int uid_lock; // holds the VM's uid (tinct is root), else -1
	char *crash_reason; // set when something other than the VMM failed
	bool exited; // the VMM of the last run exited (exit_code, exit_signal)
	struct tinct_snapshot *snapshot; // this run's snapshot (snapshot.h), or NULL
	bool kvm; // this run uses KVM
	int exit_code; // -1 when killed by a signal
	int exit_signal; // 0 when it exited
	char *crash_log;
	char *reason; // why the VM crashed, one line; NULL otherwise
	// The console's lines, for readiness and boot progress.
	char line[256];
	size_t line_len;
	char last_line[TINCT_VM_LINE_MAX];
	char panic_line[TINCT_VM_LINE_MAX]; // a kernel panic seen in this run
};

/**
 * Creates a manager driven by `loop`. Needs XDG_RUNTIME_DIR. `images_dir`
 * may be NULL for the default (vm-def.h). Returns NULL on failure (logged).
 */
struct tinct_vm_manager *vm_manager_create(struct wl_event_loop *loop, const char *images_dir);
/**
 * Kills every VM that is still running (SIGKILL, reaped before returning),
 * cancels a running KVM probe (its children are killed; one stuck in the
 * kernel delays this by at most 1 s) and frees everything. Call
 * vm_manager_shutdown() first for a graceful exit. NULL is a no-op.
 */
void vm_manager_destroy(struct tinct_vm_manager *manager);

/**
 * Loads the definitions from the search path (vm-def.h), `extra_dir`
 * first (may be NULL). Broken files are reported through `report` (or
 * wlr_log when NULL) and skipped. Returns the number of errors.
 */
int vm_manager_load(struct tinct_vm_manager *manager, const char *extra_dir,
	void (*report)(void *data, const char *message), void *data);
/** Takes ownership of `def` (destroyed on failure). NULL if the name is taken. */
struct tinct_vm *vm_manager_add(struct tinct_vm_manager *manager, struct tinct_vm_def *def);
struct tinct_vm *vm_manager_find(struct tinct_vm_manager *manager, const char *name);
/** Asks every active VM to stop gracefully. */
void vm_manager_stop_all(struct tinct_vm_manager *manager);
/** true while any VM is starting, running or stopping. */
bool vm_manager_any_active(struct tinct_vm_manager *manager);
/**
 * Stops every VM gracefully, cancels a running KVM probe and dispatches
 * the loop until all are stopped: at most the longest stop-timeout plus
 * the SIGKILL grace. For the owner's exit, so guest disks are not cut
 * mid-write.
 */
void vm_manager_shutdown(struct tinct_vm_manager *manager);
/**
 * Starts the KVM probe now, so that the first QEMU VM need not wait for
 * it: the compositor calls this at startup, after vm_manager_load(). It
 * probes with the first QEMU VM's binary and kernel, else with
 * qemu-system-x86_64 and the images directory's vmlinuz. Never blocks.
 * Returns false when there is nothing to probe with (the probe then runs
 * at the first QEMU VM's start) or it could not start (logged).
 */
bool vm_manager_probe_kvm(struct tinct_vm_manager *manager);

/**
 * Starts the VM. `extra_cmdline` (may be NULL) is appended to the kernel
 * command line for this boot only. Never blocks: a QEMU VM whose KVM
 * probe has no result yet is left STARTING and launched when it has (see
 * above). Returns false (logged) when the VMM could not be spawned; the
 * state is then unchanged.
 */
bool vm_start(struct tinct_vm *vm, const char *extra_cmdline);
/**
 * Graceful stop (see above). No-op unless starting or running. A VM still
 * waiting for the KVM probe goes straight to STOPPED.
 */
void vm_stop(struct tinct_vm *vm);
/**
 * SIGKILL to the VMM's process group; the VM ends STOPPED (at once when
 * it was still waiting for the KVM probe).
 */
void vm_kill(struct tinct_vm *vm);

const char *vm_name(struct tinct_vm *vm);
const char *vm_state_name(enum tinct_vm_state state);
/** The console relay socket (exists while the VM is active). */
const char *vm_console_path(struct tinct_vm *vm);
const char *vm_runtime_dir(struct tinct_vm *vm);
/** The VMM's pid while active, else 0. */
pid_t vm_pid(struct tinct_vm *vm);
/** The TAP device's name while active with network = tap, else NULL. */
const char *vm_tap_name(struct tinct_vm *vm);
/** Sends keystrokes to the serial console; false when there is none. */
bool vm_console_write(struct tinct_vm *vm, const void *data, size_t len);
/** The last lines of vmm.log after a crash, else NULL. */
const char *vm_crash_log(struct tinct_vm *vm);
/**
 * Why the VM crashed, one printable line ("VMM exited with status 1:
 * qemu-system-x86_64: ...", "kernel /x/vmlinuz: No such file or
 * directory"), else NULL.
 */
const char *vm_reason(struct tinct_vm *vm);
/**
 * After a crash of a VMM that ran: true, with its exit status (-1 when it
 * was killed) and signal (0 when it exited). False otherwise.
 */
bool vm_exit_status(struct tinct_vm *vm, int *status, int *signal);
/** The latest non-empty line of console output, printable, "" when none. */
const char *vm_console_last_line(struct tinct_vm *vm);
/** Whether the console relay socket exists: while active, and after a crash. */
bool vm_has_console(struct tinct_vm *vm);
/**
 * Asks the running guest to start application `index` (its `[guest] run`
 * entry) on a free Wayland channel, over the control channel. Returns
 * false with a sentence in `message` when it cannot be asked.
 */
bool vm_run_app(struct tinct_vm *vm, size_t index, char *message, size_t size);

#endif
