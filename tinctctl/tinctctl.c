/*
 * tinctctl: control a running tinct from the host over its private
 * tinct-vm-manager-unstable-v1 protocol (protocols/). It connects to
 * $WAYLAND_DISPLAY, which must be tinct's host socket: a VM's socket does
 * not offer the protocol.
 *
 * Every command reads the VM list first (the protocol sends it on bind),
 * so a name is checked before anything is asked of tinct. The console is
 * not carried over Wayland: tinctctl takes the relay socket's path from the
 * VM's handle and attaches to it directly (vmm/console_client.h).
 */
#include <getopt.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wayland-client.h>

#include "vmm/console_client.h"
#include "tinctctl/json.h"
#include "tinct-vm-manager-unstable-v1-client-protocol.h"

enum exit_status {
	EXIT_OK = 0,
	EXIT_NO_TINCT = 1,
	EXIT_USAGE = 2,
	EXIT_NO_SUCH_VM = 3,
	EXIT_WRONG_STATE = 4,
	EXIT_FAILED = 5,
};

static const char usage[] =
	"Usage: tinctctl [--json] [--wait] COMMAND [VM [APP]]\n"
	"\n"
	"Controls the VMs of a running tinct, through $WAYLAND_DISPLAY (tinct's\n"
	"host socket).\n"
	"\n"
	"Commands:\n"
	"  list          every VM: name, state, colour, display socket; with --json\n"
	"                also why a crashed VM crashed (reason, exit_status, signal)\n"
	"                and its applications\n"
	"  start VM      start VM; returns once it is starting (or failed)\n"
	"  run VM APP    start application APP (its index or name, as list --json\n"
	"                shows them) in the running VM\n"
	"  stop VM       ask VM to power off; tinct kills it after its stop-timeout\n"
	"  kill VM       kill VM's VMM at once\n"
	"  console VM    attach to VM's serial console: the backlog, then live output;\n"
	"                keystrokes go to the guest. Detach with Ctrl-] (also read from\n"
	"                a pipe); the console also ends when the VM stops. Only one\n"
	"                client may attach at a time. After a crash it shows what the\n"
	"                VM printed until it crashed.\n"
	"  socket VM     print the absolute path of VM's Wayland display socket, for\n"
	"                WAYLAND_DISPLAY=$(tinctctl socket VM) app\n"
	"  windows       every window, topmost first: VM (\"host\" for host windows),\n"
	"                focus, app_id and the title as tinct shows it\n"
	"\n"
	"Options:\n"
	"  -j, --json     print list and windows as one JSON array\n"
	"  -w, --wait     start: wait until VM is running (its guest is up); fails\n"
	"                 with the reason when it crashes first;\n"
	"                 stop, kill: wait until VM is stopped\n"
	"  -h, --help     print this help\n"
	"  -V, --version  print the version\n"
	"\n"
	"VM states: stopped, starting (the VMM is being launched), booting (the\n"
	"guest is not up yet), running, stopping, crashed.\n"
	"\n"
	"Exit status:\n"
	"  0  success\n"
	"  1  tinct is not running, or cannot be reached or was lost\n"
	"  2  usage error\n"
	"  3  no such VM\n"
	"  4  VM in the wrong state (for example socket or console of a stopped VM,\n"
	"     start of a running one), or its console is already attached elsewhere\n"
	"  5  any other failure (for example the VM crashed while starting, or its\n"
	"     kernel is missing)\n"
	"  128+N  the console was ended by signal N\n";

static const char *const state_names[] = {
	[TINCT_VM_HANDLE_V1_STATE_STOPPED] = "stopped",
	[TINCT_VM_HANDLE_V1_STATE_STARTING] = "starting",
	[TINCT_VM_HANDLE_V1_STATE_RUNNING] = "running",
	[TINCT_VM_HANDLE_V1_STATE_STOPPING] = "stopping",
	[TINCT_VM_HANDLE_V1_STATE_CRASHED] = "crashed",
	[TINCT_VM_HANDLE_V1_STATE_BOOTING] = "booting",
};

