/*
 * QEMU backend. The VM gets exactly what tinct asks for (-nodefaults): a
 * serial port on a Unix socket chardev that tinct connects to, a QMP
 * monitor socket for `system_powerdown`, virtio disks, an optional
 * virtio-net on a TAP descriptor and the guest control channel's
 * virtio-serial port (control.h). QEMU listens on the serial and QMP
 * sockets (server=on,wait=off), so it never waits for tinct; it connects
 * to the control and waypipe sockets, on which tinct listens first.
 *
 * Networks through a network VM (network.h): each link is a virtio-net NIC
 * on `-netdev dgram,local.type=fd,local.str=N` (QEMU 7.2), N the VMM's end
 * of the link's socket pair.
 * A network VM's upstream comes first: `-netdev user` (QEMU's user-mode
 * stack, which reaches the host's loopback at 10.0.2.2), the TAP, or a
 * `vfio-pci` device; then its ports in order.
 */
#include "vmm/backend.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vmm/argv.h"
#include "vmm/control.h"
#include "vmm/jail.h"
#include "vmm/qmp.h"

// QEMU option values separate with commas; a literal comma is doubled.
static char *qemu_escape(const char *value)
{
	size_t commas = 0;
	for (const char *p = value; *p; p++) {
		commas += *p == ',';
	}
	char *out = malloc(strlen(value) + commas + 1);
	if (out == NULL) {
		return NULL;
	}
	char *o = out;
	for (const char *p = value; *p; p++) {
		*o++ = *p;
		if (*p == ',') {
			*o++ = ',';
		}
	}
	*o = '\0';
	return out;
}

static bool push_opt(
	struct tinct_argv *argv, const char *prefix, const char *path, const char *suffix)
{
	char *escaped = qemu_escape(path);
	if (escaped == NULL) {
		argv->failed = true;
		return false;
	}
	bool ok = argv_pushf(argv, "%s%s%s", prefix, escaped, suffix);
	free(escaped);
	return ok;
}

// A link (backend.h) as a dgram netdev on its descriptor, and its NIC.
static void push_link(struct tinct_argv *argv, const struct tinct_vmm_net_link *link)
{
	argv_push(argv, "-netdev");
	argv_pushf(argv, "dgram,id=%s,local.type=fd,local.str=%d", link->id, link->fd);
	argv_push(argv, "-device");
	argv_pushf(argv, "virtio-net-pci,netdev=%s,mac=%s", link->id, link->mac);
}

