/*
 * Console windows, recognised by the pid tinct gave them.
 */
#include "compositor/consoles.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <wayland-server-core.h>
#include <wlr/util/log.h>

#include "vmm/console.h"
#include "compositor/panel.h"
#include "compositor/server.h"
#include "compositor/spawn.h"
#include "compositor/view.h"
#include "vmm/vm.h"
#include "compositor/vms.h"

/* How long "attached elsewhere" stays on the panel. */
#define CONSOLE_NOTICE_MS 6000

struct console_launch {
	struct tinct_desktop_vm *dvm;
	pid_t pid;
	struct wl_list link; // tinct_server.consoles
};

static void launch_destroy(struct console_launch *launch)
{
	wl_list_remove(&launch->link);
	free(launch);
}

/* A pid is only foot's while foot lives: forget it once spawn.c reaped it. */
static void handle_console_exit(struct tinct_server *server, pid_t pid)
{
	struct console_launch *launch, *tmp;
	wl_list_for_each_safe (launch, tmp, &server->consoles, link) {
		if (launch->pid == pid) {
			launch_destroy(launch);
		}
	}
}

/* tinctctl next to tinct (build tree or install), else from PATH. */
static void find_tinctctl(char *out, size_t size)
{
	char exe[PATH_MAX];
	ssize_t len = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (len > 0) {
		exe[len] = '\0';
		char *slash = strrchr(exe, '/');
		if (slash != NULL) {
			*slash = '\0';
			const char *candidates[] = {"/tinctctl", "/../tinctctl/tinctctl"};
			for (size_t i = 0; i < 2; i++) {
				int n = snprintf(out, size, "%s%s", exe, candidates[i]);
				if (n > 0 && (size_t)n < size && access(out, X_OK) == 0) {
					return;
				}
			}
		}
	}
	snprintf(out, size, "tinctctl");
}

/* Single-quotes arg for /bin/sh. */
static bool shell_quote(const char *arg, char *out, size_t size)
{
	size_t n = 0;
	if (n + 1 >= size) {
		return false;
	}
	out[n++] = '\'';
	for (const char *p = arg; *p != '\0'; p++) {
		const char *piece = *p == '\'' ? "'\\''" : NULL;
		size_t len = piece != NULL ? strlen(piece) : 1;
		if (n + len + 2 >= size) {
			return false;
		}
		if (piece != NULL) {
			memcpy(out + n, piece, len);
		} else {
			out[n] = *p;
		}
		n += len;
	}
	out[n++] = '\'';
	out[n] = '\0';
	return true;
}

void consoles_open(struct tinct_server *server, struct tinct_desktop_vm *dvm)
{
	struct tinct_view *view;
	wl_list_for_each (view, &server->views, link) {
		if (view->mapped && view->console_vm == dvm) {
			view_focus(view);
			return;
		}
	}
	struct console_launch *launch;
	wl_list_for_each (launch, &server->consoles, link) {
		if (launch->dvm == dvm) {
			/* Already starting; its window will take focus when it maps. */
			return;
		}
	}

	const char *name = vm_name(dvm->vm); /* a safe identifier */
	if (dvm->vm->console != NULL && console_attached(dvm->vm->console)) {
		/* A console window would only be refused: say why instead. */
		char text[160];
		snprintf(text, sizeof(text),
			"The console of %s is attached elsewhere (tinctctl console); "
			"detach it there first",
			name);
		panel_show_notice(server->panel, TINCT_NOTICE_INFO, text, CONSOLE_NOTICE_MS);
		return;
	}

	char tinctctl[PATH_MAX], quoted[2 * PATH_MAX], command[3 * PATH_MAX];
	find_tinctctl(tinctctl, sizeof(tinctctl));
	if (!shell_quote(tinctctl, quoted, sizeof(quoted))) {
		return;
	}
	/* exec: the pid tinct records is foot's own. */
	snprintf(command, sizeof(command),
		"exec foot -T '%s console' -a tinct-console %s console %s", name, quoted, name);
	pid_t pid = spawn_command_notify(server, command, handle_console_exit);
	if (pid < 0) {
		return;
	}
	launch = calloc(1, sizeof(*launch));
	if (launch == NULL) {
		return;
	}
	launch->dvm = dvm;
	launch->pid = pid;
	wl_list_insert(&server->consoles, &launch->link);
	wlr_log(WLR_INFO, "opening the console of VM %s (pid %d)", name, (int)pid);
}

struct tinct_desktop_vm *consoles_vm_for_client(
	struct tinct_server *server, struct wl_client *client)
{
	pid_t pid;
	wl_client_get_credentials(client, &pid, NULL, NULL);
	struct console_launch *launch;
	wl_list_for_each (launch, &server->consoles, link) {
		if (launch->pid == pid) {
			return launch->dvm;
		}
	}
	return NULL;
}

void consoles_forget_vm(struct tinct_server *server, struct tinct_desktop_vm *dvm)
{
	struct console_launch *launch, *tmp;
	wl_list_for_each_safe (launch, tmp, &server->consoles, link) {
		if (launch->dvm == dvm) {
			launch_destroy(launch);
		}
	}
	struct tinct_view *view;
	wl_list_for_each (view, &server->views, link) {
		if (view->console_vm == dvm) {
			view->console_vm = NULL;
		}
	}
}

void consoles_finish(struct tinct_server *server)
{
	struct console_launch *launch, *tmp;
	wl_list_for_each_safe (launch, tmp, &server->consoles, link) {
		launch_destroy(launch);
	}
}
