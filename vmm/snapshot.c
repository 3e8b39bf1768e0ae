/*
 * Snapshots of booted QEMU guests (see snapshot.h): the key, the cache
 * directory, and per run the snapshot QMP monitor and the guest's
 * `tinct.snapshot` port. Everything QEMU and the guest send is untrusted
 * text: lines are bounded and only exact words are acted on.
 */
#include "vmm/snapshot.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <glib.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>
#include <wayland-server-core.h>
#include <wlr/util/log.h>

#include "common/time.h"
#include "common/untrusted_dir.h"
#include "vmm/argv.h"
#include "vmm/vm-def.h"

// Saving a few hundred MiB to the page cache takes seconds under TCG here;
// past this the VM continues without a snapshot.
#define SAVE_TIMEOUT_MS 60000
#define QMP_LINE_MAX 4096
#define CTL_LINE_MAX 64
#define FD_NAME "tinct-snapshot"
// After a restore, how long "go" waits for QEMU's Wayland channels to be
// connected, and how often it asks.
#define CHANNELS_TIMEOUT_MS 5000
#define CHANNELS_POLL_MS 20

struct cache_entry {
	char *path;
	dev_t dev;
	ino_t ino;
	off_t size;
	struct timespec mtime;
	char digest[65];
	struct cache_entry *next;
};

struct tinct_snapshot_cache {
	struct cache_entry *entries;
};

struct line_buffer {
	char data[QMP_LINE_MAX];
	size_t len;
	bool overflow; // dropping the rest of an overlong line
};

struct tinct_snapshot {
	struct tinct_snapshot_config config; // def, runtime_dir, cache not kept
	char *vm_name;
	enum tinct_snapshot_mode mode;
	char *path; // the snapshot file
	char *tmp_path; // SAVE: the file being written
	int tmp_fd; // SAVE: its descriptor, -1 once closed
	char *qmp_sock;
	char *ctl_sock;
	int qmp_listen, ctl_listen;
	struct wl_event_source *qmp_listen_source, *ctl_listen_source;
	int qmp_fd, ctl_fd;
	struct wl_event_source *qmp_source, *ctl_source;
	struct line_buffer qmp_in, ctl_in;
	struct wl_event_source *timer;
	int64_t start_ms, save_start_ms;
	bool incoming_sent; // RESTORE: migrate-incoming was sent
	bool resumed; // RESTORE: QEMU says the guest runs
	bool channels_up; // RESTORE: QEMU's Wayland chardevs are connected
	struct wl_event_source *channels_timer;
	int64_t channels_deadline_ms;
	bool ready_seen; // SAVE: the guest said "ready"
	bool saving; // SAVE: migration under way
	bool go_sent;
	bool restore_failed_noted;
};

struct tinct_snapshot_cache *snapshot_cache_create(void)
{
	return calloc(1, sizeof(struct tinct_snapshot_cache));
}

void snapshot_cache_destroy(struct tinct_snapshot_cache *cache)
{
	if (cache == NULL) {
		return;
	}
	struct cache_entry *entry = cache->entries;
	while (entry != NULL) {
		struct cache_entry *next = entry->next;
		free(entry->path);
		free(entry);
		entry = next;
	}
	free(cache);
}

bool snapshot_eligible(const struct tinct_vm_def *def, const char *extra_cmdline, const char **why)
{
	if (def->vmm != TINCT_VMM_QEMU) {
		*why = "only QEMU VMs have snapshots";
	} else if (!def->snapshot) {
		*why = "snapshot = false";
	} else if (def->wayland_kind != TINCT_VM_WAYLAND_WAYPIPE || def->guest_runs_len == 0) {
		*why = "no [guest] run application on a waypipe channel";
	} else if (extra_cmdline != NULL && extra_cmdline[0] != '\0') {
		*why = "this start has its own kernel command line";
	} else if (def->network == TINCT_VM_NETWORK_TAP) {
		*why = "network = tap";
	} else if (def->network == TINCT_VM_NETWORK_VM) {
		// Its address and connections belong to a run of the network VM.
		*why = "network through a network VM";
	} else if (def->netvm) {
		*why = "a network VM";
	} else {
		for (size_t i = 0; i < def->disks_len; i++) {
			if (def->disks[i].writable) {
				*why = "a writable disk";
				return false;
			}
		}
		return true;
	}
	return false;
}

static bool same_identity(const struct cache_entry *entry, const struct stat *st)
{
	return entry->dev == st->st_dev && entry->ino == st->st_ino && entry->size == st->st_size &&
	       entry->mtime.tv_sec == st->st_mtim.tv_sec &&
	       entry->mtime.tv_nsec == st->st_mtim.tv_nsec;
}