static const char *state_name(uint32_t state)
{
	return state < sizeof(state_names) / sizeof(state_names[0]) ? state_names[state]
								    : "unknown";
}

struct vm_info {
	struct tinct_vm_handle_v1 *handle;
	char *name;
	uint32_t colour; // 0xrrggbb
	uint32_t state; // enum tinct_vm_handle_v1_state
	char *socket; // "" while not active
	char *console;
	bool removed;
	// Version 2: why it crashed (NULL unless crashed), exit status or -1,
	// signal or 0.
	char *reason;
	int exit_status;
	uint32_t signal;
	char **apps; // application names, by index
	size_t apps_len;
	struct wl_list link; // ctl.vms
};

struct window_info {
	char *vm; // "" for host windows
	char *title;
	char *app_id;
	bool focused;
	bool placeholder; // tinct's own, while a VM starts
	struct wl_list link; // ctl.windows
};

struct ctl {
	struct wl_display *display;
	struct wl_registry *registry;
	struct tinct_vm_manager_v1 *manager;
	struct wl_list vms; // vm_info.link
	bool vms_done;

	struct wl_list windows; // window_info.link
	bool windows_done;

	bool have_result;
	uint32_t status; // enum tinct_vm_manager_v1_status
	char *message;
};

static void replace_string(char **field, const char *value)
{
	free(*field);
	*field = strdup(value);
}

static void handle_vm_name(void *data, struct tinct_vm_handle_v1 *handle, const char *name)
{
	struct vm_info *vm = data;
	replace_string(&vm->name, name);
}

static void handle_vm_colour(void *data, struct tinct_vm_handle_v1 *handle, uint32_t rgb)
{
	struct vm_info *vm = data;
	vm->colour = rgb & 0xffffff;
}

static void handle_vm_state(void *data, struct tinct_vm_handle_v1 *handle, uint32_t state)
{
	struct vm_info *vm = data;
	vm->state = state;
	if (state != TINCT_VM_HANDLE_V1_STATE_CRASHED) {
		free(vm->reason);
		vm->reason = NULL;
		vm->exit_status = -1;
		vm->signal = 0;
	}
}

static void handle_vm_crash(void *data, struct tinct_vm_handle_v1 *handle, const char *reason,
	int32_t exit_status, uint32_t signal)
{
	struct vm_info *vm = data;
	replace_string(&vm->reason, reason);
	vm->exit_status = exit_status;
	vm->signal = signal;
}

static void handle_vm_app(
	void *data, struct tinct_vm_handle_v1 *handle, uint32_t index, const char *name)
{
	struct vm_info *vm = data;
	/* Sent in order, once; anything else is ignored. */
	if (index != vm->apps_len || index > 255) {
		return;
	}
	char **grown = realloc(vm->apps, (vm->apps_len + 1) * sizeof(*grown));
	if (grown == NULL) {
		return;
	}
	vm->apps = grown;
	vm->apps[vm->apps_len] = strdup(name);
	if (vm->apps[vm->apps_len] != NULL) {
		vm->apps_len++;
	}
}

static void handle_vm_socket(void *data, struct tinct_vm_handle_v1 *handle, const char *path)
{
	struct vm_info *vm = data;
	replace_string(&vm->socket, path);
}

static void handle_vm_console(void *data, struct tinct_vm_handle_v1 *handle, const char *path)
{
	struct vm_info *vm = data;
	replace_string(&vm->console, path);
}

static void handle_vm_done(void *data, struct tinct_vm_handle_v1 *handle)
{
	/* tinctctl reads values as they come; done matters to long-lived clients. */
}

static void handle_vm_removed(void *data, struct tinct_vm_handle_v1 *handle)
{
	struct vm_info *vm = data;
	vm->removed = true;
}

static const struct tinct_vm_handle_v1_listener vm_listener = {
	.name = handle_vm_name,
	.colour = handle_vm_colour,
	.state = handle_vm_state,
	.socket = handle_vm_socket,
	.console = handle_vm_console,
	.done = handle_vm_done,
	.removed = handle_vm_removed,
	.crash = handle_vm_crash,
	.app = handle_vm_app,
};

