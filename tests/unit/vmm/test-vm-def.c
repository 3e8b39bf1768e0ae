/*
 * Unit tests of VM definitions: every key type, every error path with its
 * exact text, the directory precedence, and that a broken file never
 * stops the others from loading.
 */
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "vmm/vm-def.h"

static char errors[8192];
static int error_count;

static void collect(void *data, const char *message)
{
	error_count++;
	strcat(errors, message);
	strcat(errors, "\n");
}

static struct tinct_vm_def *parse(const char *text)
{
	errors[0] = '\0';
	error_count = 0;
	FILE *file = fmemopen((void *)text, strlen(text), "r");
	struct tinct_vm_def *def = vm_def_parse(file, "t.ini", "t", "/img", collect, NULL);
	fclose(file);
	return def;
}

// Expects `text` to fail with exactly `want` (one or more lines).
static void check_error(const char *text, const char *want, const char *what)
{
	struct tinct_vm_def *def = parse(text);
	ok(def == NULL, "%s", what);
	char expected[1024];
	snprintf(expected, sizeof(expected), "%s\n", want);
	is_str(errors, expected, "%s", what);
	vm_def_destroy(def);
}

static void test_full(void)
{
	struct tinct_vm_def *def = parse("# comment\n"
					 "[vm]\n"
					 "colour = #A0b1C2\n"
					 "vmm = qemu\n"
					 "vmm-binary = /opt/qemu\n"
					 "kernel = vmlinuz\n"
					 "initrd = /abs/initrd.img\n"
					 "disk = root.img\n"
					 "disk-rw = /var/home.img\n"
					 "disk = /data.img\n"
					 "cmdline = quiet loglevel=3\n"
					 "memory = 1G\n"
					 "cpus = 4\n"
					 "network = tap\n"
					 "wayland = waypipe\n"
					 "autostart = yes\n"
					 "snapshot = no\n"
					 "extra-args = -device 'virtio-rng-pci'\n"
					 "stop-timeout = 30\n"
					 "console-buffer = 64K\n"
					 "[wayland]\n"
					 "named = a b\n"
					 "allow = fullscreen, idle-inhibit\n"
					 "allow = relative-pointer\n"
					 "max-windows = 20\n"
					 "memfd-quota = 64M\n"
					 "[guest]\n"
					 "run = lynx\n"
					 "run = foot -e 'sh'\n");
	if (!ok(def != NULL, "full definition parses")) {
		printf("# %s", errors);
		return;
	}
	is_str(def->name, "t", "name");
	ok(def->colour == 0xa0b1c2, "hex colour");
	ok(def->vmm == TINCT_VMM_QEMU, "vmm");
	is_str(def->vmm_binary, "/opt/qemu", "vmm-binary");
	is_str(def->kernel, "/img/vmlinuz", "relative kernel resolves in the images dir");
	is_str(def->initrd, "/abs/initrd.img", "absolute initrd stays");
	ok(def->disks_len == 3, "three disks");
	is_str(def->disks[0].path, "/img/root.img", "disk 1");
	ok(!def->disks[0].writable && def->disks[1].writable && !def->disks[2].writable,
		"disk-rw is writable, disk is not");
	is_str(def->cmdline, "quiet loglevel=3", "cmdline");
	ok(def->memory_mib == 1024, "memory 1G");
	ok(def->cpus == 4, "cpus");
	ok(def->network == TINCT_VM_NETWORK_TAP, "network tap");
	is_str(def->wayland, "waypipe", "wayland");
	ok(def->wayland_kind == TINCT_VM_WAYLAND_WAYPIPE, "wayland kind");
	ok(def->wayland_ports == 4, "four waypipe ports by default");
	ok(def->guest_runs_len == 2 && strcmp(def->guest_runs[0], "lynx") == 0 &&
			strcmp(def->guest_runs[1], "foot -e 'sh'") == 0,
		"[guest] run entries in order");
	ok(def->autostart, "autostart");
	ok(!def->snapshot, "snapshot = no");
	is_str(def->extra_args, "-device 'virtio-rng-pci'", "extra-args kept raw");
	ok(def->stop_timeout_ms == 30000, "stop-timeout");
	ok(def->console_buffer == 64 * 1024, "console-buffer");
	is_int(def->wayland_allow,
		TINCT_PERM_FULLSCREEN | TINCT_PERM_IDLE_INHIBIT | TINCT_PERM_RELATIVE_POINTER,
		"[wayland] allow, repeatable");
	is_int(def->max_windows, 20, "[wayland] max-windows");
	is_int(def->memfd_quota, UINT64_C(64) << 20, "[wayland] memfd-quota");
	ok(def->wayland_named_len == 2 && strcmp(def->wayland_named[0], "a") == 0 &&
			strcmp(def->wayland_named[1], "b") == 0,
		"[wayland] named parsed into names");
	ok(def->guest_entries_len == 2 && strcmp(def->guest_entries[0].value, "lynx") == 0,
		"[guest] kept raw");
	vm_def_destroy(def);
}

