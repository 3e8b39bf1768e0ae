/*
 * Connecting to a Unix socket in a directory someone else can write to (a
 * VM's runtime directory belongs to the VM's uid while it runs): the last
 * component must be the socket itself, not a symbolic link the other party
 * put there to send tinct to another VM's socket.
 */
#ifndef TINCT_COMMON_UNIX_H
#define TINCT_COMMON_UNIX_H

/**
 * Connects the AF_UNIX socket `fd` to the socket at `path` without
 * following a symbolic link in its last component (O_PATH | O_NOFOLLOW,
 * then /proc/self/fd). Returns 0, or -1 with errno set: ELOOP for a link,
 * ENOTSOCK for anything else that is not a socket, and connect()'s own
 * errors (ENOENT, ECONNREFUSED, EINPROGRESS...).
 */
int unix_connect(int fd, const char *path);

#endif