static void handle_manager_vm(
	void *data, struct tinct_vm_manager_v1 *manager, struct tinct_vm_handle_v1 *handle)
{
	struct ctl *ctl = data;
	struct vm_info *vm = calloc(1, sizeof(*vm));
	if (vm == NULL) {
		tinct_vm_handle_v1_destroy(handle);
		return;
	}
	vm->handle = handle;
	vm->exit_status = -1;
	wl_list_insert(ctl->vms.prev, &vm->link);
	tinct_vm_handle_v1_add_listener(handle, &vm_listener, vm);
}

static void handle_manager_done(void *data, struct tinct_vm_manager_v1 *manager)
{
	struct ctl *ctl = data;
	ctl->vms_done = true;
}

static const struct tinct_vm_manager_v1_listener manager_listener = {
	.vm = handle_manager_vm,
	.done = handle_manager_done,
};

static void handle_registry_global(void *data, struct wl_registry *registry, uint32_t name,
	const char *interface, uint32_t version)
{
	struct ctl *ctl = data;
	if (strcmp(interface, tinct_vm_manager_v1_interface.name) == 0 && ctl->manager == NULL) {
		ctl->manager = wl_registry_bind(
			registry, name, &tinct_vm_manager_v1_interface, version < 2 ? version : 2);
		tinct_vm_manager_v1_add_listener(ctl->manager, &manager_listener, ctl);
	}
}

static void handle_registry_global_remove(void *data, struct wl_registry *registry, uint32_t name)
{
}

static const struct wl_registry_listener registry_listener = {
	.global = handle_registry_global,
	.global_remove = handle_registry_global_remove,
};

static void handle_result(
	void *data, struct tinct_vm_result_v1 *result, uint32_t status, const char *message)
{
	struct ctl *ctl = data;
	ctl->have_result = true;
	ctl->status = status;
	replace_string(&ctl->message, message);
}

static const struct tinct_vm_result_v1_listener result_listener = {
	.result = handle_result,
};

static void handle_window(void *data, struct tinct_window_list_v1 *list, const char *vm,
	const char *title, const char *app_id, uint32_t focused)
{
	struct ctl *ctl = data;
	struct window_info *window = calloc(1, sizeof(*window));
	if (window == NULL) {
		return;
	}
	window->vm = strdup(vm);
	window->title = strdup(title);
	window->app_id = strdup(app_id);
	window->focused = focused != 0;
	wl_list_insert(ctl->windows.prev, &window->link);
}

static void handle_placeholder(
	void *data, struct tinct_window_list_v1 *list, const char *vm, const char *title)
{
	struct ctl *ctl = data;
	handle_window(data, list, vm, title, "", 0);
	struct window_info *window = wl_container_of(ctl->windows.prev, window, link);
	if (!wl_list_empty(&ctl->windows) && strcmp(window->title, title) == 0) {
		window->placeholder = true;
	}
}

static void handle_windows_done(void *data, struct tinct_window_list_v1 *list)
{
	struct ctl *ctl = data;
	ctl->windows_done = true;
}

static const struct tinct_window_list_v1_listener window_list_listener = {
	.window = handle_window,
	.done = handle_windows_done,
	.placeholder = handle_placeholder,
};

static const char *display_name(void)
{
	const char *name = getenv("WAYLAND_DISPLAY");
	return name != NULL ? name : "unset, so wayland-0";
}

/* Dispatches until *flag is set; false (reported) when tinct went away. */
static bool dispatch_until(struct ctl *ctl, const bool *flag)
{
	while (!*flag) {
		if (wl_display_dispatch(ctl->display) < 0) {
			fprintf(stderr,
				"tinctctl: lost the connection to tinct (WAYLAND_DISPLAY=%s)\n",
				display_name());
			return false;
		}
	}
	return true;
}

static void ctl_init(struct ctl *ctl)
{
	*ctl = (struct ctl){0};
	wl_list_init(&ctl->vms);
	wl_list_init(&ctl->windows);
}

