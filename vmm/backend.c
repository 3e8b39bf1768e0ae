/*
 * What all backends share: the kernel command line, extra arguments and
 * the graceful stop through a helper command.
 */
#include "vmm/backend.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <wlr/util/log.h>

#include "common/untrusted_dir.h"
#include "vmm/argv.h"
#include "vmm/child.h"
#include "vmm/jail.h"
#include "vmm/qmp.h"
#include "vmm/spawn.h"

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

char *backend_base64(const char *in)
{
	static const char table[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t len = strlen(in);
	char *out = malloc(4 * ((len + 2) / 3) + 1);
	if (out == NULL) {
		return NULL;
	}
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
	return out;
}

// A network VM's words (vmm/images/netvm): app VMs reach each other only
// with isolate = false; with user networking, the host's loopback is
// 10.0.2.2 and open to app VMs only at [netvm] host-ports.
// false when `out` is too small (it never is: see the caller).
static bool netvm_cmdline(const struct tinct_vm_def *def, char *out, size_t size)
{
	if (!def->netvm) {
		return true;
	}
	size_t used = 0;
	int n = snprintf(out, size, "%s", def->netvm_isolate ? "" : " tinct.netvm.isolate=0");
	used += n > 0 ? (size_t)n : 0;
	if (def->netvm_upstream != TINCT_NETVM_UPSTREAM_USER || used >= size) {
		return used < size;
	}
	n = snprintf(out + used, size - used, " tinct.netvm.host=10.0.2.2");
	used += n > 0 ? (size_t)n : 0;
	for (size_t i = 0; i < def->netvm_host_ports_len && used < size; i++) {
		const struct tinct_port_range *r = &def->netvm_host_ports[i];
		n = snprintf(out + used, size - used, "%s%u",
			i == 0 ? " tinct.netvm.host_ports=" : ",", (unsigned)r->first);
		used += n > 0 ? (size_t)n : 0;
		if (r->last != r->first && used < size) {
			n = snprintf(out + used, size - used, "-%u", (unsigned)r->last);
			used += n > 0 ? (size_t)n : 0;
		}
	}
	return used < size;
}

char *backend_kernel_cmdline(const struct tinct_vm_def *def, const char *extra)
{
	char *cmdline = NULL;
	// At most " tinct.netvm.isolate=0 tinct.netvm.host=10.0.2.2
	// tinct.netvm.host_ports=" and 16 ranges of 12 characters: 264.
	char netvm[512] = "";
	if (!netvm_cmdline(def, netvm, sizeof(netvm))) {
		return NULL;
	}
	int ret = asprintf(&cmdline, "console=ttyS0 tinct.name=%s%s%s%s", def->name, netvm,
		def->cmdline ? " " : "", def->cmdline ? def->cmdline : "");
	if (ret < 0) {
		return NULL;
	}
	// Applications for the guest init (vmm/images/README.md): base64, so
	// that blanks and quotes survive the kernel's parameter splitting.
	for (size_t i = 0; def->wayland_kind == TINCT_VM_WAYLAND_WAYPIPE && i < def->guest_runs_len;
		i++) {
		char *encoded = backend_base64(def->guest_runs[i]);
		char *grown = NULL;
		if (encoded != NULL) {
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
	struct tinct_argv argv, jailed;
	argv_init(&argv);
	argv_init(&jailed);
	if (!backend->build_stop_argv(launch, &argv)) {
		goto fail;
	}
	program = request->jail != NULL && request->jail->enabled
			  ? spawn_find_system_program(argv.argv[0])
			  : spawn_find_program(argv.argv[0]);
	if (program == NULL) {
		wlr_log(WLR_ERROR, "VM %s: stop helper %s not found", vm_name, argv.argv[0]);
		goto fail;
	}
	// The VMM runs, as the VM's uid: anything may stand there now.
	log_fd = untrusted_open_write(request->log_path, true);
	stop = backend_stop_create(launch, request);
	if (log_fd < 0 || stop == NULL) {
		goto fail;
	}
	argv_log("Stop helper", &argv);
	struct tinct_spawn spawn = spawn_vm_child(program, argv.argv, log_fd);
	if (!jail_apply(request->jail, &spawn, &jailed)) {
		goto fail;
	}
	stop->helper = child_spawn(
		request->loop, &spawn, TINCT_CHILD_KILL_GROUP, handle_helper_exit, stop);
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
	argv_finish(&jailed);
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

// A network VM's upstream: QEMU's user networking opens the host's
// sockets, so it keeps the host's network namespace; a NIC passed through
// needs the VFIO container, its IOMMU group's device and sysfs.
static bool jail_upstream(const struct tinct_vm_def *def, struct tinct_jail *jail)
{
	if (!def->netvm) {
		return true;
	}
	if (def->netvm_upstream == TINCT_NETVM_UPSTREAM_USER) {
		jail->share_net = true;
		return true;
	}
	if (def->netvm_upstream != TINCT_NETVM_UPSTREAM_VFIO) {
		return true;
	}
	char path[PATH_MAX], group[256];
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/iommu_group",
		def->netvm_upstream_device);
	ssize_t len = readlink(path, group, sizeof(group) - 1);
	if (len <= 0) {
		wlr_log_errno(WLR_ERROR, "VM %s: [netvm] upstream vfio:%s: no IOMMU group at %s",
			def->name, def->netvm_upstream_device, path);
		return false;
	}
	group[len] = '\0';
	const char *slash = strrchr(group, '/');
	char device[sizeof(group) + 16];
	snprintf(device, sizeof(device), "/dev/vfio/%s", slash != NULL ? slash + 1 : group);
	return jail_add(jail, TINCT_JAIL_DEVICE, "/dev/vfio/vfio") &&
	       jail_add(jail, TINCT_JAIL_DEVICE, device) && jail_add(jail, TINCT_JAIL_RO, "/sys");
}

bool backend_jail(const struct tinct_vmm_backend *backend, const struct tinct_vmm_launch *launch,
	struct tinct_jail *jail)
{
	const struct tinct_vm_def *def = launch->def;
	bool ok = true;
	if (def->kernel != NULL) {
		ok = ok && jail_add(jail, TINCT_JAIL_RO, def->kernel);
	}
	if (def->initrd != NULL) {
		ok = ok && jail_add(jail, TINCT_JAIL_RO, def->initrd);
	}
	for (size_t i = 0; i < def->disks_len; i++) {
		ok = ok && jail_add(jail, def->disks[i].writable ? TINCT_JAIL_RW : TINCT_JAIL_RO,
				   def->disks[i].path);
	}
	if (ok && backend->jail != NULL) {
		ok = backend->jail(launch, jail);
	}
	return ok && jail_upstream(def, jail);
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
