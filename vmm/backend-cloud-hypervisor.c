/*
 * cloud-hypervisor backend, after its docs: --kernel/--initramfs/--cmdline,
 * --memory size=…M, --cpus boot=N, one --disk path=…[,readonly=on] per
 * disk, --serial socket=PATH (cloud-hypervisor listens), --console off so
 * the virtio console does not compete with the serial, --net fd=N for an
 * open TAP, and --api-socket path=… for `ch-remote power-button`.
 *
 * Networks through a network VM (network.h): no datagram netdev either, so
 * each link is `--net vhost_user=true,socket=PATH,mac=MAC`, a
 * vhost-user-net front end (client mode) that connects to a switch serving
 * the link's two sockets (not part of tinct). A network VM's upstream is
 * `--net fd=N` (tap) or `--device path=/sys/bus/pci/devices/ADDR/`
 * (vfio:ADDR); no user-mode networking.
 *
 * wayland = waypipe: --vsock cid=3,socket=<runtime>/vsock.sock, cloud-
 * hypervisor's hybrid vsock. A guest connection to host (CID 2) port P is
 * forwarded to the Unix socket `vsock.sock_P`, where tinct's waypipe
 * client for channel P - 5000 listens. The CID only has to be unique
 * inside this VM's device, so every VM uses 3.
 */
#include "vmm/backend.h"

#include "vmm/argv.h"
#include "vmm/jail.h"

static bool ch_build_argv(const struct tinct_vmm_launch *launch, struct tinct_argv *argv)
{
	const struct tinct_vm_def *def = launch->def;
	argv_push(argv, launch->binary);
	argv_push(argv, "--api-socket");
	argv_pushf(argv, "path=%s", launch->api_socket);
	argv_push(argv, "--kernel");
	argv_push(argv, def->kernel);
	if (def->initrd != NULL) {
		argv_push(argv, "--initramfs");
		argv_push(argv, def->initrd);
	}
	argv_push(argv, "--cmdline");
	argv_push(argv, launch->cmdline);
	argv_push(argv, "--memory");
	argv_pushf(argv, "size=%uM", def->memory_mib);
	argv_push(argv, "--cpus");
	argv_pushf(argv, "boot=%u", def->cpus);
	for (size_t i = 0; i < def->disks_len; i++) {
		argv_push(argv, "--disk");
		argv_pushf(argv, "path=%s%s", def->disks[i].path,
			def->disks[i].writable ? "" : ",readonly=on");
	}
	argv_push(argv, "--serial");
	argv_pushf(argv, "socket=%s", launch->serial_socket);
	argv_push(argv, "--console");
	argv_push(argv, "off");
	if (launch->tap_fd >= 0) {
		argv_push(argv, "--net");
		argv_pushf(argv, "fd=%d", launch->tap_fd);
	}
	if (def->netvm && def->netvm_upstream == TINCT_NETVM_UPSTREAM_VFIO) {
		argv_push(argv, "--device");
		argv_pushf(argv, "path=/sys/bus/pci/devices/%s/", def->netvm_upstream_device);
	}
	for (size_t i = 0; i < launch->net_links_len; i++) {
		argv_push(argv, "--net");
		argv_pushf(argv, "vhost_user=true,socket=%s,mac=%s",
			launch->net_links[i].vhost_user, launch->net_links[i].mac);
	}
	if (launch->waypipe_ports > 0) {
		argv_push(argv, "--vsock");
		argv_pushf(argv, "cid=3,socket=%s/vsock.sock", launch->runtime_dir);
	}
	backend_push_extra_args(def, argv);
	return !argv->failed;
}

static bool ch_build_stop_argv(const struct tinct_vmm_launch *launch, struct tinct_argv *argv)
{
	// ch-remote is installed next to cloud-hypervisor; the ACPI power
	// button lets the guest shut down, unlike shutdown-vmm.
	argv_push(argv, "ch-remote");
	argv_push(argv, "--api-socket");
	argv_push(argv, launch->api_socket);
	argv_push(argv, "power-button");
	return !argv->failed;
}

// cloud-hypervisor needs KVM; its own seccomp filter is on by default.
static bool ch_jail(const struct tinct_vmm_launch *launch, struct tinct_jail *jail)
{
	(void)launch;
	return jail_add(jail, TINCT_JAIL_DEVICE, "/dev/kvm");
}

static struct tinct_vmm_stop *ch_stop(
	const struct tinct_vmm_launch *launch, const struct tinct_vmm_stop_request *request)
{
	return backend_stop_helper(&backend_cloud_hypervisor, launch, request);
}

const struct tinct_vmm_backend backend_cloud_hypervisor = {
	.name = "cloud-hypervisor",
	.default_binary = "cloud-hypervisor",
	.serial_socket_name = "serial",
	.api_socket_name = "api",
	.serial_vmm_connects = false,
	.waypipe_socket_prefix = "vsock.sock_",
	.waypipe_socket_suffix = "",
	.waypipe_vsock_port = true,
	.build_argv = ch_build_argv,
	.stop = ch_stop,
	.build_stop_argv = ch_build_stop_argv,
	.jail = ch_jail,
};
