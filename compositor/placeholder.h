/*
 * Placeholder windows: from the moment the user asks for a VM that will
 * show an application ([guest] run), tinct draws a window of its own in the
 * VM's colour, titled "[vm] starting…", with the latest console line as
 * boot progress. It is a scene node of tinct's, no client's, so it appears
 * in the frame after the request. The VM's first window takes its place
 * (and position); if none comes within the VM's first-window-timeout, or
 * the VM crashes, the placeholder says so and stays until the VM stops or
 * starts again.
 */
#ifndef TINCT_PLACEHOLDER_H
#define TINCT_PLACEHOLDER_H

#include <stdbool.h>

struct tinct_desktop_vm;

/* Shows (or shows again) dvm's placeholder; a no-op for VMs without [guest] run. */
void placeholder_show(struct tinct_desktop_vm *dvm);
/* Removes dvm's placeholder, if any. */
void placeholder_remove(struct tinct_desktop_vm *dvm);
/*
 * dvm's first window maps: when a placeholder is up, its content origin
 * goes to (*x, *y), the placeholder goes away, and true is returned.
 */
bool placeholder_take(struct tinct_desktop_vm *dvm, int *x, int *y);
/* The title dvm's placeholder shows, or NULL when there is none. */
const char *placeholder_title(struct tinct_desktop_vm *dvm);

#endif