static int ctl_connect(struct ctl *ctl)
{
	const char *runtime = getenv("XDG_RUNTIME_DIR");
	const char *name = getenv("WAYLAND_DISPLAY");
	if ((runtime == NULL || runtime[0] == '\0') && (name == NULL || name[0] != '/')) {
		/* libwayland finds sockets there: without it nothing can be reached. */
		fprintf(stderr, "tinctctl: XDG_RUNTIME_DIR is not set, so tinct's socket cannot be "
				"found; set it (and WAYLAND_DISPLAY) as in tinct's session\n");
		return EXIT_NO_TINCT;
	}
	ctl->display = wl_display_connect(NULL);
	if (ctl->display == NULL) {
		fprintf(stderr, "tinctctl: tinct is not running (WAYLAND_DISPLAY=%s)\n",
			display_name());
		return EXIT_NO_TINCT;
	}
	ctl->registry = wl_display_get_registry(ctl->display);
	wl_registry_add_listener(ctl->registry, &registry_listener, ctl);
	if (wl_display_roundtrip(ctl->display) < 0) {
		fprintf(stderr, "tinctctl: lost the connection to tinct (WAYLAND_DISPLAY=%s)\n",
			display_name());
		return EXIT_NO_TINCT;
	}
	if (ctl->manager == NULL) {
		fprintf(stderr,
			"tinctctl: the compositor at WAYLAND_DISPLAY=%s does not offer "
			"tinct_vm_manager_v1 (not tinct, or not its host socket)\n",
			display_name());
		return EXIT_NO_TINCT;
	}
	return dispatch_until(ctl, &ctl->vms_done) ? EXIT_OK : EXIT_NO_TINCT;
}

static void ctl_disconnect(struct ctl *ctl)
{
	struct vm_info *vm, *tmp_vm;
	wl_list_for_each_safe (vm, tmp_vm, &ctl->vms, link) {
		tinct_vm_handle_v1_destroy(vm->handle);
		free(vm->name);
		free(vm->socket);
		free(vm->console);
		free(vm->reason);
		for (size_t i = 0; i < vm->apps_len; i++) {
			free(vm->apps[i]);
		}
		free(vm->apps);
		wl_list_remove(&vm->link);
		free(vm);
	}
	struct window_info *window, *tmp_window;
	wl_list_for_each_safe (window, tmp_window, &ctl->windows, link) {
		free(window->vm);
		free(window->title);
		free(window->app_id);
		wl_list_remove(&window->link);
		free(window);
	}
	free(ctl->message);
	if (ctl->manager != NULL) {
		tinct_vm_manager_v1_destroy(ctl->manager);
	}
	if (ctl->registry != NULL) {
		wl_registry_destroy(ctl->registry);
	}
	if (ctl->display != NULL) {
		wl_display_disconnect(ctl->display);
	}
	ctl_init(ctl);
}

static struct vm_info *find_vm(struct ctl *ctl, const char *name)
{
	struct vm_info *vm;
	wl_list_for_each (vm, &ctl->vms, link) {
		if (vm->name != NULL && strcmp(vm->name, name) == 0) {
			return vm;
		}
	}
	fprintf(stderr, "tinctctl: no VM is called %s (tinctctl list shows them)\n", name);
	return NULL;
}

/*
 * Prints text for a terminal, padded with spaces to width bytes: control
 * characters become '?' (tinct sanitises, but a terminal is worth a check).
 */
static void fprint_text(FILE *out, const char *s, int width)
{
	int len = 0;
	for (const unsigned char *p = (const unsigned char *)s; *p != '\0'; p++, len++) {
		fputc(*p < 0x20 || *p == 0x7f ? '?' : *p, out);
	}
	fprintf(out, "%*s", width > len ? width - len : 0, "");
}

static void print_text(const char *s, int width)
{
	fprint_text(stdout, s, width);
}

