/*
 * Idle: the KDE idle protocol (for swayidle, host only) and idle-inhibit.
 * Host inhibitors always count; a VM's only with [wayland] allow =
 * idle-inhibit (policy.h), so no guest can keep the screen from blanking or
 * locking.
 */
#ifndef TINCT_COMPOSITOR_IDLE_H
#define TINCT_COMPOSITOR_IDLE_H

#include <stdbool.h>

struct tinct_server;

/* Creates the idle and idle-inhibit globals. */
bool idle_init(struct tinct_server *server);
void idle_finish(struct tinct_server *server);

/* The user did something: restarts the idle timers. */
void idle_notify_activity(struct tinct_server *server);

#endif
