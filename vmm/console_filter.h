/*
 * The console filter: what a guest writes to its serial console is shown in
 * the user's terminal, and a terminal is not a dumb display. Escape
 * sequences can set the host clipboard (OSC 52), read it back, retitle the
 * window, or make the terminal answer (DA1, DSR, XTGETTCAP, ...) with
 * replies that are then typed into the guest. So console output reaches a
 * terminal only through this filter, which passes text and a few harmless
 * sequences and drops everything else.
 *
 * What passes, unchanged:
 *   - printable ASCII (0x20..0x7e);
 *   - well-formed UTF-8 of U+00A0 and above (no overlong forms, no
 *     surrogates, nothing above U+10FFFF); the C1 controls U+0080..U+009F
 *     are dropped, so an 8-bit CSI or OSC never passes in either encoding;
 *   - CR, LF, TAB and BS;
 *   - CSI sequences (ESC [) without private marker (< = > ?) or intermediate
 *     bytes, whose parameters are only digits, ';' and ':', at most
 *     CONSOLE_FILTER_SEQ_MAX bytes long, with one of these final bytes:
 *       m          SGR (colours and attributes)
 *       A B C D    cursor up, down, forward, back
 *       E F G      cursor next line, previous line, to column
 *       H f        cursor position
 *       d          cursor to row
 *       K          erase in line
 *       J          erase in display, parameter 0, 1 or 2 only (not 3: the
 *                  guest does not get to wipe the scrollback);
 *   - ESC 7 and ESC 8 (save and restore the cursor).
 *
 * What is dropped, whole:
 *   - every other C0 control (BEL, SO/SI, ...), DEL and bytes that are not
 *     well-formed UTF-8 (each becomes one '?');
 *   - OSC (ESC ]), DCS (ESC P), APC (ESC _), PM (ESC ^) and SOS (ESC X) with
 *     their contents, up to ST (ESC \) or, for any of them, BEL, CAN or SUB;
 *   - every other CSI: queries (DA1/DA2 c, DSR/CPR n, window ops t,
 *     DECRQM $p, XTVERSION > q ...), modes (h, l: mouse reporting, bracketed
 *     paste, the alternate screen), scroll regions, and anything longer
 *     than CONSOLE_FILTER_SEQ_MAX;
 *   - every other escape sequence (ESC c reset, charset designations, ...).
 * A sequence interrupted by a control it cannot contain (a C0 in a CSI, say)
 * is dropped and the byte is read again as the start of what follows.
 *
 * Output is a concatenation of complete passed items: nothing is written
 * until a UTF-8 character or a CSI is complete, so the terminal is always
 * between sequences when a write ends and the output can never open a
 * string or a sequence the filter did not check.
 *
 * The other direction: a terminal only sends what it was asked for, and
 * every question (DA, DSR, DECRQSS, XTGETTCAP, OSC colour queries, mouse
 * and focus reporting modes) is dropped here, so the guest receives only
 * what the user types or pastes.
 *
 * State is a fixed-size struct: no allocation, bounded memory whatever the
 * input.
 */
#ifndef TINCT_VMM_CONSOLE_FILTER_H
#define TINCT_VMM_CONSOLE_FILTER_H

#include <stddef.h>
#include <stdint.h>

// Longest CSI passed, ESC [ and the final byte included.
#define CONSOLE_FILTER_SEQ_MAX 64

/*
 * console_filter_feed() writes at most this many bytes for len bytes in: a
 * held sequence completes, and every other input byte gives at most one.
 */
#define CONSOLE_FILTER_OUT_MAX(len) ((len) + CONSOLE_FILTER_SEQ_MAX)

struct tinct_console_filter {
	uint8_t state; // enum in console_filter.c
	uint8_t utf8_need; // continuation bytes still expected
	uint8_t utf8_lo, utf8_hi; // range of the next continuation byte
	size_t held_len; // bytes of the current item in held
	char held[CONSOLE_FILTER_SEQ_MAX];
};

void console_filter_init(struct tinct_console_filter *filter);

/*
 * Filters len bytes of console output into out, which has room for
 * CONSOLE_FILTER_OUT_MAX(len) bytes, and returns how many were written.
 * An item split across calls is held until it completes.
 */
size_t console_filter_feed(
	struct tinct_console_filter *filter, const void *in, size_t len, char *out);

/* Drops an incomplete item (the output ended) and starts over. */
void console_filter_finish(struct tinct_console_filter *filter);

#endif