// The SHA-256 of a file's contents in hex, remembered while the file's
// identity (device, inode, size, mtime) stays the same.
static bool file_digest(struct tinct_snapshot_cache *cache, const char *path, char out[65])
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) < 0) {
		wlr_log_errno(WLR_ERROR, "Snapshot key: cannot read %s", path);
		if (fd >= 0) {
			close(fd);
		}
		return false;
	}
	for (struct cache_entry *entry = cache->entries; entry != NULL; entry = entry->next) {
		if (strcmp(entry->path, path) == 0 && same_identity(entry, &st)) {
			memcpy(out, entry->digest, 65);
			close(fd);
			return true;
		}
	}
	size_t buf_size = 1 << 16;
	unsigned char *buf = malloc(buf_size);
	GChecksum *sum = g_checksum_new(G_CHECKSUM_SHA256);
	ssize_t n = -1;
	while (buf != NULL && (n = read(fd, buf, buf_size)) > 0) {
		g_checksum_update(sum, buf, (gssize)n);
	}
	free(buf);
	close(fd);
	if (n < 0) {
		wlr_log_errno(WLR_ERROR, "Snapshot key: cannot read %s", path);
		g_checksum_free(sum);
		return false;
	}
	snprintf(out, 65, "%s", g_checksum_get_string(sum));
	g_checksum_free(sum);
	struct cache_entry *entry = calloc(1, sizeof(*entry));
	if (entry != NULL && (entry->path = strdup(path)) != NULL) {
		entry->dev = st.st_dev;
		entry->ino = st.st_ino;
		entry->size = st.st_size;
		entry->mtime = st.st_mtim;
		memcpy(entry->digest, out, 65);
		entry->next = cache->entries;
		cache->entries = entry;
	} else {
		free(entry);
	}
	return true;
}

static void checksum_identity(GChecksum *sum, const char *what, const char *path)
{
	struct stat st;
	char text[256];
	if (stat(path, &st) < 0) {
		snprintf(text, sizeof(text), "%s missing\n", what);
	} else {
		snprintf(text, sizeof(text), "%s %ju %ju %jd %jd.%09ld\n", what,
			(uintmax_t)st.st_dev, (uintmax_t)st.st_ino, (intmax_t)st.st_size,
			(intmax_t)st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
	}
	g_checksum_update(sum, (const guchar *)path, -1);
	g_checksum_update(sum, (const guchar *)text, -1);
}

// The key (snapshot.h) in hex, or NULL (logged).
static char *snapshot_key(const struct tinct_snapshot_config *config, const struct tinct_argv *argv)
{
	const struct tinct_vm_def *def = config->def;
	char kernel[65], initrd[65] = "none";
	if (!file_digest(config->cache, def->kernel, kernel) ||
		(def->initrd != NULL && !file_digest(config->cache, def->initrd, initrd))) {
		return NULL;
	}
	GChecksum *sum = g_checksum_new(G_CHECKSUM_SHA256);
	g_checksum_update(sum, (const guchar *)"tinct-snapshot 1\n", -1);
	checksum_identity(sum, "qemu", argv->argv[0]);
	g_checksum_update(sum, (const guchar *)kernel, -1);
	g_checksum_update(sum, (const guchar *)initrd, -1);
	for (size_t i = 0; i < def->disks_len; i++) {
		checksum_identity(sum, "disk", def->disks[i].path);
	}
	// The runtime directory is per user and session, not part of the VM.
	size_t dir_len = strlen(config->runtime_dir);
	for (size_t i = 0; i < argv->len; i++) {
		const char *arg = argv->argv[i];
		const char *at;
		while ((at = strstr(arg, config->runtime_dir)) != NULL) {
			g_checksum_update(sum, (const guchar *)arg, at - arg);
			g_checksum_update(sum, (const guchar *)"@RUNTIME@", -1);
			arg = at + dir_len;
		}
		g_checksum_update(sum, (const guchar *)arg, (gssize)strlen(arg) + 1);
	}
	char *key = strdup(g_checksum_get_string(sum));
	g_checksum_free(sum);
	return key;
}

static bool mkdir_private(const char *path)
{
	if (mkdir(path, 0700) < 0 && errno != EEXIST) {
		wlr_log_errno(WLR_ERROR, "Cannot create %s", path);
		return false;
	}
	return true;
}

// $XDG_CACHE_HOME/tinct/snapshots (or ~/.cache/...), created 0700.
static char *snapshot_dir(void)
{
	const char *cache = getenv("XDG_CACHE_HOME");
	const char *home = getenv("HOME");
	char *base = NULL;
	if (cache != NULL && cache[0] == '/') {
		base = strdup(cache);
	} else if (home != NULL && home[0] == '/') {
		if (asprintf(&base, "%s/.cache", home) < 0) {
			base = NULL;
		}
	} else {
		wlr_log(WLR_ERROR, "Snapshots: neither XDG_CACHE_HOME nor HOME is set");
		return NULL;
	}
	char *tinct = NULL, *dir = NULL;
	if (base == NULL || asprintf(&tinct, "%s/tinct", base) < 0 ||
		asprintf(&dir, "%s/snapshots", tinct) < 0) {
		free(base);
		free(tinct);
		return NULL;
	}
	bool ok = mkdir_private(base) && mkdir_private(tinct) && mkdir_private(dir);
	struct stat st;
	if (ok && (lstat(dir, &st) < 0 || !S_ISDIR(st.st_mode) || st.st_uid != geteuid())) {
		wlr_log(WLR_ERROR, "%s is not a directory owned by us", dir);
		ok = false;
	}
	if (ok && (st.st_mode & 0777) != 0700 && chmod(dir, 0700) < 0) {
		wlr_log_errno(WLR_ERROR, "Cannot make %s private", dir);
		ok = false;
	}
	free(base);
	free(tinct);
	if (!ok) {
		free(dir);
		return NULL;
	}
	return dir;
}

void snapshot_note_boot(const char *runtime_dir, const char *word)
{
	char *path = NULL;
	if (asprintf(&path, "%s/boot", runtime_dir) < 0) {
		return;
	}
	int fd = untrusted_open_write(path, false);
	FILE *f = fd >= 0 ? fdopen(fd, "we") : NULL;
	if (f == NULL && fd >= 0) {
		close(fd);
	}
	if (f == NULL || fprintf(f, "%s\n", word) < 0 || fclose(f) != 0) {
		wlr_log_errno(WLR_ERROR, "Cannot write %s", path);
		if (f != NULL) {
			fclose(f);
		}
	}
	free(path);
}

// A listening socket at `path` (replacing a stale one), or -1 (logged).
static int listen_at(const char *path)
{
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	if (strlen(path) >= sizeof(addr.sun_path)) {
		wlr_log(WLR_ERROR, "Snapshot socket path too long: %s", path);
		return -1;
	}
	strcpy(addr.sun_path, path);
	unlink(path);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0 || listen(fd, 2) < 0) {
		wlr_log_errno(WLR_ERROR, "Cannot listen on %s", path);
		if (fd >= 0) {
			close(fd);
		}
		return -1;
	}
	return fd;
}

