/*
 * The waypipe clients of one VM (see waypipe.h for the lifetime rules).
 * Everything runs on the owner's loop: pidfds tell when a client exits,
 * timers restart it.
 */
#include "vmm/waypipe.h"

#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <wayland-server-core.h>
#include <wlr/util/log.h>

#include "common/time.h"
#include "common/untrusted_dir.h"
#include "vmm/argv.h"
#include "vmm/child.h"
#include "vmm/jail.h"
#include "vmm/spawn.h"

#define QUICK_EXIT_MS 2000
#define MAX_QUICK_EXITS 5
#define RESTART_DELAY_MS 100

struct tinct_waypipe_client {
	struct tinct_waypipe_set *set;
	unsigned index;
	char *socket;
	struct tinct_child *child; // NULL while not running
	struct wl_event_source *restart_timer;
	int64_t started_ms;
	unsigned quick_exits;
};

struct tinct_waypipe_set {
	struct wl_event_loop *loop;
	char *vm_name;
	char *program;
	char *display_env; // WAYLAND_DISPLAY=...
	char *log_path;
	const struct tinct_jail *jail;
	tinct_waypipe_killed_func killed;
	void *data;
	struct tinct_waypipe_client *clients;
	size_t len;
};

bool waypipe_client_argv(struct tinct_argv *argv, const char *program, const char *socket)
{
	argv_push(argv, program);
	argv_push(argv, "--no-gpu");
	argv_push(argv, "--compress");
	argv_push(argv, "none");
	argv_push(argv, "--oneshot");
	argv_push(argv, "--socket");
	argv_push(argv, socket);
	argv_push(argv, "client");
	return !argv->failed;
}

static void handle_client_exit(void *data, const siginfo_t *info);

static bool client_start(struct tinct_waypipe_client *client)
{
	struct tinct_waypipe_set *set = client->set;
	struct tinct_argv argv, jailed;
	argv_init(&argv);
	argv_init(&jailed);
	bool ok = false;
	// A socket left by a killed client would make waypipe's bind() fail.
	unlink(client->socket);
	// The VM's uid can put anything there while it runs.
	int log_fd = untrusted_open_write(set->log_path, true);
	if (log_fd < 0) {
		wlr_log_errno(WLR_ERROR, "VM %s: cannot open %s", set->vm_name, set->log_path);
		goto out;
	}
	if (!waypipe_client_argv(&argv, set->program, client->socket)) {
		goto out;
	}
	struct tinct_spawn spawn = spawn_vm_child(set->program, argv.argv, log_fd);
	spawn.extra_env = set->display_env;
	if (!jail_apply(set->jail, &spawn, &jailed)) {
		goto out;
	}
	// waypipe forks helpers (a reconnection watcher, per connection in
	// multi mode); they go with it.
	client->child =
		child_spawn(set->loop, &spawn, TINCT_CHILD_KILL_GROUP, handle_client_exit, client);
	if (client->child == NULL) {
		goto out;
	}
	client->started_ms = now_ms();
	wlr_log(WLR_DEBUG, "VM %s: waypipe client %u started as %d on %s", set->vm_name,
		client->index, (int)child_pid(client->child), client->socket);
	ok = true;
out:
	if (log_fd >= 0) {
		close(log_fd);
	}
	argv_finish(&argv);
	argv_finish(&jailed);
	return ok;
}

static int handle_restart(void *data)
{
	struct tinct_waypipe_client *client = data;
	if (client->child == NULL && !client_start(client)) {
		wlr_log(WLR_ERROR, "VM %s: cannot restart waypipe client %u", client->set->vm_name,
			client->index);
	}
	return 0;
}

