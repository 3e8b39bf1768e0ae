/*
 * VM definitions: one INI file per VM, `NAME.ini`, parsed with libinih.
 *
 * Search order (a name found earlier wins, later files with the same name
 * are skipped with a notice):
 *   1. the directory given on the command line (`--vms DIR`), because an
 *      explicit request overrides everything installed;
 *   2. $XDG_CONFIG_HOME/tinct/vms/ (default ~/.config/tinct/vms/);
 *   3. /etc/xdg/tinct/vms/.
 * A file that fails to parse still claims its name, so a typo in the user's
 * copy never silently falls back to the system one.
 *
 * The file is read through common/ini.h. Errors read exactly
 * `FILE:LINE: [SECTION] KEY: MESSAGE`. Errors about the file as a whole (its
 * name, a missing key) use line 0 and the section the key belongs in; a line
 * that is no INI, or longer than 4096 bytes (TINCT_INI_MAX_LINE), reads
 * `FILE:LINE: syntax error: WHY`. A file with any error yields no VM; the
 * other files still load.
 *
 * Keys of [vm]:
 *   colour / color  #rrggbb or red orange yellow green gray (grey) blue purple
 *                   black (common/colour.h)
 *   vmm             qemu (default), cloud-hypervisor, crosvm, command
 *   vmm-binary      program to run instead of the backend's default
 *   command         command line for vmm = command, with placeholders
 *   kernel, initrd  paths; relative ones are inside the images directory
 *   disk, disk-rw   repeatable; read-only and writable disk images
 *   cmdline         extra kernel command line
 *   memory          MiB, or with an M/G suffix (default 512)
 *   cpus            1..64 (default 1)
 *   network         none (default); tap (a TAP device of its own); or the
 *                   name of a network VM (below), whose port the VM's NIC
 *                   is joined to and which is started first
 *   wayland         how guest windows reach the VM's display: none (default),
 *                   virtio-wl (crosvm) or waypipe (QEMU, cloud-hypervisor)
 *   autostart       boolean (default false)
 *   extra-args      more VMM arguments, split like a shell would
 *   stop-timeout    seconds before SIGTERM after a graceful stop (default 10)
 *   console-buffer  bytes of console backlog, K/M suffix (default 1M)
 *   stop-when-idle  boolean (default false): stop the VM gracefully when
 *                   its last window closes
 *   first-window-timeout  seconds (1..3600, default 60) the placeholder
 *                   window of a VM with [guest] run waits for the VM's first
 *                   window before it says that none came
 *   snapshot        boolean (default true): start from a saved snapshot of
 *                   the booted guest when the VM qualifies (snapshot.h)
 *   confine         boolean (default true): the VMM, its stop helper and
 *                   waypipe run confined (jail.h). false runs them as
 *                   tinct's user with tinct's view of the files, so a guest
 *                   that takes one over gets that user's rights
 * Keys of [wayland], what the compositor grants the VM's clients:
 *   allow           repeatable; permissions, split on commas and blanks:
 *                   pointer-constraints, relative-pointer, fullscreen,
 *                   idle-inhibit (enum tinct_vm_permission; default none)
 *   max-windows     toplevels the VM may have at once, 1..100000 (default
 *                   500)
 *   memfd-quota     bytes the VM's memfd server hands out while the VM runs,
 *                   K/M/G suffix (powers of 1024), at most 64G (default
 *                   256M; see virtio-wl/memfd_server.h)
 *   named           extra display sockets wayland-NAME (crosvm named
 *                   virtio_wl contexts), split on commas and blanks
 *   ports           waypipe channels (virtio-serial ports or vsock ports)
 *                   the VM gets, 1..16 (default 4)
 * Any other [wayland] key is an error.
 * Keys of [netvm]; any of them makes the VM a network VM (vmm/network.h),
 * whose own [vm] network must stay none:
 *   ports           app VMs it can serve at once, 1..16 (default 8)
 *   upstream        its own way out: user (QEMU user networking, the
 *                   default), tap (a TAP device tinct creates; the host
 *                   configures it), none, or vfio:DDDD:BB:DD.F (a PCI NIC
 *                   passed through, bound to vfio-pci beforehand)
 *   isolate         boolean (default true): app VMs cannot reach each other
 *                   through it
 *   host-ports      upstream = user only: the ports (N or N-M, TCP and
 *                   UDP, comma separated, at most 16 entries) at which app
 *                   VMs may reach the host's loopback, 10.0.2.2 to them;
 *                   default none: the host's loopback is closed to them
 *
 * [guest] accepts any key; its raw values are kept. The vmm library reads:
 *   [guest] run      repeatable; a shell command the guest init starts with
 *                    waypipe, the i-th on channel i (wayland = waypipe only).
 *                    Passed base64-encoded on the kernel command line, so
 *                    all of them together must stay under 1200 bytes.
 *                    `NAME: COMMAND` names the application (a safe name,
 *                    a colon and a blank); the name is what menus show.
 *   [guest] ready    guest (default; console for vmm = command): the VM is
 *                    running once its guest init says it is ready (the
 *                    control channel's `ready`, or the serial console line
 *                    `tinct-guest: ready`); console: once the VMM's serial
 *                    console is connected.
 */