static void close_source(struct wl_event_source **source, int *fd)
{
	if (*source != NULL) {
		wl_event_source_remove(*source);
		*source = NULL;
	}
	if (*fd >= 0) {
		close(*fd);
		*fd = -1;
	}
}

static bool send_all(int fd, const char *text)
{
	size_t len = strlen(text);
	while (len > 0) {
		ssize_t n = send(fd, text, len, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR) {
			continue;
		}
		if (n <= 0) {
			return false;
		}
		text += n;
		len -= (size_t)n;
	}
	return true;
}

static bool qmp_send(struct tinct_snapshot *run, const char *command)
{
	if (run->qmp_fd < 0 || !send_all(run->qmp_fd, command)) {
		wlr_log_errno(
			WLR_ERROR, "VM %s: cannot send to the snapshot QMP monitor", run->vm_name);
		return false;
	}
	return true;
}

// QMP `getfd`, the descriptor riding along with the command's bytes.
static bool qmp_send_fd(struct tinct_snapshot *run, int fd)
{
	static const char command[] =
		"{\"execute\":\"getfd\",\"arguments\":{\"fdname\":\"" FD_NAME "\"}}\r\n";
	char control[CMSG_SPACE(sizeof(int))] = {0};
	struct iovec iov = {.iov_base = (void *)command, .iov_len = sizeof(command) - 1};
	struct msghdr msg = {
		.msg_iov = &iov,
		.msg_iovlen = 1,
		.msg_control = control,
		.msg_controllen = sizeof(control),
	};
	struct cmsghdr *cmsg = CMSG_FIRSTHDR(&msg);
	cmsg->cmsg_level = SOL_SOCKET;
	cmsg->cmsg_type = SCM_RIGHTS;
	cmsg->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cmsg), &fd, sizeof(int));
	ssize_t n;
	do {
		n = sendmsg(run->qmp_fd, &msg, MSG_NOSIGNAL);
	} while (n < 0 && errno == EINTR);
	if (n != (ssize_t)iov.iov_len) {
		wlr_log_errno(
			WLR_ERROR, "VM %s: cannot pass the snapshot file to QEMU", run->vm_name);
		return false;
	}
	return true;
}