static int cmd_list(struct ctl *ctl, bool json)
{
	struct vm_info *vm;
	if (json) {
		const char *sep = "";
		putchar('[');
		wl_list_for_each (vm, &ctl->vms, link) {
			printf("%s\n  {\"name\": ", sep);
			json_write_string(stdout, vm->name);
			printf(", \"colour\": \"#%06x\", \"state\": \"%s\", \"socket\": ",
				vm->colour, state_name(vm->state));
			json_write_string(stdout,
				vm->socket != NULL && vm->socket[0] != '\0' ? vm->socket : NULL);
			printf(", \"console\": ");
			json_write_string(stdout, vm->console);
			printf(", \"reason\": ");
			json_write_string(stdout, vm->reason);
			if (vm->reason != NULL && vm->exit_status >= 0) {
				printf(", \"exit_status\": %d", vm->exit_status);
			} else {
				printf(", \"exit_status\": null");
			}
			if (vm->reason != NULL && vm->signal > 0) {
				printf(", \"signal\": %u", vm->signal);
			} else {
				printf(", \"signal\": null");
			}
			printf(", \"apps\": [");
			for (size_t i = 0; i < vm->apps_len; i++) {
				printf("%s", i > 0 ? ", " : "");
				json_write_string(stdout, vm->apps[i]);
			}
			printf("]}");
			sep = ",";
		}
		printf("%s]\n", wl_list_empty(&ctl->vms) ? "" : "\n");
		return EXIT_OK;
	}
	int width = 4;
	wl_list_for_each (vm, &ctl->vms, link) {
		int len = vm->name != NULL ? (int)strlen(vm->name) : 0;
		width = len > width ? len : width;
	}
	printf("%-*s  %-8s  %-7s  %s\n", width, "NAME", "STATE", "COLOUR", "SOCKET");
	wl_list_for_each (vm, &ctl->vms, link) {
		printf("%-*s  %-8s  #%06x  ", width, vm->name != NULL ? vm->name : "",
			state_name(vm->state), vm->colour);
		print_text(vm->socket != NULL && vm->socket[0] != '\0' ? vm->socket : "-", 0);
		putchar('\n');
	}
	return EXIT_OK;
}

static int cmd_windows(struct ctl *ctl, bool json)
{
	struct tinct_window_list_v1 *list = tinct_vm_manager_v1_list_windows(ctl->manager);
	tinct_window_list_v1_add_listener(list, &window_list_listener, ctl);
	bool ok = dispatch_until(ctl, &ctl->windows_done);
	/* The server destroyed the list after done; free our side. */
	tinct_window_list_v1_destroy(list);
	if (!ok) {
		return EXIT_NO_TINCT;
	}
	struct window_info *window;
	if (json) {
		const char *sep = "";
		putchar('[');
		wl_list_for_each (window, &ctl->windows, link) {
			printf("%s\n  {\"vm\": ", sep);
			json_write_string(stdout, window->vm[0] != '\0' ? window->vm : NULL);
			printf(", \"title\": ");
			json_write_string(stdout, window->title);
			printf(", \"app_id\": ");
			json_write_string(stdout, window->app_id);
			printf(", \"focused\": %s, \"placeholder\": %s}",
				window->focused ? "true" : "false",
				window->placeholder ? "true" : "false");
			sep = ",";
		}
		printf("%s]\n", wl_list_empty(&ctl->windows) ? "" : "\n");
		return EXIT_OK;
	}
	int width = 4;
	wl_list_for_each (window, &ctl->windows, link) {
		int len = (int)strlen(window->vm);
		width = len > width ? len : width;
	}
	printf("%-*s  %-5s  %-20s  %s\n", width, "VM", "FOCUS", "APP_ID", "TITLE");
	wl_list_for_each (window, &ctl->windows, link) {
		printf("%-*s  %-5s  ", width, window->vm[0] != '\0' ? window->vm : "host",
			window->focused ? "*" : "");
		print_text(window->placeholder ? "(placeholder)" : window->app_id, 20);
		printf("  ");
		print_text(window->title, 0);
		putchar('\n');
	}
	return EXIT_OK;
}

