/*
 * Per-domain clipboards, as Qubes OS has them: the host and every VM own a
 * clipboard and a primary selection of their own. tinct keeps each domain's
 * sources itself and gives the seat a proxy for the domain that has the
 * keyboard, so a client is only ever offered its own domain's selections.
 * Content crosses domains only through tinct's global clipboard, by the
 * user's clipboard-copy and clipboard-paste bindings (Super+C, Super+V):
 * UTF-8 text and PNG images up to [clipboard] max-bytes, read from the
 * source client through a pipe on the event loop. The primary selection
 * never crosses. Who may do what is policy.h's.
 */
#ifndef TINCT_CLIPBOARD_H
#define TINCT_CLIPBOARD_H

#include <stdbool.h>

struct tinct_seat;
struct tinct_clipboard;
struct wlr_surface;

struct tinct_clipboard *clipboard_create(struct tinct_seat *seat);
void clipboard_destroy(struct tinct_clipboard *clipboard);

/*
 * The keyboard is about to go to surface (seat.c, before it enters): the
 * client losing it is offered nothing more, and the serials the new one
 * may set selections with start here.
 */
void clipboard_focus_will_change(struct tinct_clipboard *clipboard, struct wlr_surface *surface);

/* clipboard-copy: the focused domain's clipboard into the global one. */
void clipboard_copy(struct tinct_clipboard *clipboard);
/* clipboard-paste: the global clipboard into the focused domain's. */
void clipboard_paste(struct tinct_clipboard *clipboard);

/*
 * Whether the drag in progress may be offered to surface (its own domain
 * only); tells the user how to transfer instead when it may not.
 */
bool clipboard_drag_may_enter(struct tinct_clipboard *clipboard, struct wlr_surface *surface);

#endif
