/*
 * A network VM's port (network.h): a Unix datagram socket pair that tinct
 * makes and holds, end 0 for the network VM's VMM, end 1 for the VMM of
 * the app VM on the port. The VMMs share the ends' open files with tinct,
 * so what one VMM does to its end (bind it, connect it elsewhere, shut it
 * down, lock a filter on it, shrink its buffers) would stay for the next
 * VMM that gets it. port_end_check() finds out, from tinct's side and the
 * kernel's (sock_diag), before an end is handed on; an end that fails is
 * not handed on again, and the pair is made anew once no VMM holds either
 * end.
 */
#ifndef TINCT_VMM_PORT_H
#define TINCT_VMM_PORT_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct tinct_net_port {
	int ends[2]; // -1 when not made
	ino_t ino[2]; // the ends' inodes, to know the peer by
	int sndbuf[2], rcvbuf[2]; // the ends' buffer sizes as made
	bool retired; // an end failed port_end_check(): not handed on
};

/** A port with no pair yet. */
void port_init(struct tinct_net_port *port);
/** Makes a new pair (closing any old one); false (logged) on failure. */
bool port_make(struct tinct_net_port *port);
/** Closes the pair; the port is as after port_init(). */
void port_close(struct tinct_net_port *port);
/**
 * Whether end `side` (0 or 1) is as port_make() left it: unbound,
 * connected to the other end, not shut down either way, with no socket
 * filter or lock and its buffer sizes. Then drops the frames queued in
 * it, for the next VMM. Otherwise `why` says what is wrong (also when the
 * kernel cannot tell: unsure is wrong).
 */
bool port_end_check(struct tinct_net_port *port, int side, char *why, size_t size);
/** Drops the frames queued in end `side` (those of a VMM that is gone). */
void port_drain(struct tinct_net_port *port, int side);

#endif
