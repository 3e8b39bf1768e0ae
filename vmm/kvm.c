/*
 * The KVM probe (see kvm.h): one-`hlt` guest in a forked child, then QEMU
 * booting a kernel, each watched on the owner's loop and bounded by a
 * timer.
 */
#include "vmm/kvm.h"

#include <fcntl.h>
#include <linux/kvm.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include <wayland-server-core.h>
#include <wlr/util/log.h>

#include "vmm/child.h"
#include "vmm/spawn.h"

#define KVM_PROBE_TIMEOUT_MS 2000
#define KVM_BOOT_PROBE_TIMEOUT_MS 5000
// How long SIGKILL may take before a probe child counts as stuck.
#define KVM_PROBE_KILL_GRACE_MS 1000

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

/*
 * TINCT_KVM=hang makes the probe guest hang the way broken nested KVM does
 * (KVM_RUN never returns), on any machine: tests drive that case with it.
 */
static bool probe_simulates_hang(void)
{
	const char *env = getenv("TINCT_KVM");
	return env != NULL && strcmp(env, "hang") == 0;
}

static pid_t probe_spawn_hlt(int *pidfd)
{
	bool hang = probe_simulates_hang();
	pid_t pid = spawn_fork(&probe_spawn, pidfd);
	if (pid == 0) {
		while (hang) {
			pause();
		}
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
// learns it from the return value of kvm_probe_start instead.
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
		if (!probe_simulates_hang() && access("/dev/kvm", R_OK | W_OK) != 0) {
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

struct tinct_kvm_probe *kvm_probe_create(struct wl_event_loop *loop)
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

void kvm_probe_cancel(struct tinct_kvm_probe *probe)
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

void kvm_probe_destroy(struct tinct_kvm_probe *probe)
{
	if (probe == NULL) {
		return;
	}
	kvm_probe_cancel(probe);
	wl_event_source_remove(probe->timer);
	free(probe->qemu);
	free(probe->kernel);
	free(probe);
}

bool kvm_probe_running(struct tinct_kvm_probe *probe)
{
	return probe->stage != PROBE_IDLE;
}

enum tinct_kvm_result kvm_probe_start(
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
