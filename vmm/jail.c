/*
 * bubblewrap command lines for the programs that serve a VM, the uids VMs
 * run as when tinct is root, and the ownership of their runtime
 * directories (see jail.h).
 */
#include "vmm/jail.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>
#include <wlr/util/log.h>

#include "vmm/spawn.h"

#define MAX_GROUPS 8
#define MAX_DIRS 64

// What every confined child sees of the host's system, read-only.
static const char *const system_dirs[] = {"/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"};
static const char *const system_files[] = {"/etc/ld.so.cache", "/etc/alternatives"};

void jail_init(struct tinct_jail *jail)
{
	*jail = (struct tinct_jail){0};
}

void jail_finish(struct tinct_jail *jail)
{
	if (jail == NULL) {
		return;
	}
	for (size_t i = 0; i < jail->paths_len; i++) {
		free(jail->paths[i].path);
	}
	free(jail->paths);
	free(jail->vm_name);
	free(jail->runtime_dir);
	free(jail->bwrap);
	free(jail->setpriv);
	jail_init(jail);
}

static bool dup_string(char **dst, const char *src)
{
	*dst = src != NULL ? strdup(src) : NULL;
	return src == NULL || *dst != NULL;
}

bool jail_copy(struct tinct_jail *dst, const struct tinct_jail *src)
{
	jail_finish(dst);
	dst->enabled = src->enabled;
	dst->uid = src->uid;
	dst->gid = src->gid;
	dst->share_net = src->share_net;
	dst->allow_userns = src->allow_userns;
	if (!dup_string(&dst->vm_name, src->vm_name) ||
		!dup_string(&dst->runtime_dir, src->runtime_dir) ||
		!dup_string(&dst->bwrap, src->bwrap) || !dup_string(&dst->setpriv, src->setpriv)) {
		jail_finish(dst);
		return false;
	}
	for (size_t i = 0; i < src->paths_len; i++) {
		if (!jail_add(dst, src->paths[i].kind, src->paths[i].path)) {
			jail_finish(dst);
			return false;
		}
	}
	return true;
}

static char *find_bwrap(void)
{
	const char *env = getenv("TINCT_BWRAP");
	if (env != NULL && env[0] != '\0') {
		return access(env, X_OK) == 0 ? strdup(env) : NULL;
	}
	return spawn_find_system_program("bwrap");
}

bool jail_prepare(struct tinct_jail *jail, const char *vm_name, const char *runtime_dir, uid_t uid)
{
	jail_finish(jail);
	jail->uid = uid;
	jail->gid = (gid_t)uid;
	if (!dup_string(&jail->vm_name, vm_name) || !dup_string(&jail->runtime_dir, runtime_dir)) {
		wlr_log(WLR_ERROR, "VM %s: out of memory confining it", vm_name);
		jail_finish(jail);
		return false;
	}
	jail->bwrap = find_bwrap();
	if (jail->bwrap == NULL) {
		wlr_log(WLR_ERROR,
			"VM %s: bubblewrap (bwrap) is not installed, and a VM runs confined or "
			"not at all (apt-get install bubblewrap). To run it unconfined anyway, "
			"at the risk that a guest that takes over its VMM or waypipe gets "
			"your user's rights, set `confine = false` in its definition",
			vm_name);
		jail_finish(jail);
		return false;
	}
	if (uid != 0) {
		jail->setpriv = spawn_find_system_program("setpriv");
		if (jail->setpriv == NULL) {
			wlr_log(WLR_ERROR,
				"VM %s: setpriv (util-linux) is missing: cannot switch to the VM's "
				"uid",
				vm_name);
			jail_finish(jail);
			return false;
		}
	}
	jail->enabled = true;
	return true;
}

bool jail_add(struct tinct_jail *jail, enum tinct_jail_bind kind, const char *path)
{
	struct tinct_jail_path *grown =
		realloc(jail->paths, (jail->paths_len + 1) * sizeof(*jail->paths));
	if (grown == NULL) {
		return false;
	}
	jail->paths = grown;
	char *copy = strdup(path);
	if (copy == NULL) {
		return false;
	}
	jail->paths[jail->paths_len++] = (struct tinct_jail_path){.kind = kind, .path = copy};
	return true;
}

