/*
 * The shm SIGBUS guard (shm_guard.h says what it guards against).
 *
 * Why a guard and not the alternatives:
 * - Requiring pool files sealed against shrinking (F_SEAL_SHRINK) would be
 *   the cleanest, but waypipe, which carries every guest window of a QEMU or
 *   cloud-hypervisor VM, creates unsealed pools: guest windows would break.
 * - Copying each VM buffer on commit means a second copy of every frame of
 *   every window, and wlroots 0.15 offers no place to swap the buffer it
 *   keeps; the copy itself would still read memory the client can shrink.
 * - The guard costs nothing until a client misbehaves, covers every
 *   client (a host application's bug should not take every VM's windows
 *   down either, so it is not a trust decision for policy.h), and needs no
 *   cooperation from clients. It does what libwayland's own guard does for
 *   the reads it knows about.
 *
 * The ranges: every shm buffer a surface commits is recorded, once, with a
 * wlr_addon on the wlr_buffer, from the commit until wlroots destroys the
 * buffer (then it drops its pool reference and the memory may be unmapped).
 * The table is an array the main loop replaces whole and the handler only
 * reads; SIGBUS from a read of pool memory is synchronous, and the main loop
 * never touches pool memory while it edits the table, so the handler always
 * sees a consistent table.
 *
 * The handler replaces only the one faulting page, and only for a fault the
 * kernel raised for a missing backing page (BUS_ADRERR): that page is part of
 * a file mapping beyond the file's end, so mapping zeros over it loses
 * nothing else, even if a recorded range is stale (libwayland may move a
 * pool that grows while the wl_buffer lives; the fault is then still in a
 * shm mapping). Any other SIGBUS goes to the action installed before (which
 * is libwayland's guard once a wl_shm buffer was accessed), else kills tinct.
 */
#include "compositor/shm_guard.h"

#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <wlr/types/wlr_buffer.h>
#include <wlr/types/wlr_compositor.h>
#include <wlr/types/wlr_surface.h>
#include <wlr/util/addon.h>
#include <wlr/util/log.h>

struct shm_range {
	uintptr_t start, end; // [start, end)
};

struct shm_table {
	size_t len, cap;
	struct shm_range ranges[];
};

struct tinct_shm_guard {
	struct wlr_compositor *compositor;
	struct wl_listener new_surface;
	struct wl_listener compositor_destroy;
	struct wl_list surfaces; // guarded_surface.link
	int replaced_reported;
};

struct guarded_surface {
	struct tinct_shm_guard *guard;
	struct wlr_surface *surface;
	struct wl_listener commit;
	struct wl_listener destroy;
	struct wl_list link; // tinct_shm_guard.surfaces
};

/* A committed shm buffer whose memory is in the table (or NULL range). */
struct guarded_buffer {
	struct wlr_addon addon; // on wlr_buffer.addons
	struct shm_range range; // start == end: not shm, nothing recorded
};

/* What the handler reads: one guard per process (there is one SIGBUS). */
static _Atomic(struct shm_table *) table;
static uintptr_t page_size;
static struct sigaction previous_action;
static volatile sig_atomic_t replaced_pages;

static bool in_table(uintptr_t addr)
{
	struct shm_table *t = atomic_load_explicit(&table, memory_order_relaxed);
	if (t == NULL) {
		return false;
	}
	for (size_t i = 0; i < t->len; i++) {
		if (addr >= t->ranges[i].start && addr < t->ranges[i].end) {
			return true;
		}
	}
	return false;
}

static void die_by_default(void)
{
	struct sigaction action = {.sa_handler = SIG_DFL};
	sigemptyset(&action.sa_mask);
	sigaction(SIGBUS, &action, NULL);
}

