/*
 * Panel and VM menu drawing and input. Each output's bar is one scene buffer,
 * redrawn (recreated: wlroots 0.15 cannot swap a buffer) at most once per
 * dispatch when something it shows changes, and once a minute for the clock.
 * Clickable parts are recorded as x ranges while drawing.
 */
#include "compositor/panel.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <wlr/types/wlr_scene.h>
#include <wlr/util/log.h>

#include "common/colour.h"
#include "compositor/consoles.h"
#include "compositor/output.h"
#include "compositor/seat.h"
#include "compositor/server.h"
#include "compositor/session_lock.h"
#include "compositor/text.h"
#include "compositor/view.h"
#include "vmm/network.h"
#include "vmm/vm.h"
#include "compositor/vms.h"

#define MAX_REGIONS 64
#define MAX_ROWS 256
#define MENU_WIDTH 600
#define MENU_ROW 28
#define PAD 8

enum region_kind {
	REGION_MENU_BUTTON,
	REGION_CHIP,
};

struct region {
	int x0, x1;
	enum region_kind kind;
	struct tinct_desktop_vm *dvm;
};

static const struct {
	const char *label;
	int x, width; // within the row
} actions[TINCT_VM_ACTION_COUNT] = {
	[TINCT_VM_ACTION_START] = {"Start", 368, 48},
	[TINCT_VM_ACTION_STOP] = {"Stop", 420, 44},
	[TINCT_VM_ACTION_KILL] = {"Kill", 468, 36},
	[TINCT_VM_ACTION_CONSOLE] = {"Console", 508, 80},
};

struct tinct_panel {
	struct tinct_server *server;
	struct tinct_node_desc desc;
	struct wl_event_source *idle; // a redraw is pending
	struct wl_event_source *clock;
	struct region regions[MAX_REGIONS];
	size_t region_count;

	bool menu_open;
	enum tinct_menu_mode mode;
	int selected_row;
	enum tinct_vm_action selected_action;
	struct wlr_scene_buffer *menu;
	int menu_x, menu_y, menu_h;
	float menu_scale; // of the output the menu is on

	enum tinct_notice notice;
	char notice_text[256];
	struct wl_event_source *notice_timer;

	struct wl_listener vm_state;
	struct wl_listener vm_added;
};

static const struct tinct_colour bar_bg = {0.063f, 0.071f, 0.078f, 1.0f};
static const struct tinct_colour menu_bg = {0.13f, 0.14f, 0.16f, 1.0f};
static const struct tinct_colour menu_selected = {0.24f, 0.26f, 0.30f, 1.0f};
/* The "+N" chip of VMs that do not fit: #505868. */
static const struct tinct_colour more_bg = {0x50 / 255.0f, 0x58 / 255.0f, 0x68 / 255.0f, 1.0f};
static const struct tinct_colour text_fg = {0.92f, 0.93f, 0.94f, 1.0f};
static const struct tinct_colour text_dim = {0.45f, 0.47f, 0.50f, 1.0f};
/* Notices: amber, no palette colour, so never taken for a VM's chip. */
static const struct tinct_colour notice_bg = {0xe5 / 255.0f, 0xa5 / 255.0f, 0x0a / 255.0f, 1.0f};

int panel_height(struct tinct_panel *panel)
{
	return panel->server->config->appearance.title_height + 4;
}

/*
 * The menu's rows: each VM, then why it crashed (when it did), then its
 * applications ([guest] run), which start inside it.
 */
enum row_kind {
	ROW_VM,
	ROW_REASON, // not selectable
	ROW_APP,
};

struct menu_row {
	enum row_kind kind;
	struct tinct_desktop_vm *dvm;
	size_t app;
};

static size_t menu_rows(struct tinct_server *server, struct menu_row *rows)
{
	size_t n = 0;
	struct tinct_desktop_vm *dvm;
	wl_list_for_each (dvm, &server->desktop_vms, link) {
		if (n == MAX_ROWS) {
			break;
		}
		rows[n++] = (struct menu_row){ROW_VM, dvm, 0};
		if (vm_reason(dvm->vm) != NULL && n < MAX_ROWS) {
			rows[n++] = (struct menu_row){ROW_REASON, dvm, 0};
		}
		for (size_t i = 0; i < dvm->vm->def->guest_runs_len && n < MAX_ROWS; i++) {
			rows[n++] = (struct menu_row){ROW_APP, dvm, i};
		}
	}
	return n;
}

