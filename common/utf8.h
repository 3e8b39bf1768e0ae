/*
 * Strict UTF-8 decoding, shared by the compositor (title sanitising) and
 * tinctctl (JSON output): both take bytes from untrusted clients and must
 * agree on what counts as valid text.
 */
#ifndef TINCT_UTF8_H
#define TINCT_UTF8_H

#include <stddef.h>
#include <stdint.h>

/*
 * Decodes the code point at s into *out and returns its length in bytes,
 * or 0 for an invalid sequence: a stray continuation byte, a sequence cut
 * short (also by the terminating NUL), an overlong form, a UTF-16
 * surrogate or a value beyond U+10FFFF. s must be NUL-terminated.
 */
size_t utf8_decode(const unsigned char *s, uint32_t *out);

#endif