static bool is_device(enum tinct_jail_bind kind)
{
	return kind == TINCT_JAIL_DEVICE || kind == TINCT_JAIL_DEVICE_TRY;
}

bool jail_device_usable(const struct tinct_jail *jail, const char *device)
{
	struct stat st;
	if (stat(device, &st) < 0 || !S_ISCHR(st.st_mode)) {
		return false;
	}
	if (!jail->enabled || jail->uid == 0) {
		return access(device, R_OK | W_OK) == 0;
	}
	return (st.st_mode & 0006) == 0006 || (st.st_mode & 0060) == 0060;
}

// true when `path` is `dir` or below it.
static bool is_under(const char *path, const char *dir)
{
	size_t len = strlen(dir);
	return strncmp(path, dir, len) == 0 && (path[len] == '\0' || path[len] == '/');
}

// What the sandbox has before any bind: no directory needs making there.
static bool is_given(const char *path)
{
	return is_under(path, "/usr") || is_under(path, "/proc") || strcmp(path, "/dev") == 0 ||
	       strcmp(path, "/tmp") == 0;
}

struct dirs_made {
	char *dirs[MAX_DIRS];
	size_t len;
};

// bwrap would make the parents of a bind's destination 0700, which the
// VM's uid could not walk through: every ancestor is made 0755 first.
static void push_parents(struct tinct_argv *out, struct dirs_made *made, const char *path)
{
	char *copy = strdup(path);
	if (copy == NULL) {
		out->failed = true;
		return;
	}
	for (char *slash = strchr(copy + 1, '/'); slash != NULL; slash = strchr(slash + 1, '/')) {
		*slash = '\0';
		bool seen = is_given(copy);
		for (size_t i = 0; !seen && i < made->len; i++) {
			seen = strcmp(made->dirs[i], copy) == 0;
		}
		if (!seen) {
			argv_push(out, "--perms");
			argv_push(out, "0755");
			argv_push(out, "--dir");
			argv_push(out, copy);
			if (made->len < MAX_DIRS) {
				made->dirs[made->len] = strdup(copy);
				made->len += made->dirs[made->len] != NULL;
			}
		}
		*slash = '/';
	}
	free(copy);
}

static void push_bind(
	struct tinct_argv *out, struct dirs_made *made, const char *option, const char *path)
{
	push_parents(out, made, path);
	argv_push(out, option);
	argv_push(out, path);
	argv_push(out, path);
}

static void push_path(
	struct tinct_argv *out, struct dirs_made *made, const struct tinct_jail_path *entry)
{
	switch (entry->kind) {
	case TINCT_JAIL_RO:
		push_bind(out, made, "--ro-bind", entry->path);
		break;
	case TINCT_JAIL_RW:
		push_bind(out, made, "--bind", entry->path);
		break;
	case TINCT_JAIL_DEVICE:
		push_bind(out, made, "--dev-bind", entry->path);
		break;
	case TINCT_JAIL_DEVICE_TRY:
		push_bind(out, made, "--dev-bind-try", entry->path);
		break;
	case TINCT_JAIL_DIR:
		push_parents(out, made, entry->path);
		argv_push(out, "--dir");
		argv_push(out, entry->path);
		break;
	}
}

static void push_system(struct tinct_argv *out)
{
	argv_push(out, "--ro-bind");
	argv_push(out, "/usr");
	argv_push(out, "/usr");
	for (size_t i = 0; i < sizeof(system_dirs) / sizeof(system_dirs[0]); i++) {
		const char *dir = system_dirs[i];
		struct stat st;
		char target[256];
		if (lstat(dir, &st) < 0) {
			continue;
		}
		ssize_t n;
		if (S_ISLNK(st.st_mode) && (n = readlink(dir, target, sizeof(target) - 1)) > 0) {
			target[n] = '\0';
			argv_push(out, "--symlink");
			argv_push(out, target);
			argv_push(out, dir);
		} else if (S_ISDIR(st.st_mode)) {
			argv_push(out, "--ro-bind");
			argv_push(out, dir);
			argv_push(out, dir);
		}
	}
	for (size_t i = 0; i < sizeof(system_files) / sizeof(system_files[0]); i++) {
		argv_push(out, "--ro-bind-try");
		argv_push(out, system_files[i]);
		argv_push(out, system_files[i]);
	}
}

