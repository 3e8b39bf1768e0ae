/*
 * The trust policy: every decision that depends on who a client is lives
 * here, and this header is its table of rules. A reviewer audits tinct's
 * trust model by reading this file.
 *
 * Who a client is comes from its tag (virtio-wl/client_tag.h), set when
 * libwayland creates the client and never from anything the client says:
 *   host  accepted on tinct's main socket: foot, tinctctl, grim, wayvnc.
 *         Trusted.
 *   VM    accepted on a VM's own display socket; the tag carries the VM's
 *         tinct_desktop_vm, whose rights come from its definition. Every
 *         byte it sends is hostile.
 *   none  a client whose tag is gone (it is being destroyed). Trusted by
 *         no one: every question below answers as for the most restricted
 *         VM.
 *
 * The rules, right by right (policy_may() unless a function is named):
 *
 *   right                      host   VM
 *   -------------------------  -----  ----------------------------------
 *   layer-shell                yes    never (global hidden, surfaces
 *                                     destroyed as a second fence)
 *   screencopy, export-dmabuf  yes    never
 *   data-control               yes    never
 *   virtual keyboard, pointer  yes    never
 *   input-inhibitor            yes    never
 *   foreign-toplevel mgmt      yes    never
 *   output mgmt, output power  yes    never
 *   gamma control              yes    never
 *   idle (KDE idle)            yes    never
 *   tinct VM manager           yes    never (global hidden, bind refused)
 *   keyboard-shortcuts-inhibit yes    never: bindings always reach tinct
 *   pointer-constraints        yes    [wayland] allow = pointer-constraints
 *   relative-pointer           yes    [wayland] allow = relative-pointer
 *   fullscreen (cover panel)   yes    [wayland] allow = fullscreen; else
 *                                     a fullscreen request maximises
 *   idle-inhibit               yes    [wayland] allow = idle-inhibit;
 *                                     else its inhibitors do not count
 *
 *   windows          policy_may_open_window(): host unlimited; a VM at
 *                    most [wayland] max-windows toplevels at once, the
 *                    next one is a protocol error.
 *   connections      policy_may_connect(): the host socket is libwayland's
 *                    and unlimited; a VM has at most [wayland]
 *                    max-connections clients at once (default 64), and all
 *                    VMs together at most the descriptor limit less
 *                    POLICY_HOST_FD_RESERVE, so host clients always find a
 *                    descriptor. A refused connection is closed at once.
 *   keyboard         policy_may_take_focus(): a host window may take the
 *                    keyboard when it maps or asks (xdg-activation); a
 *                    VM's only from its own VM's focused window, or once,
 *                    with its first window after the user started the VM
 *                    (policy_grant_first_window()) unless the user focused
 *                    a host window meanwhile (policy_user_focused()).
 *   activation       the same rule as the keyboard.
 *   cursor image     policy_cursor_size_ok(): a VM's cursor surface is
 *                    at most POLICY_VM_CURSOR_MAX logical pixels square,
 *                    checked on every commit; else tinct's own cursor.
 *   drag icons       policy_drag_icon_layer(): a VM's drag icon stays
 *                    below the panel, a host's goes above everything.
 *   frame            policy_frame_covers_surfaces(): a VM window's frame
 *                    goes around all its surfaces, whatever it declares.
 *   popups           policy_popup_framed(): a VM's popups get a frame in
 *                    the VM's colour, drawn by tinct over their edges.
 *   selections       policy_selection_allowed(): only the client with the
 *                    keyboard, with a serial tinct sent it; data-control
 *                    (host tools only) uses a fresh serial nobody got.
 *   drag and drop    policy_drag_allowed(): only with a pointer grab
 *                    serial of the surface the drag starts from.
 *   input inhibitor  while a host locker holds it, no other client gets
 *                    the keyboard or pointer (seat_may_focus_client()).
 */
#ifndef TINCT_COMPOSITOR_POLICY_H
#define TINCT_COMPOSITOR_POLICY_H

#include <stdbool.h>
#include <stdint.h>

