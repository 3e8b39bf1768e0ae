/*
 * The memfd server: a per-VM Unix stream socket, `<runtime_dir>/memfd`,
 * where a client asks for host memory by name and size and gets back a
 * memfd of exactly that size plus a one-byte status. With crosvm it is
 * offered to the guest as the named virtio_wl context "memfd"
 * (vmm/backend-crosvm.c): virtio_wl can only pass host file descriptors
 * into a guest, so a guest that must hand shared memory on (a compositor
 * inside the VM, say) asks the host for it here. Spectrum's crosvm had the
 * same service behind `--wl-memfd`; tinct serves it itself, on its one event
 * loop, so the VMM needs no patch.
 *
 * Wire format, version 1. All integers little-endian; the request is exactly
 * 80 bytes and may arrive in any number of pieces:
 *
 *   off size field
 *     0    1 version   TINCT_MEMFD_VERSION (1)
 *     1    3 pad       must be 0
 *     4    4 flags     le32, must be 0 (none defined)
 *     8    8 size      le64, bytes, 1..TINCT_MEMFD_MAX_SIZE
 *    16   64 name      bytes up to a NUL that must be within the 64; the
 *                      bytes after it are ignored
 *
 * Reply: exactly one byte, the status (enum tinct_memfd_status). With
 * TINCT_MEMFD_OK the same sendmsg carries one descriptor (SCM_RIGHTS): a
 * memfd of exactly `size` bytes, zero-filled, created MFD_CLOEXEC |
 * MFD_ALLOW_SEALING, named "tinct:VM:NAME" (NAME with every byte other than
 * [A-Za-z0-9._-] replaced by '_') and sealed F_SEAL_SHRINK | F_SEAL_SEAL.
 * Any other status carries no descriptor.
 *
 * A connection may send any number of requests, one after the other; each
 * gets its reply in order. The version byte is checked as soon as it
 * arrives: another version gets TINCT_MEMFD_BAD_VERSION and the connection
 * is closed, since the length of an unknown version's request is unknown.
 * Every other bad request gets its status and the connection stays usable.
 * A connection closed mid-request, or one that does not read its replies
 * (a reply that cannot be sent at once), is dropped; a memfd that could not
 * be delivered is closed and not counted.
 *
 * Seals. F_SEAL_SHRINK because tinct (wl_shm) and crosvm (which maps the fd
 * into guest memory at the size it had when it arrived) map these files:
 * shrinking would make their mappings fault with SIGBUS. F_SEAL_SEAL so no
 * holder can add seals later. Not F_SEAL_WRITE: the memory exists to be
 * written by the guest (a write seal also cannot be added while writable
 * shared mappings exist). Not F_SEAL_GROW: growing harms no mapping, and
 * the guest cannot grow the file anyway (it only sees the pages crosvm
 * mapped); host-side holders may use it as a growable wl_shm pool.
 *
 * Accounting. Each VM has a quota (`[wayland] memfd-quota`, default 256M,
 * parsed with the VM definition: vmm/vm-def.h) on the total handed out: the sum of the sizes,
 * rounded up to whole pages, of every memfd delivered since the server was
 * created, i.e. since the VM started (the server is created and destroyed
 * with the VM's display). tinct keeps no copy of the descriptors and cannot
 * observe when the receivers let go of them: a memfd lives as long as any
 * descriptor or mapping of it does, in crosvm, the guest's mappings or a
 * Wayland server it was passed to. So whatever was handed out counts until
 * the VM stops, which is when those holders go. This is conservative (a
 * guest that frees and asks again uses up its quota and then gets
 * TINCT_MEMFD_OVER_QUOTA) but cannot be evaded by closing and asking again.
 * Pages are only allocated when touched; the quota bounds what can be.
 *
 * Limits: TINCT_MEMFD_MAX_CLIENTS connections at once per VM (more are
 * accepted and closed at once); at most a few requests are served per
 * event loop dispatch so one client cannot starve the others.
 */
#ifndef TINCT_MEMFD_SERVER_H
#define TINCT_MEMFD_SERVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct wl_event_loop;

#define TINCT_MEMFD_VERSION 1
#define TINCT_MEMFD_NAME_LEN 64
#define TINCT_MEMFD_MAX_SIZE (UINT64_C(1) << 30) // one request, 1 GiB
#define TINCT_MEMFD_MAX_CLIENTS 16
// The socket's file name in the VM's runtime directory; vmm/backend.h has
// the same as TINCT_MEMFD_SOCKET_NAME for crosvm's command line.
#define TINCT_MEMFD_SOCKET "memfd"

struct tinct_memfd_request {
	uint8_t version;
	uint8_t pad[3];
	uint32_t flags; // le32
	uint64_t size; // le64
	char name[TINCT_MEMFD_NAME_LEN];
};
_Static_assert(sizeof(struct tinct_memfd_request) == 80, "memfd request is 80 bytes");

enum tinct_memfd_status {
	TINCT_MEMFD_OK = 0,
	TINCT_MEMFD_BAD_VERSION = 1, // the connection is closed after it
	TINCT_MEMFD_BAD_SIZE = 2, // 0 or more than TINCT_MEMFD_MAX_SIZE
	TINCT_MEMFD_OVER_QUOTA = 3, // would exceed the VM's quota
	TINCT_MEMFD_BAD_NAME = 4, // no NUL within the name field
	TINCT_MEMFD_INTERNAL_ERROR = 5, // memfd_create, ftruncate or sealing failed
	TINCT_MEMFD_BAD_FLAGS = 6, // non-zero flags or padding
};

struct tinct_memfd_server;

/*
 * Listens on dir/memfd (a stale file is replaced) on loop. label names the
 * VM in memfd names and logs. Returns NULL on failure (logged).
 */
struct tinct_memfd_server *memfd_server_create(
	struct wl_event_loop *loop, const char *dir, const char *label, uint64_t quota);
/* Drops every client and removes the socket. NULL is a no-op. */
void memfd_server_destroy(struct tinct_memfd_server *server);

const char *memfd_server_path(const struct tinct_memfd_server *server);
/* Bytes counted against the quota so far (whole pages). */
uint64_t memfd_server_handed_out(const struct tinct_memfd_server *server);

#endif