// A word of argv naming a file the program reads: a script, firmware.
static bool is_named_file(const struct tinct_jail *jail, const char *word)
{
	struct stat st;
	return word[0] == '/' && !is_under(word, "/usr") && !is_under(word, jail->runtime_dir) &&
	       stat(word, &st) == 0 && S_ISREG(st.st_mode);
}

static void push_setpriv(const struct tinct_jail *jail, struct tinct_argv *out)
{
	argv_push(out, jail->setpriv);
	argv_pushf(out, "--reuid=%u", (unsigned)jail->uid);
	argv_pushf(out, "--regid=%u", (unsigned)jail->gid);
	// The groups of the devices it needs (kvm), nothing else of root's.
	gid_t groups[MAX_GROUPS];
	size_t len = 0;
	for (size_t i = 0; i < jail->paths_len; i++) {
		struct stat st;
		if (!is_device(jail->paths[i].kind) || stat(jail->paths[i].path, &st) < 0 ||
			(st.st_mode & 0006) == 0006 || (st.st_mode & 0060) != 0060) {
			continue;
		}
		bool seen = false;
		for (size_t j = 0; j < len; j++) {
			seen = seen || groups[j] == st.st_gid;
		}
		if (!seen && len < MAX_GROUPS) {
			groups[len++] = st.st_gid;
		}
	}
	if (len == 0) {
		argv_push(out, "--clear-groups");
	} else {
		char list[MAX_GROUPS * 12] = "";
		size_t used = 0;
		for (size_t j = 0; j < len; j++) {
			used += (size_t)snprintf(list + used, sizeof(list) - used, "%s%u",
				j > 0 ? "," : "", (unsigned)groups[j]);
		}
		argv_pushf(out, "--groups=%s", list);
	}
	argv_push(out, "--inh-caps=-all");
	argv_push(out, "--");
}

bool jail_argv(const struct tinct_jail *jail, const char *program, char *const *argv,
	struct tinct_argv *out)
{
	struct dirs_made made = {0};
	argv_push(out, jail->bwrap);
	argv_push(out, "--die-with-parent");
	argv_push(out, "--unshare-ipc");
	argv_push(out, "--unshare-pid");
	argv_push(out, "--unshare-uts");
	argv_push(out, "--unshare-cgroup-try");
	if (!jail->share_net) {
		argv_push(out, "--unshare-net");
	}
	if (jail->uid == 0) {
		argv_push(out, "--unshare-user");
		if (!jail->allow_userns) {
			argv_push(out, "--disable-userns");
		}
	} else {
		// bwrap runs as root to make the mounts; only setpriv, to drop
		// to the VM's uid, keeps a capability.
		argv_push(out, "--cap-drop");
		argv_push(out, "ALL");
		argv_push(out, "--cap-add");
		argv_push(out, "CAP_SETUID");
		argv_push(out, "--cap-add");
		argv_push(out, "CAP_SETGID");
	}
	push_system(out);
	argv_push(out, "--dev");
	argv_push(out, "/dev");
	argv_push(out, "--proc");
	argv_push(out, "/proc");
	argv_push(out, "--tmpfs");
	argv_push(out, "/tmp");
	push_bind(out, &made, "--bind", jail->runtime_dir);
	for (size_t i = 0; i < jail->paths_len; i++) {
		push_path(out, &made, &jail->paths[i]);
	}
	if (!is_under(program, "/usr")) {
		push_bind(out, &made, "--ro-bind", program);
	}
	for (size_t i = 1; argv[0] != NULL && argv[i] != NULL; i++) {
		if (is_named_file(jail, argv[i])) {
			push_bind(out, &made, "--ro-bind", argv[i]);
		}
	}
	argv_push(out, "--setenv");
	argv_push(out, "HOME");
	argv_push(out, jail->runtime_dir);
	argv_push(out, "--setenv");
	argv_push(out, "XDG_RUNTIME_DIR");
	argv_push(out, jail->runtime_dir);
	// With a uid, bwrap's chdir would run as root without
	// CAP_DAC_OVERRIDE, locked out of the directory the uid owns.
	argv_push(out, "--chdir");
	argv_push(out, jail->uid == 0 ? jail->runtime_dir : "/");
	argv_push(out, "--");
	if (jail->uid != 0) {
		push_setpriv(jail, out);
	}
	argv_push(out, program);
	for (size_t i = 1; argv[0] != NULL && argv[i] != NULL; i++) {
		argv_push(out, argv[i]);
	}
	for (size_t i = 0; i < made.len; i++) {
		free(made.dirs[i]);
	}
	return !out->failed;
}

