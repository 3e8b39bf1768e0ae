/*
 * A view's handle in wlr-foreign-toplevel-management (host taskbars).
 */
#ifndef TINCT_COMPOSITOR_FOREIGN_TOPLEVEL_H
#define TINCT_COMPOSITOR_FOREIGN_TOPLEVEL_H

#include <stdbool.h>

struct tinct_view;

/* Announces view (when it maps); destroy withdraws it. Both may repeat. */
void foreign_toplevel_create(struct tinct_view *view);
void foreign_toplevel_destroy(struct tinct_view *view);

void foreign_toplevel_set_activated(struct tinct_view *view, bool activated);
void foreign_toplevel_set_maximized(struct tinct_view *view, bool maximized);
void foreign_toplevel_set_fullscreen(struct tinct_view *view, bool fullscreen);
void foreign_toplevel_update_title(struct tinct_view *view);
void foreign_toplevel_update_app_id(struct tinct_view *view);

#endif