static void send_go(struct tinct_snapshot *run)
{
	if (run->go_sent || run->ctl_fd < 0 ||
		(run->mode == TINCT_SNAPSHOT_RESTORE && !run->channels_up)) {
		return;
	}
	char line[64];
	snprintf(line, sizeof(line), "go %lld\n", (long long)time(NULL));
	if (!send_all(run->ctl_fd, line)) {
		wlr_log_errno(WLR_ERROR, "VM %s: cannot tell the guest to go on", run->vm_name);
		return;
	}
	run->go_sent = true;
	if (run->config.guest_up != NULL) {
		run->config.guest_up(run->config.data, run->mode == TINCT_SNAPSHOT_RESTORE);
	}
}

static void delete_other_snapshots(struct tinct_snapshot *run)
{
	char *dir_path = strdup(run->path);
	char *slash = dir_path != NULL ? strrchr(dir_path, '/') : NULL;
	if (slash == NULL) {
		free(dir_path);
		return;
	}
	*slash = '\0';
	const char *keep = slash + 1;
	size_t name_len = strlen(run->vm_name);
	DIR *dir = opendir(dir_path);
	struct dirent *entry;
	while (dir != NULL && (entry = readdir(dir)) != NULL) {
		const char *name = entry->d_name;
		size_t len = strlen(name);
		// NAME-<64 hex>.snap; VM names hold no '-'-separated hex tail of
		// that length, so another VM's file never matches.
		if (len != name_len + 1 + 64 + 5 || strncmp(name, run->vm_name, name_len) != 0 ||
			name[name_len] != '-' || strcmp(name + len - 5, ".snap") != 0 ||
			strcmp(name, keep) == 0) {
			continue;
		}
		if (unlinkat(dirfd(dir), name, 0) == 0) {
			wlr_log(WLR_INFO, "VM %s: deleted the outdated snapshot %s", run->vm_name,
				name);
		}
	}
	if (dir != NULL) {
		closedir(dir);
	}
	free(dir_path);
}

static void save_finish(struct tinct_snapshot *run, bool completed)
{
	run->saving = false;
	if (run->timer != NULL) {
		wl_event_source_remove(run->timer);
		run->timer = NULL;
	}
	bool ok = completed;
	if (ok && (fsync(run->tmp_fd) < 0 || rename(run->tmp_path, run->path) < 0)) {
		wlr_log_errno(
			WLR_ERROR, "VM %s: cannot store the snapshot %s", run->vm_name, run->path);
		ok = false;
	}
	struct stat st;
	if (ok && fstat(run->tmp_fd, &st) == 0) {
		wlr_log(WLR_INFO, "VM %s: snapshot saved to %s (%jd MiB in %" PRId64 " ms)",
			run->vm_name, run->path, (intmax_t)(st.st_size >> 20),
			now_ms() - run->save_start_ms);
		delete_other_snapshots(run);
	}
	if (run->tmp_fd >= 0) {
		close(run->tmp_fd);
		run->tmp_fd = -1;
	}
	if (!ok && run->tmp_path != NULL) {
		unlink(run->tmp_path);
		wlr_log(WLR_ERROR, "VM %s: no snapshot saved; the next start boots cold again",
			run->vm_name);
	}
	free(run->tmp_path);
	run->tmp_path = NULL;
	qmp_send(run, "{\"execute\":\"cont\"}\r\n");
	send_go(run);
}

static int handle_save_timeout(void *data)
{
	struct tinct_snapshot *run = data;
	wlr_log(WLR_ERROR, "VM %s: saving the snapshot took over %d s; cancelled", run->vm_name,
		SAVE_TIMEOUT_MS / 1000);
	qmp_send(run, "{\"execute\":\"migrate_cancel\"}\r\n");
	save_finish(run, false);
	return 0;
}