/* An application row starts its VM when stopped, or the app when running. */
static bool app_row_enabled(const struct menu_row *row)
{
	enum tinct_vm_state state = row->dvm->vm->state;
	return state == TINCT_VM_RUNNING || vms_action_allowed(row->dvm->vm, TINCT_VM_ACTION_START);
}

/* The next selectable row from `row` in direction `step` (wrapping). */
static int step_row(const struct menu_row *rows, int n, int row, int step)
{
	for (int i = 0; i < n; i++) {
		row = (row + step + n) % n;
		if (rows[row].kind != ROW_REASON) {
			return row;
		}
	}
	return 0;
}

/* "(crashed: status 3)": how a chip says why, short. */
static void crash_summary(struct tinct_vm *vm, char *out, size_t size)
{
	int status = -1, signal = 0;
	if (!vm_exit_status(vm, &status, &signal)) {
		snprintf(out, size, " (crashed)");
	} else if (signal != 0) {
		snprintf(out, size, " (crashed: signal %d)", signal);
	} else {
		snprintf(out, size, " (crashed: status %d)", status);
	}
}

static void fill(cairo_t *cairo, struct tinct_colour colour, int x, int y, int w, int h)
{
	cairo_set_colour(cairo, colour);
	cairo_rectangle(cairo, x, y, w, h);
	cairo_fill(cairo);
}

/*
 * A box in a VM's colour on the bar: outlined when the colour would vanish
 * into the bar (black), as frames are on the background.
 */
static void fill_box(cairo_t *cairo, struct tinct_colour colour, int x, int y, int w, int h)
{
	fill(cairo, colour, x, y, w, h);
	if (colour_needs_outline(colour, bar_bg)) {
		cairo_set_colour(cairo, colour_outline(bar_bg, true));
		cairo_set_line_width(cairo, 1);
		cairo_rectangle(cairo, x + 0.5, y + 0.5, w - 1, h - 1);
		cairo_stroke(cairo);
	}
}

/* Bar drawing. */

struct bar_job {
	struct tinct_panel *panel;
	int width, height;
};

static void add_region(struct tinct_panel *panel, int x0, int x1, enum region_kind kind,
	struct tinct_desktop_vm *dvm)
{
	if (panel->region_count < MAX_REGIONS) {
		panel->regions[panel->region_count++] = (struct region){x0, x1, kind, dvm};
	}
}