#include "server.h"
#include "vms.h"

struct wl_client;
struct wl_global;
struct wlr_surface;
struct tinct_view;

/*
 * Rights only the host has. The rights a VM definition may grant are
 * enum tinct_vm_permission (bits 0..15); these never overlap them.
 */
enum tinct_host_permission {
	TINCT_PERM_LAYER_SHELL = 1 << 16,
	TINCT_PERM_SCREEN_CAPTURE = 1 << 17, // screencopy, export-dmabuf
	TINCT_PERM_DATA_CONTROL = 1 << 18,
	TINCT_PERM_VIRTUAL_INPUT = 1 << 19, // virtual keyboard and pointer
	TINCT_PERM_INPUT_INHIBIT = 1 << 20,
	TINCT_PERM_FOREIGN_TOPLEVEL = 1 << 21,
	TINCT_PERM_OUTPUT_MANAGEMENT = 1 << 22, // output mgmt, power, gamma
	TINCT_PERM_IDLE = 1 << 23,
	TINCT_PERM_VM_MANAGER = 1 << 24,
	TINCT_PERM_SHORTCUTS_INHIBIT = 1 << 25,
};

/* What a definition's [wayland] allow can grant at most. */
#define POLICY_VM_GRANTABLE 0xffffu

/* Largest cursor a VM may show, logical pixels (it is drawn above all). */
#define POLICY_VM_CURSOR_MAX 64

/* Descriptors no VM connection may take: left for host clients and tinct. */
#define POLICY_HOST_FD_RESERVE 256

/* Installs the global filter on server->display. */
void policy_init(struct tinct_server *server);
void policy_finish(struct tinct_server *server);

/*
 * Hides global from every client that lacks permission (one right, from
 * either enum). Unknown globals are visible to everyone.
 */
void policy_restrict_global(
	struct tinct_server *server, const struct wl_global *global, uint32_t permission);

/* Whether client is a trusted host client. */
bool policy_client_is_host(const struct wl_client *client);
/* The VM of client (its tag's owner), or NULL for host and untagged ones. */
struct tinct_desktop_vm *policy_client_vm(const struct wl_client *client);

/* Whether client has every right in permission. */
bool policy_may(const struct wl_client *client, uint32_t permission);

/* Whether client may create one more toplevel (VM window limit). */
bool policy_may_open_window(const struct wl_client *client);

/*
 * Whether dvm (active, with a display) may have one more client connected:
 * asked by its display before every new connection.
 */
bool policy_may_connect(struct tinct_desktop_vm *dvm);

/*
 * Whether view may take the keyboard now (when it maps, or asks with
 * xdg-activation). Consumes its VM's first-window grant.
 */
bool policy_may_take_focus(struct tinct_view *view);
/* The user started dvm: its first window may take the keyboard. */
void policy_grant_first_window(struct tinct_desktop_vm *dvm);
/* The user focused view: a host window cancels every VM's grant. */
void policy_user_focused(struct tinct_server *server, struct tinct_view *view);

/* Whether a cursor surface of client of this size may be shown. */
bool policy_cursor_size_ok(const struct wl_client *client, int width, int height);
/* The scene layer for a drag icon of client. */
enum tinct_layer policy_drag_icon_layer(const struct wl_client *client);
/*
 * Whether the frame of view goes around everything its surfaces cover
 * (subsurfaces included) rather than its xdg geometry: for VMs, so nothing
 * a guest draws lies outside its frame or under the title bar (the 0.15
 * scene does not clip). A host window's CSD shadows stay outside.
 */
bool policy_frame_covers_surfaces(const struct tinct_view *view);
/* Whether popups of view get a frame in its VM's colour. */
bool policy_popup_framed(const struct tinct_view *view);

/* Whether a selection request with serial may replace the selection. */
bool policy_selection_allowed(struct tinct_server *server, uint32_t serial);
/* Whether a drag from origin with serial may start. */
bool policy_drag_allowed(struct tinct_server *server, struct wlr_surface *origin, uint32_t serial);

#endif
