/*
 * VM definition files (see vm-def.h for the format and the precedence of
 * directories). One parse function per key, foot style: each returns false
 * with a message, and the caller adds `file:line: [section] key: ` so
 * every error has its full context.
 */
#include "vmm/vm-def.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <wlr/util/log.h>

#include "vmm/argv.h"
#include "common/colour.h"
#include "common/ini.h"

#define DEFAULT_MEMORY_MIB 512
#define DEFAULT_STOP_TIMEOUT_MS 10000
#define DEFAULT_CONSOLE_BUFFER (1024 * 1024)

static const char *const vmm_names[] = {
	[TINCT_VMM_QEMU] = "qemu",
	[TINCT_VMM_CLOUD_HYPERVISOR] = "cloud-hypervisor",
	[TINCT_VMM_CROSVM] = "crosvm",
	[TINCT_VMM_COMMAND] = "command",
};

// The placeholders the command backend fills in (backend-command.c).
static const char *const placeholders[] = {
	"name",
	"kernel",
	"initrd",
	"cmdline",
	"memory",
	"cpus",
	"serial-socket",
	"api-socket",
	"runtime-dir",
	"disk",
	"tap-fd",
};

bool vm_def_name_valid(const char *name)
{
	size_t len = strlen(name);
	if (len == 0 || len > TINCT_VM_NAME_MAX || name[0] == '-') {
		return false;
	}
	for (size_t i = 0; i < len; i++) {
		char c = name[i];
		bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			  (c >= '0' && c <= '9') || c == '-' || c == '_';
		if (!ok) {
			return false;
		}
	}
	return true;
}

const char *vm_def_vmm_name(enum tinct_vmm_kind kind)
{
	return vmm_names[kind];
}

bool vm_def_parse_vmm(const char *text, enum tinct_vmm_kind *kind)
{
	for (size_t i = 0; i < sizeof(vmm_names) / sizeof(vmm_names[0]); i++) {
		if (strcmp(text, vmm_names[i]) == 0) {
			*kind = (enum tinct_vmm_kind)i;
			return true;
		}
	}
	return false;
}

struct tinct_vm_def *vm_def_create(const char *name)
{
	if (!vm_def_name_valid(name)) {
		return NULL;
	}
	struct tinct_vm_def *def = calloc(1, sizeof(*def));
	if (def == NULL) {
		return NULL;
	}
	def->name = strdup(name);
	if (def->name == NULL) {
		free(def);
		return NULL;
	}
	def->colour = 0x555555;
	def->vmm = TINCT_VMM_QEMU;
	def->memory_mib = DEFAULT_MEMORY_MIB;
	def->cpus = 1;
	def->network = TINCT_VM_NETWORK_NONE;
	def->netvm_ports = TINCT_NETVM_DEFAULT_PORTS;
	def->netvm_upstream = TINCT_NETVM_UPSTREAM_USER;
	def->netvm_isolate = true;
	def->stop_timeout_ms = DEFAULT_STOP_TIMEOUT_MS;
	def->snapshot = true;
	def->console_buffer = DEFAULT_CONSOLE_BUFFER;
	def->wayland_ports = TINCT_WAYPIPE_DEFAULT_PORTS;
	def->guest_ready = TINCT_GUEST_READY_DEFAULT;
	def->first_window_timeout_s = TINCT_FIRST_WINDOW_TIMEOUT_S;
	def->max_windows = TINCT_VM_DEFAULT_MAX_WINDOWS;
	def->max_connections = TINCT_VM_DEFAULT_MAX_CONNECTIONS;
	def->memfd_quota = TINCT_MEMFD_DEFAULT_QUOTA;
	def->confine = true;
	wl_list_init(&def->link);
	return def;
}

static void free_entries(struct tinct_vm_def_entry *entries, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		free(entries[i].key);
		free(entries[i].value);
	}
	free(entries);
}

void vm_def_destroy(struct tinct_vm_def *def)
{
	if (def == NULL) {
		return;
	}
	wl_list_remove(&def->link);
	free(def->name);
	free(def->path);
	free(def->vmm_binary);
	free(def->command);
	free(def->kernel);
	free(def->initrd);
	for (size_t i = 0; i < def->disks_len; i++) {
		free(def->disks[i].path);
	}
	free(def->disks);
	free(def->cmdline);
	free(def->network_vm);
	free(def->netvm_upstream_device);
	free(def->wayland);
	for (size_t i = 0; i < def->wayland_named_len; i++) {
		free(def->wayland_named[i]);
	}
	free(def->wayland_named);
	for (size_t i = 0; i < def->guest_runs_len; i++) {
		free(def->guest_runs[i]);
		if (def->guest_run_names != NULL) {
			free(def->guest_run_names[i]);
		}
	}
	free(def->guest_runs);
	free(def->guest_run_names);
	free(def->extra_args);
	free_entries(def->guest_entries, def->guest_entries_len);
	free(def);
}

enum key {
	KEY_COLOUR,
	KEY_VMM,
	KEY_VMM_BINARY,
	KEY_COMMAND,
	KEY_KERNEL,
	KEY_INITRD,
	KEY_DISK,
	KEY_DISK_RW,
	KEY_CMDLINE,
	KEY_MEMORY,
	KEY_CPUS,
	KEY_NETWORK,
	KEY_WAYLAND,
	KEY_AUTOSTART,
	KEY_EXTRA_ARGS,
	KEY_STOP_TIMEOUT,
	KEY_CONSOLE_BUFFER,
	KEY_STOP_WHEN_IDLE,
	KEY_FIRST_WINDOW_TIMEOUT,
	KEY_SNAPSHOT,
	KEY_CONFINE,
	KEY_COUNT,
};