static void handle_client_exit(void *data, const siginfo_t *info)
{
	struct tinct_waypipe_client *client = data;
	struct tinct_waypipe_set *set = client->set;
	pid_t pid = info->si_pid;
	child_destroy(client->child);
	client->child = NULL;
	// bwrap reports a child killed by signal N as status 128 + N.
	bool confined = set->jail != NULL && set->jail->enabled;
	int sig = 0;
	if (info->si_code != CLD_EXITED) {
		sig = info->si_status;
	} else if (confined && info->si_status > 128) {
		sig = info->si_status - 128;
	}
	if (sig != 0) {
		wlr_log(WLR_ERROR, "VM %s: waypipe client %u (%d) killed by signal %d",
			set->vm_name, client->index, (int)pid, sig);
		set->killed(set->data, client->index, sig);
		return;
	}
	int64_t ran = now_ms() - client->started_ms;
	client->quick_exits = ran < QUICK_EXIT_MS ? client->quick_exits + 1 : 0;
	if (client->quick_exits >= MAX_QUICK_EXITS) {
		wlr_log(WLR_ERROR,
			"VM %s: waypipe client %u exited %u times in a row right after starting "
			"(last status %d); giving up on channel %u, see %s",
			set->vm_name, client->index, client->quick_exits, info->si_status,
			client->index, set->log_path);
		unlink(client->socket);
		return;
	}
	int delay = RESTART_DELAY_MS << (client->quick_exits > 0 ? client->quick_exits : 0);
	wlr_log(WLR_DEBUG,
		"VM %s: waypipe client %u (%d) exited with %d after %lld ms; "
		"restarting in %d ms",
		set->vm_name, client->index, (int)pid, info->si_status, (long long)ran, delay);
	wl_event_source_timer_update(client->restart_timer, delay);
}

struct tinct_waypipe_set *waypipe_set_create(struct wl_event_loop *loop, const char *vm_name,
	const char *display, char *const *sockets, size_t len, const char *log_path,
	const struct tinct_jail *jail, tinct_waypipe_killed_func killed, void *data)
{
	struct tinct_waypipe_set *set = calloc(1, sizeof(*set));
	if (set == NULL) {
		wlr_log(WLR_ERROR, "VM %s: out of memory starting waypipe", vm_name);
		return NULL;
	}
	set->loop = loop;
	set->jail = jail;
	set->killed = killed;
	set->data = data;
	set->clients = calloc(len, sizeof(*set->clients));
	set->vm_name = strdup(vm_name);
	set->log_path = strdup(log_path);
	if (set->clients == NULL || set->vm_name == NULL || set->log_path == NULL ||
		asprintf(&set->display_env, "WAYLAND_DISPLAY=%s", display) < 0) {
		set->display_env = NULL;
		wlr_log(WLR_ERROR, "VM %s: out of memory starting waypipe", vm_name);
		goto fail;
	}
	set->program = jail != NULL && jail->enabled ? spawn_find_system_program("waypipe")
						     : spawn_find_program("waypipe");
	if (set->program == NULL) {
		wlr_log(WLR_ERROR, "VM %s: wayland = waypipe, but waypipe is not installed",
			vm_name);
		goto fail;
	}
	for (size_t i = 0; i < len; i++) {
		struct tinct_waypipe_client *client = &set->clients[i];
		client->set = set;
		client->index = (unsigned)i;
		client->socket = strdup(sockets[i]);
		client->restart_timer = wl_event_loop_add_timer(loop, handle_restart, client);
		set->len = i + 1;
		if (client->socket == NULL || client->restart_timer == NULL ||
			!client_start(client)) {
			wlr_log(WLR_ERROR, "VM %s: cannot start waypipe client %zu", vm_name, i);
			goto fail;
		}
	}
	return set;
fail:
	waypipe_set_destroy(set);
	return NULL;
}

void waypipe_set_destroy(struct tinct_waypipe_set *set)
{
	if (set == NULL) {
		return;
	}
	for (size_t i = 0; i < set->len; i++) {
		struct tinct_waypipe_client *client = &set->clients[i];
		child_destroy(client->child);
		if (client->restart_timer != NULL) {
			wl_event_source_remove(client->restart_timer);
		}
		if (client->socket != NULL) {
			unlink(client->socket);
			free(client->socket);
		}
	}
	free(set->clients);
	free(set->vm_name);
	free(set->program);
	free(set->display_env);
	free(set->log_path);
	free(set);
}
