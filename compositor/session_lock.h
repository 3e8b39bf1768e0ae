/*
 * The screen lock: tinct's own ext-session-lock-v1 (wlroots 0.15 has no
 * helper). A host locker (swaylock) asks to lock; tinct blanks every output
 * with an opaque fill in the lock layer, hides every other layer (windows,
 * panel, menus, layer surfaces), takes the keyboard and pointer from every
 * client, and sends `locked` once every output has shown a frame of that.
 * Then only the locker's lock surfaces, one per output and sized to it, are
 * drawn and get input; compositor bindings are off except VT switching.
 *
 * Only unlock_and_destroy unlocks. If the locker dies (or is killed)
 * without it, the session stays locked behind the fill, and a new locker
 * may lock again and take over: as the protocol recommends, and as sway
 * does. A second lock while a live locker holds the session gets
 * `finished`.
 */
#ifndef TINCT_SESSION_LOCK_H
#define TINCT_SESSION_LOCK_H

#include <stdbool.h>

struct tinct_server;
struct tinct_output;
struct wl_client;
struct wlr_surface;

/* Creates the ext_session_lock_manager_v1 global (host clients only). */
struct tinct_session_lock *session_lock_create(struct tinct_server *server);
void session_lock_destroy(struct tinct_session_lock *lock);

/* Whether the session is locked (whether or not a locker is alive). */
bool session_lock_is_locked(const struct tinct_session_lock *lock);
/* Whether the session is locked and no live locker holds it. */
bool session_lock_is_abandoned(const struct tinct_session_lock *lock);

/*
 * Whether client may have the keyboard or the pointer now: anyone while
 * unlocked, only the live locker while locked.
 */
bool session_lock_client_may_focus(const struct tinct_session_lock *lock, struct wl_client *client);
/* Whether surface is a lock surface of the live locker. */
bool session_lock_owns_surface(const struct tinct_session_lock *lock, struct wlr_surface *surface);

/* Output hooks (output.c): a new, moved or resized output, one going away. */
void session_lock_output_arrange(struct tinct_session_lock *lock, struct tinct_output *output);
void session_lock_output_destroyed(struct tinct_session_lock *lock, struct tinct_output *output);
/* output rendered a frame: once every output has, `locked` goes out. */
void session_lock_output_frame(struct tinct_session_lock *lock, struct tinct_output *output);

#endif