static void draw_bar(cairo_t *cairo, void *data)
{
	struct bar_job *job = data;
	struct tinct_panel *panel = job->panel;
	struct tinct_server *server = panel->server;
	const char *font = server->config->appearance.font;
	int h = job->height;
	panel->region_count = 0;

	fill(cairo, bar_bg, 0, 0, job->width, h);

	/* The menu button. */
	int x = 0;
	int w = text_width("VMs \xe2\x96\xbe", font) + 2 * PAD;
	fill(cairo, panel->menu_open ? menu_selected : (struct tinct_colour){0.17f, 0.18f, 0.2f, 1},
		x, 0, w, h);
	text_draw(cairo, "VMs \xe2\x96\xbe", font, text_fg, x + PAD, 0, w - PAD, h);
	add_region(panel, x, x + w, REGION_MENU_BUTTON, NULL);
	x += w + PAD;

	/*
	 * A chip per active VM, in its colour; dim while it changes state.
	 * What does not fit is never dropped silently: a "+N" chip (marked
	 * when one of them wants attention) opens the menu.
	 */
	int active = 0, drawn = 0;
	bool hidden_attention = false;
	struct tinct_desktop_vm *dvm;
	wl_list_for_each (dvm, &server->desktop_vms, link) {
		active += dvm->vm->state != TINCT_VM_STOPPED;
	}
	int limit = job->width / 2;
	int more_w = text_width("+99 !", font) + 2 * PAD;
	wl_list_for_each (dvm, &server->desktop_vms, link) {
		enum tinct_vm_state state = dvm->vm->state;
		if (state == TINCT_VM_STOPPED) {
			continue;
		}
		if (drawn < 0) {
			hidden_attention = hidden_attention || dvm->wants_attention;
			continue;
		}
		char label[128];
		char suffix[48] = "";
		if (state == TINCT_VM_CRASHED) {
			crash_summary(dvm->vm, suffix, sizeof(suffix));
		} else if (state != TINCT_VM_RUNNING) {
			snprintf(suffix, sizeof(suffix), " \xe2\x80\xa6");
		}
		/* A window of it opened without the keyboard: "!" until it gets it. */
		snprintf(label, sizeof(label), "%s%s%s", dvm->wants_attention ? "! " : "",
			vm_name(dvm->vm), suffix);
		struct tinct_colour bg = state == TINCT_VM_RUNNING
						 ? dvm->colour
						 : colour_unfocused(dvm->colour, bar_bg);
		int cw = text_width(label, font) + 2 * PAD;
		bool last = drawn + 1 == active;
		if (x + cw > limit - (last ? 0 : more_w + 4)) {
			drawn = -drawn - 1; // stop drawing; remember how many were
			hidden_attention = dvm->wants_attention;
			continue;
		}
		drawn++;
		fill_box(cairo, bg, x, 3, cw, h - 6);
		if (dvm->wants_attention) {
			/* An underline in the contrast colour, visible on every VM colour. */
			fill(cairo, colour_contrast(bg), x, h - 6, cw, 3);
		}
		text_draw(cairo, label, font, colour_contrast(bg), x + PAD, 3, cw - PAD, h - 6);
		add_region(panel, x, x + cw, REGION_CHIP, dvm);
		x += cw + 4;
	}
	if (drawn < 0) {
		char more[16];
		snprintf(more, sizeof(more), "+%d%s", active - (-drawn - 1),
			hidden_attention ? " !" : "");
		int mw = text_width(more, font) + 2 * PAD;
		fill(cairo, more_bg, x, 3, mw, h - 6);
		text_draw(cairo, more, font, text_fg, x + PAD, 3, mw - PAD, h - 6);
		add_region(panel, x, x + mw, REGION_MENU_BUTTON, NULL);
		x += mw + 4;
	}

	/* Right: whose keys these are, then the clock. */
	char clock[16];
	time_t now = time(NULL);
	struct tm tm;
	localtime_r(&now, &tm);
	strftime(clock, sizeof(clock), "%H:%M", &tm);
	int clock_w = text_width(clock, font);
	int right = job->width - PAD - clock_w;
	text_draw(cairo, clock, font, text_fg, right, 0, clock_w + PAD, h);

	struct tinct_view *focused = view_focused(server);
	struct tinct_desktop_vm *owner = NULL;
	if (focused != NULL) {
		owner = focused->vm != NULL ? focused->vm : focused->console_vm;
	}
	char who[96];
	struct tinct_colour who_bg;
	if (owner != NULL) {
		snprintf(who, sizeof(who), "keys \xe2\x86\x92 %s%s", vm_name(owner->vm),
			focused->console_vm != NULL ? " console" : "");
		who_bg = owner->colour;
	} else {
		snprintf(who, sizeof(who), "keys \xe2\x86\x92 host");
		who_bg = server->config->appearance.host_colour;
	}
	int who_w = text_width(who, font) + 2 * PAD;
	int who_x = right - PAD - who_w;
	fill_box(cairo, who_bg, who_x, 3, who_w, h - 6);
	text_draw(cairo, who, font, colour_contrast(who_bg), who_x + PAD, 3, who_w - PAD, h - 6);

	/* A notice goes in the middle, over whatever is there. */
	if (panel->notice != TINCT_NOTICE_NONE) {
		int nw = text_width(panel->notice_text, font) + 2 * PAD;
		if (nw > job->width - 2 * PAD) {
			nw = job->width - 2 * PAD;
		}
		int nx = (job->width - nw) / 2;
		fill(cairo, notice_bg, nx, 1, nw, h - 2);
		text_draw(cairo, panel->notice_text, font, colour_contrast(notice_bg), nx + PAD, 1,
			nw - PAD, h - 2);
	}
}

/* Menu drawing. */