static void test_defaults(void)
{
	struct tinct_vm_def *def = parse("[vm]\nkernel = k\n");
	if (!ok(def != NULL, "minimal definition")) {
		return;
	}
	ok(def->colour == 0x555555 && def->vmm == TINCT_VMM_QEMU && def->memory_mib == 512 &&
			def->cpus == 1 && def->network == TINCT_VM_NETWORK_NONE &&
			!def->autostart && def->snapshot && def->stop_timeout_ms == 10000 &&
			def->console_buffer == 1024 * 1024 && def->initrd == NULL &&
			def->disks_len == 0 && def->wayland_kind == TINCT_VM_WAYLAND_NONE &&
			def->wayland == NULL && def->guest_runs_len == 0,
		"defaults");
	is_int(def->wayland_allow, 0, "[wayland] allow: nothing by default");
	is_int(def->max_windows, TINCT_VM_DEFAULT_MAX_WINDOWS, "[wayland] max-windows: 500");
	is_int(def->memfd_quota, UINT64_C(256) << 20, "[wayland] memfd-quota: 256M");
	vm_def_destroy(def);

	def = parse("[vm]\ncolor = purple\nmemory = 768M\nvmm = command\n"
		    "command = myvmm --kernel {kernel} --serial {serial-socket}\n");
	ok(def != NULL && def->colour == 0x75507b && def->memory_mib == 768 &&
			def->vmm == TINCT_VMM_COMMAND && def->kernel == NULL,
		"color alias, M suffix, command without kernel");
	vm_def_destroy(def);
}

static void test_memfd_quota(void)
{
	static const struct {
		const char *text;
		bool ok;
		uint64_t value;
	} cases[] = {
		{"256M", true, UINT64_C(256) << 20},
		{"1048576", true, 1048576},
		{"4k", true, 4096},
		{"2G", true, UINT64_C(2) << 30},
		{"64G", true, UINT64_C(64) << 30},
		{"0", true, 0},
		{"65G", false, 0},
		{"68719476737", false, 0},
		{"99999999999999999999999", false, 0},
		{"", false, 0},
		{"M", false, 0},
		{"-1M", false, 0},
		{"1.5G", false, 0},
		{"12MB", false, 0},
		{"1T", false, 0},
		{"1 M", false, 0},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char text[128];
		snprintf(text, sizeof(text), "[vm]\nkernel = k\n[wayland]\nmemfd-quota = %s\n",
			cases[i].text);
		struct tinct_vm_def *def = parse(text);
		if (cases[i].ok) {
			ok(def != NULL && def->memfd_quota == cases[i].value,
				"memfd-quota = %s parses", cases[i].text);
		} else {
			ok(def == NULL && error_count == 1, "memfd-quota = %s is refused",
				cases[i].text);
		}
		vm_def_destroy(def);
	}
}