struct parser {
	const char *path;
	const char *images_dir;
	struct tinct_vm_def *def;
	tinct_vm_def_report_func report;
	void *data;
	int line; // of the entry being parsed
	int errors;
	int first_line[KEY_COUNT]; // 0 = not seen yet
};

static void report_error(struct parser *parser, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void report_error(struct parser *parser, const char *fmt, ...)
{
	char message[1024];
	va_list args;
	va_start(args, fmt);
	vsnprintf(message, sizeof(message), fmt, args);
	va_end(args);
	parser->errors++;
	if (parser->report != NULL) {
		parser->report(parser->data, message);
	} else {
		wlr_log(WLR_ERROR, "%s", message);
	}
}

static bool set_string(char **field, const char *value, const char **message)
{
	if (value[0] == '\0') {
		*message = "value is empty";
		return false;
	}
	char *copy = strdup(value);
	if (copy == NULL) {
		*message = "out of memory";
		return false;
	}
	free(*field);
	*field = copy;
	return true;
}

static char *resolve_path(const char *images_dir, const char *value)
{
	if (value[0] == '/') {
		return strdup(value);
	}
	char *path = NULL;
	if (asprintf(&path, "%s/%s", images_dir, value) < 0) {
		return NULL;
	}
	return path;
}

static bool set_path(struct parser *parser, char **field, const char *value, const char **message)
{
	if (value[0] == '\0') {
		*message = "value is empty";
		return false;
	}
	char *path = resolve_path(parser->images_dir, value);
	if (path == NULL) {
		*message = "out of memory";
		return false;
	}
	free(*field);
	*field = path;
	return true;
}

static bool add_disk(struct parser *parser, const char *value, bool writable, const char **message)
{
	struct tinct_vm_def *def = parser->def;
	if (value[0] == '\0') {
		*message = "value is empty";
		return false;
	}
	struct tinct_vm_disk *disks = realloc(def->disks, (def->disks_len + 1) * sizeof(*disks));
	if (disks == NULL) {
		*message = "out of memory";
		return false;
	}
	def->disks = disks;
	char *path = resolve_path(parser->images_dir, value);
	if (path == NULL) {
		*message = "out of memory";
		return false;
	}
	disks[def->disks_len++] = (struct tinct_vm_disk){.path = path, .writable = writable};
	return true;
}

// Parses a decimal number with an optional unit suffix into `*out`,
// refusing overflow and anything after the suffix.
static bool parse_scaled(
	const char *value, const char *suffixes, const uint64_t *scales, uint64_t *out)
{
	if (value[0] < '0' || value[0] > '9') {
		return false;
	}
	errno = 0;
	char *end = NULL;
	unsigned long long n = strtoull(value, &end, 10);
	if (errno != 0) {
		return false;
	}
	uint64_t scale = 1;
	if (*end != '\0') {
		const char *s = strchr(suffixes, *end);
		if (s == NULL || end[1] != '\0') {
			return false;
		}
		scale = scales[s - suffixes];
	}
	if (n > UINT64_MAX / scale) {
		return false;
	}
	*out = n * scale;
	return true;
}

static bool parse_bool(const char *value, bool *out)
{
	static const char *const yes[] = {"true", "yes", "on", "1"};
	static const char *const no[] = {"false", "no", "off", "0"};
	for (size_t i = 0; i < 4; i++) {
		if (strcmp(value, yes[i]) == 0) {
			*out = true;
			return true;
		}
		if (strcmp(value, no[i]) == 0) {
			*out = false;
			return true;
		}
	}
	return false;
}

/* A PCI address as sysfs spells it: DDDD:BB:DD.F, lower-case hex. */
static bool vfio_address_valid(const char *value)
{
	static const char pattern[] = "xxxx:xx:xx.x";
	if (strlen(value) != sizeof(pattern) - 1) {
		return false;
	}
	for (size_t i = 0; pattern[i] != '\0'; i++) {
		char c = value[i];
		bool hex = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
		if (pattern[i] == 'x' ? !hex : c != pattern[i]) {
			return false;
		}
	}
	return true;
}

static const char *known_placeholder(void *data, const char *name)
{
	for (size_t i = 0; i < sizeof(placeholders) / sizeof(placeholders[0]); i++) {
		if (strcmp(name, placeholders[i]) == 0) {
			return "";
		}
	}
	return NULL;
}

static bool check_split(const char *value, bool placeholders_allowed, const char **message)
{
	struct tinct_argv argv;
	argv_init(&argv);
	bool ok = argv_split(
		&argv, value, placeholders_allowed ? known_placeholder : NULL, NULL, message);
	if (ok && argv.len == 0) {
		*message = "value is empty";
		ok = false;
	}
	argv_finish(&argv);
	return ok;
}

static bool parse_vm_key(
	struct parser *parser, enum key key, const char *value, const char **message)
{
	struct tinct_vm_def *def = parser->def;
	uint64_t n;
	switch (key) {
	case KEY_COLOUR:
		*message = "expected #rrggbb or one of red, orange, yellow, green, gray, blue, "
			   "purple, black";
		def->colour_line = parser->line;
		return colour_parse_rgb(value, &def->colour);
	case KEY_VMM:
		*message = "expected qemu, cloud-hypervisor, crosvm or command";
		return vm_def_parse_vmm(value, &def->vmm);
	case KEY_VMM_BINARY:
		return set_string(&def->vmm_binary, value, message);
	case KEY_COMMAND:
		if (!check_split(value, true, message)) {
			return false;
		}
		return set_string(&def->command, value, message);
	case KEY_KERNEL:
		return set_path(parser, &def->kernel, value, message);
	case KEY_INITRD:
		return set_path(parser, &def->initrd, value, message);
	case KEY_DISK:
		return add_disk(parser, value, false, message);
	case KEY_DISK_RW:
		return add_disk(parser, value, true, message);
	case KEY_CMDLINE:
		return set_string(&def->cmdline, value, message);
	case KEY_MEMORY: {
		static const uint64_t scales[] = {1, 1024};
		*message = "expected a size in MiB from 16 to 1048576 (suffix M or G allowed)";
		if (!parse_scaled(value, "MG", scales, &n) || n < 16 || n > 1048576) {
			return false;
		}
		def->memory_mib = (uint32_t)n;
		return true;
	}
	case KEY_CPUS: {
		static const uint64_t scales[] = {1};
		*message = "expected a number from 1 to 64";
		if (!parse_scaled(value, "", scales, &n) || n < 1 || n > 64) {
			return false;
		}
		def->cpus = (uint32_t)n;
		return true;
	}
	case KEY_NETWORK:
		*message = "expected none, tap or the name of a network VM";
		def->network_line = parser->line;
		free(def->network_vm);
		def->network_vm = NULL;
		if (strcmp(value, "none") == 0) {
			def->network = TINCT_VM_NETWORK_NONE;
			return true;
		}
		if (strcmp(value, "tap") == 0) {
			def->network = TINCT_VM_NETWORK_TAP;
			return true;
		}
		if (!vm_def_name_valid(value)) {
			return false;
		}
		def->network = TINCT_VM_NETWORK_VM;
		return set_string(&def->network_vm, value, message);
	case KEY_WAYLAND:
		*message = "expected none, virtio-wl or waypipe";
		if (strcmp(value, "none") == 0) {
			def->wayland_kind = TINCT_VM_WAYLAND_NONE;
		} else if (strcmp(value, "virtio-wl") == 0) {
			def->wayland_kind = TINCT_VM_WAYLAND_VIRTIO_WL;
		} else if (strcmp(value, "waypipe") == 0) {
			def->wayland_kind = TINCT_VM_WAYLAND_WAYPIPE;
		} else {
			return false;
		}
		return set_string(&def->wayland, value, message);
	case KEY_AUTOSTART:
		*message = "expected true or false";
		return parse_bool(value, &def->autostart);
	case KEY_EXTRA_ARGS:
		if (!check_split(value, false, message)) {
			return false;
		}
		return set_string(&def->extra_args, value, message);
	case KEY_STOP_TIMEOUT: {
		static const uint64_t scales[] = {1};
		*message = "expected seconds from 0 to 3600";
		if (!parse_scaled(value, "", scales, &n) || n > 3600) {
			return false;
		}
		def->stop_timeout_ms = (uint32_t)n * 1000;
		return true;
	}
	case KEY_CONSOLE_BUFFER: {
		static const uint64_t scales[] = {1024, 1024 * 1024};
		*message = "expected a size from 4K to 64M";
		if (!parse_scaled(value, "KM", scales, &n) || n < 4096 || n > 64 * 1024 * 1024) {
			return false;
		}
		def->console_buffer = (size_t)n;
		return true;
	}
	case KEY_STOP_WHEN_IDLE:
		*message = "expected true or false";
		return parse_bool(value, &def->stop_when_idle);
	case KEY_FIRST_WINDOW_TIMEOUT: {
		static const uint64_t scales[] = {1};
		*message = "expected seconds from 1 to 3600";
		if (!parse_scaled(value, "", scales, &n) || n < 1 || n > 3600) {
			return false;
		}
		def->first_window_timeout_s = (uint32_t)n;
		return true;
	}
	case KEY_SNAPSHOT:
		*message = "expected true or false";
		return parse_bool(value, &def->snapshot);
	case KEY_CONFINE:
		*message = "expected true or false";
		return parse_bool(value, &def->confine);
	case KEY_COUNT:
		break;
	}
	*message = "unknown key";
	return false;
}

static const char *const key_names[KEY_COUNT] = {
	[KEY_COLOUR] = "colour",
	[KEY_VMM] = "vmm",
	[KEY_VMM_BINARY] = "vmm-binary",
	[KEY_COMMAND] = "command",
	[KEY_KERNEL] = "kernel",
	[KEY_INITRD] = "initrd",
	[KEY_DISK] = "disk",
	[KEY_DISK_RW] = "disk-rw",
	[KEY_CMDLINE] = "cmdline",
	[KEY_MEMORY] = "memory",
	[KEY_CPUS] = "cpus",
	[KEY_NETWORK] = "network",
	[KEY_WAYLAND] = "wayland",
	[KEY_AUTOSTART] = "autostart",
	[KEY_EXTRA_ARGS] = "extra-args",
	[KEY_STOP_TIMEOUT] = "stop-timeout",
	[KEY_CONSOLE_BUFFER] = "console-buffer",
	[KEY_STOP_WHEN_IDLE] = "stop-when-idle",
	[KEY_FIRST_WINDOW_TIMEOUT] = "first-window-timeout",
	[KEY_SNAPSHOT] = "snapshot",
	[KEY_CONFINE] = "confine",
};

static bool lookup_key(const char *name, enum key *key)
{
	if (strcmp(name, "color") == 0) {
		name = "colour";
	}
	for (int i = 0; i < KEY_COUNT; i++) {
		if (strcmp(name, key_names[i]) == 0) {
			*key = (enum key)i;
			return true;
		}
	}
	return false;
}

static bool add_entry(struct tinct_vm_def_entry **entries, size_t *len, const char *key,
	const char *value, int line)
{
	struct tinct_vm_def_entry *grown = realloc(*entries, (*len + 1) * sizeof(*grown));
	if (grown == NULL) {
		return false;
	}
	*entries = grown;
	struct tinct_vm_def_entry *entry = &grown[*len];
	entry->key = strdup(key);
	entry->value = strdup(value);
	entry->line = line;
	if (entry->key == NULL || entry->value == NULL) {
		free(entry->key);
		free(entry->value);
		return false;
	}
	(*len)++;
	return true;
}

// The length of a `NAME: ` prefix of a run entry, 0 when there is none:
// a safe name, a colon and a blank (a command's own colons are not
// followed by one, and a command word is rarely a bare name with a colon).
static size_t run_name_len(const char *value)
{
	size_t n = 0;
	while (value[n] != '\0' && value[n] != ':' && n <= TINCT_VM_NAME_MAX) {
		n++;
	}
	if (n == 0 || value[n] != ':' || (value[n + 1] != ' ' && value[n + 1] != '\t')) {
		return 0;
	}
	char name[TINCT_VM_NAME_MAX + 2];
	memcpy(name, value, n);
	name[n] = '\0';
	return vm_def_name_valid(name) ? n : 0;
}

// Returns NULL or an error message.
static const char *add_guest_run(struct tinct_vm_def *def, const char *value)
{
	size_t name_len = run_name_len(value);
	const char *command = value;
	if (name_len > 0) {
		command = value + name_len + 1;
		command += strspn(command, " \t");
	}
	if (command[0] == '\0') {
		return "expected a shell command, optionally after NAME: ";
	}
	size_t n = def->guest_runs_len + 1;
	char **grown = realloc(def->guest_runs, n * sizeof(*grown));
	if (grown == NULL) {
		return "out of memory";
	}
	def->guest_runs = grown;
	grown = realloc(def->guest_run_names, n * sizeof(*grown));
	if (grown == NULL) {
		return "out of memory";
	}
	def->guest_run_names = grown;
	def->guest_runs[n - 1] = strdup(command);
	def->guest_run_names[n - 1] = name_len > 0 ? strndup(value, name_len) : NULL;
	if (def->guest_runs[n - 1] == NULL ||
		(name_len > 0 && def->guest_run_names[n - 1] == NULL)) {
		free(def->guest_runs[n - 1]);
		free(def->guest_run_names[n - 1]);
		return "out of memory";
	}
	def->guest_runs_len++;
	return NULL;
}

// [guest] ready: how tinct learns that the guest is up.
static const char *set_guest_ready(struct tinct_vm_def *def, const char *value)
{
	if (strcmp(value, "guest") == 0) {
		def->guest_ready = TINCT_GUEST_READY_GUEST;
	} else if (strcmp(value, "console") == 0) {
		def->guest_ready = TINCT_GUEST_READY_CONSOLE;
	} else {
		return "expected guest or console";
	}
	return NULL;
}

/* [wayland] named = NAME ...: words split on commas and blanks. */
static const char *add_wayland_named(struct tinct_vm_def *def, const char *value)
{
	char *copy = strdup(value);
	if (copy == NULL) {
		return "out of memory";
	}
	const char *message = NULL;
	char *save = NULL;
	for (char *word = strtok_r(copy, ", \t", &save); word != NULL && message == NULL;
		word = strtok_r(NULL, ", \t", &save)) {
		if (!vm_def_name_valid(word)) {
			message = "socket names are letters, digits, '-' and '_'";
		} else if (strcmp(word, TINCT_MEMFD_CONTEXT_NAME) == 0) {
			message = "\"memfd\" is the memfd server's context name";
		} else {
			char **grown = realloc(
				def->wayland_named, (def->wayland_named_len + 1) * sizeof(*grown));
			if (grown == NULL ||
				(grown[def->wayland_named_len] = strdup(word)) == NULL) {
				if (grown != NULL) {
					def->wayland_named = grown;
				}
				message = "out of memory";
			} else {
				def->wayland_named = grown;
				def->wayland_named_len++;
			}
		}
	}
	free(copy);
	return message;
}

static const struct {
	const char *name;
	enum tinct_vm_permission permission;
} permissions[] = {
	{"pointer-constraints", TINCT_PERM_POINTER_CONSTRAINTS},
	{"relative-pointer", TINCT_PERM_RELATIVE_POINTER},
	{"fullscreen", TINCT_PERM_FULLSCREEN},
	{"idle-inhibit", TINCT_PERM_IDLE_INHIBIT},
};

/* [wayland] allow = PERM ...: words split on commas and blanks, added up. */
static bool add_wayland_allow(
	struct tinct_vm_def *def, const char *value, char *message, size_t size)
{
	char *copy = strdup(value);
	if (copy == NULL) {
		snprintf(message, size, "out of memory");
		return false;
	}
	bool known = true;
	char *save = NULL;
	for (char *word = strtok_r(copy, ", \t", &save); word != NULL && known;
		word = strtok_r(NULL, ", \t", &save)) {
		known = false;
		for (size_t i = 0; i < sizeof(permissions) / sizeof(permissions[0]); i++) {
			if (strcmp(word, permissions[i].name) == 0) {
				def->wayland_allow |= (uint32_t)permissions[i].permission;
				known = true;
			}
		}
		if (!known) {
			snprintf(message, size,
				"unknown permission \"%s\" (expected pointer-constraints, "
				"relative-pointer, fullscreen or idle-inhibit)",
				word);
		}
	}
	free(copy);
	return known;
}

/* One [wayland] key; false with a message. */
static bool parse_wayland_key(
	struct tinct_vm_def *def, const char *name, const char *value, char *message, size_t size)
{
	static const uint64_t ones[] = {1};
	uint64_t n;
	if (strcmp(name, "allow") == 0) {
		return add_wayland_allow(def, value, message, size);
	} else if (strcmp(name, "max-windows") == 0) {
		if (!parse_scaled(value, "", ones, &n) || n < 1 || n > TINCT_VM_MAX_MAX_WINDOWS) {
			snprintf(message, size, "expected a number from 1 to %d",
				TINCT_VM_MAX_MAX_WINDOWS);
			return false;
		}
		def->max_windows = (int)n;
	} else if (strcmp(name, "max-connections") == 0) {
		if (!parse_scaled(value, "", ones, &n) || n < 1 ||
			n > TINCT_VM_MAX_MAX_CONNECTIONS) {
			snprintf(message, size, "expected a number from 1 to %d",
				TINCT_VM_MAX_MAX_CONNECTIONS);
			return false;
		}
		def->max_connections = (int)n;
	} else if (strcmp(name, "memfd-quota") == 0) {
		static const uint64_t scales[] = {
			UINT64_C(1) << 10, UINT64_C(1) << 10, // K
			UINT64_C(1) << 20, UINT64_C(1) << 20, // M
			UINT64_C(1) << 30, UINT64_C(1) << 30, // G
		};
		if (!parse_scaled(value, "KkMmGg", scales, &n) || n > TINCT_MEMFD_MAX_QUOTA) {
			snprintf(message, size,
				"expected bytes with an optional K, M or G suffix, at most 64G");
			return false;
		}
		def->memfd_quota = n;
	} else if (strcmp(name, "named") == 0) {
		const char *error = add_wayland_named(def, value);
		if (error != NULL) {
			snprintf(message, size, "%s", error);
			return false;
		}
	} else if (strcmp(name, "ports") == 0) {
		if (!parse_scaled(value, "", ones, &n) || n < 1 || n > TINCT_WAYPIPE_MAX_PORTS) {
			snprintf(message, size, "expected a number from 1 to %d",
				TINCT_WAYPIPE_MAX_PORTS);
			return false;
		}
		def->wayland_ports = (uint32_t)n;
	} else {
		snprintf(message, size, "unknown key");
		return false;
	}
	return true;
}

/* One [netvm] key; false with a message. */
// One port, 1..65535, at *text; advances past its digits.
static bool parse_port(const char **text, uint16_t *port)
{
	const char *p = *text;
	unsigned long n = 0;
	if (*p < '0' || *p > '9') {
		return false;
	}
	while (*p >= '0' && *p <= '9' && n <= 65535) {
		n = n * 10 + (unsigned long)(*p - '0');
		p++;
	}
	if (n < 1 || n > 65535) {
		return false;
	}
	*port = (uint16_t)n;
	*text = p;
	return true;
}

// "N, N-M, ...": at most TINCT_NETVM_MAX_HOST_PORTS entries; "" is none.
static bool parse_port_ranges(const char *text, struct tinct_port_range *ranges, size_t *len)
{
	size_t n = 0;
	const char *p = text;
	while (*p == ' ' || *p == '\t') {
		p++;
	}
	while (*p != '\0') {
		struct tinct_port_range range;
		if (n >= TINCT_NETVM_MAX_HOST_PORTS || !parse_port(&p, &range.first)) {
			return false;
		}
		range.last = range.first;
		if (*p == '-') {
			p++;
			if (!parse_port(&p, &range.last) || range.last < range.first) {
				return false;
			}
		}
		// nft refuses overlapping elements: so does the definition.
		for (size_t i = 0; i < n; i++) {
			if (range.first <= ranges[i].last && ranges[i].first <= range.last) {
				return false;
			}
		}
		ranges[n++] = range;
		while (*p == ' ' || *p == '\t') {
			p++;
		}
		if (*p == ',') {
			p++;
			while (*p == ' ' || *p == '\t') {
				p++;
			}
			if (*p == '\0') {
				return false;
			}
		} else if (*p != '\0') {
			return false;
		}
	}
	*len = n;
	return true;
}

static bool parse_netvm_key(struct tinct_vm_def *def, const char *name, const char *value, int line,
	char *message, size_t size)
{
	static const uint64_t ones[] = {1};
	uint64_t n;
	def->netvm = true;
	if (strcmp(name, "ports") == 0) {
		if (!parse_scaled(value, "", ones, &n) || n < 1 || n > TINCT_NETVM_MAX_PORTS) {
			snprintf(message, size, "expected a number from 1 to %d",
				TINCT_NETVM_MAX_PORTS);
			return false;
		}
		def->netvm_ports = (uint32_t)n;
	} else if (strcmp(name, "upstream") == 0) {
		free(def->netvm_upstream_device);
		def->netvm_upstream_device = NULL;
		if (strcmp(value, "user") == 0) {
			def->netvm_upstream = TINCT_NETVM_UPSTREAM_USER;
		} else if (strcmp(value, "tap") == 0) {
			def->netvm_upstream = TINCT_NETVM_UPSTREAM_TAP;
		} else if (strcmp(value, "none") == 0) {
			def->netvm_upstream = TINCT_NETVM_UPSTREAM_NONE;
		} else if (strncmp(value, "vfio:", 5) == 0 && vfio_address_valid(value + 5)) {
			def->netvm_upstream = TINCT_NETVM_UPSTREAM_VFIO;
			def->netvm_upstream_device = strdup(value + 5);
			if (def->netvm_upstream_device == NULL) {
				snprintf(message, size, "out of memory");
				return false;
			}
		} else {
			snprintf(message, size,
				"expected user, tap, none or vfio:DDDD:BB:DD.F (a PCI address)");
			return false;
		}
	} else if (strcmp(name, "isolate") == 0) {
		if (!parse_bool(value, &def->netvm_isolate)) {
			snprintf(message, size, "expected true or false");
			return false;
		}
	} else if (strcmp(name, "host-ports") == 0) {
		if (!parse_port_ranges(value, def->netvm_host_ports, &def->netvm_host_ports_len)) {
			snprintf(message, size,
				"expected ports N or ranges N-M from 1 to 65535, comma separated, "
				"not overlapping, at most %d",
				TINCT_NETVM_MAX_HOST_PORTS);
			return false;
		}
		def->netvm_host_ports_line = line;
	} else {
		snprintf(message, size, "unknown key");
		return false;
	}
	return true;
}

static void handle_ini_entry(
	void *data, int line, const char *section, const char *name, const char *value)
{
	struct parser *parser = data;
	struct tinct_vm_def *def = parser->def;
	const char *message = NULL;
	char buffer[256];

	parser->line = line;
	if (strcmp(section, "vm") == 0) {
		enum key key;
		if (!lookup_key(name, &key)) {
			message = "unknown key";
		} else if (key != KEY_DISK && key != KEY_DISK_RW && parser->first_line[key] != 0) {
			report_error(parser, "%s:%d: [%s] %s: set twice (first on line %d)",
				parser->path, parser->line, section, name, parser->first_line[key]);
			return;
		} else {
			parser->first_line[key] = parser->line;
			if (parse_vm_key(parser, key, value, &message)) {
				message = NULL;
			}
		}
	} else if (strcmp(section, "wayland") == 0) {
		if (!parse_wayland_key(def, name, value, buffer, sizeof(buffer))) {
			message = buffer;
		}
	} else if (strcmp(section, "netvm") == 0) {
		if (!parse_netvm_key(def, name, value, line, buffer, sizeof(buffer))) {
			message = buffer;
		}
	} else if (strcmp(section, "guest") == 0) {
		if (!add_entry(&def->guest_entries, &def->guest_entries_len, name, value,
			    parser->line)) {
			message = "out of memory";
		} else if (strcmp(name, "run") == 0) {
			message = add_guest_run(def, value);
		} else if (strcmp(name, "ready") == 0) {
			message = set_guest_ready(def, value);
		}
	} else if (section[0] == '\0') {
		message = "key outside of a section";
	} else {
		message = "unknown section";
	}
	if (message != NULL) {
		report_error(parser, "%s:%d: [%s] %s: %s", parser->path, parser->line, section,
			name, message);
	}
}

static void handle_ini_error(void *data, int line, const char *message)
{
	struct parser *parser = data;
	report_error(parser, "%s:%d: %s", parser->path, line, message);
}

static int guest_entry_line(const struct tinct_vm_def *def, const char *key)
{
	for (size_t i = 0; i < def->guest_entries_len; i++) {
		if (strcmp(def->guest_entries[i].key, key) == 0) {
			return def->guest_entries[i].line;
		}
	}
	return 0;
}

static void validate(struct parser *parser)
{
	struct tinct_vm_def *def = parser->def;
	const char *vmm = vm_def_vmm_name(def->vmm);
	if (def->guest_runs_len > 0) {
		size_t total = 0;
		for (size_t i = 0; i < def->guest_runs_len; i++) {
			total += strlen(def->guest_runs[i]);
		}
		int line = guest_entry_line(def, "run");
		if (def->wayland_kind != TINCT_VM_WAYLAND_WAYPIPE) {
			report_error(parser, "%s:%d: [guest] run: needs wayland = waypipe",
				parser->path, line);
		} else if (def->guest_runs_len > def->wayland_ports) {
			report_error(parser,
				"%s:%d: [guest] run: %zu commands but only %u waypipe ports "
				"([wayland] ports)",
				parser->path, line, def->guest_runs_len, def->wayland_ports);
		} else if (total > TINCT_GUEST_RUN_MAX) {
			report_error(parser,
				"%s:%d: [guest] run: the commands take %zu bytes; at most %d fit "
				"on the kernel command line",
				parser->path, line, total, TINCT_GUEST_RUN_MAX);
		}
	}
	if (def->wayland_kind == TINCT_VM_WAYLAND_WAYPIPE && def->vmm != TINCT_VMM_QEMU &&
		def->vmm != TINCT_VMM_CLOUD_HYPERVISOR) {
		report_error(parser,
			"%s:%d: [vm] wayland: waypipe needs vmm = qemu or "
			"cloud-hypervisor",
			parser->path, parser->first_line[KEY_WAYLAND]);
	}
	if (def->wayland_kind == TINCT_VM_WAYLAND_VIRTIO_WL && def->vmm != TINCT_VMM_CROSVM) {
		report_error(parser, "%s:%d: [vm] wayland: virtio-wl needs vmm = crosvm",
			parser->path, parser->first_line[KEY_WAYLAND]);
	}
	if (def->guest_ready == TINCT_GUEST_READY_DEFAULT) {
		def->guest_ready = def->vmm == TINCT_VMM_COMMAND ? TINCT_GUEST_READY_CONSOLE
								 : TINCT_GUEST_READY_GUEST;
	}
	if (def->network == TINCT_VM_NETWORK_VM) {
		if (strcmp(def->network_vm, def->name) == 0) {
			report_error(parser,
				"%s:%d: [vm] network: a VM cannot be its own network VM",
				parser->path, def->network_line);
		} else if (def->netvm) {
			report_error(parser,
				"%s:%d: [vm] network: a network VM's own way out is [netvm] "
				"upstream; network must be none",
				parser->path, def->network_line);
		} else if (def->vmm == TINCT_VMM_COMMAND) {
			report_error(parser,
				"%s:%d: [vm] network: a network VM needs vmm = qemu, crosvm or "
				"cloud-hypervisor",
				parser->path, def->network_line);
		}
	} else if (def->netvm && def->network != TINCT_VM_NETWORK_NONE) {
		report_error(parser,
			"%s:%d: [vm] network: a network VM's own way out is [netvm] upstream; "
			"network must be none",
			parser->path, def->network_line);
	}
	if (def->netvm && def->vmm == TINCT_VMM_COMMAND) {
		report_error(parser,
			"%s:0: [netvm] ports: a network VM needs vmm = qemu, crosvm or "
			"cloud-hypervisor",
			parser->path);
	} else if (def->netvm && def->netvm_host_ports_line != 0 &&
		   def->netvm_upstream != TINCT_NETVM_UPSTREAM_USER) {
		report_error(parser,
			"%s:%d: [netvm] host-ports: only with upstream = user (the host's "
			"loopback is 10.0.2.2 there)",
			parser->path, def->netvm_host_ports_line);
	} else if (def->netvm && def->netvm_upstream == TINCT_NETVM_UPSTREAM_USER &&
		   def->vmm != TINCT_VMM_QEMU) {
		report_error(parser,
			"%s:0: [netvm] upstream: user networking needs vmm = qemu; use tap "
			"or vfio:",
			parser->path);
	}
	if (def->vmm == TINCT_VMM_COMMAND) {
		if (def->command == NULL) {
			report_error(parser, "%s:0: [vm] command: required for vmm = command",
				parser->path);
		}
	} else {
		if (def->command != NULL) {
			report_error(parser, "%s:%d: [vm] command: only used with vmm = command",
				parser->path, parser->first_line[KEY_COMMAND]);
		}
		if (def->kernel == NULL) {
			report_error(parser, "%s:0: [vm] kernel: required for vmm = %s",
				parser->path, vmm);
		}
	}
}

struct tinct_vm_def *vm_def_parse(FILE *file, const char *path, const char *name,
	const char *images_dir, tinct_vm_def_report_func report, void *data)
{
	struct parser parser = {
		.path = path,
		.images_dir = images_dir,
		.report = report,
		.data = data,
	};
	if (!vm_def_name_valid(name)) {
		report_error(&parser,
			"%s:0: [vm] name: \"%s\" is not a safe name (letters, digits, - and _, "
			"not starting with -, at most %d characters)",
			path, name, TINCT_VM_NAME_MAX);
		return NULL;
	}
	parser.def = vm_def_create(name);
	if (parser.def == NULL) {
		report_error(&parser, "%s:0: [vm] name: out of memory", path);
		return NULL;
	}
	parser.def->path = strdup(path);
	if (parser.def->path == NULL) {
		report_error(&parser, "%s:0: [vm] name: out of memory", path);
		goto fail;
	}

	static const struct tinct_ini_handler handler = {
		.entry = handle_ini_entry,
		.error = handle_ini_error,
	};
	if (!ini_read(file, &handler, &parser)) {
		report_error(&parser, "%s:0: [vm] name: cannot read the file", path);
	}
	if (parser.errors == 0) {
		validate(&parser);
	}
	if (parser.errors > 0) {
		goto fail;
	}
	return parser.def;

fail:
	vm_def_destroy(parser.def);
	return NULL;
}

struct tinct_vm_def *vm_def_load_file(
	const char *path, const char *images_dir, tinct_vm_def_report_func report, void *data)
{
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	size_t len = strlen(base);
	char name[256];
	if (len < 5 || strcmp(base + len - 4, ".ini") != 0 || len - 4 >= sizeof(name)) {
		// Not NAME.ini: the whole file name is reported as the bad name.
		snprintf(name, sizeof(name), "%s", base);
	} else {
		memcpy(name, base, len - 4);
		name[len - 4] = '\0';
	}
	FILE *file = fopen(path, "re");
	if (file == NULL) {
		char message[1024];
		snprintf(message, sizeof(message), "%s:0: [vm] name: cannot open: %s", path,
			strerror(errno));
		if (report != NULL) {
			report(data, message);
		} else {
			wlr_log(WLR_ERROR, "%s", message);
		}
		return NULL;
	}
	struct tinct_vm_def *def = vm_def_parse(file, path, name, images_dir, report, data);
	fclose(file);
	return def;
}

static bool name_taken(struct wl_list *defs, char **claimed, size_t claimed_len, const char *name)
{
	struct tinct_vm_def *def;
	wl_list_for_each (def, defs, link) {
		if (strcmp(def->name, name) == 0) {
			return true;
		}
	}
	for (size_t i = 0; i < claimed_len; i++) {
		if (strcmp(claimed[i], name) == 0) {
			return true;
		}
	}
	return false;
}

static int compare_strings(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int load_dir(struct wl_list *defs, const char *dir, const char *images_dir, char ***claimed,
	size_t *claimed_len, tinct_vm_def_report_func report, void *data)
{
	DIR *d = opendir(dir);
	if (d == NULL) {
		if (errno != ENOENT && errno != ENOTDIR) {
			wlr_log_errno(WLR_ERROR, "Cannot read VM directory %s", dir);
			return 1;
		}
		return 0;
	}
	char **files = NULL;
	size_t files_len = 0;
	int errors = 0;
	struct dirent *entry;
	while ((entry = readdir(d)) != NULL) {
		size_t len = strlen(entry->d_name);
		if (len < 5 || strcmp(entry->d_name + len - 4, ".ini") != 0 ||
			entry->d_name[0] == '.') {
			continue;
		}
		char **grown = realloc(files, (files_len + 1) * sizeof(*grown));
		if (grown == NULL || (grown[files_len] = strdup(entry->d_name)) == NULL) {
			files = grown ? grown : files;
			wlr_log(WLR_ERROR, "Out of memory reading %s", dir);
			errors++;
			break;
		}
		files = grown;
		files_len++;
	}
	closedir(d);
	if (files_len > 1) {
		qsort(files, files_len, sizeof(*files), compare_strings);
	}

	for (size_t i = 0; i < files_len; i++) {
		char name[256];
		snprintf(name, sizeof(name), "%.*s", (int)(strlen(files[i]) - 4), files[i]);
		char *path = NULL;
		if (asprintf(&path, "%s/%s", dir, files[i]) < 0) {
			errors++;
			continue;
		}
		if (name_taken(defs, *claimed, *claimed_len, name)) {
			wlr_log(WLR_INFO, "Skipping %s: VM %s is already defined", path, name);
			free(path);
			continue;
		}
		struct tinct_vm_def *def = vm_def_load_file(path, images_dir, report, data);
		free(path);
		if (def != NULL) {
			wl_list_insert(defs->prev, &def->link);
			continue;
		}
		errors++;
		char **grown = realloc(*claimed, (*claimed_len + 1) * sizeof(*grown));
		if (grown != NULL) {
			*claimed = grown;
			if ((grown[*claimed_len] = strdup(name)) != NULL) {
				(*claimed_len)++;
			}
		}
	}
	for (size_t i = 0; i < files_len; i++) {
		free(files[i]);
	}
	free(files);
	return errors;
}

bool vm_def_network_check(const struct tinct_vm_def *def, const struct tinct_vm_def *netvm,
	char *message, size_t size)
{
	if (def->network != TINCT_VM_NETWORK_VM) {
		return true;
	}
	const char *path = def->path ? def->path : def->name;
	if (netvm == NULL) {
		snprintf(message, size, "%s:%d: [vm] network: no VM is called %s", path,
			def->network_line, def->network_vm);
		return false;
	}
	if (!netvm->netvm) {
		snprintf(message, size,
			"%s:%d: [vm] network: %s is not a network VM (it has no [netvm] section)",
			path, def->network_line, def->network_vm);
		return false;
	}
	return true;
}

// Every network = NAME of the definitions after `last` names a network VM
// in `defs`. One that does not is reported but kept: starting it reports
// the error again, and the other VMs load as usual.
static int check_networks(
	struct wl_list *defs, struct wl_list *last, tinct_vm_def_report_func report, void *data)
{
	int errors = 0;
	for (struct wl_list *pos = last->next; pos != defs; pos = pos->next) {
		struct tinct_vm_def *def = wl_container_of(pos, def, link);
		if (def->network != TINCT_VM_NETWORK_VM) {
			continue;
		}
		const struct tinct_vm_def *netvm = NULL, *other;
		wl_list_for_each (other, defs, link) {
			if (strcmp(other->name, def->network_vm) == 0) {
				netvm = other;
			}
		}
		char message[1024];
		if (!vm_def_network_check(def, netvm, message, sizeof(message))) {
			errors++;
			if (report != NULL) {
				report(data, message);
			} else {
				wlr_log(WLR_ERROR, "%s", message);
			}
		}
	}
	return errors;
}

int vm_def_load_dirs(struct wl_list *defs, const char *const *dirs, const char *images_dir,
	tinct_vm_def_report_func report, void *data)
{
	char **claimed = NULL;
	size_t claimed_len = 0;
	int errors = 0;
	// Only the definitions loaded now are checked; the caller's are known.
	struct wl_list *last = defs->prev;
	for (size_t i = 0; dirs[i] != NULL; i++) {
		errors += load_dir(defs, dirs[i], images_dir, &claimed, &claimed_len, report, data);
	}
	errors += check_networks(defs, last, report, data);
	for (size_t i = 0; i < claimed_len; i++) {
		free(claimed[i]);
	}
	free(claimed);
	return errors;
}

char **vm_def_search_dirs(const char *extra)
{
	char **dirs = calloc(4, sizeof(*dirs));
	if (dirs == NULL) {
		return NULL;
	}
	size_t n = 0;
	if (extra != NULL && (dirs[n++] = strdup(extra)) == NULL) {
		goto fail;
	}
	const char *config = getenv("XDG_CONFIG_HOME");
	const char *home = getenv("HOME");
	int ret = -1;
	if (config != NULL && config[0] == '/') {
		ret = asprintf(&dirs[n], "%s/tinct/vms", config);
	} else if (home != NULL) {
		ret = asprintf(&dirs[n], "%s/.config/tinct/vms", home);
	}
	if (ret >= 0) {
		n++;
	} else {
		dirs[n] = NULL;
	}
	if ((dirs[n++] = strdup("/etc/xdg/tinct/vms")) == NULL) {
		goto fail;
	}
	return dirs;

fail:
	vm_def_free_dirs(dirs);
	return NULL;
}

void vm_def_free_dirs(char **dirs)
{
	if (dirs == NULL) {
		return;
	}
	for (size_t i = 0; dirs[i] != NULL; i++) {
		free(dirs[i]);
	}
	free(dirs);
}

char *vm_def_images_dir(void)
{
	const char *images = getenv("TINCT_IMAGES");
	if (images != NULL && images[0] != '\0') {
		return strdup(images);
	}
	char *dir = NULL;
	const char *cache = getenv("XDG_CACHE_HOME");
	const char *home = getenv("HOME");
	int ret;
	if (cache != NULL && cache[0] == '/') {
		ret = asprintf(&dir, "%s/tinct/images", cache);
	} else {
		ret = asprintf(&dir, "%s/.cache/tinct/images", home ? home : "/");
	}
	return ret < 0 ? NULL : dir;
}

static bool check_file(const char *what, const char *path, char *message, size_t size)
{
	if (path == NULL || access(path, R_OK) == 0) {
		return true;
	}
	snprintf(message, size, "%s %s: %s", what, path, strerror(errno));
	return false;
}

bool vm_def_check_files(const struct tinct_vm_def *def, char *message, size_t size)
{
	if (!check_file("kernel", def->kernel, message, size) ||
		!check_file("initrd", def->initrd, message, size)) {
		return false;
	}
	for (size_t i = 0; i < def->disks_len; i++) {
		if (!check_file("disk", def->disks[i].path, message, size)) {
			return false;
		}
	}
	return true;
}

const char *vm_def_app_name(const struct tinct_vm_def *def, size_t index)
{
	if (index >= def->guest_runs_len) {
		return NULL;
	}
	if (def->guest_run_names == NULL || def->guest_run_names[index] == NULL) {
		return def->guest_runs[index];
	}
	return def->guest_run_names[index];
}
