/*
 * What all backends share: the kernel command line, extra arguments, and
 * the KVM probe that decides between hardware acceleration and TCG.
 */
#include "backend.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include <wlr/util/log.h>

#include "argv.h"
#include "child.h"
#include "qmp.h"
#include "spawn.h"

#define KVM_PROBE_TIMEOUT_MS 2000
#define KVM_BOOT_PROBE_TIMEOUT_MS 5000
// How long SIGKILL may take before a probe child counts as stuck.
#define KVM_PROBE_KILL_GRACE_MS 1000

const struct tinct_vmm_backend *backend_for(enum tinct_vmm_kind kind)
{
	switch (kind) {
	case TINCT_VMM_QEMU:
		return &backend_qemu;
	case TINCT_VMM_CLOUD_HYPERVISOR:
		return &backend_cloud_hypervisor;
	case TINCT_VMM_CROSVM:
		return &backend_crosvm;
	case TINCT_VMM_COMMAND:
		return &backend_command;
	}
	return NULL;
}

static void base64_encode(const char *in, size_t len, char *out)
{
	static const char table[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	const unsigned char *p = (const unsigned char *)in;
	size_t o = 0;
	for (size_t i = 0; i < len; i += 3) {
		uint32_t v = (uint32_t)p[i] << 16;
		if (i + 1 < len) {
			v |= (uint32_t)p[i + 1] << 8;
		}
		if (i + 2 < len) {
			v |= p[i + 2];
		}
		out[o++] = table[(v >> 18) & 63];
		out[o++] = table[(v >> 12) & 63];
		out[o++] = i + 1 < len ? table[(v >> 6) & 63] : '=';
		out[o++] = i + 2 < len ? table[v & 63] : '=';
	}
	out[o] = '\0';
}

char *backend_kernel_cmdline(const struct tinct_vm_def *def, const char *extra)
{
	char *cmdline = NULL;
	int ret = asprintf(&cmdline, "console=ttyS0 tinct.name=%s%s%s", def->name,
		def->cmdline ? " " : "", def->cmdline ? def->cmdline : "");
	if (ret < 0) {
		return NULL;
	}
	// Applications for the guest init (vmm/images/README.md): base64, so
	// that blanks and quotes survive the kernel's parameter splitting.
	for (size_t i = 0; def->wayland_kind == TINCT_VM_WAYLAND_WAYPIPE && i < def->guest_runs_len;
		i++) {
		size_t len = strlen(def->guest_runs[i]);
		char *encoded = malloc(4 * ((len + 2) / 3) + 1);
		char *grown = NULL;
		if (encoded != NULL) {
			base64_encode(def->guest_runs[i], len, encoded);
			ret = asprintf(&grown, "%s tinct.app.%zu=%s", cmdline, i, encoded);
		}
		free(encoded);
		free(cmdline);
		if (encoded == NULL || ret < 0) {
			return NULL;
		}
		cmdline = grown;
	}
	if (extra != NULL) {
		char *grown = NULL;
		ret = asprintf(&grown, "%s %s", cmdline, extra);
		free(cmdline);
		cmdline = ret < 0 ? NULL : grown;
	}
	return cmdline;
}

char *backend_waypipe_socket(
	const struct tinct_vmm_backend *backend, const char *runtime_dir, unsigned index)
{
	if (backend->waypipe_socket_prefix == NULL) {
		return NULL;
	}
	unsigned n = backend->waypipe_vsock_port ? TINCT_WAYPIPE_VSOCK_PORT + index : index;
	char *path = NULL;
	return asprintf(&path, "%s/%s%u%s", runtime_dir, backend->waypipe_socket_prefix, n,
		       backend->waypipe_socket_suffix) < 0
		       ? NULL
		       : path;
}

struct tinct_vmm_stop *backend_stop_create(
	const struct tinct_vmm_launch *launch, const struct tinct_vmm_stop_request *request)
{
	struct tinct_vmm_stop *stop = calloc(1, sizeof(*stop));
	if (stop == NULL || (stop->vm_name = strdup(launch->def->name)) == NULL) {
		wlr_log(WLR_ERROR, "VM %s: out of memory stopping it", launch->def->name);
		free(stop);
		return NULL;
	}
	stop->request = *request;
	return stop;
}

static void handle_helper_exit(void *data, const siginfo_t *info)
{
	struct tinct_vmm_stop *stop = data;
	if (info->si_code != CLD_EXITED || info->si_status != 0) {
		wlr_log(WLR_ERROR, "VM %s: the stop helper failed", stop->vm_name);
		if (stop->request.failed != NULL) {
			stop->request.failed(stop->request.data);
		}
	}
}

struct tinct_vmm_stop *backend_stop_helper(const struct tinct_vmm_backend *backend,
	const struct tinct_vmm_launch *launch, const struct tinct_vmm_stop_request *request)
{
	const char *vm_name = launch->def->name;
	struct tinct_vmm_stop *stop = NULL;
	char *program = NULL;
	int log_fd = -1;
	struct tinct_argv argv;
	argv_init(&argv);
	if (!backend->build_stop_argv(launch, &argv)) {
		goto fail;
	}
	program = spawn_find_program(argv.argv[0]);
	if (program == NULL) {
		wlr_log(WLR_ERROR, "VM %s: stop helper %s not found", vm_name, argv.argv[0]);
		goto fail;
	}
	log_fd = open(request->log_path, O_WRONLY | O_APPEND | O_CLOEXEC);
	stop = backend_stop_create(launch, request);
	if (log_fd < 0 || stop == NULL) {
		goto fail;
	}
	argv_log("Stop helper", &argv);
	struct tinct_spawn spawn = {
		.program = program,
		.argv = argv.argv,
		.stdin_fd = SPAWN_NULL,
		.stdout_fd = log_fd,
		.stderr_fd = log_fd,
		.die_with_parent = true,
	};
	stop->helper = child_spawn(request->loop, &spawn, 0, handle_helper_exit, stop);
	if (stop->helper == NULL) {
		goto fail;
	}
	goto out;
fail:
	backend_stop_destroy(stop);
	stop = NULL;
out:
	if (log_fd >= 0) {
		close(log_fd);
	}
	free(program);
	argv_finish(&argv);
	return stop;
}

void backend_stop_destroy(struct tinct_vmm_stop *stop)
{
	if (stop == NULL) {
		return;
	}
	qmp_destroy(stop->qmp);
	child_destroy(stop->helper);
	free(stop->vm_name);
	free(stop);
}

bool backend_vhost_vsock_usable(void)
{
	return access("/dev/vhost-vsock", R_OK | W_OK) == 0;
}

bool backend_push_extra_args(const struct tinct_vm_def *def, struct tinct_argv *argv)
{
	if (def->extra_args == NULL) {
		return true;
	}
	const char *error = NULL;
	if (!argv_split(argv, def->extra_args, NULL, NULL, &error)) {
		wlr_log(WLR_ERROR, "VM %s: extra-args: %s", def->name, error);
		return false;
	}
	return true;
}

#if defined(__x86_64__)
// Runs one `hlt` in real mode: enough to show that KVM_RUN returns. On
// machines with broken nested virtualisation it never does, which is why
// this runs in a child that the parent can kill.
static int kvm_probe_guest(void)
{
	int kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (kvm < 0) {
		return 1;
	}
	if (ioctl(kvm, KVM_GET_API_VERSION, 0) != KVM_API_VERSION) {
		return 2;
	}
	int vm = ioctl(kvm, KVM_CREATE_VM, 0);
	if (vm < 0) {
		return 3;
	}
	uint8_t *mem =
		mmap(NULL, 0x1000, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (mem == MAP_FAILED) {
		return 4;
	}
	mem[0] = 0xf4; // hlt
	struct kvm_userspace_memory_region region = {
		.slot = 0,
		.guest_phys_addr = 0x1000,
		.memory_size = 0x1000,
		.userspace_addr = (uintptr_t)mem,
	};
	if (ioctl(vm, KVM_SET_USER_MEMORY_REGION, &region) < 0) {
		return 5;
	}
	int vcpu = ioctl(vm, KVM_CREATE_VCPU, 0);
	int size = ioctl(kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (vcpu < 0 || size <= 0) {
		return 6;
	}
	struct kvm_run *run = mmap(NULL, (size_t)size, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu, 0);
	if (run == MAP_FAILED) {
		return 7;
	}
	struct kvm_sregs sregs;
	if (ioctl(vcpu, KVM_GET_SREGS, &sregs) < 0) {
		return 8;
	}
	sregs.cs.base = 0;
	sregs.cs.selector = 0;
	struct kvm_regs regs = {.rip = 0x1000, .rflags = 0x2};
	if (ioctl(vcpu, KVM_SET_SREGS, &sregs) < 0 || ioctl(vcpu, KVM_SET_REGS, &regs) < 0) {
		return 9;
	}
	if (ioctl(vcpu, KVM_RUN, 0) < 0) {
		return 10;
	}
	return run->exit_reason == KVM_EXIT_HLT ? 0 : 11;
}
#else
static int kvm_probe_guest(void)
{
	return 1;
}
#endif

enum probe_stage {
	PROBE_IDLE,
	PROBE_HLT, // the one-`hlt` guest in a forked child
	PROBE_BOOT, // QEMU booting the kernel under KVM
};

// The first result in this process; every later probe answers with it.
static enum tinct_kvm_result process_result = TINCT_KVM_UNKNOWN;

// Probe children are throwaway processes: the owner's environment, no
// stdio, and no life beyond their parent's, so a crashed compositor leaves
// no probe behind.
static const struct tinct_spawn probe_spawn = {
	.inherit_env = true,
	.stdin_fd = SPAWN_NULL,
	.stdout_fd = SPAWN_NULL,
	.stderr_fd = SPAWN_NULL,
	.die_with_parent = true,
};

static pid_t probe_spawn_hlt(int *pidfd)
{
	pid_t pid = spawn_fork(&probe_spawn, pidfd);
	if (pid == 0) {
		_exit(kvm_probe_guest());
	}
	return pid;
}

static pid_t probe_spawn_qemu(const char *qemu, const char *kernel, int *pidfd)
{
	// Without a root file system the kernel panics, panic=-1 reboots
	// at once and -no-reboot turns that into QEMU exiting with 0.
	char *const argv[] = {(char *)qemu, "-accel", "kvm", "-cpu", "host", "-nodefaults",
		"-no-user-config", "-display", "none", "-m", "128", "-no-reboot", "-kernel",
		(char *)kernel, "-append", "panic=-1 quiet", NULL};
	struct tinct_spawn spawn = probe_spawn;
	spawn.program = qemu;
	spawn.argv = argv;
	return spawn_process(&spawn, pidfd);
}

static void probe_forget_child(struct tinct_kvm_probe *probe)
{
	child_destroy(probe->child);
	probe->child = NULL;
	probe->killed = false;
	probe->reported_stuck = false;
}

// Records the result for the process. `emit` is false when the caller
// learns it from the return value of backend_kvm_probe_start instead.
static void probe_conclude(
	struct tinct_kvm_probe *probe, enum tinct_kvm_result result, const char *why, bool emit)
{
	probe->stage = PROBE_IDLE;
	probe->result = result;
	if (process_result == TINCT_KVM_UNKNOWN) {
		process_result = result;
		if (result == TINCT_KVM_UNUSABLE) {
			wlr_log(WLR_ERROR,
				"KVM is not usable (%s): VMs fall back to TCG and run slowly", why);
		} else {
			wlr_log(WLR_INFO, "KVM is usable");
		}
	}
	if (emit) {
		wl_signal_emit(&probe->events.done, &result);
	}
}

static void handle_probe_exit(void *data, const siginfo_t *info);

// Watches a freshly spawned child for at most `timeout_ms`.
static bool probe_watch(struct tinct_kvm_probe *probe, pid_t pid, int pidfd, int timeout_ms)
{
	if (pid < 0) {
		return false;
	}
	probe->child = child_create(probe->loop, pid, pidfd, 0, handle_probe_exit, probe);
	if (probe->child == NULL) {
		return false;
	}
	wl_event_source_timer_update(probe->timer, timeout_ms);
	return true;
}

// The next stage, or the result when there is none. Returns the result
// if it is known now.
static enum tinct_kvm_result probe_advance(struct tinct_kvm_probe *probe, bool emit)
{
	if (probe->stage == PROBE_IDLE) {
		if (access("/dev/kvm", R_OK | W_OK) != 0) {
			probe_conclude(
				probe, TINCT_KVM_UNUSABLE, "/dev/kvm is not accessible", emit);
			return probe->result;
		}
		int pidfd = -1;
		pid_t pid = probe_spawn_hlt(&pidfd);
		if (!probe_watch(probe, pid, pidfd, KVM_PROBE_TIMEOUT_MS)) {
			probe_conclude(probe, TINCT_KVM_UNUSABLE, "cannot start the probe", emit);
			return probe->result;
		}
		probe->stage = PROBE_HLT;
		return TINCT_KVM_UNKNOWN;
	}
	if (probe->stage == PROBE_HLT && probe->qemu != NULL && probe->kernel != NULL) {
		// A trivial guest is not enough: broken nested KVM runs `hlt`
		// fine and then hangs in the kernel's decompressor. Booting the
		// real kernel to its "no root" panic takes well under a second
		// with working KVM.
		int pidfd = -1;
		pid_t pid = probe_spawn_qemu(probe->qemu, probe->kernel, &pidfd);
		if (!probe_watch(probe, pid, pidfd, KVM_BOOT_PROBE_TIMEOUT_MS)) {
			probe_conclude(probe, TINCT_KVM_UNUSABLE, "cannot start the probe", emit);
			return probe->result;
		}
		probe->stage = PROBE_BOOT;
		return TINCT_KVM_UNKNOWN;
	}
	if (probe->stage == PROBE_HLT) {
		/* Nothing to boot: the `hlt` guest alone passes on broken nested KVM. */
		probe_conclude(probe, TINCT_KVM_UNUSABLE, "no kernel to verify KVM with", emit);
		return probe->result;
	}
	probe_conclude(probe, TINCT_KVM_USABLE, NULL, emit);
	return probe->result;
}

static void handle_probe_exit(void *data, const siginfo_t *info)
{
	struct tinct_kvm_probe *probe = data;
	bool killed = probe->killed;
	probe_forget_child(probe);
	if (killed) {
		return; // overran: the result is out already
	}
	wl_event_source_timer_update(probe->timer, 0);
	if (info->si_code != CLD_EXITED || info->si_status != 0) {
		probe_conclude(probe, TINCT_KVM_UNUSABLE, "the probe guest failed", true);
		return;
	}
	probe_advance(probe, true);
}

static int handle_probe_timer(void *data)
{
	struct tinct_kvm_probe *probe = data;
	if (probe->child == NULL) {
		return 0;
	}
	if (probe->killed) {
		// A vCPU stuck in the kernel can delay SIGKILL indefinitely. Its
		// pidfd stays watched, so it is reaped whenever it does die.
		wlr_log(WLR_ERROR, "KVM probe process %d does not die",
			(int)child_pid(probe->child));
		probe->reported_stuck = true;
		return 0;
	}
	child_signal(probe->child, SIGKILL);
	probe->killed = true;
	wl_event_source_timer_update(probe->timer, KVM_PROBE_KILL_GRACE_MS);
	probe_conclude(probe, TINCT_KVM_UNUSABLE, "the probe guest hung", true);
	return 0;
}

struct tinct_kvm_probe *backend_kvm_probe_create(struct wl_event_loop *loop)
{
	struct tinct_kvm_probe *probe = calloc(1, sizeof(*probe));
	if (probe == NULL) {
		wlr_log(WLR_ERROR, "Out of memory creating the KVM probe");
		return NULL;
	}
	probe->loop = loop;
	wl_signal_init(&probe->events.done);
	probe->timer = wl_event_loop_add_timer(loop, handle_probe_timer, probe);
	if (probe->timer == NULL) {
		wlr_log(WLR_ERROR, "Cannot create the KVM probe's timer");
		free(probe);
		return NULL;
	}
	return probe;
}

void backend_kvm_probe_cancel(struct tinct_kvm_probe *probe)
{
	if (probe->child != NULL) {
		// Never hold up the owner for long, and not at all for a
		// child already known to be stuck.
		pid_t pid = child_pid(probe->child);
		if (!child_kill(
			    probe->child, probe->reported_stuck ? 0 : KVM_PROBE_KILL_GRACE_MS) &&
			!probe->reported_stuck) {
			wlr_log(WLR_ERROR, "KVM probe process %d does not die; leaving it",
				(int)pid);
		}
		probe_forget_child(probe);
	}
	wl_event_source_timer_update(probe->timer, 0);
	if (probe->stage != PROBE_IDLE) {
		probe->stage = PROBE_IDLE;
		probe->result = TINCT_KVM_UNKNOWN;
	}
}

void backend_kvm_probe_destroy(struct tinct_kvm_probe *probe)
{
	if (probe == NULL) {
		return;
	}
	backend_kvm_probe_cancel(probe);
	wl_event_source_remove(probe->timer);
	free(probe->qemu);
	free(probe->kernel);
	free(probe);
}

bool backend_kvm_probe_running(struct tinct_kvm_probe *probe)
{
	return probe->stage != PROBE_IDLE;
}

enum tinct_kvm_result backend_kvm_probe_start(
	struct tinct_kvm_probe *probe, const char *qemu, const char *kernel)
{
	if (probe->result != TINCT_KVM_UNKNOWN || probe->stage != PROBE_IDLE) {
		return probe->result;
	}
	if (process_result != TINCT_KVM_UNKNOWN) {
		probe->result = process_result;
		return probe->result;
	}
	const char *env = getenv("TINCT_KVM");
	if (env != NULL && strcmp(env, "0") == 0) {
		probe_conclude(probe, TINCT_KVM_UNUSABLE, "TINCT_KVM=0", false);
		return probe->result;
	}
	if (env != NULL && strcmp(env, "1") == 0) {
		probe_conclude(probe, TINCT_KVM_USABLE, NULL, false);
		return probe->result;
	}
	free(probe->qemu);
	free(probe->kernel);
	probe->qemu = qemu ? strdup(qemu) : NULL;
	probe->kernel = kernel ? strdup(kernel) : NULL;
	if ((qemu != NULL && probe->qemu == NULL) || (kernel != NULL && probe->kernel == NULL)) {
		// TCG for this start only: no result is recorded.
		wlr_log(WLR_ERROR, "Out of memory starting the KVM probe");
		return TINCT_KVM_UNUSABLE;
	}
	return probe_advance(probe, false);
}
