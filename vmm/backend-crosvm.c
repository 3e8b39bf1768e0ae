/*
 * crosvm backend, after `crosvm run --help` of current releases: the
 * kernel is the last, positional argument; --params appends to the kernel
 * command line; --block path=…[,ro=true] is the non-deprecated disk option;
 * --net tap-fd=N takes an open TAP; --socket is the control socket that
 * `crosvm powerbtn` and `crosvm stop` talk to.
 *
 * crosvm's unix-stream serial *connects* to its path rather than
 * listening, so tinct listens there first (serial_vmm_connects), and
 * input-unix-stream makes the same socket carry keystrokes back.
 */
#include "backend.h"

#include "argv.h"

static bool crosvm_build_argv(const struct tinct_vmm_launch *launch, struct tinct_argv *argv)
{
	const struct tinct_vm_def *def = launch->def;
	argv_push(argv, launch->binary);
	argv_push(argv, "run");
	argv_push(argv, "--mem");
	argv_pushf(argv, "%u", def->memory_mib);
	argv_push(argv, "--cpus");
	argv_pushf(argv, "%u", def->cpus);
	if (def->initrd != NULL) {
		argv_push(argv, "--initrd");
		argv_push(argv, def->initrd);
	}
	argv_push(argv, "--params");
	argv_push(argv, launch->cmdline);
	argv_push(argv, "--serial");
	argv_pushf(argv, "type=unix-stream,path=%s,num=1,console=true,input-unix-stream=true",
		launch->serial_socket);
	argv_push(argv, "--socket");
	argv_push(argv, launch->api_socket);
	for (size_t i = 0; i < def->disks_len; i++) {
		argv_push(argv, "--block");
		argv_pushf(argv, "path=%s%s", def->disks[i].path,
			def->disks[i].writable ? "" : ",ro=true");
	}
	if (launch->tap_fd >= 0) {
		argv_push(argv, "--net");
		argv_pushf(argv, "tap-fd=%d", launch->tap_fd);
	}
	backend_push_extra_args(def, argv);
	argv_push(argv, def->kernel);
	return !argv->failed;
}

static bool crosvm_build_stop_argv(const struct tinct_vmm_launch *launch, struct tinct_argv *argv)
{
	// powerbtn lets the guest shut down; `crosvm stop` would pull the plug.
	argv_push(argv, launch->binary);
	argv_push(argv, "powerbtn");
	argv_push(argv, launch->api_socket);
	return !argv->failed;
}

const struct tinct_vmm_backend backend_crosvm = {
	.name = "crosvm",
	.default_binary = "crosvm",
	.serial_socket_name = "serial",
	.api_socket_name = "crosvm.sock",
	.serial_vmm_connects = true,
	.stop_method = TINCT_VMM_STOP_HELPER,
	.build_argv = crosvm_build_argv,
	.build_stop_argv = crosvm_build_stop_argv,
};