enum vm_action {
	ACTION_START,
	ACTION_STOP,
	ACTION_KILL,
};

/* Whether vm reached the state `wait` asks for; *failed when it never will. */
static bool action_finished(enum vm_action action, bool wait, struct vm_info *vm, bool *failed)
{
	uint32_t state = vm->state;
	bool inactive = state == TINCT_VM_HANDLE_V1_STATE_STOPPED ||
			state == TINCT_VM_HANDLE_V1_STATE_CRASHED;
	if (vm->removed) {
		*failed = true;
		return true;
	}
	if (action == ACTION_START) {
		*failed = inactive;
		return inactive || !wait || state == TINCT_VM_HANDLE_V1_STATE_RUNNING;
	}
	return !wait || inactive;
}

static int wait_action(
	struct ctl *ctl, enum vm_action action, const char *name, bool wait, struct vm_info *vm);

static int cmd_action(struct ctl *ctl, enum vm_action action, const char *name, bool wait)
{
	struct vm_info *vm = find_vm(ctl, name);
	if (vm == NULL) {
		return EXIT_NO_SUCH_VM;
	}
	/* --wait start of a VM on its way up waits for it instead of failing. */
	bool on_its_way = vm->state == TINCT_VM_HANDLE_V1_STATE_STARTING ||
			  vm->state == TINCT_VM_HANDLE_V1_STATE_BOOTING;
	if (action == ACTION_START && wait && on_its_way) {
		return wait_action(ctl, action, name, wait, vm);
	}
	struct tinct_vm_result_v1 *result;
	switch (action) {
	case ACTION_START:
		result = tinct_vm_manager_v1_start(ctl->manager, name);
		break;
	case ACTION_STOP:
		result = tinct_vm_manager_v1_stop(ctl->manager, name);
		break;
	default:
		result = tinct_vm_manager_v1_kill(ctl->manager, name);
		break;
	}
	tinct_vm_result_v1_add_listener(result, &result_listener, ctl);
	bool ok = dispatch_until(ctl, &ctl->have_result);
	tinct_vm_result_v1_destroy(result);
	if (!ok) {
		return EXIT_NO_TINCT;
	}
	switch (ctl->status) {
	case TINCT_VM_MANAGER_V1_STATUS_OK:
		break;
	case TINCT_VM_MANAGER_V1_STATUS_NO_SUCH_VM:
		fprintf(stderr, "tinctctl: %s\n", ctl->message);
		return EXIT_NO_SUCH_VM;
	case TINCT_VM_MANAGER_V1_STATUS_INVALID_STATE:
		fprintf(stderr, "tinctctl: %s\n", ctl->message);
		return EXIT_WRONG_STATE;
	default:
		fprintf(stderr, "tinctctl: %s\n", ctl->message);
		return EXIT_FAILED;
	}

	return wait_action(ctl, action, name, wait, vm);
}

/* Waits until the action is carried out; reports why when it never will be. */
static int wait_action(
	struct ctl *ctl, enum vm_action action, const char *name, bool wait, struct vm_info *vm)
{
	/* State events precede the result, so the first check often ends it. */
	bool failed = false;
	while (!action_finished(action, wait, vm, &failed)) {
		if (wl_display_dispatch(ctl->display) < 0) {
			fprintf(stderr, "tinctctl: lost the connection to tinct\n");
			return EXIT_NO_TINCT;
		}
	}
	if (failed && vm->reason != NULL && vm->reason[0] != '\0') {
		fprintf(stderr, "tinctctl: VM %s crashed: ", name);
		fprint_text(stderr, vm->reason, 0);
		fputc('\n', stderr);
		return EXIT_FAILED;
	}
	if (failed) {
		fprintf(stderr, "tinctctl: VM %s %s%s (see tinct's log)\n", name,
			vm->removed ? "is gone" : "did not start, it is ",
			vm->removed ? "" : state_name(vm->state));
		return EXIT_FAILED;
	}
	return EXIT_OK;
}