static void draw_menu(cairo_t *cairo, void *data)
{
	struct tinct_panel *panel = data;
	struct tinct_server *server = panel->server;
	const char *font = server->config->appearance.font;
	fill(cairo, menu_bg, 0, 0, MENU_WIDTH, panel->menu_h);
	cairo_set_colour(cairo, text_dim);
	cairo_rectangle(cairo, 0.5, 0.5, MENU_WIDTH - 1, panel->menu_h - 1);
	cairo_set_line_width(cairo, 1);
	cairo_stroke(cairo);

	const char *header = panel->mode == TINCT_MENU_CONSOLE ? "Open the console of\xe2\x80\xa6"
							       : "Virtual machines";
	text_draw(cairo, header, font, text_dim, PAD, 0, MENU_WIDTH - 2 * PAD, MENU_ROW);

	struct menu_row rows[MAX_ROWS];
	int n = (int)menu_rows(server, rows);
	int row = 0;
	for (; row < n; row++) {
		struct tinct_desktop_vm *dvm = rows[row].dvm;
		int y = MENU_ROW * (row + 1);
		bool selected = row == panel->selected_row;
		if (selected) {
			fill(cairo, menu_selected, 1, y, MENU_WIDTH - 2, MENU_ROW);
		}
		if (rows[row].kind == ROW_REASON) {
			/* Why it crashed, in full, under its row. */
			char reason[256];
			snprintf(reason, sizeof(reason), "crashed: %s", vm_reason(dvm->vm));
			text_draw(cairo, reason, font, text_fg, PAD + 22, y,
				MENU_WIDTH - 2 * PAD - 22, MENU_ROW);
			continue;
		}
		if (rows[row].kind == ROW_APP) {
			char label[160];
			snprintf(label, sizeof(label), "\xe2\x96\xb8 %s",
				vm_def_app_name(dvm->vm->def, rows[row].app));
			bool enabled = app_row_enabled(&rows[row]);
			text_draw(cairo, label, font, enabled ? text_fg : text_dim, PAD + 22, y,
				actions[0].x - PAD - 22, MENU_ROW);
			const char *run = dvm->vm->state == TINCT_VM_RUNNING ? "Run" : "Start VM";
			int rx = actions[TINCT_VM_ACTION_START].x;
			int rw = actions[TINCT_VM_ACTION_STOP].x +
				 actions[TINCT_VM_ACTION_STOP].width - rx;
			if (selected && enabled) {
				fill(cairo, dvm->colour, rx, y + 4, rw, MENU_ROW - 8);
			}
			text_draw(cairo, run, font,
				!enabled   ? text_dim
				: selected ? colour_contrast(dvm->colour)
					   : text_fg,
				rx + 5, y, rw - 5, MENU_ROW);
			continue;
		}
		fill(cairo, dvm->colour, PAD, y + 7, 14, MENU_ROW - 14);
		text_draw(cairo, vm_name(dvm->vm), font, text_fg, PAD + 22, y, 140, MENU_ROW);
		text_draw(
			cairo, vm_state_name(dvm->vm->state), font, text_dim, 176, y, 88, MENU_ROW);
		/* Its network: "→ netvm" for an app VM, "net of N" for a network VM in use. */
		char net[64] = "";
		struct tinct_vm *netvm = network_vm_of(dvm->vm);
		size_t users = dvm->vm->def->netvm ? network_users(dvm->vm, NULL, 0) : 0;
		if (netvm != NULL) {
			snprintf(net, sizeof(net), "\xe2\x86\x92 %s", vm_name(netvm));
		} else if (users > 0) {
			snprintf(net, sizeof(net), "net of %zu", users);
		}
		text_draw(cairo, net, font, text_dim, 268, y, 96, MENU_ROW);
		for (int a = 0; a < TINCT_VM_ACTION_COUNT; a++) {
			bool enabled = vms_action_allowed(dvm->vm, (enum tinct_vm_action)a);
			if (selected && a == (int)panel->selected_action) {
				if (enabled) {
					fill(cairo, dvm->colour, actions[a].x, y + 4,
						actions[a].width, MENU_ROW - 8);
				} else {
					cairo_set_colour(cairo, text_dim);
					cairo_rectangle(cairo, actions[a].x + 0.5, y + 4.5,
						actions[a].width - 1, MENU_ROW - 9);
					cairo_stroke(cairo);
				}
			}
			struct tinct_colour fg = !enabled ? text_dim
						 : selected && a == (int)panel->selected_action
							 ? colour_contrast(dvm->colour)
							 : text_fg;
			/* A crashed VM is restarted, in one action. */
			const char *label =
				a == TINCT_VM_ACTION_START && dvm->vm->state == TINCT_VM_CRASHED
					? "Restart"
					: actions[a].label;
			text_draw(cairo, label, font, fg, actions[a].x + 5, y, actions[a].width - 5,
				MENU_ROW);
		}
	}
	if (row == 0) {
		text_draw(cairo, "No VMs defined (see tinct(5))", font, text_dim, PAD, MENU_ROW,
			MENU_WIDTH - 2 * PAD, MENU_ROW);
		row = 1;
	}
	text_draw(cairo,
		"\xe2\x86\x91\xe2\x86\x93 VM   \xe2\x86\x90\xe2\x86\x92 action   Enter   Esc", font,
		text_dim, PAD, MENU_ROW * (row + 1), MENU_WIDTH - 2 * PAD, MENU_ROW);
}

