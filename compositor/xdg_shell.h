/*
 * xdg-shell wiring: toplevels become views, popups get framed scene trees.
 */
#ifndef TINCT_COMPOSITOR_XDG_SHELL_H
#define TINCT_COMPOSITOR_XDG_SHELL_H

struct wl_listener;

/* xdg_shell new_surface: toplevels become views, popups get a scene node. */
void xdg_shell_handle_new_surface(struct wl_listener *listener, void *data);

#endif
