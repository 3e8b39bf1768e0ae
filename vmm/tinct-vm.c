/*
 * tinct-vm: boot one VM without a compositor (the successor of Spectrum's
 * spectrum-vm), validate VM definitions, and attach to a VM's console.
 *
 *   tinct-vm run --vm NAME [--vms DIR] [-c CMD]
 *   tinct-vm run --kernel K [--initrd I] [--disk D]... [--vmm KIND]
 *                [--vmm-binary PATH] [-c CMD] [-- VMM-ARGS...]
 *   tinct-vm check [--vms DIR]
 *   tinct-vm console [--vms DIR] NAME
 *
 * `run -c CMD` hands the command to the guest as tinct.run=<base64> on the
 * kernel command line (the guest image contract), prints what the guest
 * prints between `tinct-guest: run` and `tinct-guest: exit N`, and exits
 * with N. Statuses of its own: 2 usage, 123 no such VM, 124 timeout, 125
 * the VM failed (VMM missing or died, no exit line).
 *
 * Without XDG_RUNTIME_DIR, `run` keeps the VM's runtime directory in a
 * private 0700 directory of its own under $TMPDIR (or /tmp), removed at
 * exit; nothing else can attach to such a VM's console.
 *
 * Interactive consoles detach with Ctrl-] (like telnet).
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>
#include <wayland-server-core.h>
#include <wlr/util/log.h>

#include "common/time.h"
#include "vmm/backend.h"
#include "vmm/vm-def.h"
#include "vmm/vm.h"
#include "vmm/console_client.h"
#include "vmm/console_filter.h"

#define EXIT_USAGE 2
#define EXIT_NO_SUCH_VM 123
#define EXIT_TIMEOUT 124
#define EXIT_VM_FAILED 125
#define DEFAULT_TIMEOUT_S 300

static const char usage[] =
	"Usage:\n"
	"  tinct-vm run --vm NAME [--vms DIR] [-c CMD] [--timeout SEC] [-v]\n"
	"  tinct-vm run --kernel K [--initrd I] [--disk D]... [--vmm KIND]\n"
	"               [--vmm-binary PATH] [--memory MIB] [-c CMD] [-- VMM-ARGS...]\n"
	"  tinct-vm check [--vms DIR]\n"
	"  tinct-vm console [--vms DIR] NAME\n"
	"  tinct-vm --help | --version\n"
	"\n"
	"run      boot a VM; with -c run CMD in it, print its output and exit with\n"
	"         its status; without -c attach its serial console\n"
	"check    validate every VM definition and that its kernel, initrd and\n"
	"         disks exist; non-zero when any is broken\n"
	"console  attach to the console of a VM that tinct or tinct-vm runs\n"
	"\n"
	"Consoles detach with Ctrl-]. Exit statuses besides the command's:\n"
	"2 usage, 123 no such VM, 124 timeout, 125 the VM failed to boot or died.\n"
	"-d logs debug messages.\n";

static struct termios saved_termios;
static bool termios_saved;

static void restore_terminal(void)
{
	if (termios_saved) {
		tcsetattr(STDIN_FILENO, TCSANOW, &saved_termios);
		termios_saved = false;
	}
}

static void raw_terminal(void)
{
	if (!isatty(STDIN_FILENO) || tcgetattr(STDIN_FILENO, &saved_termios) < 0) {
		return;
	}
	struct termios raw = saved_termios;
	cfmakeraw(&raw);
	if (tcsetattr(STDIN_FILENO, TCSANOW, &raw) == 0) {
		termios_saved = true;
		atexit(restore_terminal);
	}
}

// Quotes `arg` for argv_split: single quotes, with ' as '\''.
static bool append_quoted(char **line, const char *arg)
{
	size_t len = strlen(*line);
	size_t extra = 3;
	for (const char *p = arg; *p; p++) {
		extra += *p == '\'' ? 4 : 1;
	}
	char *grown = realloc(*line, len + extra + 1);
	if (grown == NULL) {
		return false;
	}
	char *o = grown + len;
	if (len > 0) {
		*o++ = ' ';
	}
	*o++ = '\'';
	for (const char *p = arg; *p; p++) {
		if (*p == '\'') {
			memcpy(o, "'\\''", 4);
			o += 4;
		} else {
			*o++ = *p;
		}
	}
	*o++ = '\'';
	*o = '\0';
	*line = grown;
	return true;
}

static void report_to_stderr(void *data, const char *message)
{
	int *errors = data;
	if (errors != NULL) {
		(*errors)++;
	}
	fprintf(stderr, "%s\n", message);
}

struct run {
	struct wl_event_loop *loop;
	struct tinct_vm_manager *manager;
	struct tinct_vm *vm;
	bool interactive;
	bool verbose;
	bool started; // the VM reached starting at least once
	bool done; // the VM ended
	bool interrupted;
	// Guest output reaches the terminal through these (console_filter.h):
	// the console or -v on stderr, and the command's lines on stdout.
	struct tinct_console_filter filter;
	struct tinct_console_filter line_filter;
	// -c: the guest's lines between the markers
	char line[65536];
	size_t line_len;
	bool in_command;
	bool have_status;
	int status;
	struct wl_event_source *stdin_source;
	struct wl_listener output;
	struct wl_listener state_changed;
};

static void run_line(struct run *run, char *line, size_t len)
{
	if (len > 0 && line[len - 1] == '\r') {
		line[--len] = '\0';
	}
	if (!run->in_command) {
		if (strcmp(line, "tinct-guest: run") == 0 && !run->have_status) {
			run->in_command = true;
		}
		return;
	}
	static const char exit_prefix[] = "tinct-guest: exit ";
	if (strncmp(line, exit_prefix, sizeof(exit_prefix) - 1) == 0) {
		// The guest is untrusted: only a plain 0..255 counts.
		const char *untrusted_status = line + sizeof(exit_prefix) - 1;
		char *end = NULL;
		errno = 0;
		long status = strtol(untrusted_status, &end, 10);
		if (errno == 0 && end != untrusted_status && *end == '\0' && status >= 0 &&
			status <= 255) {
			run->status = (int)status;
			run->have_status = true;
			run->in_command = false;
			fflush(stdout);
			return;
		}
	}
	line[len] = '\n';
	console_client_write_filtered(&run->line_filter, STDOUT_FILENO, line, len + 1);
}

static void handle_output(struct wl_listener *listener, void *data)
{
	struct run *run = wl_container_of(listener, run, output);
	struct tinct_vm_output_event *event = data;
	if (run->interactive) {
		console_client_write_filtered(&run->filter, STDOUT_FILENO, event->data, event->len);
		return;
	}
	if (run->verbose) {
		console_client_write_filtered(&run->filter, STDERR_FILENO, event->data, event->len);
	}
	for (size_t i = 0; i < event->len; i++) {
		char c = event->data[i];
		if (c == '\n') {
			run->line[run->line_len] = '\0';
			run_line(run, run->line, run->line_len);
			run->line_len = 0;
		} else if (run->line_len < sizeof(run->line) - 1) {
			run->line[run->line_len++] = c;
		}
	}
}

static void handle_state_changed(struct wl_listener *listener, void *data)
{
	struct run *run = wl_container_of(listener, run, state_changed);
	struct tinct_vm_state_event *event = data;
	if (event->vm != run->vm) {
		return;
	}
	if (event->new_state == TINCT_VM_STARTING) {
		run->started = true;
	}
	if (event->new_state == TINCT_VM_STOPPED || event->new_state == TINCT_VM_CRASHED) {
		run->done = true;
	}
}

static int handle_stdin(int fd, uint32_t mask, void *data)
{
	struct run *run = data;
	char keys[1024];
	ssize_t n = read(fd, keys, sizeof(keys));
	if (n <= 0) {
		// End of input: stop reading, the VM keeps running.
		wl_event_source_remove(run->stdin_source);
		run->stdin_source = NULL;
		return 0;
	}
	char *escape = memchr(keys, TINCT_CONSOLE_ESCAPE, (size_t)n);
	if (escape != NULL) {
		vm_console_write(run->vm, keys, (size_t)(escape - keys));
		restore_terminal();
		fprintf(stderr, "\ntinct-vm: detached, stopping %s\n", vm_name(run->vm));
		vm_stop(run->vm);
		return 0;
	}
	vm_console_write(run->vm, keys, (size_t)n);
	return 0;
}

static int handle_signal(int sig, void *data)
{
	struct run *run = data;
	run->interrupted = true;
	vm_stop(run->vm);
	return 0;
}

// What `tinct-vm run` was asked to do.
struct run_options {
	const char *name, *vms, *kernel, *initrd;
	const char *vmm, *vmm_binary, *command;
	const char *disks[16];
	size_t disks_len;
	long memory;
	long timeout_s;
	bool verbose;
	char **vmm_args; // after `--`
	int vmm_args_len;
};

// Returns -1 to go on, else the exit status.
static int run_parse_options(int argc, char *argv[], struct run_options *opts)
{
	static const struct option options[] = {
		{"vm", required_argument, NULL, 'n'},
		{"vms", required_argument, NULL, 'V'},
		{"kernel", required_argument, NULL, 'k'},
		{"initrd", required_argument, NULL, 'i'},
		{"disk", required_argument, NULL, 'D'},
		{"vmm", required_argument, NULL, 'm'},
		{"vmm-binary", required_argument, NULL, 'b'},
		{"memory", required_argument, NULL, 'M'},
		{"timeout", required_argument, NULL, 't'},
		{"verbose", no_argument, NULL, 'v'},
		{"help", no_argument, NULL, 'h'},
		{0},
	};
	*opts = (struct run_options){.timeout_s = DEFAULT_TIMEOUT_S};
	int opt;
	while ((opt = getopt_long(argc, argv, "+c:vh", options, NULL)) != -1) {
		switch (opt) {
		case 'n':
			opts->name = optarg;
			break;
		case 'V':
			opts->vms = optarg;
			break;
		case 'k':
			opts->kernel = optarg;
			break;
		case 'i':
			opts->initrd = optarg;
			break;
		case 'D':
			if (opts->disks_len == sizeof(opts->disks) / sizeof(opts->disks[0])) {
				fprintf(stderr, "tinct-vm: too many --disk\n");
				return EXIT_USAGE;
			}
			opts->disks[opts->disks_len++] = optarg;
			break;
		case 'm':
			opts->vmm = optarg;
			break;
		case 'b':
			opts->vmm_binary = optarg;
			break;
		case 'M':
			opts->memory = strtol(optarg, NULL, 10);
			break;
		case 't':
			opts->timeout_s = strtol(optarg, NULL, 10);
			break;
		case 'c':
			opts->command = optarg;
			break;
		case 'v':
			opts->verbose = true;
			break;
		case 'h':
			fputs(usage, stdout);
			return 0;
		default:
			fputs(usage, stderr);
			return EXIT_USAGE;
		}
	}
	if ((opts->name == NULL) == (opts->kernel == NULL)) {
		fprintf(stderr, "tinct-vm run: give either --vm NAME or --kernel K\n");
		return EXIT_USAGE;
	}
	if (opts->timeout_s <= 0) {
		fprintf(stderr, "tinct-vm run: --timeout must be positive\n");
		return EXIT_USAGE;
	}
	opts->vmm_args = argv + optind;
	opts->vmm_args_len = argc - optind;
	return -1;
}

// The definition of an ad-hoc VM (--kernel). Returns NULL with `*ret` set
// when it cannot be built (reported).
static struct tinct_vm_def *run_build_def(const struct run_options *opts, int *ret)
{
	char vm_name_buf[32];
	snprintf(vm_name_buf, sizeof(vm_name_buf), "run-%d", (int)getpid());
	struct tinct_vm_def *def = vm_def_create(vm_name_buf);
	*ret = EXIT_VM_FAILED;
	if (def == NULL) {
		return NULL;
	}
	if (opts->vmm != NULL && !vm_def_parse_vmm(opts->vmm, &def->vmm)) {
		fprintf(stderr, "tinct-vm run: --vmm: expected qemu, cloud-hypervisor, "
				"crosvm or command\n");
		vm_def_destroy(def);
		*ret = EXIT_USAGE;
		return NULL;
	}
	if (opts->memory > 0) {
		def->memory_mib = (uint32_t)opts->memory;
	}
	def->kernel = realpath(opts->kernel, NULL);
	def->initrd = opts->initrd ? realpath(opts->initrd, NULL) : NULL;
	def->vmm_binary = opts->vmm_binary ? strdup(opts->vmm_binary) : NULL;
	def->disks = calloc(opts->disks_len + 1, sizeof(*def->disks));
	bool ok = def->kernel != NULL && (opts->initrd == NULL || def->initrd != NULL) &&
		  def->disks != NULL;
	for (size_t i = 0; ok && i < opts->disks_len; i++) {
		def->disks[i].path = realpath(opts->disks[i], NULL);
		ok = def->disks[i].path != NULL;
		def->disks_len += ok;
	}
	def->extra_args = strdup("");
	for (int i = 0; ok && i < opts->vmm_args_len; i++) {
		ok = def->extra_args && append_quoted(&def->extra_args, opts->vmm_args[i]);
	}
	if (def->extra_args != NULL && def->extra_args[0] == '\0') {
		free(def->extra_args);
		def->extra_args = NULL;
	}
	if (!ok) {
		fprintf(stderr, "tinct-vm run: cannot use the kernel, initrd or disks: %s\n",
			strerror(errno));
		vm_def_destroy(def);
		return NULL;
	}
	return def;
}

// Boots the VM and dispatches until it ends. Returns the exit status.
static int run_loop(struct run *run, const struct run_options *opts)
{
	char *extra = NULL;
	if (opts->command != NULL) {
		char *encoded = backend_base64(opts->command);
		if (encoded == NULL || asprintf(&extra, "quiet tinct.run=%s", encoded) < 0) {
			extra = NULL;
		}
		free(encoded);
		if (extra == NULL) {
			return EXIT_VM_FAILED;
		}
	}
	bool started = vm_start(run->vm, extra);
	free(extra);
	if (!started) {
		fprintf(stderr, "tinct-vm: cannot start VM %s (see the messages above)\n",
			vm_name(run->vm));
		return EXIT_VM_FAILED;
	}
	if (run->interactive) {
		fprintf(stderr, "tinct-vm: console of %s, detach with Ctrl-]\n", vm_name(run->vm));
		raw_terminal();
		run->stdin_source = wl_event_loop_add_fd(
			run->loop, STDIN_FILENO, WL_EVENT_READABLE, handle_stdin, run);
	}

	int64_t deadline = now_ms() + opts->timeout_s * 1000;
	bool timed_out = false;
	while (!run->done) {
		int64_t left = deadline - now_ms();
		if (opts->command != NULL && left <= 0 && !timed_out) {
			fprintf(stderr, "tinct-vm: timed out after %ld s, stopping %s\n",
				opts->timeout_s, vm_name(run->vm));
			timed_out = true;
			vm_stop(run->vm);
		}
		wl_event_loop_dispatch(run->loop, left > 0 && left < 1000 ? (int)left : 1000);
	}
	restore_terminal();
	if (run->stdin_source != NULL) {
		wl_event_source_remove(run->stdin_source);
		run->stdin_source = NULL;
	}

	if (run->vm->state == TINCT_VM_CRASHED) {
		fprintf(stderr, "tinct-vm: VM %s crashed; last lines of %s/vmm.log:\n%s\n",
			vm_name(run->vm), vm_runtime_dir(run->vm),
			vm_crash_log(run->vm) ? vm_crash_log(run->vm) : "");
	}
	if (timed_out) {
		return EXIT_TIMEOUT;
	} else if (opts->command == NULL) {
		return run->vm->state == TINCT_VM_CRASHED ? EXIT_VM_FAILED : 0;
	} else if (run->have_status) {
		return run->status;
	}
	fprintf(stderr, "tinct-vm: VM %s stopped before the command finished%s\n", vm_name(run->vm),
		run->interrupted ? " (interrupted)" : "");
	return EXIT_VM_FAILED;
}

// Whether a definition file NAME.ini exists in the search path, so that
// a name that loaded nothing is told apart from a broken definition.
static bool definition_exists(const char *vms, const char *name)
{
	char **dirs = vm_def_search_dirs(vms);
	bool found = false;
	for (size_t i = 0; dirs != NULL && dirs[i] != NULL && !found; i++) {
		char *path = NULL;
		if (asprintf(&path, "%s/%s.ini", dirs[i], name) >= 0) {
			found = access(path, F_OK) == 0;
			free(path);
		}
	}
	vm_def_free_dirs(dirs);
	return found;
}

static int no_such_vm(const char *name)
{
	fprintf(stderr, "tinct-vm: no such VM: %s (no %s.ini among the VM definitions)\n", name,
		name);
	return EXIT_NO_SUCH_VM;
}

// Removes the private runtime directory `dir` and what the VM left in it.
// Only tinct's own names are there; a bounded walk of two levels.
static void remove_private_runtime(const char *dir)
{
	char *cmd = NULL;
	// The directory name is ours (mkdtemp): no quoting issues beyond it.
	if (strchr(dir, '\'') == NULL && asprintf(&cmd, "rm -rf -- '%s'", dir) >= 0) {
		if (system(cmd) != 0) {
			fprintf(stderr, "tinct-vm: cannot remove %s\n", dir);
		}
		free(cmd);
	}
}

// Without XDG_RUNTIME_DIR: a private 0700 directory stands in for it.
// Returns its path (to remove at exit), NULL when none was needed; false
// on failure.
static bool private_runtime(char **out)
{
	*out = NULL;
	const char *runtime = getenv("XDG_RUNTIME_DIR");
	if (runtime != NULL && runtime[0] == '/') {
		return true;
	}
	const char *tmp = getenv("TMPDIR");
	char *dir = NULL;
	if (asprintf(&dir, "%s/tinct-vm-XXXXXX", tmp != NULL && tmp[0] == '/' ? tmp : "/tmp") < 0) {
		return false;
	}
	if (mkdtemp(dir) == NULL) {
		fprintf(stderr, "tinct-vm: cannot create a runtime directory in %s: %s\n",
			tmp != NULL ? tmp : "/tmp", strerror(errno));
		free(dir);
		return false;
	}
	setenv("XDG_RUNTIME_DIR", dir, 1);
	*out = dir;
	return true;
}

static int cmd_run(int argc, char *argv[])
{
	struct run_options opts;
	int ret = run_parse_options(argc, argv, &opts);
	if (ret >= 0) {
		return ret;
	}

	if (opts.name != NULL && !definition_exists(opts.vms, opts.name)) {
		return no_such_vm(opts.name);
	}
	char *private_dir = NULL;
	if (!private_runtime(&private_dir)) {
		return EXIT_VM_FAILED;
	}
	ret = EXIT_VM_FAILED;
	struct run run = {.verbose = opts.verbose, .interactive = opts.command == NULL};
	console_filter_init(&run.filter);
	console_filter_init(&run.line_filter);
	run.loop = wl_event_loop_create();
	if (run.loop == NULL) {
		return EXIT_VM_FAILED;
	}
	run.manager = vm_manager_create(run.loop, NULL);
	if (run.manager == NULL) {
		goto out;
	}
	if (opts.name != NULL) {
		int errors = 0;
		vm_manager_load(run.manager, opts.vms, report_to_stderr, &errors);
		run.vm = vm_manager_find(run.manager, opts.name);
		if (run.vm == NULL) {
			fprintf(stderr, "tinct-vm: the definition of VM %s is broken\n", opts.name);
			goto out;
		}
	} else {
		struct tinct_vm_def *def = run_build_def(&opts, &ret);
		if (def == NULL) {
			goto out;
		}
		ret = EXIT_VM_FAILED;
		run.vm = vm_manager_add(run.manager, def);
		if (run.vm == NULL) {
			goto out;
		}
	}

	run.output.notify = handle_output;
	wl_signal_add(&run.vm->events.console_output, &run.output);
	run.state_changed.notify = handle_state_changed;
	wl_signal_add(&run.manager->events.state_changed, &run.state_changed);
	struct wl_event_source *sigint =
		wl_event_loop_add_signal(run.loop, SIGINT, handle_signal, &run);
	struct wl_event_source *sigterm =
		wl_event_loop_add_signal(run.loop, SIGTERM, handle_signal, &run);

	ret = run_loop(&run, &opts);

	wl_list_remove(&run.output.link);
	wl_list_remove(&run.state_changed.link);
	if (sigint != NULL) {
		wl_event_source_remove(sigint);
	}
	if (sigterm != NULL) {
		wl_event_source_remove(sigterm);
	}
	vm_manager_shutdown(run.manager);
	if (opts.name == NULL) {
		// An ad-hoc VM leaves nothing behind in the runtime directory.
		char *log = NULL;
		if (asprintf(&log, "%s/vmm.log", vm_runtime_dir(run.vm)) >= 0) {
			if (ret != EXIT_VM_FAILED) {
				unlink(log);
			}
			free(log);
		}
		char *boot = NULL; // how the run started (snapshot.h)
		if (asprintf(&boot, "%s/boot", vm_runtime_dir(run.vm)) >= 0) {
			unlink(boot);
			free(boot);
		}
		rmdir(vm_runtime_dir(run.vm));
	}
out:
	vm_manager_destroy(run.manager);
	wl_event_loop_destroy(run.loop);
	if (private_dir != NULL) {
		remove_private_runtime(private_dir);
		unsetenv("XDG_RUNTIME_DIR");
		free(private_dir);
	}
	return ret;
}

// The options of check and console: --vms DIR and --help. Returns -1 to go
// on (vms set, optind at the operands), else the exit status.
static int parse_vms_options(int argc, char *argv[], const char **vms)
{
	static const struct option options[] = {
		{"vms", required_argument, NULL, 'V'},
		{"help", no_argument, NULL, 'h'},
		{0},
	};
	*vms = NULL;
	int opt;
	while ((opt = getopt_long(argc, argv, "+h", options, NULL)) != -1) {
		switch (opt) {
		case 'V':
			*vms = optarg;
			break;
		case 'h':
			fputs(usage, stdout);
			return 0;
		default:
			fputs(usage, stderr);
			return EXIT_USAGE;
		}
	}
	return -1;
}

static int cmd_check(int argc, char *argv[])
{
	const char *vms;
	int parsed = parse_vms_options(argc, argv, &vms);
	if (parsed >= 0) {
		return parsed;
	}
	char **dirs = vm_def_search_dirs(vms);
	char *images = vm_def_images_dir();
	if (dirs == NULL || images == NULL) {
		vm_def_free_dirs(dirs);
		free(images);
		return 1;
	}
	struct wl_list defs;
	wl_list_init(&defs);
	int messages = 0;
	int errors = vm_def_load_dirs(
		&defs, (const char *const *)dirs, images, report_to_stderr, &messages);
	struct tinct_vm_def *def, *tmp;
	wl_list_for_each (def, &defs, link) {
		// A VM whose network VM is unusable was reported: not ok.
		const struct tinct_vm_def *netvm = NULL, *other;
		wl_list_for_each (other, &defs, link) {
			if (def->network_vm != NULL && strcmp(other->name, def->network_vm) == 0) {
				netvm = other;
			}
		}
		char message[1024];
		if (!vm_def_check_files(def, message, sizeof(message))) {
			fprintf(stderr, "%s: error: %s (%s)\n", def->name, message, def->path);
			errors++;
		} else if (vm_def_network_check(def, netvm, message, sizeof(message))) {
			printf("%s: ok (%s, #%06x, %s)\n", def->name, vm_def_vmm_name(def->vmm),
				def->colour, def->path);
		}
	}
	wl_list_for_each_safe (def, tmp, &defs, link) {
		vm_def_destroy(def);
	}
	vm_def_free_dirs(dirs);
	free(images);
	return errors > 0 ? 1 : 0;
}

static int cmd_console(int argc, char *argv[])
{
	const char *vms;
	int parsed = parse_vms_options(argc, argv, &vms);
	if (parsed >= 0) {
		return parsed;
	}
	if (argc - optind != 1) {
		fputs(usage, stderr);
		return EXIT_USAGE;
	}
	const char *name = argv[optind];
	if (!vm_def_name_valid(name)) {
		return no_such_vm(name);
	}
	// A console that answers needs no definition here (tinct --vms DIR
	// may run VMs defined elsewhere); without one, a known name is only
	// not running.
	const char *runtime = getenv("XDG_RUNTIME_DIR");
	char *path = NULL;
	if (runtime != NULL && runtime[0] == '/' &&
		asprintf(&path, "%s/tinct/%s.console", runtime, name) < 0) {
		return 1;
	}
	if (path == NULL || access(path, F_OK) != 0) {
		bool known = definition_exists(vms, name);
		if (!known) {
			free(path);
			return no_such_vm(name);
		}
		if (path == NULL) {
			fprintf(stderr,
				"tinct-vm console: VM %s is not running here: XDG_RUNTIME_DIR is "
				"unset (set it as in the session that runs the VM)\n",
				name);
		} else {
			fprintf(stderr, "tinct-vm console: VM %s is not running (no %s)\n", name,
				path);
		}
		free(path);
		return 1;
	}
	int sig = 0;
	enum console_client_status status = console_client_attach(path, "tinct-vm", name, &sig);
	free(path);
	switch (status) {
	case CONSOLE_CLIENT_DETACHED:
	case CONSOLE_CLIENT_CLOSED:
		return 0;
	case CONSOLE_CLIENT_INTERRUPTED:
		return 128 + sig;
	default:
		return 1;
	}
}

int main(int argc, char *argv[])
{
	enum wlr_log_importance level = WLR_ERROR;
	int first = 1;
	if (argc > 1 && strcmp(argv[1], "-d") == 0) {
		level = WLR_DEBUG;
		first = 2;
	}
	wlr_log_init(level, NULL);
	signal(SIGPIPE, SIG_IGN);
	if (argc <= first) {
		fputs(usage, stderr);
		return EXIT_USAGE;
	}
	const char *cmd = argv[first];
	if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0) {
		fputs(usage, stdout);
		return 0;
	}
	if (strcmp(cmd, "--version") == 0) {
		printf("tinct-vm %s\n", TINCT_VERSION);
		return 0;
	}
	argc -= first;
	argv += first;
	optind = 1;
	if (strcmp(cmd, "run") == 0) {
		return cmd_run(argc, argv);
	} else if (strcmp(cmd, "check") == 0) {
		return cmd_check(argc, argv);
	} else if (strcmp(cmd, "console") == 0) {
		return cmd_console(argc, argv);
	}
	fprintf(stderr, "tinct-vm: unknown command %s\n", cmd);
	fputs(usage, stderr);
	return EXIT_USAGE;
}