static void redraw_menu(struct tinct_panel *panel)
{
	if (panel->menu != NULL) {
		wlr_scene_node_destroy(&panel->menu->node);
		panel->menu = NULL;
	}
	if (!panel->menu_open) {
		return;
	}
	struct menu_row rows[MAX_ROWS];
	size_t n = menu_rows(panel->server, rows);
	panel->menu_h = MENU_ROW * (int)((n > 0 ? n : 1) + 2);
	struct wlr_buffer *buffer =
		cairo_buffer_create(MENU_WIDTH, panel->menu_h, panel->menu_scale, draw_menu, panel);
	if (buffer == NULL) {
		return;
	}
	panel->menu = wlr_scene_buffer_create(panel->server->layers[TINCT_LAYER_MENU], buffer);
	wlr_buffer_drop(buffer);
	if (panel->menu != NULL) {
		panel->menu->node.data = &panel->desc;
		wlr_scene_buffer_set_dest_size(panel->menu, MENU_WIDTH, panel->menu_h);
		wlr_scene_node_set_position(&panel->menu->node, panel->menu_x, panel->menu_y);
	}
}

static void redraw(struct tinct_panel *panel)
{
	struct tinct_server *server = panel->server;
	struct tinct_output *output;
	wl_list_for_each (output, &server->outputs, link) {
		if (output->panel_bar != NULL) {
			wlr_scene_node_destroy(&output->panel_bar->node);
			output->panel_bar = NULL;
		}
		struct wlr_box box = output_layout_box(output);
		struct bar_job job = {panel, box.width, panel_height(panel)};
		struct wlr_buffer *buffer = cairo_buffer_create(
			job.width, job.height, output->wlr_output->scale, draw_bar, &job);
		if (buffer == NULL) {
			continue;
		}
		output->panel_bar =
			wlr_scene_buffer_create(server->layers[TINCT_LAYER_PANEL], buffer);
		wlr_buffer_drop(buffer);
		if (output->panel_bar != NULL) {
			output->panel_bar->node.data = &panel->desc;
			wlr_scene_buffer_set_dest_size(output->panel_bar, job.width, job.height);
			wlr_scene_node_set_position(&output->panel_bar->node, box.x, box.y);
		}
	}
	redraw_menu(panel);
}

static void handle_idle(void *data)
{
	struct tinct_panel *panel = data;
	panel->idle = NULL;
	redraw(panel);
}

void panel_schedule_update(struct tinct_panel *panel)
{
	if (panel == NULL || panel->idle != NULL) {
		return;
	}
	panel->idle = wl_event_loop_add_idle(panel->server->loop, handle_idle, panel);
}

/* Fires at the start of every minute: the clock is the panel's only timer. */
static int handle_clock(void *data)
{
	struct tinct_panel *panel = data;
	time_t now = time(NULL);
	wl_event_source_timer_update(panel->clock, (int)(60 - now % 60) * 1000 + 50);
	panel_schedule_update(panel);
	return 0;
}