static bool qemu_build_argv(const struct tinct_vmm_launch *launch, struct tinct_argv *argv)
{
	const struct tinct_vm_def *def = launch->def;
	argv_push(argv, launch->binary);
	argv_push(argv, "-nodefaults");
	argv_push(argv, "-no-user-config");
	if (launch->confined) {
		// QEMU's own seccomp filter on top of the jail: no obsolete
		// system calls, no set*uid, no fork or exec, no changing of
		// scheduling or CPU affinity.
		argv_push(argv, "-sandbox");
		argv_push(argv, "on,obsolete=deny,elevateprivileges=deny,spawn=deny,"
				"resourcecontrol=deny");
	}
	argv_push(argv, "-display");
	argv_push(argv, "none");
	argv_push(argv, "-accel");
	argv_push(argv, launch->kvm ? "kvm" : "tcg");
	argv_push(argv, "-cpu");
	argv_push(argv, launch->kvm ? "host" : "max");
	argv_push(argv, "-m");
	argv_pushf(argv, "%u", def->memory_mib);
	argv_push(argv, "-smp");
	argv_pushf(argv, "%u", def->cpus);
	// A guest reboot ends the VM: tinct decides what happens next.
	argv_push(argv, "-no-reboot");
	// A guest kernel panic ends the VMM with a failure status (through
	// the pvpanic device, once the guest's driver is loaded): the VM is
	// then crashed, not a hung guest that looks alive.
	argv_push(argv, "-action");
	argv_push(argv, "panic=exit-failure");
	argv_push(argv, "-device");
	argv_push(argv, "pvpanic-pci");
	argv_push(argv, "-kernel");
	argv_push(argv, def->kernel);
	if (def->initrd != NULL) {
		argv_push(argv, "-initrd");
		argv_push(argv, def->initrd);
	}
	argv_push(argv, "-append");
	argv_push(argv, launch->cmdline);
	argv_push(argv, "-chardev");
	push_opt(argv, "socket,id=serial0,path=", launch->serial_socket, ",server=on,wait=off");
	argv_push(argv, "-serial");
	argv_push(argv, "chardev:serial0");
	argv_push(argv, "-chardev");
	push_opt(argv, "socket,id=qmp,path=", launch->api_socket, ",server=on,wait=off");
	argv_push(argv, "-mon");
	argv_push(argv, "chardev=qmp,mode=control");
	for (size_t i = 0; i < def->disks_len; i++) {
		argv_push(argv, "-drive");
		push_opt(argv, "file=", def->disks[i].path,
			def->disks[i].writable ? ",format=raw,if=virtio"
					       : ",format=raw,if=virtio,readonly=on");
	}
	if (launch->tap_fd >= 0) {
		argv_push(argv, "-netdev");
		argv_pushf(argv, "tap,id=net0,fd=%d", launch->tap_fd);
		argv_push(argv, "-device");
		argv_push(argv, "virtio-net-pci,netdev=net0");
	}
	if (def->netvm && def->netvm_upstream == TINCT_NETVM_UPSTREAM_USER) {
		argv_push(argv, "-netdev");
		argv_push(argv, "user,id=upstream");
		argv_push(argv, "-device");
		argv_push(argv, "virtio-net-pci,netdev=upstream");
	} else if (def->netvm && def->netvm_upstream == TINCT_NETVM_UPSTREAM_VFIO) {
		argv_push(argv, "-device");
		argv_pushf(argv, "vfio-pci,host=%s", def->netvm_upstream_device);
	}
	for (size_t i = 0; i < launch->net_links_len; i++) {
		push_link(argv, &launch->net_links[i]);
	}
	if (launch->waypipe_ports > 0 || launch->control_socket != NULL) {
		argv_push(argv, "-device");
		argv_push(argv, "virtio-serial-pci,id=tinct-wl,max_ports=31");
	}
	if (launch->control_socket != NULL) {
		// The guest control channel (control.h); tinct listens on it.
		argv_push(argv, "-chardev");
		push_opt(argv, "socket,id=control,path=", launch->control_socket, ",reconnect=1");
		argv_push(argv, "-device");
		argv_pushf(argv, "virtserialport,bus=tinct-wl.0,nr=%u,chardev=control,name=%s",
			launch->waypipe_ports + 1, TINCT_CONTROL_PORT_NAME);
	}
	if (launch->waypipe_ports > 0) {
		for (unsigned i = 0; i < launch->waypipe_ports; i++) {
			char *path = backend_waypipe_socket(&backend_qemu, launch->runtime_dir, i);
			if (path == NULL) {
				argv->failed = true;
				break;
			}
			argv_push(argv, "-chardev");
			char prefix[64];
			snprintf(prefix, sizeof(prefix), "socket,id=wayland%u,path=", i);
			push_opt(argv, prefix, path, ",reconnect=1");
			free(path);
			argv_push(argv, "-device");
			argv_pushf(argv,
				"virtserialport,bus=tinct-wl.0,nr=%u,chardev=wayland%u,"
				"name=tinct.wayland.%u",
				i + 1, i, i);
		}
	}
	if (launch->vsock_cid > 0) {
		argv_push(argv, "-device");
		argv_pushf(argv, "vhost-vsock-pci,guest-cid=%u", launch->vsock_cid);
	}
	backend_push_extra_args(def, argv);
	return !argv->failed;
}

// KVM when it is used; vhost-vsock when the guest gets a vsock device. A
// TAP comes as a descriptor, so /dev/net/tun is never needed.
static bool qemu_jail(const struct tinct_vmm_launch *launch, struct tinct_jail *jail)
{
	bool ok = true;
	if (launch->kvm) {
		ok = ok && jail_add(jail, TINCT_JAIL_DEVICE, "/dev/kvm");
	}
	if (launch->vsock_cid > 0) {
		ok = ok && jail_add(jail, TINCT_JAIL_DEVICE, "/dev/vhost-vsock");
	}
	return ok;
}

// The ACPI power button over QMP.
static struct tinct_vmm_stop *qemu_stop(
	const struct tinct_vmm_launch *launch, const struct tinct_vmm_stop_request *request)
{
	struct tinct_vmm_stop *stop = backend_stop_create(launch, request);
	if (stop == NULL) {
		return NULL;
	}
	stop->qmp = qmp_powerdown(request->loop, launch->api_socket, launch->def->name);
	if (stop->qmp == NULL) {
		backend_stop_destroy(stop);
		return NULL;
	}
	return stop;
}

// A guest that is still booting misses an ACPI power button press (Linux
// ignores it until its button driver and the guest's acpid are up).
static void qemu_stop_repeat(struct tinct_vmm_stop *stop)
{
	qmp_powerdown_again(stop->qmp);
}

const struct tinct_vmm_backend backend_qemu = {
	.name = "qemu",
	.default_binary = "qemu-system-x86_64",
	.serial_socket_name = "serial",
	.api_socket_name = "qmp",
	.serial_vmm_connects = false,
	.waypipe_socket_prefix = "waypipe-",
	.waypipe_socket_suffix = ".sock",
	.build_argv = qemu_build_argv,
	.stop = qemu_stop,
	.stop_repeat = qemu_stop_repeat,
	.jail = qemu_jail,
};
