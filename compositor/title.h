/*
 * Window titles come from clients and, for VM windows, from untrusted
 * guests. Before tinct draws or reports one it is sanitised: invalid UTF-8,
 * control characters, bidirectional overrides and invisible format
 * characters are removed, runs of whitespace become one space, and the
 * length is capped (with an ellipsis).
 */
#ifndef TINCT_TITLE_H
#define TINCT_TITLE_H

#include <stddef.h>

#define TINCT_TITLE_MAX_CHARS 256

/*
 * Returns a newly allocated, sanitised copy of untrusted_title (NULL counts
 * as empty), at most max_chars code points long. NULL on ENOMEM.
 */
char *title_sanitize(const char *untrusted_title, size_t max_chars);

#endif