void panel_output_destroyed(struct tinct_panel *panel, struct tinct_output *output)
{
	/* Works without a panel too: at exit the panel goes before the outputs. */
	if (output->panel_bar != NULL) {
		wlr_scene_node_destroy(&output->panel_bar->node);
		output->panel_bar = NULL;
	}
}

/* Notices. */

static int handle_notice_timeout(void *data)
{
	panel_clear_notice(data);
	return 0;
}

void panel_show_notice(
	struct tinct_panel *panel, enum tinct_notice kind, const char *text, int timeout_ms)
{
	if (panel == NULL) {
		return;
	}
	panel->notice = kind;
	snprintf(panel->notice_text, sizeof(panel->notice_text), "%s", text);
	wl_event_source_timer_update(panel->notice_timer, timeout_ms > 0 ? timeout_ms : 1);
	wlr_log(WLR_INFO, "panel: %s", text);
	panel_schedule_update(panel);
}

void panel_clear_notice(struct tinct_panel *panel)
{
	if (panel == NULL || panel->notice == TINCT_NOTICE_NONE) {
		return;
	}
	panel->notice = TINCT_NOTICE_NONE;
	wl_event_source_timer_update(panel->notice_timer, 0);
	panel_schedule_update(panel);
}

enum tinct_notice panel_notice(struct tinct_panel *panel)
{
	return panel != NULL ? panel->notice : TINCT_NOTICE_NONE;
}

/* The menu. */

bool panel_menu_is_open(struct tinct_panel *panel)
{
	return panel != NULL && panel->menu_open;
}

/* Opens the menu; on `target`'s row when given, else on the first VM the action fits. */
static void open_menu_on(
	struct tinct_panel *panel, enum tinct_menu_mode mode, struct tinct_desktop_vm *target)
{
	struct tinct_server *server = panel->server;
	if (session_lock_is_locked(server->session_lock)) {
		return; // nothing but the lock surface while locked
	}
	struct tinct_output *output = NULL;
	struct tinct_view *focused = view_focused(server);
	if (focused != NULL) {
		struct wlr_box box = view_frame_box(focused);
		output = output_at(server, box.x + box.width / 2.0, box.y + box.height / 2.0);
	}
	if (output == NULL) {
		output = output_at(server, 0, 0);
	}
	if (output == NULL) {
		return;
	}
	struct wlr_box box = output_layout_box(output);
	panel->menu_x = box.x;
	panel->menu_scale = output->wlr_output->scale;
	panel->menu_y = box.y + panel_height(panel);
	/* The menu takes the keys: no client grab may keep them meanwhile. */
	seat_end_grabs(server->seat);
	panel->menu_open = true;
	panel->mode = mode;
	panel->selected_action =
		mode == TINCT_MENU_CONSOLE ? TINCT_VM_ACTION_CONSOLE : TINCT_VM_ACTION_START;
	struct menu_row rows[MAX_ROWS];
	int n = (int)menu_rows(server, rows);
	if (panel->selected_row >= n) {
		panel->selected_row = 0;
	}
	/* Start on the first VM the chosen action applies to. */
	for (int row = 0; row < n; row++) {
		if (rows[row].kind == ROW_VM &&
			(target != NULL ? rows[row].dvm == target
					: vms_action_allowed(
						  rows[row].dvm->vm, panel->selected_action))) {
			panel->selected_row = row;
			break;
		}
	}
	wlr_log(WLR_DEBUG, "panel: menu open (%s)", mode == TINCT_MENU_CONSOLE ? "console" : "all");
	panel_schedule_update(panel);
}

void panel_open_menu(struct tinct_panel *panel, enum tinct_menu_mode mode)
{
	open_menu_on(panel, mode, NULL);
}

void panel_close_menu(struct tinct_panel *panel)
{
	if (!panel->menu_open) {
		return;
	}
	panel->menu_open = false;
	wlr_log(WLR_DEBUG, "panel: menu closed");
	panel_schedule_update(panel);
}

