/*
 * What all backends share: the kernel command line, extra arguments, and
 * the KVM probe that decides between hardware acceleration and TCG.
 */
#include "backend.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <wlr/util/log.h>

#include "argv.h"

#ifndef P_PIDFD
#define P_PIDFD 3
#endif

#define KVM_PROBE_TIMEOUT_MS 2000
#define KVM_BOOT_PROBE_TIMEOUT_MS 5000

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

// Waits for a probe child for at most `timeout_ms`, killing it after that.
// Returns true when it exited with status 0 in time.
static bool probe_wait(pid_t pid, int timeout_ms, const char **why)
{
	int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (pidfd < 0) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		*why = "pidfd_open() failed";
		return false;
	}
	struct pollfd pfd = {.fd = pidfd, .events = POLLIN};
	int ready = poll(&pfd, 1, timeout_ms);
	if (ready <= 0) {
		kill(pid, SIGKILL);
		// A vCPU stuck in the kernel may take a moment to die; never wait
		// long. If it does not die, it stays a zombie we cannot help.
		pfd.revents = 0;
		if (poll(&pfd, 1, 1000) <= 0) {
			wlr_log(WLR_ERROR, "KVM probe process %d does not die", (int)pid);
			close(pidfd);
			*why = "the probe guest hung and cannot be killed";
			return false;
		}
	}
	siginfo_t info = {0};
	waitid((idtype_t)P_PIDFD, (id_t)pidfd, &info, WEXITED);
	close(pidfd);
	if (ready <= 0) {
		*why = "the probe guest hung";
		return false;
	}
	if (info.si_code != CLD_EXITED || info.si_status != 0) {
		*why = "the probe guest failed";
		return false;
	}
	return true;
}

static pid_t probe_spawn_qemu(const char *qemu, const char *kernel)
{
	int null_fd = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (null_fd < 0) {
		return -1;
	}
	pid_t pid = fork();
	if (pid == 0) {
		dup2(null_fd, 0);
		dup2(null_fd, 1);
		dup2(null_fd, 2);
		close_range(3, ~0U, 0);
		// Without a root file system the kernel panics, panic=-1 reboots
		// at once and -no-reboot turns that into QEMU exiting with 0.
		char *const argv[] = {(char *)qemu, "-accel", "kvm", "-cpu", "host", "-nodefaults",
			"-no-user-config", "-display", "none", "-m", "128", "-no-reboot", "-kernel",
			(char *)kernel, "-append", "panic=-1 quiet", NULL};
		execv(qemu, argv);
		_exit(127);
	}
	close(null_fd);
	return pid;
}

static bool kvm_probe(const char *qemu, const char *kernel, const char **why)
{
	if (access("/dev/kvm", R_OK | W_OK) != 0) {
		*why = "/dev/kvm is not accessible";
		return false;
	}
	pid_t pid = fork();
	if (pid < 0) {
		*why = "fork() failed";
		return false;
	}
	if (pid == 0) {
		_exit(kvm_probe_guest());
	}
	if (!probe_wait(pid, KVM_PROBE_TIMEOUT_MS, why)) {
		return false;
	}
	if (qemu == NULL || kernel == NULL) {
		return true;
	}
	// A trivial guest is not enough: broken nested KVM runs `hlt` fine and
	// then hangs in the kernel's decompressor. Booting the real kernel to
	// its "no root" panic takes well under a second with working KVM.
	pid = probe_spawn_qemu(qemu, kernel);
	if (pid < 0) {
		*why = "fork() failed";
		return false;
	}
	return probe_wait(pid, KVM_BOOT_PROBE_TIMEOUT_MS, why);
}

bool backend_kvm_usable(const char *qemu, const char *kernel)
{
	static int cached = -1;
	if (cached >= 0) {
		return cached;
	}
	const char *env = getenv("TINCT_KVM");
	const char *why = NULL;
	if (env != NULL && strcmp(env, "0") == 0) {
		cached = 0;
		why = "TINCT_KVM=0";
	} else if (env != NULL && strcmp(env, "1") == 0) {
		cached = 1;
	} else {
		cached = kvm_probe(qemu, kernel, &why);
	}
	if (!cached) {
		wlr_log(WLR_ERROR, "KVM is not usable (%s): VMs fall back to TCG and run slowly",
			why);
	}
	return cached;
}