static void handle_sigbus(int sig, siginfo_t *info, void *context)
{
	if (info->si_code <= 0) {
		/* Sent or raised (libwayland re-raises what it does not own). */
		die_by_default();
		raise(SIGBUS);
		return;
	}
	uintptr_t addr = (uintptr_t)info->si_addr;
	if (info->si_code == BUS_ADRERR && in_table(addr)) {
		void *page = (void *)(addr & ~(page_size - 1));
		if (mmap(page, page_size, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) != MAP_FAILED) {
			replaced_pages = replaced_pages + 1;
			return;
		}
	}
	if ((previous_action.sa_flags & SA_SIGINFO) != 0 && previous_action.sa_sigaction != NULL) {
		previous_action.sa_sigaction(sig, info, context);
		return;
	}
	if (previous_action.sa_handler != SIG_DFL && previous_action.sa_handler != SIG_IGN) {
		previous_action.sa_handler(sig);
		return;
	}
	/* Returning re-runs the faulting access, which now kills tinct. */
	die_by_default();
}

/*
 * Puts the handler on top of whatever is installed now. libwayland installs
 * its own guard lazily, at the first wl_shm access, so this runs again each
 * time a buffer is recorded; the one it finds becomes the one it chains to.
 */
static bool install_handler(void)
{
	struct sigaction current;
	if (sigaction(SIGBUS, NULL, &current) < 0) {
		wlr_log_errno(WLR_ERROR, "cannot read the SIGBUS action");
		return false;
	}
	if ((current.sa_flags & SA_SIGINFO) != 0 && current.sa_sigaction == handle_sigbus) {
		return true;
	}
	struct sigaction action = {
		.sa_sigaction = handle_sigbus,
		.sa_flags = SA_SIGINFO,
	};
	sigemptyset(&action.sa_mask);
	previous_action = current;
	if (sigaction(SIGBUS, &action, NULL) < 0) {
		wlr_log_errno(WLR_ERROR, "cannot install the SIGBUS guard");
		return false;
	}
	return true;
}

static bool table_add(struct shm_range range)
{
	struct shm_table *t = atomic_load_explicit(&table, memory_order_relaxed);
	if (t != NULL && t->len < t->cap) {
		t->ranges[t->len] = range;
		atomic_signal_fence(memory_order_release);
		t->len++;
		return true;
	}
	/* Build the larger table aside, then publish it whole. */
	size_t cap = t != NULL ? t->cap * 2 : 64;
	struct shm_table *bigger = malloc(sizeof(*bigger) + cap * sizeof(bigger->ranges[0]));
	if (bigger == NULL) {
		return false;
	}
	bigger->cap = cap;
	bigger->len = t != NULL ? t->len : 0;
	if (t != NULL) {
		memcpy(bigger->ranges, t->ranges, t->len * sizeof(t->ranges[0]));
	}
	bigger->ranges[bigger->len++] = range;
	atomic_store_explicit(&table, bigger, memory_order_release);
	free(t);
	return true;
}

static void table_remove(struct shm_range range)
{
	struct shm_table *t = atomic_load_explicit(&table, memory_order_relaxed);
	for (size_t i = 0; t != NULL && i < t->len; i++) {
		if (t->ranges[i].start == range.start && t->ranges[i].end == range.end) {
			/* The last one moves here first, so nothing is ever missing. */
			t->ranges[i] = t->ranges[t->len - 1];
			atomic_signal_fence(memory_order_release);
			t->len--;
			return;
		}
	}
}

static void guarded_buffer_addon_destroy(struct wlr_addon *addon)
{
	struct guarded_buffer *gb = wl_container_of(addon, gb, addon);
	if (gb->range.start != gb->range.end) {
		table_remove(gb->range);
	}
	wlr_addon_finish(&gb->addon);
	free(gb);
}

static const struct wlr_addon_interface guarded_buffer_addon = {
	.name = "tinct_shm_guard",
	.destroy = guarded_buffer_addon_destroy,
};

