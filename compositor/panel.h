/*
 * The trusted panel: a bar along the top of every output, drawn by tinct
 * itself above every VM surface. It holds the VM menu button, a chip per
 * active VM (click: focus that VM's most recent window; a crashed VM's chip
 * says why in short, "(crashed: status 1)", and opens the menu on its
 * Restart), the focused-VM indicator (whose keys these are: a VM's name in
 * its colour, or "host") and a clock. The menu lists every VM with its
 * colour, name, live state and network ("→ netvm" for an app VM, "net of
 * N" for a network VM that N active VMs use), with Start (Restart after a
 * crash), Stop, Kill and Console (Stop of a network VM in use asks for a
 * second Stop, vms_stop); under a crashed VM the reason in full; under each VM its
 * applications ([guest] run), which start in the running VM (or start the
 * VM). It works with the mouse and entirely from the keyboard (arrows, Tab,
 * Enter, Escape). While it is open it has the keyboard: no key reaches a
 * client.
 */
#ifndef TINCT_PANEL_H
#define TINCT_PANEL_H

#include <stdbool.h>
#include <stdint.h>
#include <xkbcommon/xkbcommon.h>

struct tinct_server;
struct tinct_output;

/* What a notice on the bar is about; an answer may depend on it. */
enum tinct_notice {
	TINCT_NOTICE_NONE,
	TINCT_NOTICE_INFO, // something the user should know
	TINCT_NOTICE_EXIT, // "exit with N VMs running?": waits for an answer
};

enum tinct_menu_mode {
	TINCT_MENU_ALL, // every action
	TINCT_MENU_CONSOLE, // Console preselected: "whose console?"
};

struct tinct_panel *panel_create(struct tinct_server *server);
void panel_destroy(struct tinct_panel *panel);

/* Height the panel takes at the top of every output (its exclusive zone). */
int panel_height(struct tinct_panel *panel);

/* Redraws once the current dispatch is over (coalesces many changes). */
void panel_schedule_update(struct tinct_panel *panel);
/* Drops what the panel drew on an output that is going away. */
void panel_output_destroyed(struct tinct_panel *panel, struct tinct_output *output);

void panel_open_menu(struct tinct_panel *panel, enum tinct_menu_mode mode);
void panel_close_menu(struct tinct_panel *panel);
bool panel_menu_is_open(struct tinct_panel *panel);

/*
 * Shows text in the middle of every output's bar, drawn by tinct on a
 * colour of its own, for timeout_ms (replacing any notice).
 */
void panel_show_notice(
	struct tinct_panel *panel, enum tinct_notice kind, const char *text, int timeout_ms);
void panel_clear_notice(struct tinct_panel *panel);
/* The notice shown now, TINCT_NOTICE_NONE when none. */
enum tinct_notice panel_notice(struct tinct_panel *panel);

/* A key press while the menu is open; true when the panel took it. */
bool panel_handle_key(struct tinct_panel *panel, xkb_keysym_t keysym);
/* A button press at (lx, ly); true when it landed on the panel or menu. */
bool panel_handle_button(struct tinct_panel *panel, double lx, double ly);

#endif
