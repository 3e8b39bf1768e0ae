/*
 * Unit tests of the jail (vmm/jail.h): the bubblewrap command line of each
 * backend's VMM, with and without a uid of its own, the files named on a
 * command line, QEMU's -sandbox, fail-closed without bwrap, uid claims and
 * the hand-over of a runtime directory. crosvm and cloud-hypervisor are
 * not installed here: their confined command lines are checked word for
 * word.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "vmm/argv.h"
#include "vmm/backend.h"
#include "check.h"
#include "vmm/jail.h"
#include "vmm/spawn.h"
#include "vmm/vm-def.h"

#define RUNTIME "/run/t/appvm-lynx"
#define VM_UID 1879048200u

static struct tinct_vm_def *make_def(enum tinct_vmm_kind vmm)
{
	struct tinct_vm_def *def = vm_def_create("appvm-lynx");
	def->vmm = vmm;
	def->kernel = strdup("/img/vmlinuz");
	def->initrd = strdup("/img/appvm-lynx.img");
	def->disks = calloc(2, sizeof(*def->disks));
	def->disks[0] = (struct tinct_vm_disk){.path = strdup("/img/root.img")};
	def->disks[1] = (struct tinct_vm_disk){.path = strdup("/var/home.img"), .writable = true};
	def->disks_len = 2;
	return def;
}

static struct tinct_vmm_launch make_launch(const struct tinct_vm_def *def, const char *binary)
{
	return (struct tinct_vmm_launch){
		.def = def,
		.binary = binary,
		.runtime_dir = RUNTIME,
		.serial_socket = RUNTIME "/serial",
		.api_socket = RUNTIME "/api",
		.cmdline = "console=ttyS0",
		.tap_fd = -1,
		.confined = true,
	};
}

// A jail as vm.c prepares one, bwrap found as /usr/bin/bwrap.
static void make_jail(struct tinct_jail *jail, uid_t uid)
{
	jail_init(jail);
	setenv("TINCT_BWRAP", "/bin/true", 1);
	ok(jail_prepare(jail, "appvm-lynx", RUNTIME, uid), "jail prepared (uid %u)", (unsigned)uid);
	free(jail->bwrap);
	jail->bwrap = strdup("/usr/bin/bwrap");
	if (uid != 0) {
		free(jail->setpriv);
		jail->setpriv = strdup("/usr/bin/setpriv");
	}
}

// "\nw1\nw2\n...": a sequence of words is found with strstr("\nA\nB\n").
static char *join(const struct tinct_argv *argv)
{
	static char out[16384];
	strcpy(out, "\n");
	for (size_t i = 0; i < argv->len; i++) {
		strcat(out, argv->argv[i]);
		strcat(out, "\n");
	}
	return out;
}

static bool has(const char *joined, const char *words)
{
	return strstr(joined, words) != NULL;
}

// Position of a word sequence, for order checks; -1 when missing.
static long where(const char *joined, const char *words)
{
	const char *at = strstr(joined, words);
	return at != NULL ? at - joined : -1;
}

static int count(const char *joined, const char *words)
{
	int n = 0;
	for (const char *at = strstr(joined, words); at != NULL; at = strstr(at + 1, words)) {
		n++;
	}
	return n;
}

// The VMM's bwrap line for `backend` (jail_argv of what vm.c passes).
static char *vmm_line(const struct tinct_vmm_backend *backend,
	const struct tinct_vmm_launch *launch, uid_t uid, struct tinct_jail *jail)
{
	make_jail(jail, uid);
	struct tinct_argv argv, out;
	argv_init(&argv);
	argv_init(&out);
	ok(backend->build_argv(launch, &argv), "%s: argv built", backend->name);
	ok(backend_jail(backend, launch, jail), "%s: jail built", backend->name);
	ok(jail_argv(jail, launch->binary, argv.argv, &out), "%s: bwrap line built", backend->name);
	char *joined = join(&out);
	argv_finish(&argv);
	argv_finish(&out);
	return joined;
}

static void test_common(const char *line, const char *what)
{
	ok(where(line, "\n/usr/bin/bwrap\n--die-with-parent\n") == 0, "%s: bwrap first", what);
	ok(has(line, "\n--unshare-ipc\n--unshare-pid\n--unshare-uts\n--unshare-cgroup-try\n"
		     "--unshare-net\n"),
		"%s: own namespaces, no network", what);
	ok(has(line, "\n--ro-bind\n/usr\n/usr\n"), "%s: /usr read-only", what);
	ok(has(line, "\n--dev\n/dev\n--proc\n/proc\n--tmpfs\n/tmp\n"), "%s: minimal /dev", what);
	ok(has(line, "\n--perms\n0755\n--dir\n/run\n--perms\n0755\n--dir\n/run/t\n"
		     "--bind\n" RUNTIME "\n" RUNTIME "\n"),
		"%s: its runtime directory read-write, parents walkable", what);
	ok(has(line, "\n--perms\n0755\n--dir\n/img\n--ro-bind\n/img/vmlinuz\n/img/vmlinuz\n"),
		"%s: kernel read-only", what);
	ok(has(line, "\n--ro-bind\n/img/appvm-lynx.img\n/img/appvm-lynx.img\n"),
		"%s: initrd read-only", what);
	ok(count(line, "\n--dir\n/img\n") == 1, "%s: /img made once", what);
	ok(has(line, "\n--ro-bind\n/img/root.img\n/img/root.img\n"), "%s: disk read-only", what);
	ok(has(line, "\n--bind\n/var/home.img\n/var/home.img\n"), "%s: disk-rw read-write", what);
	ok(has(line, "\n--setenv\nHOME\n" RUNTIME "\n--setenv\nXDG_RUNTIME_DIR\n" RUNTIME "\n"),
		"%s: HOME is the runtime directory", what);
	ok(!has(line, "\n/root\n") && !has(line, "\n/home\n") && !has(line, "wayland-0"),
		"%s: nothing of the home or the main socket", what);
}

static void test_qemu(void)
{
	struct tinct_vm_def *def = make_def(TINCT_VMM_QEMU);
	struct tinct_vmm_launch launch = make_launch(def, "/usr/bin/qemu-system-x86_64");
	struct tinct_jail jail;

	char *line = vmm_line(&backend_qemu, &launch, 0, &jail);
	test_common(line, "qemu");
	ok(has(line, "\n--unshare-user\n--disable-userns\n"), "qemu as the user: no nested userns");
	ok(!has(line, "/dev/kvm"), "qemu under TCG: no /dev/kvm");
	ok(!has(line, "setpriv") && !has(line, "--cap-add"), "qemu as the user: no uid switch");
	ok(has(line, "\n--chdir\n" RUNTIME "\n--\n/usr/bin/qemu-system-x86_64\n-nodefaults\n"
		     "-no-user-config\n-sandbox\n"
		     "on,obsolete=deny,elevateprivileges=deny,spawn=deny,resourcecontrol=deny\n"),
		"qemu: runs with -sandbox and every deny option");
	jail_finish(&jail);

	launch.kvm = true;
	launch.vsock_cid = 7;
	line = vmm_line(&backend_qemu, &launch, VM_UID, &jail);
	test_common(line, "qemu as root");
	ok(has(line, "\n--dev-bind\n/dev/kvm\n/dev/kvm\n"), "qemu with KVM: /dev/kvm");
	ok(has(line, "\n--dev-bind\n/dev/vhost-vsock\n/dev/vhost-vsock\n"), "qemu vsock: vhost");
	ok(!has(line, "/dev/net/tun"), "qemu: never /dev/net/tun (a TAP is a descriptor)");
	ok(!has(line, "--unshare-user"), "qemu as root: bwrap makes the mounts as root");
	ok(has(line, "\n--cap-drop\nALL\n--cap-add\nCAP_SETUID\n--cap-add\nCAP_SETGID\n"),
		"qemu as root: only setpriv's capabilities");
	ok(has(line,
		   "\n--chdir\n/\n--\n/usr/bin/setpriv\n--reuid=1879048200\n--regid=1879048200\n"),
		"qemu as root: switches to the VM's uid");
	ok(has(line, "\n--inh-caps=-all\n--\n/usr/bin/qemu-system-x86_64\n-nodefaults\n"),
		"qemu as root: then runs QEMU");
	jail_finish(&jail);

	launch.confined = false;
	struct tinct_argv argv;
	argv_init(&argv);
	backend_qemu.build_argv(&launch, &argv);
	ok(!has(join(&argv), "-sandbox"), "confine = false: no -sandbox");
	argv_finish(&argv);
	vm_def_destroy(def);
}

static void test_crosvm(void)
{
	struct tinct_vm_def *def = make_def(TINCT_VMM_CROSVM);
	struct tinct_vmm_launch launch = make_launch(def, "/usr/bin/crosvm");
	struct tinct_jail jail;
	char *line = vmm_line(&backend_crosvm, &launch, 0, &jail);
	test_common(line, "crosvm");
	ok(has(line, "\n--unshare-user\n--ro-bind\n/usr\n/usr\n"),
		"crosvm: may nest its own minijail (no --disable-userns)");
	ok(has(line, "\n--dev-bind\n/dev/kvm\n/dev/kvm\n"), "crosvm: /dev/kvm");
	ok(has(line, "\n--dir\n/var\n--bind\n/var/home.img\n") &&
			has(line, "\n--dir\n/var/empty\n"),
		"crosvm: an empty /var/empty for its pivot_root");
	ok(has(line, "\n--\n/usr/bin/crosvm\nrun\n"), "crosvm: runs crosvm");
	jail_finish(&jail);
	vm_def_destroy(def);
}

static void test_cloud_hypervisor(void)
{
	struct tinct_vm_def *def = make_def(TINCT_VMM_CLOUD_HYPERVISOR);
	struct tinct_vmm_launch launch = make_launch(def, "/usr/bin/cloud-hypervisor");
	launch.waypipe_ports = 1;
	struct tinct_jail jail;
	char *line = vmm_line(&backend_cloud_hypervisor, &launch, VM_UID, &jail);
	test_common(line, "cloud-hypervisor");
	ok(has(line, "\n--dev-bind\n/dev/kvm\n/dev/kvm\n"), "cloud-hypervisor: /dev/kvm");
	ok(has(line, "\n--inh-caps=-all\n--\n/usr/bin/cloud-hypervisor\n--api-socket\n"),
		"cloud-hypervisor: runs as the VM's uid");
	ok(has(line, "\n--vsock\ncid=3,socket=" RUNTIME "/vsock.sock\n"),
		"cloud-hypervisor: hybrid vsock inside the runtime directory");
	jail_finish(&jail);
	vm_def_destroy(def);
}

static void test_command(void)
{
	char script[] = "/tmp/tinct-jail-test.XXXXXX";
	int fd = mkstemp(script);
	ok(fd >= 0, "a script file");
	close(fd);
	struct tinct_vm_def *def = make_def(TINCT_VMM_COMMAND);
	char *command = NULL;
	ok(asprintf(&command,
		   "/usr/bin/python3 %s {serial-socket} /tmp /nonexistent/file %s/inside "
		   "/usr/share/x relative",
		   script, RUNTIME) > 0,
		"command line");
	def->command = command;
	struct tinct_vmm_launch launch = make_launch(def, "/usr/bin/python3");
	struct tinct_jail jail;
	char *line = vmm_line(&backend_command, &launch, 0, &jail);
	test_common(line, "command");
	ok(has(line, "\n--dev-bind-try\n/dev/kvm\n/dev/kvm\n"),
		"command: /dev/kvm if the host has it");
	char want[256];
	snprintf(want, sizeof(want), "\n--ro-bind\n%s\n%s\n", script, script);
	ok(has(line, want), "command: the script it names, read-only");
	ok(!has(line, "\n--ro-bind\n/tmp\n") && !has(line, "--ro-bind\n/nonexistent") &&
			!has(line, "--ro-bind\n/usr/share/x"),
		"command: no directory, missing file or /usr path bound");
	snprintf(want, sizeof(want), "\n--\n/usr/bin/python3\n%s\n" RUNTIME "/serial\n/tmp\n",
		script);
	ok(has(line, want), "command: runs its command line");
	jail_finish(&jail);
	vm_def_destroy(def);
	unlink(script);

	// A program outside /usr is bound on its own.
	make_jail(&jail, 0);
	struct tinct_argv out;
	argv_init(&out);
	char *const argv[] = {"vmm", NULL};
	ok(jail_argv(&jail, "/opt/vmm/bin/vmm", argv, &out), "program outside /usr");
	ok(has(join(&out),
		   "\n--dir\n/opt/vmm/bin\n--ro-bind\n/opt/vmm/bin/vmm\n/opt/vmm/bin/vmm\n"),
		"the program outside /usr is bound read-only");
	argv_finish(&out);
	jail_finish(&jail);
}

static void test_apply(void)
{
	struct tinct_jail jail;
	jail_init(&jail);
	char *const argv[] = {"waypipe", "client", NULL};
	struct tinct_spawn spawn = spawn_vm_child("/usr/bin/waypipe", argv, 2);
	struct tinct_argv storage;
	argv_init(&storage);
	ok(jail_apply(&jail, &spawn, &storage) && spawn.argv == argv && !spawn.no_new_privs,
		"a disabled jail (confine = false) changes nothing");
	make_jail(&jail, 0);
	ok(jail_apply(&jail, &spawn, &storage), "applied");
	is_str(spawn.program, "/usr/bin/bwrap", "the child is bwrap");
	ok(spawn.no_new_privs && spawn.new_session && spawn.die_with_parent,
		"with no-new-privileges, its own session, death with tinct");
	ok(has(join(&storage), "\n--\n/usr/bin/waypipe\nclient\n"), "running the program");
	argv_finish(&storage);
	jail_finish(&jail);
}

static void test_fail_closed(void)
{
	struct tinct_jail jail;
	jail_init(&jail);
	setenv("TINCT_BWRAP", "/nonexistent/bwrap", 1);
	ok(!jail_prepare(&jail, "appvm-lynx", RUNTIME, 0) && !jail.enabled,
		"no bwrap: the jail cannot be prepared");
	unsetenv("TINCT_BWRAP");
	char *bwrap = spawn_find_system_program("bwrap");
	ok(bwrap == NULL ||
			(jail_prepare(&jail, "x", RUNTIME, 0) && strcmp(jail.bwrap, bwrap) == 0),
		"bwrap from the system PATH");
	free(bwrap);
	jail_finish(&jail);

	const char *ini = "[vm]\nkernel = /k\n";
	FILE *file = fmemopen((void *)ini, strlen(ini), "r");
	struct tinct_vm_def *def = vm_def_parse(file, "t.ini", "t", "/img", NULL, NULL);
	fclose(file);
	ok(def != NULL && def->confine, "confine defaults to true");
	vm_def_destroy(def);
	ini = "[vm]\nkernel = /k\nconfine = false\n";
	file = fmemopen((void *)ini, strlen(ini), "r");
	def = vm_def_parse(file, "t.ini", "t", "/img", NULL, NULL);
	fclose(file);
	ok(def != NULL && !def->confine, "confine = false parses");
	vm_def_destroy(def);
}

static void test_uid_claim(void)
{
	setenv("TINCT_VM_UIDS", "1879113000:2", 1);
	uid_t a = 0, b = 0, c = 0;
	int fa = jail_uid_claim(&a);
	int fb = jail_uid_claim(&b);
	ok(fa >= 0 && fb >= 0 && a != b, "two claims, two uids (%u, %u)", a, b);
	ok(a >= 1879113000u && a < 1879113002u && b >= 1879113000u && b < 1879113002u,
		"inside the configured range");
	ok(jail_uid_claim(&c) < 0, "the range exhausted: no uid");
	close(fa);
	int fc = jail_uid_claim(&c);
	ok(fc >= 0 && c == a, "a uid released is claimed again");
	close(fb);
	close(fc);
	setenv("TINCT_VM_UIDS", "bogus", 1);
	ok(jail_uid_claim(&c) < 0, "a bad TINCT_VM_UIDS is refused");
	unsetenv("TINCT_VM_UIDS");
}

static bool owned_by(const char *path, uid_t uid)
{
	struct stat st;
	return lstat(path, &st) == 0 && st.st_uid == uid;
}

static void make_socket(const char *path)
{
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	snprintf(addr.sun_path, sizeof(addr.sun_path), "%s", path);
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);
	bind(fd, (struct sockaddr *)&addr, sizeof(addr));
	close(fd);
}

static void test_give_dir(void)
{
	if (geteuid() != 0) {
		ok(true, "# SKIP giving a directory away needs root");
		return;
	}
	char dir[] = "/tmp/tinct-jail-dir.XXXXXX";
	ok(mkdtemp(dir) != NULL, "a runtime directory");
	char wayland[96], log[96];
	snprintf(wayland, sizeof(wayland), "%s/wayland", dir);
	snprintf(log, sizeof(log), "%s/vmm.log", dir);
	make_socket(wayland);
	close(open(log, O_CREAT | O_WRONLY | O_CLOEXEC, 0600));
	ok(jail_give_dir(dir, VM_UID, VM_UID), "given to the VM's uid");
	struct stat st;
	ok(stat(dir, &st) == 0 && st.st_uid == VM_UID && (st.st_mode & 0777) == 0700,
		"the directory is the uid's, 0700");
	ok(owned_by(wayland, VM_UID), "its display socket too");
	ok(owned_by(log, 0), "not the log");
	ok(jail_give_dir(dir, 0, 0), "taken back");
	ok(owned_by(dir, 0) && owned_by(wayland, 0), "everything is root's again");
	unlink(wayland);
	unlink(log);
	rmdir(dir);
}

int main(void)
{
	test_qemu();
	test_crosvm();
	test_cloud_hypervisor();
	test_command();
	test_apply();
	test_fail_closed();
	test_uid_claim();
	test_give_dir();
	return check_done();
}