#ifndef TINCT_VMM_VM_DEF_H
#define TINCT_VMM_VM_DEF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <wayland-util.h>

#define TINCT_VM_NAME_MAX 32
/* The virtio_wl context name of the memfd server; no named socket may take it. */
#define TINCT_MEMFD_CONTEXT_NAME "memfd"

enum tinct_vmm_kind {
	TINCT_VMM_QEMU,
	TINCT_VMM_CLOUD_HYPERVISOR,
	TINCT_VMM_CROSVM,
	TINCT_VMM_COMMAND,
};

enum tinct_vm_wayland {
	TINCT_VM_WAYLAND_NONE,
	TINCT_VM_WAYLAND_VIRTIO_WL,
	TINCT_VM_WAYLAND_WAYPIPE,
};

#define TINCT_WAYPIPE_DEFAULT_PORTS 4
#define TINCT_WAYPIPE_MAX_PORTS 16
// Bytes of `[guest] run` commands (before base64) that fit on the kernel
// command line next to everything else (its limit is 2048 bytes).
#define TINCT_GUEST_RUN_MAX 1200
#define TINCT_FIRST_WINDOW_TIMEOUT_S 60

/* What a VM's clients may use beyond the basics ([wayland] allow). */
enum tinct_vm_permission {
	TINCT_PERM_POINTER_CONSTRAINTS = 1 << 0,
	TINCT_PERM_RELATIVE_POINTER = 1 << 1,
	TINCT_PERM_FULLSCREEN = 1 << 2,
	TINCT_PERM_IDLE_INHIBIT = 1 << 3,
};

#define TINCT_VM_DEFAULT_MAX_WINDOWS 500
#define TINCT_VM_MAX_MAX_WINDOWS 100000
#define TINCT_VM_DEFAULT_MAX_CONNECTIONS 64
#define TINCT_VM_MAX_MAX_CONNECTIONS 10000
#define TINCT_MEMFD_DEFAULT_QUOTA (UINT64_C(256) << 20) // per VM, 256 MiB
#define TINCT_MEMFD_MAX_QUOTA (UINT64_C(64) << 30)

enum tinct_vm_network {
	TINCT_VM_NETWORK_NONE,
	TINCT_VM_NETWORK_TAP,
	TINCT_VM_NETWORK_VM, // through a network VM (network_vm)
};

enum tinct_guest_ready {
	TINCT_GUEST_READY_DEFAULT, // until validated: depends on the VMM
	TINCT_GUEST_READY_GUEST,
	TINCT_GUEST_READY_CONSOLE,
};

enum tinct_netvm_upstream {
	TINCT_NETVM_UPSTREAM_USER,
	TINCT_NETVM_UPSTREAM_TAP,
	TINCT_NETVM_UPSTREAM_NONE,
	TINCT_NETVM_UPSTREAM_VFIO,
};

#define TINCT_NETVM_DEFAULT_PORTS 8
#define TINCT_NETVM_MAX_PORTS 16
#define TINCT_NETVM_MAX_HOST_PORTS 16

/* A range of ports, first..last (first <= last). */
struct tinct_port_range {
	uint16_t first, last;
};

struct tinct_vm_disk {
	char *path; // absolute
	bool writable;
};

/** A raw `key = value` of [guest]. */
struct tinct_vm_def_entry {
	char *key;
	char *value;
	int line;
};