// The guest is ready: stop it and save it, or let it go on without.
static void save_start(struct tinct_snapshot *run)
{
	run->tmp_fd = -1;
	if (run->qmp_fd < 0 ||
		asprintf(&run->tmp_path, "%s.tmp-%d", run->path, (int)getpid()) < 0) {
		run->tmp_path = NULL;
		wlr_log(WLR_ERROR, "VM %s: cannot save a snapshot (no QMP connection)",
			run->vm_name);
		send_go(run);
		return;
	}
	unlink(run->tmp_path);
	run->tmp_fd = open(run->tmp_path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (run->tmp_fd < 0) {
		wlr_log_errno(WLR_ERROR, "VM %s: cannot create %s", run->vm_name, run->tmp_path);
		free(run->tmp_path);
		run->tmp_path = NULL;
		send_go(run);
		return;
	}
	run->save_start_ms = now_ms();
	run->saving = true;
	// Stopped first, the guest is saved in one pass at this very point.
	// The default bandwidth cap (32 MiB/s) would make saving take seconds.
	if (!qmp_send(run, "{\"execute\":\"stop\"}\r\n"
			   "{\"execute\":\"migrate-set-capabilities\",\"arguments\":"
			   "{\"capabilities\":[{\"capability\":\"events\",\"state\":true}]}}\r\n"
			   "{\"execute\":\"migrate-set-parameters\",\"arguments\":"
			   "{\"max-bandwidth\":1099511627776}}\r\n") ||
		!qmp_send_fd(run, run->tmp_fd) ||
		!qmp_send(run, "{\"execute\":\"migrate\",\"arguments\":{\"uri\":\"fd:" FD_NAME
			       "\"},\"id\":\"save\"}\r\n")) {
		save_finish(run, false);
		return;
	}
	run->timer = wl_event_loop_add_timer(run->config.loop, handle_save_timeout, run);
	if (run->timer != NULL) {
		wl_event_source_timer_update(run->timer, SAVE_TIMEOUT_MS);
	}
}

// The string value of `"key": "value"` in an untrusted QMP line, copied
// into `out`; false when absent or too long.
static bool qmp_string(const char *untrusted_line, const char *key, char *out, size_t size)
{
	char quoted[64];
	snprintf(quoted, sizeof(quoted), "\"%s\"", key);
	const char *p = strstr(untrusted_line, quoted);
	if (p == NULL) {
		return false;
	}
	p += strlen(quoted);
	while (*p == ' ') {
		p++;
	}
	if (*p++ != ':') {
		return false;
	}
	while (*p == ' ') {
		p++;
	}
	if (*p++ != '"') {
		return false;
	}
	size_t len = strcspn(p, "\"\\");
	if (p[len] != '"' || len >= size) {
		return false;
	}
	memcpy(out, p, len);
	out[len] = '\0';
	return true;
}

static void restore_failed(struct tinct_snapshot *run, const char *why)
{
	if (run->resumed || run->restore_failed_noted) {
		return;
	}
	wlr_log(WLR_ERROR, "VM %s: restoring %s failed: %s", run->vm_name, run->path, why);
	snapshot_run_restore_failed(run);
	if (run->config.restore_failed != NULL) {
		run->config.restore_failed(run->config.data);
	}
}

// QEMU connects its Wayland chardevs to tinct's waypipe clients in the
// background (reconnect=1) and retries a second later when a client was
// not listening yet. A cold guest needs seconds before an application
// opens its port; a restored one opens it at once, and bytes written
// while the host side is not connected are lost. So "go" waits until
// query-chardev shows every `wayland*` chardev connected.
static void query_channels(struct tinct_snapshot *run)
{
	qmp_send(run, "{\"execute\":\"query-chardev\",\"id\":\"channels\"}\r\n");
}

static int handle_channels_timer(void *data)
{
	struct tinct_snapshot *run = data;
	if (now_ms() >= run->channels_deadline_ms) {
		wlr_log(WLR_ERROR, "VM %s: Wayland channels not connected after %d ms; going on",
			run->vm_name, CHANNELS_TIMEOUT_MS);
		run->channels_up = true;
		send_go(run);
	} else {
		query_channels(run);
	}
	return 0;
}

// The reply to query-chardev: flat objects, one per chardev.
static void handle_channels_reply(struct tinct_snapshot *run, const char *untrusted_line)
{
	if (run->channels_up) {
		return;
	}
	bool all_up = true;
	const char *entry = untrusted_line;
	while (entry != NULL && *entry != '\0') {
		const char *end = strchr(entry, '}');
		size_t len = end != NULL ? (size_t)(end - entry) : strlen(entry);
		const char *label = strstr(entry, "\"label\": \"wayland");
		const char *down = strstr(entry, "\"disconnected:");
		if (label != NULL && label < entry + len && down != NULL && down < entry + len) {
			all_up = false;
			break;
		}
		entry = end != NULL ? end + 1 : NULL;
	}
	if (all_up) {
		run->channels_up = true;
		send_go(run);
	} else if (run->channels_timer != NULL) {
		wl_event_source_timer_update(run->channels_timer, CHANNELS_POLL_MS);
	}
}

static void handle_qmp_line(struct tinct_snapshot *run, const char *untrusted_line)
{
	char event[32], status[32], id[16];
	wlr_log(WLR_DEBUG, "VM %s: snapshot QMP: %.300s", run->vm_name, untrusted_line);
	if (strstr(untrusted_line, "\"QMP\"") != NULL) {
		return; // the greeting
	}
	if (qmp_string(untrusted_line, "event", event, sizeof(event))) {
		if (strcmp(event, "RESUME") == 0 && run->mode == TINCT_SNAPSHOT_RESTORE &&
			run->incoming_sent && !run->resumed) {
			run->resumed = true;
			wlr_log(WLR_INFO, "VM %s: restored from %s in %" PRId64 " ms", run->vm_name,
				run->path, now_ms() - run->start_ms);
			run->channels_deadline_ms = now_ms() + CHANNELS_TIMEOUT_MS;
			run->channels_timer = wl_event_loop_add_timer(
				run->config.loop, handle_channels_timer, run);
			if (run->channels_timer == NULL) {
				run->channels_up = true;
				send_go(run);
			} else {
				query_channels(run);
			}
		} else if (strcmp(event, "MIGRATION") == 0 && run->mode == TINCT_SNAPSHOT_RESTORE &&
			   run->incoming_sent && !run->resumed &&
			   qmp_string(untrusted_line, "status", status, sizeof(status))) {
			if (strcmp(status, "completed") == 0) {
				qmp_send(run, "{\"execute\":\"cont\",\"id\":\"restore\"}\r\n");
			} else if (strcmp(status, "failed") == 0) {
				restore_failed(run, "QEMU could not load it");
			}
		} else if (strcmp(event, "MIGRATION") == 0 && run->saving &&
			   qmp_string(untrusted_line, "status", status, sizeof(status))) {
			if (strcmp(status, "completed") == 0) {
				save_finish(run, true);
			} else if (strcmp(status, "failed") == 0 ||
				   strcmp(status, "cancelled") == 0) {
				wlr_log(WLR_ERROR, "VM %s: saving the snapshot %s", run->vm_name,
					status);
				save_finish(run, false);
			}
		}
		return;
	}
	if (strstr(untrusted_line, "\"error\"") == NULL) {
		if (qmp_string(untrusted_line, "id", id, sizeof(id)) &&
			strcmp(id, "channels") == 0) {
			handle_channels_reply(run, untrusted_line);
		}
		return;
	}
	char desc[256] = "?";
	qmp_string(untrusted_line, "desc", desc, sizeof(desc));
	if (!qmp_string(untrusted_line, "id", id, sizeof(id))) {
		wlr_log(WLR_DEBUG, "VM %s: snapshot QMP error: %s", run->vm_name, desc);
	} else if (strcmp(id, "save") == 0 && run->saving) {
		wlr_log(WLR_ERROR, "VM %s: QEMU refused to save: %s", run->vm_name, desc);
		save_finish(run, false);
	} else if (strcmp(id, "restore") == 0) {
		restore_failed(run, desc);
	} else if (strcmp(id, "channels") == 0 && !run->channels_up) {
		run->channels_up = true;
		send_go(run);
	}
}

// Appends what arrived to `buf` and calls `handle` for each complete line.
// Overlong lines are dropped whole. Returns false at EOF or error.
static bool read_lines(int fd, struct line_buffer *buf, size_t max,
	void (*handle)(struct tinct_snapshot *run, const char *line), struct tinct_snapshot *run)
{
	char untrusted_chunk[1024];
	ssize_t n = read(fd, untrusted_chunk, sizeof(untrusted_chunk));
	if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
		return false;
	}
	for (ssize_t i = 0; i < n; i++) {
		char c = untrusted_chunk[i];
		if (c == '\n') {
			if (!buf->overflow) {
				buf->data[buf->len] = '\0';
				if (buf->len > 0 && buf->data[buf->len - 1] == '\r') {
					buf->data[buf->len - 1] = '\0';
				}
				handle(run, buf->data);
			}
			buf->len = 0;
			buf->overflow = false;
		} else if (c == '\0' || buf->len + 1 >= max) {
			buf->overflow = true;
		} else if (!buf->overflow) {
			buf->data[buf->len++] = c;
		}
	}
	return true;
}

