/*
 * Snapshots of booted QEMU guests: a VM's first start boots cold and, at
 * the point where the guest is ready but no application runs yet, saves
 * the whole VM (QEMU migration to a file); later starts restore that file
 * instead of booting, then let the guest start its applications.
 *
 * Which VMs: QEMU, `[vm] snapshot` not false, at least one `[guest] run`
 * application on a waypipe channel, no per-run kernel command line
 * (tinct-vm -c), no TAP (its descriptor and MAC are per run), no vsock
 * (its context id is per run), no writable disk (the guest's page cache in
 * the snapshot would not match the disk any more). Every other VM boots
 * cold as before.
 *
 * The host side, per run, in the VM's runtime directory:
 *   snapshot-qmp.sock  a second QMP monitor; QEMU connects to it
 *                      (reconnect=1), so tinct never polls for QEMU's socket
 *   snapshot.sock      the virtio-serial port `tinct.snapshot` on its own
 *                      controller; QEMU connects to it as well
 *   boot               one word: how this run started, `cold`, `cold-save`
 *                      (cold boot that saves a snapshot) or `restore`
 * and the guest is booted with `tinct.snapshot=1`. Its side of the line
 * protocol is vmm/images/snapshot:
 *   guest -> host  "ready"        booted, no application started
 *   host -> guest  "go SECONDS"   start the applications; host Unix time
 * Saving: on "ready", QMP stop, then migrate to a file descriptor tinct
 * opened (getfd + `fd:`), so QEMU needs no shell and no access to the
 * cache; on completion the file is synced and renamed into place, older
 * snapshots of the VM are deleted, the VM continues and gets "go".
 * Restoring: QEMU starts with `-incoming defer`; tinct passes the file's
 * descriptor and `migrate-incoming fd:`; on QEMU's RESUME event the guest
 * gets "go". A restore that fails (QMP error, QEMU exiting first) deletes
 * the snapshot and the owner boots the VM cold.
 *
 * Nothing secret is shared between restores: every run gets a new random
 * VM generation ID (`-device vmgenid,guid=...`), on which the guest kernel
 * reseeds its random generator ("crng reseeded due to virtual machine
 * fork"); the guest sets its clock from "go"; applications, and whatever
 * randomness they draw, start only after the restore. The same in every
 * restore: the kernel's boot_id, the address layout of the processes that
 * were running at the snapshot (init, acpid, the console shell), the
 * console backlog before "ready" (not replayed: a restored VM's console
 * starts at the restore).
 *
 * Files: $XDG_CACHE_HOME/tinct/snapshots/NAME-KEY.snap (default
 * ~/.cache), 0600 in a 0700 directory, written under a temporary name and
 * renamed. KEY is a SHA-256 over the QEMU binary (path, size, mtime,
 * inode), the contents of kernel and initrd, the disks' identity (path,
 * device, inode, size, mtime) and the QEMU command line without its
 * per-run parts (runtime directory, generation ID, -incoming). Any change
 * of image, kernel, definition or QEMU makes a new key, so a snapshot is
 * never used across them.
 */
#ifndef TINCT_VMM_SNAPSHOT_H
#define TINCT_VMM_SNAPSHOT_H

#include <stdbool.h>

struct tinct_argv;
struct tinct_vm_def;
struct wl_event_loop;

/** Added to the kernel command line of every snapshot run. */
#define TINCT_SNAPSHOT_CMDLINE "tinct.snapshot=1"

enum tinct_snapshot_mode {
	TINCT_SNAPSHOT_SAVE, // cold boot, save at "ready"
	TINCT_SNAPSHOT_RESTORE,
};

/** Digests of kernel and initrd, kept while their identity is unchanged. */
struct tinct_snapshot_cache;

struct tinct_snapshot_cache *snapshot_cache_create(void);
void snapshot_cache_destroy(struct tinct_snapshot_cache *cache);

/**
 * Whether `def` may use snapshots when started with `extra_cmdline` (may
 * be NULL). false sets `*why` to a static reason.
 */
bool snapshot_eligible(const struct tinct_vm_def *def, const char *extra_cmdline, const char **why);

/** What the owner provides to a run. */
struct tinct_snapshot_config {
	struct wl_event_loop *loop;
	struct tinct_snapshot_cache *cache;
	const struct tinct_vm_def *def;
	const char *runtime_dir;
	bool force_cold; // never restore (after a failed restore)
	// The restore failed while QEMU runs: the owner kills it and boots
	// cold. The snapshot file is gone already.
	void (*restore_failed)(void *data);
	// The guest was told to go on (after a save, or a restore): it runs
	// its applications now. A restored guest never says "ready" again on
	// its console or control channel; this is its ready.
	void (*guest_up)(void *data, bool restored);
	void *data;
};

struct tinct_snapshot;

/**
 * Prepares a run of a VM whose QEMU command line is `argv` (built with
 * TINCT_SNAPSHOT_CMDLINE, argv[0] the binary's path): computes the key,
 * picks SAVE or RESTORE, listens on the run's sockets and appends their
 * devices, a fresh vmgenid and, to restore, `-incoming defer`. Returns NULL
 * (logged) when snapshots cannot be used; `argv` is then unchanged and the
 * VM boots cold.
 */
struct tinct_snapshot *snapshot_run_create(
	const struct tinct_snapshot_config *config, struct tinct_argv *argv);
/**
 * true when the run restores and the guest was not resumed: a VMM exiting
 * now failed to restore, and the owner boots cold. The snapshot is
 * deleted when this first returns true.
 */
bool snapshot_run_restore_failed(struct tinct_snapshot *run);
/** Closes the sockets and removes a half-written file. NULL is a no-op. */
void snapshot_run_destroy(struct tinct_snapshot *run);

/** Writes `word` to `<runtime_dir>/boot` (see above); failures are logged. */
void snapshot_note_boot(const char *runtime_dir, const char *word);

#endif