static void run_action(
	struct tinct_panel *panel, struct tinct_desktop_vm *dvm, enum tinct_vm_action action)
{
	if (dvm == NULL || !vms_action_allowed(dvm->vm, action)) {
		return;
	}
	struct tinct_server *server = panel->server;
	panel_close_menu(panel);
	wlr_log(WLR_INFO, "panel: %s %s", actions[action].label, vm_name(dvm->vm));
	switch (action) {
	case TINCT_VM_ACTION_START:
		vms_start(server, dvm->vm, true);
		break;
	case TINCT_VM_ACTION_STOP:
		vms_stop(server, dvm->vm, NULL, 0);
		break;
	case TINCT_VM_ACTION_KILL:
		vm_kill(dvm->vm);
		break;
	case TINCT_VM_ACTION_CONSOLE:
		consoles_open(server, dvm);
		break;
	default:
		break;
	}
}

/* An application row: runs it in its running VM, or starts the VM (which runs it). */
static void run_app_row(struct tinct_panel *panel, const struct menu_row *row)
{
	if (!app_row_enabled(row)) {
		return;
	}
	struct tinct_server *server = panel->server;
	struct tinct_vm *vm = row->dvm->vm;
	panel_close_menu(panel);
	wlr_log(WLR_INFO, "panel: Run %s in %s", vm_def_app_name(vm->def, row->app), vm_name(vm));
	if (vm->state != TINCT_VM_RUNNING) {
		vms_start(server, vm, true);
		return;
	}
	char message[256];
	if (!vms_run_app(server, vm, row->app, true, message, sizeof(message))) {
		panel_show_notice(panel, TINCT_NOTICE_INFO, message, 6000);
	}
}

static void activate_row(struct tinct_panel *panel, const struct menu_row *row)
{
	if (row->kind == ROW_APP) {
		run_app_row(panel, row);
	} else if (row->kind == ROW_VM) {
		run_action(panel, row->dvm, panel->selected_action);
	}
}

bool panel_handle_key(struct tinct_panel *panel, xkb_keysym_t keysym)
{
	if (!panel->menu_open) {
		return false;
	}
	struct menu_row rows[MAX_ROWS];
	int n = (int)menu_rows(panel->server, rows);
	switch (keysym) {
	case XKB_KEY_Escape:
		panel_close_menu(panel);
		break;
	case XKB_KEY_Up:
	case XKB_KEY_KP_Up:
		if (n > 0) {
			panel->selected_row = step_row(rows, n, panel->selected_row, -1);
		}
		break;
	case XKB_KEY_Down:
	case XKB_KEY_KP_Down:
		if (n > 0) {
			panel->selected_row = step_row(rows, n, panel->selected_row, 1);
		}
		break;
	case XKB_KEY_Left:
	case XKB_KEY_ISO_Left_Tab:
		panel->selected_action = (panel->selected_action + TINCT_VM_ACTION_COUNT - 1) %
					 TINCT_VM_ACTION_COUNT;
		break;
	case XKB_KEY_Right:
	case XKB_KEY_Tab:
		panel->selected_action = (panel->selected_action + 1) % TINCT_VM_ACTION_COUNT;
		break;
	case XKB_KEY_Return:
	case XKB_KEY_KP_Enter:
	case XKB_KEY_space:
		if (panel->selected_row >= 0 && panel->selected_row < n) {
			activate_row(panel, &rows[panel->selected_row]);
		}
		break;
	default:
		break;
	}
	panel_schedule_update(panel);
	/* Every key belongs to the menu while it is open. */
	return true;
}

static void focus_vm(struct tinct_server *server, struct tinct_desktop_vm *dvm)
{
	struct tinct_view *view;
	wl_list_for_each (view, &server->views, link) {
		if (view->mapped && view->vm == dvm) {
			view_focus(view);
			return;
		}
	}
}

