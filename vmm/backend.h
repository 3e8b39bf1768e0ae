/*
 * VMM backends. Each backend is one struct of operations (crosvm style):
 * it builds the VMM's command line, says how to ask the guest to stop
 * gracefully, and names the serial console and API sockets it uses inside
 * the VM's runtime directory. Backends never start VMMs themselves; vm.c
 * does, so every VMM gets the same clean environment and fd hygiene.
 */
#ifndef TINCT_VMM_BACKEND_H
#define TINCT_VMM_BACKEND_H

#include <stdbool.h>
#include <sys/types.h>
#include <wayland-server-core.h>

#include "vmm/vm-def.h"

struct tinct_argv;
struct tinct_child;
struct tinct_jail;
struct tinct_qmp;

/*
 * One virtio-net link between an app VM and a port of its network VM
 * (network.h). The host carries its Ethernet frames and nothing else:
 *
 *   QEMU: -netdev dgram on `fd`, the VMM's end of a Unix datagram socket
 *   pair whose other end is the other VMM's (QEMU 7.2's local.type=fd).
 *   tinct keeps both ends, so either side may restart and the frames flow
 *   again.
 *   crosvm, cloud-hypervisor: no such netdev; the NIC is a vhost-user-net
 *   front end connecting to `vhost_user`, in the VM's own runtime
 *   directory, where a vhost-user-net switch (not part of tinct, none in
 *   Debian 12) must serve both ends.
 *
 * `id` names the link's netdev for QMP set_link (QEMU).
 */
struct tinct_vmm_net_link {
	const char *id;
	int fd; // descriptor number in the child
	const char *vhost_user;
	const char *mac; // xx:xx:xx:xx:xx:xx
};

/** Everything a backend needs to build a command line. */
struct tinct_vmm_launch {
	const struct tinct_vm_def *def;
	const char *binary; // the program to run (argv[0])
	const char *runtime_dir;
	const char *serial_socket;
	const char *api_socket;
	const char *cmdline; // the whole kernel command line
	int tap_fd; // descriptor number in the child, or -1 (a network VM's
		    // upstream = tap too)
	// An app VM's one link to its network VM, or a network VM's ports,
	// port i being link i (network.h). Its upstream comes from def.
	const struct tinct_vmm_net_link *net_links;
	size_t net_links_len;
	bool kvm; // hardware acceleration is usable
	// wayland = waypipe: how many channels (0 otherwise). Channel i is
	// the Unix socket backend_waypipe_socket(..., i), on which tinct's
	// `waypipe client` for that channel listens.
	unsigned waypipe_ports;
	// QEMU: /dev/vhost-vsock is usable, give the guest a vsock device with
	// this context id (>= 3). 0: no vsock.
	unsigned vsock_cid;
	// QEMU: the guest control channel's socket, on which tinct listens
	// (control.h); NULL: none.
	const char *control_socket;
	// The VMM runs confined (jail.h): QEMU adds its own seccomp sandbox.
	bool confined;
};

/*
 * Waypipe channels. QEMU: virtio-serial port `tinct.wayland.I` whose Unix
 * socket chardev connects (reconnect=1) to `<runtime>/waypipe-I.sock`.
 * cloud-hypervisor: hybrid vsock; a guest connection to host port
 * TINCT_WAYPIPE_VSOCK_PORT + I arrives on `<runtime>/vsock.sock_<port>`.
 */
#define TINCT_WAYPIPE_VSOCK_PORT 5000

/*
 * crosvm, wayland = virtio-wl: the memfd server's socket in the runtime
 * directory (virtio-wl/memfd_server.h) and the named virtio_wl context it is
 * offered to the guest as (VFD_NEW_CTX_NAMED "memfd").
 */
#define TINCT_MEMFD_SOCKET_NAME "memfd"

/** What a backend's graceful stop needs from its caller. */
struct tinct_vmm_stop_request {
	struct wl_event_loop *loop;
	const char *log_path; // a stop helper's output is appended here
	// A stop helper runs in this jail (jail_apply()); NULL: unconfined.
	const struct tinct_jail *jail;
	// The request failed after it was made (the stop helper failed): the
	// caller goes on to SIGTERM. Not called once the stop is destroyed.
	void (*failed)(void *data);
	void *data;
};

/** A graceful stop under way. Private to the backends. */
struct tinct_vmm_stop {
	struct tinct_vmm_stop_request request;
	char *vm_name;
	struct tinct_qmp *qmp; // QEMU: the QMP connection
	struct tinct_child *helper; // crosvm, cloud-hypervisor: the helper
};

struct tinct_vmm_backend {
	const char *name;
	const char *default_binary;
	// Socket file names inside the runtime directory; NULL when unused.
	const char *serial_socket_name;
	const char *api_socket_name;
	// true when the VMM connects to a serial socket that tinct listens
	// on (crosvm's unix-stream serial); false when the VMM listens.
	bool serial_vmm_connects;

