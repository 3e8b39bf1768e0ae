/*
 * Keyboards: physical ones in one keyboard group, virtual ones (host only,
 * policy.h) alone with their own keymap. Bindings are matched before any
 * client sees a key and are never forwarded; the VM menu, when open, takes
 * every key. Keyboard-shortcuts-inhibit is honoured for host clients only.
 */
#ifndef TINCT_COMPOSITOR_KEYBOARD_H
#define TINCT_COMPOSITOR_KEYBOARD_H

#include <stdbool.h>

struct tinct_seat;
struct wlr_keyboard;

/* Creates the keyboard group and the keyboard protocol globals. */
bool keyboard_init(struct tinct_seat *seat);
void keyboard_finish(struct tinct_seat *seat);

/* A new physical keyboard joins the group with the configured keymap. */
void keyboard_add(struct tinct_seat *seat, struct wlr_keyboard *keyboard);
/* Keyboard focus changed: only the focused host surface may inhibit. */
void keyboard_shortcuts_update(struct tinct_seat *seat);

#endif