static void test_names(void)
{
	ok(vm_def_name_valid("appvm-lynx") && vm_def_name_valid("a_1") && vm_def_name_valid("A"),
		"valid names");
	ok(!vm_def_name_valid("") && !vm_def_name_valid("-x") && !vm_def_name_valid("a b") &&
			!vm_def_name_valid("a/b") && !vm_def_name_valid("a.b") &&
			!vm_def_name_valid("abcdefghijabcdefghijabcdefghijabc"),
		"invalid names");
	ok(vm_def_name_valid("abcdefghijabcdefghijabcdefghijab"), "32 characters is fine");

	errors[0] = '\0';
	FILE *file = fmemopen("[vm]\n", 5, "r");
	struct tinct_vm_def *def = vm_def_parse(file, "d/-x.ini", "-x", "/img", collect, NULL);
	fclose(file);
	ok(def == NULL, "bad file name refused");
	is_str(errors,
		"d/-x.ini:0: [vm] name: \"-x\" is not a safe name (letters, digits, - and _, not "
		"starting with -, at most 32 characters)\n",
		"bad name message");
}

static void test_errors(void)
{
	check_error("[vm]\nkernel = k\ncolour = pink\n",
		"t.ini:3: [vm] colour: expected #rrggbb or one of red, orange, yellow, green, "
		"gray, blue, purple, black",
		"bad colour");
	check_error("[vm]\nkernel = k\nvmm = bochs\n",
		"t.ini:3: [vm] vmm: expected qemu, cloud-hypervisor, crosvm or command", "bad vmm");
	check_error("[vm]\nkernel = k\nmemory = 8\n",
		"t.ini:3: [vm] memory: expected a size in MiB from 16 to 1048576 (suffix M or G "
		"allowed)",
		"memory too small");
	check_error("[vm]\nkernel = k\nmemory = 512k\n",
		"t.ini:3: [vm] memory: expected a size in MiB from 16 to 1048576 (suffix M or G "
		"allowed)",
		"memory bad suffix");
	check_error("[vm]\nkernel = k\nmemory = 99999999999999999999\n",
		"t.ini:3: [vm] memory: expected a size in MiB from 16 to 1048576 (suffix M or G "
		"allowed)",
		"memory overflow");
	check_error("[vm]\nkernel = k\ncpus = 0\n",
		"t.ini:3: [vm] cpus: expected a number from 1 to 64", "cpus 0");
	check_error("[vm]\nkernel = k\ncpus = -1\n",
		"t.ini:3: [vm] cpus: expected a number from 1 to 64", "cpus negative");
	check_error("[vm]\nkernel = k\nnetwork = br/0\n",
		"t.ini:3: [vm] network: expected none, tap or the name of a network VM",
		"bad network");
	check_error("[vm]\nkernel = k\nautostart = maybe\n",
		"t.ini:3: [vm] autostart: expected true or false", "bad autostart");
	check_error("[vm]\nkernel = k\n\nsnapshot = sometimes\n",
		"t.ini:4: [vm] snapshot: expected true or false", "bad snapshot");
	check_error("[vm]\nkernel = k\nstop-timeout = 3601\n",
		"t.ini:3: [vm] stop-timeout: expected seconds from 0 to 3600", "bad stop-timeout");
	check_error("[vm]\nkernel = k\nconsole-buffer = 1K\n",
		"t.ini:3: [vm] console-buffer: expected a size from 4K to 64M",
		"console-buffer too small");
	check_error("[vm]\nkernel = k\nconsole-buffer = 65M\n",
		"t.ini:3: [vm] console-buffer: expected a size from 4K to 64M",
		"console-buffer too big");
	check_error("[vm]\nkernel =\n", "t.ini:2: [vm] kernel: value is empty", "empty kernel");
	check_error(
		"[vm]\nkernel = k\ndisk =\n", "t.ini:3: [vm] disk: value is empty", "empty disk");
	check_error("[vm]\nkernel = k\nvmm-binary =\n", "t.ini:3: [vm] vmm-binary: value is empty",
		"empty vmm-binary");
	check_error("[vm]\nkernel = k\nfoo = 1\n", "t.ini:3: [vm] foo: unknown key", "unknown key");
	check_error("[vm]\nkernel = k\n[display]\nx = 1\n", "t.ini:4: [display] x: unknown section",
		"unknown section");
	check_error("x = 1\n[vm]\nkernel = k\n", "t.ini:1: [] x: key outside of a section",
		"key outside a section");
	check_error("[vm]\nkernel = k\ncpus = 1\ncpus = 2\n",
		"t.ini:4: [vm] cpus: set twice (first on line 3)", "duplicate key");
	check_error("[vm]\nkernel = k\nthis is not ini\n",
		"t.ini:3: syntax error: expected \"key = value\" or \"[section]\"", "syntax error");
	check_error("[vm]\ncpus = 2\n", "t.ini:0: [vm] kernel: required for vmm = qemu",
		"missing kernel");
	check_error("", "t.ini:0: [vm] kernel: required for vmm = qemu", "empty file");
	check_error("[vm]\nvmm = command\n", "t.ini:0: [vm] command: required for vmm = command",
		"missing command");
	check_error("[vm]\nkernel = k\ncommand = x\n",
		"t.ini:3: [vm] command: only used with vmm = command", "command with qemu");
	check_error("[vm]\nvmm = command\ncommand = x {bogus}\n",
		"t.ini:3: [vm] command: unknown placeholder", "command with unknown placeholder");
	check_error("[vm]\nvmm = command\ncommand = x 'open\n",
		"t.ini:3: [vm] command: unterminated quote", "command with bad quoting");
	check_error("[vm]\nkernel = k\nextra-args = -x \"open\n",
		"t.ini:3: [vm] extra-args: unterminated quote", "extra-args with bad quoting");
	check_error("[vm]\nkernel = k\nwayland = x11\n",
		"t.ini:3: [vm] wayland: expected none, virtio-wl or waypipe", "bad wayland");
	check_error("[vm]\nkernel = k\n[wayland]\nnamed = gpu bad/name\n",
		"t.ini:4: [wayland] named: socket names are letters, digits, '-' and '_'",
		"a bad named socket");
	check_error("[vm]\nkernel = k\n[wayland]\nnamed = memfd\n",
		"t.ini:4: [wayland] named: \"memfd\" is the memfd server's context name",
		"named socket memfd");
	check_error("[vm]\nkernel = k\n[wayland]\nallow = fullscreen, everything\n",
		"t.ini:4: [wayland] allow: unknown permission \"everything\" (expected "
		"pointer-constraints, relative-pointer, fullscreen or idle-inhibit)",
		"an unknown permission");
	check_error("[vm]\nkernel = k\n[wayland]\nallow = Fullscreen\n",
		"t.ini:4: [wayland] allow: unknown permission \"Fullscreen\" (expected "
		"pointer-constraints, relative-pointer, fullscreen or idle-inhibit)",
		"permissions are lower case");
	check_error("[vm]\nkernel = k\n[wayland]\nmax-windows = 0\n",
		"t.ini:4: [wayland] max-windows: expected a number from 1 to 100000",
		"max-windows 0");
	check_error("[vm]\nkernel = k\n[wayland]\nmax-windows = 100001\n",
		"t.ini:4: [wayland] max-windows: expected a number from 1 to 100000",
		"max-windows too many");
	check_error("[vm]\nkernel = k\n[wayland]\nmax-windows = 5x\n",
		"t.ini:4: [wayland] max-windows: expected a number from 1 to 100000",
		"max-windows not a number");
	check_error("[vm]\nkernel = k\n[wayland]\nmemfd-quota = lots\n",
		"t.ini:4: [wayland] memfd-quota: expected bytes with an optional K, M or G suffix, "
		"at most 64G",
		"memfd-quota not a size");
	check_error("[vm]\nkernel = k\n[wayland]\nalow = fullscreen\n",
		"t.ini:4: [wayland] alow: unknown key", "an unknown [wayland] key");
	check_error("[vm]\nkernel = k\nwayland = waypipe\n[wayland]\nports = 17\n",
		"t.ini:5: [wayland] ports: expected a number from 1 to 16", "too many ports");
	check_error("[vm]\nkernel = k\nwayland = waypipe\n[wayland]\nports = 0\n",
		"t.ini:5: [wayland] ports: expected a number from 1 to 16", "no ports");
	check_error("[vm]\nkernel = k\n[guest]\nrun = foot\n",
		"t.ini:4: [guest] run: needs wayland = waypipe", "run without waypipe");
	check_error("[vm]\nkernel = k\nwayland = waypipe\n[wayland]\nports = 1\n"
		    "[guest]\nrun = a\nrun = b\n",
		"t.ini:7: [guest] run: 2 commands but only 1 waypipe ports ([wayland] ports)",
		"more runs than ports");
	{
		// The total comes from 8 commands of 151 bytes.
		char text[4096] = "[vm]\nkernel = k\nwayland = waypipe\n[wayland]\nports = 8\n"
				  "[guest]\n";
		for (int i = 0; i < 8; i++) {
			size_t len = strlen(text);
			strcpy(text + len, "run = ");
			memset(text + len + 6, 'x', 151);
			strcpy(text + len + 6 + 151, "\n");
		}
		check_error(text,
			"t.ini:7: [guest] run: the commands take 1208 bytes; at most 1200 fit on "
			"the kernel command line",
			"runs too long for the kernel command line");
	}
	check_error("[vm]\nvmm = crosvm\nkernel = k\nwayland = waypipe\n",
		"t.ini:4: [vm] wayland: waypipe needs vmm = qemu or cloud-hypervisor",
		"waypipe with crosvm");
	check_error("[vm]\nkernel = k\nwayland = virtio-wl\n",
		"t.ini:3: [vm] wayland: virtio-wl needs vmm = crosvm", "virtio-wl with qemu");
	check_error("[vm]\nkernel = k\ncolour = pink\ncpus = 99\n",
		"t.ini:3: [vm] colour: expected #rrggbb or one of red, orange, yellow, green, "
		"gray, blue, purple, black\n"
		"t.ini:4: [vm] cpus: expected a number from 1 to 64",
		"every error of a file is reported");
}

