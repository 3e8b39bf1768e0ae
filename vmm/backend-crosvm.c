/*
 * crosvm backend, after `crosvm run --help` of current releases: the
 * kernel is the last, positional argument; --params appends to the kernel
 * command line; --block path=…[,ro=true] is the non-deprecated disk option;
 * --net tap-fd=N takes an open TAP; --socket is the control socket that
 * `crosvm powerbtn` and `crosvm stop` talk to.
 *
 * Networks through a network VM (network.h): crosvm has no datagram
 * netdev, so each link is `--vhost-user net,socket=PATH`, a vhost-user-net
 * front end that connects to a switch serving the link's two sockets (not
 * part of tinct). A network VM's upstream is `--net tap-fd=N` (upstream =
 * tap) or `--vfio /sys/bus/pci/devices/ADDR` (vfio:ADDR); crosvm has no
 * user-mode networking.
 *
 * crosvm's unix-stream serial *connects* to its path rather than
 * listening, so tinct listens there first (serial_vmm_connects), and
 * input-unix-stream makes the same socket carry keystrokes back.
 *
 * wayland = virtio-wl: crosvm's virtio_wl device gets the VM's own display
 * sockets, which tinct (compositor/vms.c) creates in the runtime directory
 * before the VMM starts:
 *
 *   --wayland-sock <runtime>/wayland                  guest VFD_NEW_CTX
 *   --wayland-sock <runtime>/wayland-NAME,name=NAME   VFD_NEW_CTX_NAMED "NAME",
 *                                                     one per [wayland] named
 *   --wayland-sock <runtime>/memfd,name=memfd         the memfd server
 *                                                     (virtio-wl/memfd_server.h)
 *
 * The syntax is crosvm's `--wayland-sock PATH[,name=NAME]`: the value is
 * split on ',' and only `name=` is understood, so a path holding a comma
 * cannot be expressed and is refused here. crosvm keeps only the paths; it
 * connect()s a new AF_UNIX stream socket for every guest context, at the
 * moment the guest asks for it. Nothing is connected at start-up, so the
 * sockets may be removed and re-created (the VM's display is re-created
 * whenever the VM starts) and the next context simply connects to the new
 * one; a context opened while a socket is missing fails in the guest
 * (RESP_ERR, -ENODEV from /dev/wl0) and the next attempt may succeed.
 */
#include "vmm/backend.h"
#include "vmm/vm-def.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wlr/util/log.h>

#include "vmm/argv.h"
#include "vmm/jail.h"

// Appends `--wayland-sock PATH[,name=NAME]` for sock inside the runtime dir.
static void push_wayland_sock(
	struct tinct_argv *argv, const char *runtime_dir, const char *sock, const char *name)
{
	argv_push(argv, "--wayland-sock");
	if (name == NULL) {
		argv_pushf(argv, "%s/%s", runtime_dir, sock);
	} else {
		argv_pushf(argv, "%s/%s,name=%s", runtime_dir, sock, name);
	}
}

/* The named sockets ([wayland] named, validated by vm-def.c). */
static void push_named_sockets(const struct tinct_vmm_launch *launch, struct tinct_argv *argv)
{
	const struct tinct_vm_def *def = launch->def;
	for (size_t i = 0; i < def->wayland_named_len; i++) {
		char sock[64];
		snprintf(sock, sizeof(sock), "wayland-%s", def->wayland_named[i]);
		push_wayland_sock(argv, launch->runtime_dir, sock, def->wayland_named[i]);
	}
}

static bool push_virtio_wl(const struct tinct_vmm_launch *launch, struct tinct_argv *argv)
{
	if (strchr(launch->runtime_dir, ',') != NULL) {
		wlr_log(WLR_ERROR,
			"VM %s: crosvm cannot take a --wayland-sock path with a comma: %s",
			launch->def->name, launch->runtime_dir);
		return false;
	}
	push_wayland_sock(argv, launch->runtime_dir, "wayland", NULL);
	push_named_sockets(launch, argv);
	push_wayland_sock(
		argv, launch->runtime_dir, TINCT_MEMFD_SOCKET_NAME, TINCT_MEMFD_CONTEXT_NAME);
	return true;
}

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
	if (def->netvm && def->netvm_upstream == TINCT_NETVM_UPSTREAM_VFIO) {
		argv_push(argv, "--vfio");
		argv_pushf(argv, "/sys/bus/pci/devices/%s", def->netvm_upstream_device);
	}
	for (size_t i = 0; i < launch->net_links_len; i++) {
		argv_push(argv, "--vhost-user");
		argv_pushf(argv, "net,socket=%s", launch->net_links[i].vhost_user);
	}
	if (launch->def->wayland_kind == TINCT_VM_WAYLAND_VIRTIO_WL &&
		!push_virtio_wl(launch, argv)) {
		return false;
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

// crosvm jails each of its devices itself (minijail: seccomp, and a
// pivot_root into an empty /var/empty), which needs user namespaces when
// it does not run as root: the jail lets it nest its own.
static bool crosvm_jail(const struct tinct_vmm_launch *launch, struct tinct_jail *jail)
{
	(void)launch;
	jail->allow_userns = true;
	return jail_add(jail, TINCT_JAIL_DEVICE, "/dev/kvm") &&
	       jail_add(jail, TINCT_JAIL_DIR, "/var/empty");
}

static struct tinct_vmm_stop *crosvm_stop(
	const struct tinct_vmm_launch *launch, const struct tinct_vmm_stop_request *request)
{
	return backend_stop_helper(&backend_crosvm, launch, request);
}

const struct tinct_vmm_backend backend_crosvm = {
	.name = "crosvm",
	.default_binary = "crosvm",
	.serial_socket_name = "serial",
	.api_socket_name = "crosvm.sock",
	.serial_vmm_connects = true,
	.build_argv = crosvm_build_argv,
	.stop = crosvm_stop,
	.build_stop_argv = crosvm_build_stop_argv,
	.jail = crosvm_jail,
};
