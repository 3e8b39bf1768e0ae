#!/bin/sh
# Every protocol of the foundation is advertised to host clients.
. "$(dirname "$0")/lib.sh"
need wayland-info

start_tinct
wayland-info >"$TEST_DIR/info" 2>&1 || fail "wayland-info failed"
for iface in wl_compositor wl_subcompositor wl_shm wl_seat wl_output wl_data_device_manager \
	xdg_wm_base wp_viewporter wp_presentation zxdg_output_manager_v1 \
	zwp_primary_selection_device_manager_v1 org_kde_kwin_idle zwp_idle_inhibit_manager_v1 \
	xdg_activation_v1 zwp_pointer_constraints_v1 zwp_relative_pointer_manager_v1 \
	zwp_keyboard_shortcuts_inhibit_manager_v1 zxdg_decoration_manager_v1 \
	org_kde_kwin_server_decoration_manager zwlr_layer_shell_v1 zwlr_screencopy_manager_v1 \
	zwlr_export_dmabuf_manager_v1 zwp_virtual_keyboard_manager_v1 \
	zwlr_virtual_pointer_manager_v1 zwlr_foreign_toplevel_manager_v1 \
	zwlr_output_manager_v1 zwlr_output_power_manager_v1 zwlr_gamma_control_manager_v1 \
	zwlr_input_inhibit_manager_v1 zwlr_data_control_manager_v1 ext_session_lock_manager_v1; do
	grep -q "interface: '$iface'" "$TEST_DIR/info" || fail "$iface is not advertised"
done
grep -Eq "interface: 'zwlr_layer_shell_v1', +version: +4," "$TEST_DIR/info" ||
	fail "layer shell is not version 4"
stop_tinct
