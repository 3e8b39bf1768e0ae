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
 *   session lock               yes    never (global hidden, bind refused)
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
 *                    with its next window after the user asked for the VM
 *                    (policy_grant_first_window(); never for autostart),
 *                    unless the user pressed a key or a button since
 *                    (policy_user_input()) or [focus] grant-timeout (30 s)
 *                    passed. A window that does not get the keyboard opens
 *                    below the focused one and its VM's chip asks for
 *                    attention. Whatever gets the keyboard, the seat's
 *                    real keyboard focus alone decides which frame is drawn
 *                    focused and what the panel's "keys ->" names.
 *   popup grabs      policy_popup_grab_allowed(): xdg_popup.grab only with
 *                    the serial of the latest button or key press that
 *                    client got; otherwise the popup is dismissed. Every
 *                    grab ends before tinct moves the keyboard (click,
 *                    Alt+Tab, panel, bindings, console key).
 *   activation       the same rule as the keyboard.
 *   cursor image     policy_cursor_ok(): a VM's cursor surface is at most
 *                    POLICY_VM_CURSOR_MAX logical pixels square with its
 *                    hotspot inside the image, checked on every commit;
 *                    policy_vm_cursor_placement_ok(): it never covers the
 *                    panel. Otherwise tinct shows its own cursor.
 *   drag icons       policy_drag_icon_layer(): a VM's drag icon stays
 *                    below the panel, a host's goes above everything.
 *   frame            policy_frame_covers_surfaces(): a VM window's frame
 *                    goes around all its surfaces that are shown, whatever
 *                    it declares, and follows a commit of any of them.
 *   surface bound    policy_content_bound(): a VM surface is shown only
 *                    when it lies entirely within the output layout's size
 *                    (at most POLICY_VM_CONTENT_MAX) from its window's main
 *                    surface; offsets, buffer sizes, scales and viewports
 *                    beyond it hide the surface, never the frame.
 *   popups           policy_popup_framed(): a VM's popups get a frame in
 *                    the VM's colour, drawn by tinct over their edges.
 *                    policy_popup_confined(): they are placed in the usable
 *                    area below their window's title bar, and surfaces of
 *                    theirs outside it are not shown: no title bar, no panel.
 *   clipboards       policy_clipboard_domain(): every domain (the host,
 *                    each VM) has its own clipboard and primary selection,
 *                    and a client is only ever offered its own domain's
 *                    (clipboard.c swaps them on every keyboard focus
 *                    change). A client whose tag is gone has no domain.
 *   selections       policy_selection_allowed(): a client sets its
 *                    domain's selection only while it has the keyboard,
 *                    with a serial tinct sent that very client since it got
 *                    the keyboard (its enter, keys, pointer events); no
 *                    wlroots history fallback. Host data-control tools
 *                    (wl-copy) set the host's clipboard, never a VM's.
 *   host tools read  policy_may(TINCT_PERM_DATA_CONTROL): host data-control
 *                    readers (wl-paste) get the host's clipboard, never a
 *                    VM's, whichever window has the keyboard.
 *   between domains  only by the user's clipboard-copy / clipboard-paste
 *                    bindings (Super+C, Super+V): UTF-8 text and PNG, at
 *                    most [clipboard] max-bytes; the primary selection
 *                    never crosses domains.
 *   drag and drop    policy_drag_allowed(): only with a pointer grab
 *                    serial of the surface the drag starts from;
 *                    policy_drag_may_offer(): offered only to clients of
 *                    the drag's own domain (a drop elsewhere is refused).
 *   input inhibitor  while a host locker holds it, no other client gets
 *                    the keyboard or pointer (seat_may_focus_client()).
 *   session lock     while the session is locked (session_lock.h) only
 *                    the live locker's lock surfaces are drawn and get the
 *                    keyboard or pointer (seat_may_focus_client(),
 *                    session_lock_client_may_focus()); every other layer
 *                    is hidden, the VM menu stays shut, bindings are off
 *                    but VT switching, and no popup grab or drag starts
 *                    (policy_popup_grab_allowed(), policy_drag_allowed()).
 *                    A locker that dies leaves the session locked; any
 *                    host client may lock it again and unlock it (a host
 *                    client is trusted: it could run a locker anyway). A
 *                    second locker while one lives is refused (finished).
 */