static int cmd_run(struct ctl *ctl, const char *name, const char *app)
{
	struct vm_info *vm = find_vm(ctl, name);
	if (vm == NULL) {
		return EXIT_NO_SUCH_VM;
	}
	if (tinct_vm_manager_v1_get_version(ctl->manager) < TINCT_VM_MANAGER_V1_RUN_SINCE_VERSION) {
		fprintf(stderr, "tinctctl: this tinct cannot start applications in VMs\n");
		return EXIT_FAILED;
	}
	/* APP is an index or a name from the VM's app events. */
	char *end = NULL;
	unsigned long index = strtoul(app, &end, 10);
	if (app[0] < '0' || app[0] > '9' || *end != '\0') {
		index = vm->apps_len;
		for (size_t i = 0; i < vm->apps_len; i++) {
			if (strcmp(vm->apps[i], app) == 0) {
				index = i;
				break;
			}
		}
	}
	if (index >= vm->apps_len) {
		fprintf(stderr,
			"tinctctl: VM %s has no application %s (tinctctl --json list "
			"shows them)\n",
			name, app);
		return EXIT_NO_SUCH_VM;
	}
	struct tinct_vm_result_v1 *result =
		tinct_vm_manager_v1_run(ctl->manager, name, (uint32_t)index);
	tinct_vm_result_v1_add_listener(result, &result_listener, ctl);
	bool ok = dispatch_until(ctl, &ctl->have_result);
	tinct_vm_result_v1_destroy(result);
	if (!ok) {
		return EXIT_NO_TINCT;
	}
	switch (ctl->status) {
	case TINCT_VM_MANAGER_V1_STATUS_OK:
		return EXIT_OK;
	case TINCT_VM_MANAGER_V1_STATUS_NO_SUCH_VM:
		fprintf(stderr, "tinctctl: %s\n", ctl->message);
		return EXIT_NO_SUCH_VM;
	case TINCT_VM_MANAGER_V1_STATUS_INVALID_STATE:
		fprintf(stderr, "tinctctl: %s\n", ctl->message);
		return EXIT_WRONG_STATE;
	default:
		fprintf(stderr, "tinctctl: %s\n", ctl->message);
		return EXIT_FAILED;
	}
}

static int cmd_socket(struct ctl *ctl, const char *name)
{
	struct vm_info *vm = find_vm(ctl, name);
	if (vm == NULL) {
		return EXIT_NO_SUCH_VM;
	}
	if (vm->socket == NULL || vm->socket[0] == '\0') {
		fprintf(stderr,
			"tinctctl: VM %s is %s and has no display socket (tinctctl start %s)\n",
			name, state_name(vm->state), name);
		return EXIT_WRONG_STATE;
	}
	printf("%s\n", vm->socket);
	return EXIT_OK;
}

static int cmd_console(struct ctl *ctl, const char *name)
{
	struct vm_info *vm = find_vm(ctl, name);
	if (vm == NULL) {
		return EXIT_NO_SUCH_VM;
	}
	if (vm->state == TINCT_VM_HANDLE_V1_STATE_STOPPED) {
		fprintf(stderr, "tinctctl: VM %s is %s, so it has no console (tinctctl start %s)\n",
			name, state_name(vm->state), name);
		return EXIT_WRONG_STATE;
	}
	if (vm->console == NULL || vm->console[0] == '\0') {
		fprintf(stderr, "tinctctl: tinct did not say where the console of %s is\n", name);
		return EXIT_FAILED;
	}
	/* The attachment may last hours: leave tinct's event stream now. */
	char *path = strdup(vm->console);
	char *vm_name = strdup(name);
	ctl_disconnect(ctl);
	if (path == NULL || vm_name == NULL) {
		free(path);
		free(vm_name);
		return EXIT_FAILED;
	}
	int sig = 0;
	enum console_client_status status = console_client_attach(path, "tinctctl", vm_name, &sig);
	free(path);
	free(vm_name);
	switch (status) {
	case CONSOLE_CLIENT_DETACHED:
	case CONSOLE_CLIENT_CLOSED:
		return EXIT_OK;
	case CONSOLE_CLIENT_REFUSED:
	case CONSOLE_CLIENT_UNREACHABLE:
		return EXIT_WRONG_STATE;
	case CONSOLE_CLIENT_INTERRUPTED:
		return 128 + sig;
	default:
		return EXIT_FAILED;
	}
}

