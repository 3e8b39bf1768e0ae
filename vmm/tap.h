/*
 * TAP networking (mktuntap from the seeds): a non-persistent TAP device
 * whose only reference is the descriptor handed to the VMM, so the kernel
 * removes the device when the VMM exits, whatever happens to tinct.
 */
#ifndef TINCT_VMM_TAP_H
#define TINCT_VMM_TAP_H

#include <net/if.h>

/**
 * Creates a TAP device named after `template` (e.g. "tinct%d", the kernel
 * picks the number) with IFF_NO_PI and IFF_VNET_HDR, as virtio-net
 * backends expect. Writes the device's name to `name`. Returns the
 * close-on-exec descriptor, or -1 (logged).
 */
int tap_create(const char *template, char name[IFNAMSIZ]);

#endif
