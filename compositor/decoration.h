/*
 * Server-side decorations: tinct always draws the frame (xdg-decoration and
 * KDE server-decoration both answer "server side"), so a window's identity is
 * never left to its client.
 */
#ifndef TINCT_COMPOSITOR_DECORATION_H
#define TINCT_COMPOSITOR_DECORATION_H

#include <stdbool.h>

struct tinct_server;

/* Creates both decoration globals and their listeners. */
bool decoration_init(struct tinct_server *server);
void decoration_finish(struct tinct_server *server);

#endif