bool panel_handle_button(struct tinct_panel *panel, double lx, double ly)
{
	struct tinct_server *server = panel->server;
	if (panel->menu_open) {
		int mx = (int)lx - panel->menu_x, my = (int)ly - panel->menu_y;
		if (mx >= 0 && mx < MENU_WIDTH && my >= 0 && my < panel->menu_h) {
			struct menu_row rows[MAX_ROWS];
			int n = (int)menu_rows(server, rows);
			int row = my / MENU_ROW - 1;
			if (row >= 0 && row < n && rows[row].kind == ROW_APP) {
				panel->selected_row = row;
				int rx = actions[TINCT_VM_ACTION_START].x;
				if (mx >= rx &&
					mx < actions[TINCT_VM_ACTION_STOP].x +
							actions[TINCT_VM_ACTION_STOP].width) {
					run_app_row(panel, &rows[row]);
					return true;
				}
				panel_schedule_update(panel);
			} else if (row >= 0 && row < n && rows[row].kind == ROW_VM) {
				struct tinct_desktop_vm *dvm = rows[row].dvm;
				panel->selected_row = row;
				for (int a = 0; a < TINCT_VM_ACTION_COUNT; a++) {
					if (mx >= actions[a].x &&
						mx < actions[a].x + actions[a].width) {
						run_action(panel, dvm, (enum tinct_vm_action)a);
						return true;
					}
				}
				panel_schedule_update(panel);
			}
			return true;
		}
	}
	struct tinct_output *output = output_at(server, lx, ly);
	if (output == NULL) {
		return false;
	}
	struct wlr_box box = output_layout_box(output);
	if (ly < box.y || ly >= box.y + panel_height(panel)) {
		if (panel->menu_open) {
			/* A click elsewhere closes the menu and goes nowhere else. */
			panel_close_menu(panel);
			return true;
		}
		return false;
	}
	int x = (int)(lx - box.x);
	for (size_t i = 0; i < panel->region_count; i++) {
		struct region *region = &panel->regions[i];
		if (x < region->x0 || x >= region->x1) {
			continue;
		}
		if (region->kind == REGION_MENU_BUTTON) {
			if (panel->menu_open) {
				panel_close_menu(panel);
			} else {
				panel_open_menu(panel, TINCT_MENU_ALL);
			}
		} else if (region->dvm->vm->state == TINCT_VM_CRASHED) {
			/* Restart is one action away: the menu opens on it. */
			open_menu_on(panel, TINCT_MENU_ALL, region->dvm);
		} else {
			panel_close_menu(panel);
			focus_vm(server, region->dvm);
		}
		return true;
	}
	return true;
}

static void handle_vm_change(struct wl_listener *listener, void *data)
{
	struct tinct_panel *panel = wl_container_of(listener, panel, vm_state);
	panel_schedule_update(panel);
}

static void handle_vm_added(struct wl_listener *listener, void *data)
{
	struct tinct_panel *panel = wl_container_of(listener, panel, vm_added);
	panel_schedule_update(panel);
}

struct tinct_panel *panel_create(struct tinct_server *server)
{
	struct tinct_panel *panel = calloc(1, sizeof(*panel));
	if (panel == NULL) {
		return NULL;
	}
	panel->server = server;
	panel->desc = (struct tinct_node_desc){.type = TINCT_NODE_PANEL, .owner = panel};
	panel->clock = wl_event_loop_add_timer(server->loop, handle_clock, panel);
	panel->notice_timer = wl_event_loop_add_timer(server->loop, handle_notice_timeout, panel);
	if (panel->clock == NULL || panel->notice_timer == NULL) {
		if (panel->clock != NULL) {
			wl_event_source_remove(panel->clock);
		}
		if (panel->notice_timer != NULL) {
			wl_event_source_remove(panel->notice_timer);
		}
		free(panel);
		return NULL;
	}
	handle_clock(panel);
	panel->vm_state.notify = handle_vm_change;
	wl_signal_add(&server->vms->events.state_changed, &panel->vm_state);
	panel->vm_added.notify = handle_vm_added;
	wl_signal_add(&server->vms->events.vm_added, &panel->vm_added);
	return panel;
}

void panel_destroy(struct tinct_panel *panel)
{
	if (panel == NULL) {
		return;
	}
	wl_list_remove(&panel->vm_state.link);
	wl_list_remove(&panel->vm_added.link);
	if (panel->idle != NULL) {
		wl_event_source_remove(panel->idle);
	}
	wl_event_source_remove(panel->clock);
	wl_event_source_remove(panel->notice_timer);
	if (panel->menu != NULL) {
		wlr_scene_node_destroy(&panel->menu->node);
	}
	free(panel);
}