bool jail_apply(
	const struct tinct_jail *jail, struct tinct_spawn *spawn, struct tinct_argv *storage)
{
	if (jail == NULL || !jail->enabled) {
		return true;
	}
	if (!jail_argv(jail, spawn->program, spawn->argv, storage)) {
		wlr_log(WLR_ERROR, "VM %s: out of memory confining %s", jail->vm_name,
			spawn->program);
		return false;
	}
	spawn->program = jail->bwrap;
	spawn->argv = storage->argv;
	spawn->no_new_privs = true;
	// No controlling terminal (TIOCSTI), and the whole sandbox in one
	// process group, which the owner signals as one.
	spawn->new_session = true;
	return true;
}

static bool uid_range(uid_t *first, uid_t *count)
{
	*first = TINCT_JAIL_UID_FIRST;
	*count = TINCT_JAIL_UID_COUNT;
	const char *env = getenv("TINCT_VM_UIDS");
	if (env == NULL || env[0] == '\0') {
		return true;
	}
	unsigned long a = 0, b = 0;
	char tail = '\0';
	if (sscanf(env, "%lu:%lu%c", &a, &b, &tail) != 2 || a == 0 || b == 0 ||
		a + b > 0x7fffffffUL) {
		wlr_log(WLR_ERROR, "TINCT_VM_UIDS=%s: expected FIRST:COUNT above 0", env);
		return false;
	}
	*first = (uid_t)a;
	*count = (uid_t)b;
	return true;
}

int jail_uid_claim(uid_t *uid)
{
	uid_t first, count;
	if (!uid_range(&first, &count)) {
		return -1;
	}
	for (uid_t i = 0; i < count; i++) {
		int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (fd < 0) {
			wlr_log_errno(WLR_ERROR, "Cannot claim a uid for a VM");
			return -1;
		}
		struct sockaddr_un addr = {.sun_family = AF_UNIX};
		// Abstract: sun_path[0] stays '\0'.
		int len = snprintf(addr.sun_path + 1, sizeof(addr.sun_path) - 1, "tinct-vm-uid-%u",
			(unsigned)(first + i));
		socklen_t size = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + len);
		if (bind(fd, (struct sockaddr *)&addr, size) == 0) {
			*uid = first + i;
			return fd;
		}
		int err = errno;
		close(fd);
		if (err != EADDRINUSE) {
			errno = err;
			wlr_log_errno(WLR_ERROR, "Cannot claim a uid for a VM");
			return -1;
		}
	}
	wlr_log(WLR_ERROR, "Every VM uid from %u to %u is in use", (unsigned)first,
		(unsigned)(first + count - 1));
	return -1;
}

bool jail_give_dir(const char *dir, uid_t uid, gid_t gid)
{
	bool take_back = uid == geteuid();
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 || fchown(fd, uid, gid) < 0 || fchmod(fd, 0700) < 0) {
		wlr_log_errno(WLR_ERROR, "Cannot give %s to uid %u", dir, (unsigned)uid);
		if (fd >= 0) {
			close(fd);
		}
		return false;
	}
	int list_fd = dup(fd);
	DIR *list = list_fd >= 0 ? fdopendir(list_fd) : NULL;
	if (list == NULL) {
		wlr_log_errno(WLR_ERROR, "Cannot list %s", dir);
		if (list_fd >= 0) {
			close(list_fd);
		}
		close(fd);
		return false;
	}
	bool ok = true;
	struct dirent *entry;
	while ((entry = readdir(list)) != NULL) {
		const char *name = entry->d_name;
		struct stat st;
		if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0 ||
			fstatat(fd, name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
			continue;
		}
		bool give = take_back || S_ISSOCK(st.st_mode);
		if (give && fchownat(fd, name, uid, gid, AT_SYMLINK_NOFOLLOW) < 0) {
			wlr_log_errno(
				WLR_ERROR, "Cannot give %s/%s to uid %u", dir, name, (unsigned)uid);
			ok = false;
		}
	}
	closedir(list);
	close(fd);
	return ok;
}