struct command {
	const char *name;
	bool takes_vm;
	bool takes_app; // and an application after VM
	bool lists; // accepts --json
	bool waits; // accepts --wait
};

static const struct command commands[] = {
	{"list", false, false, true, false},
	{"windows", false, false, true, false},
	{"start", true, false, false, true},
	{"stop", true, false, false, true},
	{"kill", true, false, false, true},
	{"run", true, true, false, false},
	{"console", true, false, false, false},
	{"socket", true, false, false, false},
};

static int usage_error(const char *message, const char *arg)
{
	fprintf(stderr, "tinctctl: %s%s\n", message, arg != NULL ? arg : "");
	fprintf(stderr, "Try 'tinctctl --help'.\n");
	return EXIT_USAGE;
}

int main(int argc, char *argv[])
{
	static const struct option options[] = {
		{"json", no_argument, NULL, 'j'},
		{"wait", no_argument, NULL, 'w'},
		{"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, 'V'},
		{0},
	};
	bool json = false, wait = false;
	int opt;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "jwhV", options, NULL)) != -1) {
		switch (opt) {
		case 'j':
			json = true;
			break;
		case 'w':
			wait = true;
			break;
		case 'h':
			fputs(usage, stdout);
			return EXIT_OK;
		case 'V':
			printf("tinctctl %s\n", TINCT_VERSION);
			return EXIT_OK;
		default:
			return usage_error("unknown option ", argv[optind - 1]);
		}
	}
	if (optind >= argc) {
		return usage_error("no command given", NULL);
	}
	const char *name = argv[optind];
	const struct command *command = NULL;
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (strcmp(commands[i].name, name) == 0) {
			command = &commands[i];
		}
	}
	if (command == NULL) {
		return usage_error("unknown command ", name);
	}
	int args = argc - optind - 1;
	if (args != (command->takes_vm ? 1 : 0) + (command->takes_app ? 1 : 0)) {
		return usage_error(command->takes_app  ? "expected a VM and an application after "
				   : command->takes_vm ? "expected one VM name after "
						       : "no arguments after ",
			name);
	}
	if (json && !command->lists) {
		return usage_error("--json goes with list and windows, not ", name);
	}
	if (wait && !command->waits) {
		return usage_error("--wait goes with start, stop and kill, not ", name);
	}
	const char *vm = command->takes_vm ? argv[optind + 1] : NULL;

	/* A closed console or stdout must end tinctctl with a status, not kill it. */
	signal(SIGPIPE, SIG_IGN);
	struct ctl ctl;
	ctl_init(&ctl);
	int ret = ctl_connect(&ctl);
	if (ret != EXIT_OK) {
		ctl_disconnect(&ctl);
		return ret;
	}
	if (strcmp(name, "list") == 0) {
		ret = cmd_list(&ctl, json);
	} else if (strcmp(name, "windows") == 0) {
		ret = cmd_windows(&ctl, json);
	} else if (strcmp(name, "start") == 0) {
		ret = cmd_action(&ctl, ACTION_START, vm, wait);
	} else if (strcmp(name, "stop") == 0) {
		ret = cmd_action(&ctl, ACTION_STOP, vm, wait);
	} else if (strcmp(name, "kill") == 0) {
		ret = cmd_action(&ctl, ACTION_KILL, vm, wait);
	} else if (strcmp(name, "socket") == 0) {
		ret = cmd_socket(&ctl, vm);
	} else if (strcmp(name, "run") == 0) {
		ret = cmd_run(&ctl, vm, argv[optind + 2]);
	} else {
		ret = cmd_console(&ctl, vm);
	}
	ctl_disconnect(&ctl);
	if (fflush(stdout) != 0 && ret == EXIT_OK) {
		ret = EXIT_FAILED;
	}
	return ret;
}
