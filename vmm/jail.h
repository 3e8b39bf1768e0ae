/*
 * Confinement of the programs that serve a VM: its VMM, the VMM's stop
 * helper and its waypipe clients. They parse what the guest sends, so
 * they are the first thing a hostile guest attacks; one taken over must
 * get nothing that the VM did not already have.
 *
 * Every confined child runs under bubblewrap (bwrap), started with
 * no-new-privileges and in a session of its own (no controlling terminal
 * to inject keystrokes into):
 *
 *   bwrap --die-with-parent --unshare-ipc --unshare-pid --unshare-uts
 *         --unshare-cgroup-try [--unshare-net]
 *         owner not root: --unshare-user [--disable-userns]
 *         owner root:     --cap-drop ALL [--cap-add CAP_SETUID --cap-add CAP_SETGID]
 *         --ro-bind /usr /usr, /bin /sbin /lib* as on the host (merged /usr:
 *           symlinks), --ro-bind-try /etc/ld.so.cache and /etc/alternatives
 *         --dev /dev (null, zero, full, random, urandom, tty, pts, shm)
 *         --dev-bind DEVICE DEVICE for each device the backend needs
 *         --proc /proc (of its own pid namespace) --tmpfs /tmp
 *         --bind RUNTIME_DIR RUNTIME_DIR     (the VM's own directory only)
 *         --ro-bind FILE FILE                images, the program, and every
 *                                            absolute path to a regular file
 *                                            that is a whole word of argv
 *         --bind FILE FILE                   writable disks
 *         --setenv HOME RUNTIME_DIR --setenv XDG_RUNTIME_DIR RUNTIME_DIR
 *         --chdir RUNTIME_DIR
 *         -- [setpriv --reuid=UID --regid=UID --groups=G... --inh-caps=-all --]
 *         PROGRAM ARGS...
 *
 * So the child sees no home directory, no other VM's directory, not the
 * runtime directory holding tinct's main socket, and no network (except
 * descriptors passed to it, such as a TAP).
 *
 * Where tinct runs as root, every VM gets an unprivileged uid of its own
 * for the time it runs (jail_uid_claim()): bwrap sets up the mounts as
 * root, then setpriv switches to the VM's uid (gid the same, supplementary
 * groups only those of the devices it needs, no capabilities) before the
 * program runs. A user namespace (bwrap --uid) would not do: the sandbox's
 * uid would still be root's on the host, owner of every root file. The VM's
 * runtime directory and the sockets tinct made in it for the VM (its
 * display) belong to that uid while it runs (jail_give_dir()), mode 0700;
 * tinct, as root, reaches them anyway.
 *
 * A missing bwrap is an error (jail_prepare()): a VM runs confined or not
 * at all, unless its definition says `confine = false`.
 */
#ifndef TINCT_VMM_JAIL_H
#define TINCT_VMM_JAIL_H

#include <stdbool.h>
#include <sys/types.h>

#include "vmm/argv.h"

struct tinct_spawn;

/*
 * The uids handed to VMs when tinct runs as root: FIRST .. FIRST+COUNT-1,
 * above the ranges Debian and systemd allocate (users, containers).
 * TINCT_VM_UIDS=FIRST:COUNT overrides it.
 */
#define TINCT_JAIL_UID_FIRST 0x70000000u
#define TINCT_JAIL_UID_COUNT 65536u

enum tinct_jail_bind {
	TINCT_JAIL_RO, // bound read-only at the same path
	TINCT_JAIL_RW, // bound read-write
	TINCT_JAIL_DEVICE, // device node, bound with device access
	TINCT_JAIL_DEVICE_TRY, // the same when it exists
	TINCT_JAIL_DIR, // an empty directory
};

struct tinct_jail_path {
	enum tinct_jail_bind kind;
	char *path;
};

struct tinct_jail {
	bool enabled; // false: the child runs unconfined (confine = false)
	char *vm_name; // for messages
	char *runtime_dir;
	char *bwrap; // path of bwrap
	char *setpriv; // path of setpriv, when uid != 0
	uid_t uid; // 0: the owner's own (tinct is not root)
	gid_t gid;
	bool share_net; // keep the host's network namespace
	bool allow_userns; // may create user namespaces (crosvm's own jail)
	struct tinct_jail_path *paths; // in the order added
	size_t paths_len;
};

/** An empty, disabled jail. */
void jail_init(struct tinct_jail *jail);
/** Frees what the jail holds; it is empty and disabled afterwards. NULL is a no-op. */
void jail_finish(struct tinct_jail *jail);
/** `dst` (initialised) becomes a copy of `src`. false on ENOMEM. */
bool jail_copy(struct tinct_jail *dst, const struct tinct_jail *src);

/**
 * Enables `jail` for the VM `vm_name` whose runtime directory is
 * `runtime_dir`, with `uid` (0: none). Finds bwrap (TINCT_BWRAP, else PATH)
 * and, with a uid, setpriv. Returns false (logged, with how to run the VM
 * unconfined) when one is missing.
 */
bool jail_prepare(struct tinct_jail *jail, const char *vm_name, const char *runtime_dir, uid_t uid);

/** Adds a path the child gets. false on ENOMEM. */
bool jail_add(struct tinct_jail *jail, enum tinct_jail_bind kind, const char *path);

/**
 * Whether the confined child could open `device` read-write: with a uid,
 * by the device's mode for others or its group (which the child then
 * gets); else by access().
 */
bool jail_device_usable(const struct tinct_jail *jail, const char *device);

/**
 * The whole bwrap command line (see above) running `program` with
 * `argv[1]`... inside `jail`, appended to `out`. false on ENOMEM.
 */
bool jail_argv(const struct tinct_jail *jail, const char *program, char *const *argv,
	struct tinct_argv *out);

/**
 * Rewrites `spawn` (see spawn_vm_child()) to run its program inside `jail`:
 * `spawn->program` becomes bwrap and `spawn->argv` the words in `storage`
 * (initialised; the caller finishes it after spawning), with no-new-privs
 * and a session of its own. A disabled jail leaves `spawn` as it is.
 * false on ENOMEM.
 */
bool jail_apply(
	const struct tinct_jail *jail, struct tinct_spawn *spawn, struct tinct_argv *storage);

/**
 * Claims a uid for a VM from the range above, unique on this host while
 * the returned descriptor is open (an abstract socket named after it:
 * released by the kernel when tinct exits, however it exits). Returns the
 * descriptor (O_CLOEXEC) or -1 (logged) when the range is exhausted.
 */
int jail_uid_claim(uid_t *uid);

/**
 * Gives the VM's runtime directory `dir` and the sockets in it to
 * `uid`:`gid` (tinct's console relay, which host clients trust, is not
 * in it: vm.h); with the owner's own ids it
 * takes back the directory and everything in it. false (logged) on
 * failure.
 */
bool jail_give_dir(const char *dir, uid_t uid, gid_t gid);

#endif