static void write_file(const char *path, const char *text)
{
	FILE *file = fopen(path, "w");
	fputs(text, file);
	fclose(file);
}

// `cmdline = ` and `fill` bytes of 'A', then `tail`: a line of 10 + fill +
// strlen(tail) bytes.
static char *long_line(const char *head, size_t fill, const char *tail)
{
	size_t head_len = strlen(head), tail_len = strlen(tail);
	char *text = malloc(head_len + fill + tail_len + 1);
	memcpy(text, head, head_len);
	memset(text + head_len, 'A', fill);
	strcpy(text + head_len + fill, tail);
	return text;
}

static void test_long_lines(void)
{
	// libinih's default buffer holds 199 bytes: the tail of this line
	// used to become a `kernel` key of its own.
	char *text = long_line("[vm]\nkernel = /k\ncmdline = ", 189, "kernel = /x\n");
	struct tinct_vm_def *def = parse(text);
	ok(def != NULL && error_count == 0, "a 210-byte line is one line");
	ok(def != NULL && strcmp(def->kernel, "/k") == 0 && strlen(def->cmdline) == 189 + 11,
		"its tail is part of the value, not a key");
	if (def == NULL) {
		printf("# %s", errors);
	}
	vm_def_destroy(def);
	free(text);

	text = long_line("[vm]\nkernel = /k\ncmdline = ", 4096 - 10, "\n");
	def = parse(text);
	ok(def != NULL && strlen(def->cmdline) == 4086, "a line of 4096 bytes parses");
	vm_def_destroy(def);
	free(text);

	text = long_line("[vm]\nkernel = /k\ncmdline = ", 4096 - 10, "\r\n");
	def = parse(text);
	ok(def != NULL && strlen(def->cmdline) == 4086, "a CR before the newline is not counted");
	vm_def_destroy(def);
	free(text);

	text = long_line("[vm]\ncmdline = ", 4096 - 9, "\nkernel = /k\ncpus = 0\n");
	check_error(text,
		"t.ini:2: syntax error: line longer than 4096 bytes\n"
		"t.ini:4: [vm] cpus: expected a number from 1 to 64",
		"a line of 4097 bytes is an error; the next lines keep their numbers");
	free(text);

	text = long_line("[vm]\nkernel = /k\ncmdline = ", 5000, "kernel = /x");
	check_error(text, "t.ini:3: syntax error: line longer than 4096 bytes",
		"a long last line without a newline is an error, never a key");
	free(text);
}