static void guard_buffer(struct tinct_shm_guard *guard, struct wlr_buffer *buffer)
{
	if (wlr_addon_find(&buffer->addons, guard, &guarded_buffer_addon) != NULL) {
		return;
	}
	struct guarded_buffer *gb = calloc(1, sizeof(*gb));
	if (gb == NULL) {
		wlr_log_errno(WLR_ERROR, "cannot guard a shm buffer");
		return;
	}
	void *data;
	uint32_t format;
	size_t stride;
	/* Only shm buffers give a pointer; their data is the pool's memory. */
	if (wlr_buffer_begin_data_ptr_access(
		    buffer, WLR_BUFFER_DATA_PTR_ACCESS_READ, &data, &format, &stride)) {
		wlr_buffer_end_data_ptr_access(buffer);
		struct shm_range range = {
			.start = (uintptr_t)data,
			.end = (uintptr_t)data + stride * (size_t)buffer->height,
		};
		if (range.end > range.start && install_handler() && table_add(range)) {
			gb->range = range;
		}
	}
	wlr_addon_init(&gb->addon, &buffer->addons, guard, &guarded_buffer_addon);
}

static void handle_surface_commit(struct wl_listener *listener, void *data)
{
	struct guarded_surface *gs = wl_container_of(listener, gs, commit);
	struct wlr_client_buffer *client_buffer = gs->surface->buffer;
	if (client_buffer != NULL && client_buffer->source != NULL) {
		guard_buffer(gs->guard, client_buffer->source);
	}
	int replaced = replaced_pages;
	if (replaced != gs->guard->replaced_reported) {
		gs->guard->replaced_reported = replaced;
		wlr_log(WLR_INFO,
			"shm guard: %d page(s) of truncated client memory replaced by zeros",
			replaced);
	}
}

static void guarded_surface_destroy(struct guarded_surface *gs)
{
	wl_list_remove(&gs->commit.link);
	wl_list_remove(&gs->destroy.link);
	wl_list_remove(&gs->link);
	free(gs);
}

static void handle_surface_destroy(struct wl_listener *listener, void *data)
{
	struct guarded_surface *gs = wl_container_of(listener, gs, destroy);
	guarded_surface_destroy(gs);
}

static void handle_new_surface(struct wl_listener *listener, void *data)
{
	struct tinct_shm_guard *guard = wl_container_of(listener, guard, new_surface);
	struct wlr_surface *surface = data;
	struct guarded_surface *gs = calloc(1, sizeof(*gs));
	if (gs == NULL) {
		wlr_log_errno(WLR_ERROR, "cannot guard a surface");
		return;
	}
	gs->guard = guard;
	gs->surface = surface;
	gs->commit.notify = handle_surface_commit;
	wl_signal_add(&surface->events.commit, &gs->commit);
	gs->destroy.notify = handle_surface_destroy;
	wl_signal_add(&surface->events.destroy, &gs->destroy);
	wl_list_insert(&guard->surfaces, &gs->link);
}

static void handle_compositor_destroy(struct wl_listener *listener, void *data)
{
	struct tinct_shm_guard *guard = wl_container_of(listener, guard, compositor_destroy);
	shm_guard_destroy(guard);
}

struct tinct_shm_guard *shm_guard_create(struct wlr_compositor *compositor)
{
	struct tinct_shm_guard *guard = calloc(1, sizeof(*guard));
	if (guard == NULL) {
		wlr_log_errno(WLR_ERROR, "cannot create the shm guard");
		return NULL;
	}
	page_size = (uintptr_t)sysconf(_SC_PAGESIZE);
	if (!install_handler()) {
		free(guard);
		return NULL;
	}
	guard->compositor = compositor;
	wl_list_init(&guard->surfaces);
	guard->new_surface.notify = handle_new_surface;
	wl_signal_add(&compositor->events.new_surface, &guard->new_surface);
	guard->compositor_destroy.notify = handle_compositor_destroy;
	wl_signal_add(&compositor->events.destroy, &guard->compositor_destroy);
	return guard;
}

void shm_guard_destroy(struct tinct_shm_guard *guard)
{
	if (guard == NULL) {
		return;
	}
	struct guarded_surface *gs, *tmp;
	wl_list_for_each_safe (gs, tmp, &guard->surfaces, link) {
		guarded_surface_destroy(gs);
	}
	wl_list_remove(&guard->new_surface.link);
	wl_list_remove(&guard->compositor_destroy.link);
	free(guard);
	/*
	 * Buffers still carry their addons (and ranges) until wlroots destroys
	 * them; the handler stays until then, which is the end of tinct.
	 */
}