	/** Appends the VMM's argv (program first) to `argv`. */
	bool (*build_argv)(const struct tinct_vmm_launch *launch, struct tinct_argv *argv);
	// Channel I's socket inside the runtime directory is PREFIX N SUFFIX,
	// N being I or the vsock port; prefix NULL: no waypipe support.
	const char *waypipe_socket_prefix;
	const char *waypipe_socket_suffix;
	bool waypipe_vsock_port; // N is the vsock port, not I

	/**
	 * Asks the guest to shut down: QEMU presses the ACPI power button
	 * over QMP, crosvm and cloud-hypervisor run a helper command
	 * (backend_stop_helper). NULL when the backend has no graceful way:
	 * stopping starts with SIGTERM. Returns NULL (logged) when the request
	 * could not be made. The caller ends it with backend_stop_destroy().
	 */
	struct tinct_vmm_stop *(*stop)(const struct tinct_vmm_launch *launch,
		const struct tinct_vmm_stop_request *request);
	/** Asks again, for a guest still booting, which misses presses. NULL: asked once. */
	void (*stop_repeat)(struct tinct_vmm_stop *stop);
	/** The helper's argv for backend_stop_helper(), appended to `argv`. */
	bool (*build_stop_argv)(const struct tinct_vmm_launch *launch, struct tinct_argv *argv);
	/**
	 * Adds what the VMM needs beyond its images (backend_jail()): devices,
	 * and whether it may nest its own sandbox. NULL: nothing more.
	 */
	bool (*jail)(const struct tinct_vmm_launch *launch, struct tinct_jail *jail);
};

extern const struct tinct_vmm_backend backend_qemu;
extern const struct tinct_vmm_backend backend_cloud_hypervisor;
extern const struct tinct_vmm_backend backend_crosvm;
extern const struct tinct_vmm_backend backend_command;

const struct tinct_vmm_backend *backend_for(enum tinct_vmm_kind kind);

/**
 * The kernel command line every backend passes: `console=ttyS0`,
 * `tinct.name=NAME`; for a network VM `tinct.netvm.isolate=0` with
 * [netvm] isolate = false and, with user networking,
 * `tinct.netvm.host=10.0.2.2` and `tinct.netvm.host_ports=N,N-M...`
 * ([netvm] host-ports); the definition's cmdline, `tinct.app.I=<base64>`
 * for each `[guest] run` of a waypipe VM, then `extra` (may be NULL).
 * Returns NULL on ENOMEM.
 */
char *backend_kernel_cmdline(const struct tinct_vm_def *def, const char *extra);

/**
 * `in` in base64, as the guest image contract passes commands on the
 * kernel command line (tinct.app.I=, tinct.run=): blanks and quotes survive
 * the kernel's parameter splitting. Returns NULL on ENOMEM.
 */
char *backend_base64(const char *in);

/** Channel `index`'s socket path (see above); NULL on ENOMEM or no support. */
char *backend_waypipe_socket(
	const struct tinct_vmm_backend *backend, const char *runtime_dir, unsigned index);

/**
 * A new graceful stop for `launch`'s VM with nothing under way yet, for a
 * backend's `stop` operation. NULL (logged) on ENOMEM.
 */
struct tinct_vmm_stop *backend_stop_create(
	const struct tinct_vmm_launch *launch, const struct tinct_vmm_stop_request *request);
/**
 * The `stop` operation of a backend whose graceful stop is a helper
 * command (`backend->build_stop_argv`): spawned like a VMM, output to the
 * request's log; exiting other than with status 0 calls `failed`.
 */
struct tinct_vmm_stop *backend_stop_helper(const struct tinct_vmm_backend *backend,
	const struct tinct_vmm_launch *launch, const struct tinct_vmm_stop_request *request);
/** Ends a graceful stop: closes its connection, kills its helper. NULL is a no-op. */
void backend_stop_destroy(struct tinct_vmm_stop *stop);

/**
 * Adds to `jail` what the VMM of `launch` gets (jail.h): the kernel and
 * initrd read-only, the disks read-only or read-write as defined, the
 * backend's own needs (`backend->jail`), then a network VM's upstream:
 * the host's network namespace for QEMU's user networking, the VFIO
 * devices and /sys for a NIC passed through. false (logged) on ENOMEM or
 * a NIC without an IOMMU group.
 */
bool backend_jail(const struct tinct_vmm_backend *backend, const struct tinct_vmm_launch *launch,
	struct tinct_jail *jail);

/** Whether the host offers vhost-vsock to QEMU (/dev/vhost-vsock usable). */
bool backend_vhost_vsock_usable(void);

/**
 * Appends the definition's extra-args, split like a shell would. Shared by
 * the backends that accept extra arguments at the end.
 */
bool backend_push_extra_args(const struct tinct_vm_def *def, struct tinct_argv *argv);

#endif
