/*
 * Just enough JSON output for tinctctl's listings: string literals that any
 * parser accepts, whatever bytes a VM name, title or path holds.
 */
#ifndef TINCTCTL_JSON_H
#define TINCTCTL_JSON_H

#include <stdio.h>

/*
 * Writes s (NULL writes null) as a JSON string literal, quotes included.
 * '"', '\\' and control characters are escaped; invalid UTF-8 (stray or
 * truncated bytes, overlong forms, surrogates, beyond U+10FFFF) becomes
 * U+FFFD, so the output is always valid UTF-8.
 */
void json_write_string(FILE *out, const char *s);

#endif