static int handle_qmp_readable(int fd, uint32_t mask, void *data)
{
	struct tinct_snapshot *run = data;
	if (!read_lines(fd, &run->qmp_in, sizeof(run->qmp_in.data), handle_qmp_line, run)) {
		close_source(&run->qmp_source, &run->qmp_fd);
	}
	return 0;
}

static void handle_ctl_line(struct tinct_snapshot *run, const char *untrusted_line)
{
	if (strcmp(untrusted_line, "ready") != 0 || run->ready_seen || run->go_sent) {
		return;
	}
	run->ready_seen = true;
	if (run->mode == TINCT_SNAPSHOT_SAVE) {
		wlr_log(WLR_INFO, "VM %s: guest ready after %" PRId64 " ms; saving a snapshot",
			run->vm_name, now_ms() - run->start_ms);
		save_start(run);
	}
}

static int handle_ctl_readable(int fd, uint32_t mask, void *data)
{
	struct tinct_snapshot *run = data;
	if (!read_lines(fd, &run->ctl_in, CTL_LINE_MAX, handle_ctl_line, run)) {
		close_source(&run->ctl_source, &run->ctl_fd);
	}
	return 0;
}

// QEMU connected to one of the run's sockets; a reconnection replaces
// the previous connection.
static int accept_on(struct tinct_snapshot *run, int listen_fd, int *fd,
	struct wl_event_source **source, wl_event_loop_fd_func_t handler)
{
	int conn = accept4(listen_fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
	if (conn < 0) {
		return -1;
	}
	close_source(source, fd);
	*fd = conn;
	*source = wl_event_loop_add_fd(run->config.loop, conn, WL_EVENT_READABLE, handler, run);
	if (*source == NULL) {
		wlr_log(WLR_ERROR, "VM %s: cannot watch a snapshot socket", run->vm_name);
		close_source(source, fd);
		return -1;
	}
	return conn;
}

static int handle_qmp_connect(int listen_fd, uint32_t mask, void *data)
{
	struct tinct_snapshot *run = data;
	run->qmp_in.len = 0;
	if (accept_on(run, listen_fd, &run->qmp_fd, &run->qmp_source, handle_qmp_readable) < 0 ||
		!qmp_send(run, "{\"execute\":\"qmp_capabilities\"}\r\n")) {
		return 0;
	}
	if (run->mode != TINCT_SNAPSHOT_RESTORE || run->incoming_sent) {
		return 0;
	}
	int file = open(run->path, O_RDONLY | O_CLOEXEC);
	if (file < 0) {
		restore_failed(run, strerror(errno));
		return 0;
	}
	// The guest was saved stopped, so it stays paused once loaded: the
	// MIGRATION event says when to continue it.
	bool ok = qmp_send(run, "{\"execute\":\"migrate-set-capabilities\",\"arguments\":"
				"{\"capabilities\":[{\"capability\":\"events\",\"state\":true}]}}"
				"\r\n") &&
		  qmp_send_fd(run, file) &&
		  qmp_send(run,
			  "{\"execute\":\"migrate-incoming\",\"arguments\":{\"uri\":\"fd:" FD_NAME
			  "\"},\"id\":\"restore\"}\r\n");
	close(file);
	run->incoming_sent = ok;
	if (!ok) {
		restore_failed(run, "cannot ask QEMU");
	}
	return 0;
}

static int handle_ctl_connect(int listen_fd, uint32_t mask, void *data)
{
	struct tinct_snapshot *run = data;
	run->ctl_in.len = 0;
	if (accept_on(run, listen_fd, &run->ctl_fd, &run->ctl_source, handle_ctl_readable) >= 0 &&
		run->resumed) {
		send_go(run);
	}
	return 0;
}

// The devices and options every snapshot run adds to QEMU's command line.
static bool push_run_args(struct tinct_snapshot *run, struct tinct_argv *args)
{
	uint8_t id[16];
	if (getrandom(id, sizeof(id), 0) != sizeof(id)) {
		wlr_log_errno(WLR_ERROR, "VM %s: no random VM generation ID", run->vm_name);
		return false;
	}
	id[6] = (id[6] & 0x0f) | 0x40; // a version 4 UUID
	id[8] = (id[8] & 0x3f) | 0x80;
	argv_push(args, "-chardev");
	argv_pushf(args, "socket,id=tinct-snapqmp,path=%s,reconnect=1", run->qmp_sock);
	argv_push(args, "-mon");
	argv_push(args, "chardev=tinct-snapqmp,mode=control");
	argv_push(args, "-device");
	argv_push(args, "virtio-serial-pci,id=tinct-snap,max_ports=2");
	argv_push(args, "-chardev");
	argv_pushf(args, "socket,id=tinct-snapctl,path=%s,reconnect=1", run->ctl_sock);
	argv_push(args, "-device");
	argv_push(args,
		"virtserialport,bus=tinct-snap.0,nr=1,chardev=tinct-snapctl,name=tinct.snapshot");
	argv_push(args, "-device");
	argv_pushf(args,
		"vmgenid,guid=%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
		"%02x%02x%02x%02x%02x%02x",
		id[0], id[1], id[2], id[3], id[4], id[5], id[6], id[7], id[8], id[9], id[10],
		id[11], id[12], id[13], id[14], id[15]);
	if (run->mode == TINCT_SNAPSHOT_RESTORE) {
		argv_push(args, "-incoming");
		argv_push(args, "defer");
	}
	return !args->failed;
}

struct tinct_snapshot *snapshot_run_create(
	const struct tinct_snapshot_config *config, struct tinct_argv *argv)
{
	const struct tinct_vm_def *def = config->def;
	if (strchr(config->runtime_dir, ',') != NULL) {
		wlr_log(WLR_INFO, "VM %s: boots cold: a comma in %s", def->name,
			config->runtime_dir);
		return NULL;
	}
	struct tinct_snapshot *run = calloc(1, sizeof(*run));
	if (run == NULL) {
		return NULL;
	}
	run->config = *config;
	run->config.def = NULL;
	run->config.runtime_dir = NULL;
	run->config.cache = NULL;
	run->start_ms = now_ms();
	run->tmp_fd = -1;
	run->qmp_listen = run->ctl_listen = run->qmp_fd = run->ctl_fd = -1;
	char *dir = NULL, *key = NULL;
	struct tinct_argv extra;
	argv_init(&extra);
	bool ok = false;
	run->vm_name = strdup(def->name);
	if (run->vm_name == NULL || (key = snapshot_key(config, argv)) == NULL ||
		(dir = snapshot_dir()) == NULL ||
		asprintf(&run->path, "%s/%s-%s.snap", dir, def->name, key) < 0 ||
		asprintf(&run->qmp_sock, "%s/snapshot-qmp.sock", config->runtime_dir) < 0 ||
		asprintf(&run->ctl_sock, "%s/snapshot.sock", config->runtime_dir) < 0) {
		goto out;
	}
	run->mode = !config->force_cold && access(run->path, R_OK) == 0 ? TINCT_SNAPSHOT_RESTORE
									: TINCT_SNAPSHOT_SAVE;
	run->qmp_listen = listen_at(run->qmp_sock);
	run->ctl_listen = listen_at(run->ctl_sock);
	if (run->qmp_listen < 0 || run->ctl_listen < 0) {
		goto out;
	}
	run->qmp_listen_source = wl_event_loop_add_fd(
		config->loop, run->qmp_listen, WL_EVENT_READABLE, handle_qmp_connect, run);
	run->ctl_listen_source = wl_event_loop_add_fd(
		config->loop, run->ctl_listen, WL_EVENT_READABLE, handle_ctl_connect, run);
	if (run->qmp_listen_source == NULL || run->ctl_listen_source == NULL ||
		!push_run_args(run, &extra)) {
		goto out;
	}
	for (size_t i = 0; i < extra.len; i++) {
		argv_push(argv, extra.argv[i]);
	}
	if (argv->failed) {
		goto out;
	}
	if (run->mode == TINCT_SNAPSHOT_RESTORE) {
		wlr_log(WLR_INFO, "VM %s: restoring from snapshot %s", def->name, run->path);
	} else {
		wlr_log(WLR_INFO, "VM %s: cold boot; no snapshot %s yet, saving one when ready",
			def->name, run->path);
	}
	snapshot_note_boot(
		config->runtime_dir, run->mode == TINCT_SNAPSHOT_RESTORE ? "restore" : "cold-save");
	ok = true;
out:
	if (!ok) {
		wlr_log(WLR_ERROR, "VM %s: cannot use snapshots for this start; booting cold",
			def->name);
		snapshot_run_destroy(run);
		run = NULL;
	}
	argv_finish(&extra);
	free(key);
	free(dir);
	return run;
}

bool snapshot_run_restore_failed(struct tinct_snapshot *run)
{
	if (run == NULL || run->mode != TINCT_SNAPSHOT_RESTORE || run->resumed) {
		return false;
	}
	if (!run->restore_failed_noted) {
		run->restore_failed_noted = true;
		// A snapshot that cannot be restored will not be tried again.
		if (unlink(run->path) == 0) {
			wlr_log(WLR_INFO, "VM %s: deleted the snapshot %s", run->vm_name,
				run->path);
		}
	}
	return true;
}

void snapshot_run_destroy(struct tinct_snapshot *run)
{
	if (run == NULL) {
		return;
	}
	if (run->timer != NULL) {
		wl_event_source_remove(run->timer);
	}
	if (run->channels_timer != NULL) {
		wl_event_source_remove(run->channels_timer);
	}
	close_source(&run->qmp_source, &run->qmp_fd);
	close_source(&run->ctl_source, &run->ctl_fd);
	close_source(&run->qmp_listen_source, &run->qmp_listen);
	close_source(&run->ctl_listen_source, &run->ctl_listen);
	if (run->qmp_sock != NULL) {
		unlink(run->qmp_sock);
	}
	if (run->ctl_sock != NULL) {
		unlink(run->ctl_sock);
	}
	if (run->tmp_fd >= 0) {
		close(run->tmp_fd);
	}
	if (run->tmp_path != NULL) {
		unlink(run->tmp_path);
	}
	free(run->tmp_path);
	free(run->path);
	free(run->qmp_sock);
	free(run->ctl_sock);
	free(run->vm_name);
	free(run);
}