static void test_dirs(void)
{
	char base[] = "/tmp/tinct-vm-def-XXXXXX";
	if (!ok(mkdtemp(base) != NULL, "temporary directory")) {
		return;
	}
	char first[256], second[256], path[512];
	snprintf(first, sizeof(first), "%s/first", base);
	snprintf(second, sizeof(second), "%s/second", base);
	mkdir(first, 0700);
	mkdir(second, 0700);
	snprintf(path, sizeof(path), "%s/good.ini", first);
	write_file(path, "[vm]\nkernel = k\ncolour = red\n");
	snprintf(path, sizeof(path), "%s/broken.ini", first);
	write_file(path, "[vm]\nkernel = k\ncpus = lots\n");
	snprintf(path, sizeof(path), "%s/notes.txt", first);
	write_file(path, "not a definition");
	snprintf(path, sizeof(path), "%s/good.ini", second);
	write_file(path, "[vm]\nkernel = k\ncolour = green\n");
	snprintf(path, sizeof(path), "%s/broken.ini", second);
	write_file(path, "[vm]\nkernel = k\n");
	snprintf(path, sizeof(path), "%s/also.ini", second);
	write_file(path, "[vm]\nkernel = k\n");
	snprintf(path, sizeof(path), "%s/bad name.ini", second);
	write_file(path, "[vm]\nkernel = k\n");

	char missing[300];
	snprintf(missing, sizeof(missing), "%s/missing", base);
	const char *dirs[] = {first, missing, second, NULL};
	struct wl_list defs;
	wl_list_init(&defs);
	errors[0] = '\0';
	error_count = 0;
	int n = vm_def_load_dirs(&defs, dirs, "/img", collect, NULL);
	ok(n == 2 && error_count == 2, "two broken files, two errors");
	char want[1024];
	snprintf(want, sizeof(want),
		"%s/broken.ini:3: [vm] cpus: expected a number from 1 to 64\n"
		"%s/bad name.ini:0: [vm] name: \"bad name\" is not a safe name (letters, digits, "
		"- and _, not starting with -, at most 32 characters)\n",
		first, second);
	is_str(errors, want, "errors name their files");
	char names[256] = "";
	struct tinct_vm_def *def, *tmp;
	wl_list_for_each (def, &defs, link) {
		strcat(names, def->name);
		strcat(names, " ");
	}
	is_str(names, "good also ", "the others still load, the first directory wins");
	def = wl_container_of(defs.next, def, link);
	ok(def->colour == 0xcc0000, "the earlier definition of a name wins");
	wl_list_for_each_safe (def, tmp, &defs, link) {
		vm_def_destroy(def);
	}

	char cmd[600];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", base);
	ok(system(cmd) == 0, "cleanup");
}

