/*
 * Files and sockets in a directory someone else can write to: a VM's
 * runtime directory belongs to the VM's uid while it runs, and its VMM
 * (bound there in its sandbox) can put anything in it. tinct, root
 * perhaps, must never be sent elsewhere by what it finds there: no
 * symbolic link is followed, no FIFO blocks, no hard link to another file
 * is written through.
 */
#ifndef TINCT_COMMON_UNTRUSTED_DIR_H
#define TINCT_COMMON_UNTRUSTED_DIR_H

/**
 * Connects the AF_UNIX socket `fd` to the socket at `path` without
 * following a symbolic link in its last component (O_PATH | O_NOFOLLOW,
 * then /proc/self/fd). Returns 0, or -1 with errno set: ELOOP for a link,
 * ENOTSOCK for anything else that is not a socket, and connect()'s own
 * errors (ENOENT, ECONNREFUSED, EINPROGRESS...).
 */
int untrusted_connect(int fd, const char *path);

/**
 * Opens `path` to write (O_CLOEXEC; `append`: at its end, else emptied),
 * creating it 0600 when missing. Only a regular file with one link is
 * written: else -1 with errno ELOOP (a symbolic link), EINVAL (anything
 * else that is not a regular file), EMLINK (more links).
 */
int untrusted_open_write(const char *path, int append);

/** Opens `path` to read, under the same rules; -1 with errno on failure. */
int untrusted_open_read(const char *path);

#endif