#ifndef TINCT_COMPOSITOR_POLICY_H
#define TINCT_COMPOSITOR_POLICY_H

#include <stdbool.h>
#include <stdint.h>
#include <wlr/util/box.h>

#include "compositor/server.h"
#include "compositor/vms.h"

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
	TINCT_PERM_SESSION_LOCK = 1 << 26,
};

/* What a definition's [wayland] allow can grant at most. */
#define POLICY_VM_GRANTABLE 0xffffu

/* Largest cursor a VM may show, logical pixels (it is drawn above all). */
#define POLICY_VM_CURSOR_MAX 64

/*
 * Largest content of a VM window, logical pixels each way: its frame and
 * title stay well within what cairo (32767) and pixman draw at any scale.
 */
#define POLICY_VM_CONTENT_MAX 8192
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
/*
 * The user asked for dvm (panel, chip, tinctctl start from a host client):
 * its next window may take the keyboard for [focus] grant-timeout.
 */
void policy_grant_first_window(struct tinct_desktop_vm *dvm);
/* The user pressed a key or a button: every pending grant ends. */
void policy_user_input(struct tinct_server *server);

/*
 * Whether a cursor surface of client of this size and hotspot may be shown
 * (a VM's: small, and the hotspot inside the image).
 */
bool policy_cursor_ok(const struct wl_client *client, int width, int height, int hx, int hy);
/*
 * Whether a VM's cursor image at layout box (x, y, width, height) may be
 * shown: never over the panel of the output under the cursor.
 */
bool policy_vm_cursor_placement_ok(
	struct tinct_server *server, double lx, double ly, int x, int y, int width, int height);
/* The scene layer for a drag icon of client. */
enum tinct_layer policy_drag_icon_layer(const struct wl_client *client);
/*
 * Whether the frame of view goes around everything its surfaces cover
 * (subsurfaces included) rather than its xdg geometry: for VMs, so nothing
 * a guest draws lies outside its frame or under the title bar (the 0.15
 * scene does not clip). A host window's CSD shadows stay outside.
 */
bool policy_frame_covers_surfaces(const struct tinct_view *view);
/*
 * Where the surfaces of view's tree must lie to be shown, in its main
 * surface's coordinates (used when policy_frame_covers_surfaces()).
 */
struct wlr_box policy_content_bound(struct tinct_server *server);
/* Whether popups of view get a frame in its VM's colour. */
bool policy_popup_framed(const struct tinct_view *view);
/*
 * Whether popups of view must stay in the usable area below its title bar
 * (else: on its output).
 */
bool policy_popup_confined(const struct tinct_view *view);

/* Whether client may grab the seat for a popup with serial. */
bool policy_popup_grab_allowed(
	struct tinct_server *server, const struct wl_client *client, uint32_t serial);

/*
 * The clipboard domain of client: true with *dvm NULL for the host, true
 * with its VM for a VM client, false for a client with no tag (no domain:
 * it gets no selection and sets none).
 */
bool policy_clipboard_domain(const struct wl_client *client, struct tinct_desktop_vm **dvm);
/*
 * Whether sender may set its domain's selection with serial: it has the
 * keyboard and serial is one tinct sent it after focus_serial (the display
 * serial just before it got the keyboard).
 */
bool policy_selection_allowed(struct tinct_server *server, const struct wl_client *sender,
	uint32_t serial, uint32_t focus_serial);
/* Whether a drag started by origin may be offered to target's surfaces. */
bool policy_drag_may_offer(const struct wl_client *origin, const struct wl_client *target);
/* Whether a drag from origin with serial may start. */
bool policy_drag_allowed(struct tinct_server *server, struct wlr_surface *origin, uint32_t serial);

#endif