struct tinct_vm_def {
	char *name;
	char *path; // the file it came from, NULL when built in code
	uint32_t colour; // 0xrrggbb
	int colour_line; // where colour was set, 0 for the default
	enum tinct_vmm_kind vmm;
	char *vmm_binary; // NULL: the backend's default
	char *command; // vmm = command only
	char *kernel; // absolute, NULL for vmm = command without one
	char *initrd;
	struct tinct_vm_disk *disks;
	size_t disks_len;
	char *cmdline; // NULL: nothing extra
	uint32_t memory_mib;
	uint32_t cpus;
	enum tinct_vm_network network;
	char *network_vm; // network = NAME: the network VM's name, else NULL
	int network_line; // the line of [vm] network, 0 when unset
	bool netvm; // [netvm]: this is a network VM
	uint32_t netvm_ports;
	enum tinct_netvm_upstream netvm_upstream;
	char *netvm_upstream_device; // vfio: the PCI address
	bool netvm_isolate;
	// [netvm] host-ports: where app VMs may reach the host's loopback
	struct tinct_port_range netvm_host_ports[TINCT_NETVM_MAX_HOST_PORTS];
	size_t netvm_host_ports_len;
	int netvm_host_ports_line; // 0: not set
	char *wayland; // raw value, NULL when unset
	enum tinct_vm_wayland wayland_kind;
	uint32_t wayland_ports; // [wayland] ports
	char **wayland_named; // [wayland] named: extra display sockets wayland-NAME
	size_t wayland_named_len;
	uint32_t wayland_allow; // [wayland] allow: enum tinct_vm_permission bits
	int max_windows; // [wayland] max-windows
	int max_connections; // [wayland] max-connections
	uint64_t memfd_quota; // [wayland] memfd-quota, bytes
	char **guest_runs; // [guest] run, in order, without the names
	char **guest_run_names; // NULL entries for unnamed ones
	size_t guest_runs_len;
	enum tinct_guest_ready guest_ready; // [guest] ready
	bool stop_when_idle;
	uint32_t first_window_timeout_s;
	bool autostart;
	bool snapshot; // [vm] snapshot
	char *extra_args; // raw; split when the VMM starts
	uint32_t stop_timeout_ms;
	size_t console_buffer;
	bool confine;
	struct tinct_vm_def_entry *guest_entries; // [guest]
	size_t guest_entries_len;

	struct wl_list link; // list given to vm_def_load_dirs
};

/** Receives one formatted error message (no trailing newline). */
typedef void (*tinct_vm_def_report_func)(void *data, const char *message);

/** A definition with every default and no kernel; NULL on ENOMEM or a bad name. */
struct tinct_vm_def *vm_def_create(const char *name);
void vm_def_destroy(struct tinct_vm_def *def);

/**
 * Parses one definition from `file`; `path` is used in messages and
 * `name` is the VM's name (a safe identifier). Relative image paths
 * resolve against `images_dir`. Every error goes to `report` (wlr_log when
 * NULL). Returns NULL when there was any error.
 */
struct tinct_vm_def *vm_def_parse(FILE *file, const char *path, const char *name,
	const char *images_dir, tinct_vm_def_report_func report, void *data);

/** Opens `path` and parses it, naming the VM after the file (NAME.ini). */
struct tinct_vm_def *vm_def_load_file(
	const char *path, const char *images_dir, tinct_vm_def_report_func report, void *data);

/**
 * Loads every `*.ini` of each directory of the NULL-terminated `dirs`, in
 * order, appending new definitions to `defs` (struct tinct_vm_def.link)
 * sorted by name within a directory. Names already in `defs` are skipped.
 * Missing directories are fine. A network = NAME that names no network VM
 * in `defs` is an error, but its definition is kept (vm_def_network_check).
 * Returns the number of errors.
 */
int vm_def_load_dirs(struct wl_list *defs, const char *const *dirs, const char *images_dir,
	tinct_vm_def_report_func report, void *data);

/**
 * The directories to search, in precedence order (see above), as a
 * NULL-terminated array to free with vm_def_free_dirs. `extra` may be NULL.
 */
char **vm_def_search_dirs(const char *extra);
void vm_def_free_dirs(char **dirs);

/** $TINCT_IMAGES, else ${XDG_CACHE_HOME:-$HOME/.cache}/tinct/images. */
char *vm_def_images_dir(void);

/**
 * Whether `netvm`, the definition called like `def`'s network = NAME
 * (NULL when there is none), can serve it. Otherwise writes the whole
 * error, `FILE:LINE: [vm] network: WHY`, to `message`. Checked when
 * definitions are loaded and again when the VM starts.
 */
bool vm_def_network_check(const struct tinct_vm_def *def, const struct tinct_vm_def *netvm,
	char *message, size_t size);

bool vm_def_name_valid(const char *name);
/**
 * Whether the kernel, initrd and disk files can be read. On false,
 * `message` says which file and why ("kernel PATH: No such file or
 * directory").
 */
bool vm_def_check_files(const struct tinct_vm_def *def, char *message, size_t size);
/** What menus call application `index`: its name, else its command; NULL past the end. */
const char *vm_def_app_name(const struct tinct_vm_def *def, size_t index);
const char *vm_def_vmm_name(enum tinct_vmm_kind kind);
bool vm_def_parse_vmm(const char *text, enum tinct_vmm_kind *kind);

#endif