static void test_netvm(void)
{
	struct tinct_vm_def *def = parse("[vm]\nkernel = k\n\nnetwork = netvm\n");
	ok(def != NULL && def->network == TINCT_VM_NETWORK_VM && def->network_line == 4 &&
			strcmp(def->network_vm, "netvm") == 0 && !def->netvm,
		"network = NAME names a network VM");
	vm_def_destroy(def);

	def = parse("[vm]\nkernel = k\n[netvm]\nisolate = true\n");
	ok(def != NULL && def->netvm && def->netvm_ports == TINCT_NETVM_DEFAULT_PORTS &&
			def->netvm_upstream == TINCT_NETVM_UPSTREAM_USER && def->netvm_isolate,
		"[netvm] defaults: 8 ports, user upstream, isolated");
	vm_def_destroy(def);
	def = parse("[vm]\nkernel = k\n[netvm]\nports = 16\nupstream = vfio:0000:03:00.1\n"
		    "isolate = no\n");
	ok(def != NULL && def->netvm_ports == 16 &&
			def->netvm_upstream == TINCT_NETVM_UPSTREAM_VFIO &&
			strcmp(def->netvm_upstream_device, "0000:03:00.1") == 0 &&
			!def->netvm_isolate,
		"[netvm] ports, vfio upstream, isolate");
	vm_def_destroy(def);
	def = parse("[vm]\nkernel = k\n[netvm]\nupstream = tap\n");
	ok(def != NULL && def->netvm_upstream == TINCT_NETVM_UPSTREAM_TAP, "tap upstream");
	vm_def_destroy(def);
	def = parse("[vm]\nvmm = crosvm\nkernel = k\n[netvm]\nupstream = none\n");
	ok(def != NULL && def->netvm_upstream == TINCT_NETVM_UPSTREAM_NONE,
		"crosvm network VM without upstream");
	vm_def_destroy(def);

	check_error("[vm]\nkernel = k\n[netvm]\nports = 17\n",
		"t.ini:4: [netvm] ports: expected a number from 1 to 16", "too many ports");
	check_error("[vm]\nkernel = k\n[netvm]\nupstream = vfio:3:0.0\n",
		"t.ini:4: [netvm] upstream: expected user, tap, none or vfio:DDDD:BB:DD.F (a "
		"PCI address)",
		"bad PCI address");
	check_error("[vm]\nkernel = k\n[netvm]\nisolate = maybe\n",
		"t.ini:4: [netvm] isolate: expected true or false", "bad isolate");
	def = parse("[vm]\nkernel = k\n[netvm]\nhost-ports = 8080, 6697,40000-40003\n");
	ok(def != NULL && def->netvm_host_ports_len == 3 &&
			def->netvm_host_ports[0].first == 8080 &&
			def->netvm_host_ports[0].last == 8080 &&
			def->netvm_host_ports[1].first == 6697 &&
			def->netvm_host_ports[2].first == 40000 &&
			def->netvm_host_ports[2].last == 40003,
		"[netvm] host-ports: ports and ranges");
	vm_def_destroy(def);
	def = parse("[vm]\nkernel = k\n[netvm]\nports = 2\n");
	ok(def != NULL && def->netvm_host_ports_len == 0,
		"the host's loopback is closed by default");
	vm_def_destroy(def);
	static const char *const bad_ports[] = {"0", "65536", "80-79", "80,", "http", "80 443",
		"1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17", "99999999999999999999", "80, 80",
		"70-90, 80"};
	for (size_t i = 0; i < sizeof(bad_ports) / sizeof(*bad_ports); i++) {
		char text[256];
		snprintf(text, sizeof(text), "[vm]\nkernel = k\n[netvm]\nhost-ports = %s\n",
			bad_ports[i]);
		check_error(text,
			"t.ini:4: [netvm] host-ports: expected ports N or ranges N-M from 1 to "
			"65535, comma separated, not overlapping, at most 16",
			"bad host-ports");
	}
	check_error("[vm]\nkernel = k\n[netvm]\nupstream = tap\nhost-ports = 80\n",
		"t.ini:5: [netvm] host-ports: only with upstream = user (the host's loopback is "
		"10.0.2.2 there)",
		"host-ports without user networking");
	check_error("[vm]\nkernel = k\n[netvm]\nrouter = yes\n",
		"t.ini:4: [netvm] router: unknown key", "unknown [netvm] key");
	check_error("[vm]\nkernel = k\nnetwork = t\n",
		"t.ini:3: [vm] network: a VM cannot be its own network VM", "own network VM");
	check_error("[vm]\nkernel = k\nnetwork = tap\n[netvm]\nports = 2\n",
		"t.ini:3: [vm] network: a network VM's own way out is [netvm] upstream; network "
		"must be none",
		"network VM with a network");
	check_error("[vm]\nvmm = cloud-hypervisor\nkernel = k\n[netvm]\nports = 2\n",
		"t.ini:0: [netvm] upstream: user networking needs vmm = qemu; use tap or vfio:",
		"user upstream needs QEMU");
	check_error("[vm]\nvmm = command\ncommand = x\nnetwork = netvm\n",
		"t.ini:4: [vm] network: a network VM needs vmm = qemu, crosvm or "
		"cloud-hypervisor",
		"network VM with the command backend");

	// Names are checked against the other definitions when they load.
	char base[] = "/tmp/tinct-vm-def-XXXXXX";
	if (!ok(mkdtemp(base) != NULL, "temporary directory")) {
		return;
	}
	char path[512];
	snprintf(path, sizeof(path), "%s/app.ini", base);
	write_file(path, "[vm]\nkernel = k\nnetwork = netvm\n");
	snprintf(path, sizeof(path), "%s/lost.ini", base);
	write_file(path, "[vm]\nkernel = k\n\nnetwork = nowhere\n");
	snprintf(path, sizeof(path), "%s/plain.ini", base);
	write_file(path, "[vm]\nkernel = k\nnetwork = app\n");
	snprintf(path, sizeof(path), "%s/netvm.ini", base);
	write_file(path, "[vm]\nkernel = k\n[netvm]\nports = 2\n");
	const char *dirs[] = {base, NULL};
	struct wl_list defs;
	wl_list_init(&defs);
	errors[0] = '\0';
	error_count = 0;
	int n = vm_def_load_dirs(&defs, dirs, "/img", collect, NULL);
	char want[1024];
	snprintf(want, sizeof(want),
		"%s/lost.ini:4: [vm] network: no VM is called nowhere\n"
		"%s/plain.ini:3: [vm] network: app is not a network VM (it has no [netvm] "
		"section)\n",
		base, base);
	ok(n == 2, "two unusable networks");
	is_str(errors, want, "unknown and non-network VMs are errors with file:line");
	ok(wl_list_length(&defs) == 4, "the VMs that name them still load");
	struct tinct_vm_def *tmp;
	wl_list_for_each_safe (def, tmp, &defs, link) {
		vm_def_destroy(def);
	}
	char cmd[600];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", base);
	ok(system(cmd) == 0, "cleanup");
}

