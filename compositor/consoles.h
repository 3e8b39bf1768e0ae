/*
 * Serial console windows: Super+Return opens the focused VM's console in
 * foot running `tinctctl console VM`. tinct remembers the pid it started, so
 * the window is known to be that VM's console (a host client that merely
 * calls itself "console" gets nothing): it is framed in the VM's colour,
 * titled "[vm] console", and focused instead of opening a second one.
 */
#ifndef TINCT_CONSOLES_H
#define TINCT_CONSOLES_H

#include <stdbool.h>
#include <sys/types.h>

struct tinct_server;
struct tinct_desktop_vm;
struct wl_client;

/* Focuses the console window of dvm, or starts one. */
void consoles_open(struct tinct_server *server, struct tinct_desktop_vm *dvm);

/* The VM whose console client is, or NULL. */
struct tinct_desktop_vm *consoles_vm_for_client(
	struct tinct_server *server, struct wl_client *client);

/* Forgets consoles of a VM that is going away. */
void consoles_forget_vm(struct tinct_server *server, struct tinct_desktop_vm *dvm);

void consoles_finish(struct tinct_server *server);

#endif
