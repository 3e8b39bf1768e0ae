/*
 * The cursor: pointer devices, hit testing through the scene's node
 * descriptors, motion, buttons (click to focus, Super + drag, frame
 * grabs), axis, cursor images (a VM's is checked by the policy on every
 * commit), pointer constraints and relative pointer.
 */
#ifndef TINCT_COMPOSITOR_CURSOR_H
#define TINCT_COMPOSITOR_CURSOR_H

#include <stdbool.h>
#include <stdint.h>

struct tinct_seat;
struct wlr_input_device;

/* Creates the cursor, the xcursor theme and the pointer protocol globals. */
bool cursor_init(struct tinct_seat *seat);
void cursor_finish(struct tinct_seat *seat);

void cursor_add_device(struct tinct_seat *seat, struct wlr_input_device *device);
/* Shows tinct's xcursor called name instead of any client's. */
void cursor_set_image(struct tinct_seat *seat, const char *name);
/* Keyboard focus changed: pointer constraints follow it. */
void cursor_update_constraint(struct tinct_seat *seat);
/* Hit-tests again under the cursor and sends the pointer on. */
void cursor_process_motion(struct tinct_seat *seat, uint32_t time_msec);

#endif