static void test_search_dirs(void)
{
	setenv("XDG_CONFIG_HOME", "/cfg", 1);
	char **dirs = vm_def_search_dirs("/extra");
	ok(dirs != NULL && strcmp(dirs[0], "/extra") == 0 &&
			strcmp(dirs[1], "/cfg/tinct/vms") == 0 &&
			strcmp(dirs[2], "/etc/xdg/tinct/vms") == 0 && dirs[3] == NULL,
		"search order: --vms, XDG_CONFIG_HOME, /etc/xdg");
	vm_def_free_dirs(dirs);
	unsetenv("XDG_CONFIG_HOME");
	setenv("HOME", "/home/u", 1);
	dirs = vm_def_search_dirs(NULL);
	ok(dirs != NULL && strcmp(dirs[0], "/home/u/.config/tinct/vms") == 0 &&
			strcmp(dirs[1], "/etc/xdg/tinct/vms") == 0 && dirs[2] == NULL,
		"search order without --vms and XDG_CONFIG_HOME");
	vm_def_free_dirs(dirs);

	setenv("TINCT_IMAGES", "/imgs", 1);
	char *images = vm_def_images_dir();
	is_str(images, "/imgs", "TINCT_IMAGES");
	free(images);
	unsetenv("TINCT_IMAGES");
	setenv("XDG_CACHE_HOME", "/cache", 1);
	images = vm_def_images_dir();
	is_str(images, "/cache/tinct/images", "XDG_CACHE_HOME");
	free(images);
	unsetenv("XDG_CACHE_HOME");
	images = vm_def_images_dir();
	is_str(images, "/home/u/.cache/tinct/images", "HOME/.cache");
	free(images);
}

int main(void)
{
	test_full();
	test_defaults();
	test_memfd_quota();
	test_names();
	test_errors();
	test_long_lines();
	test_dirs();
	test_netvm();
	test_search_dirs();
	vm_def_destroy(NULL);
	ok(true, "destroy(NULL) is a no-op");
	return check_done();
}
