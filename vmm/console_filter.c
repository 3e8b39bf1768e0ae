/*
 * The console filter (what passes is in console_filter.h). A byte-at-a-time
 * state machine after the DEC/ECMA-48 parser that terminals implement, but
 * it only has to be sound, not faithful: an item is written only once it is
 * complete and checked, and everything else is dropped, so whatever a
 * terminal would have made of the dropped bytes never reaches it.
 */
#include "vmm/console_filter.h"

#include <stdbool.h>
#include <string.h>

enum filter_state {
	STATE_GROUND,
	STATE_UTF8, // inside a multi-byte character
	STATE_ESC, // after ESC
	STATE_ESC_INTERMEDIATE, // ESC and intermediate bytes: dropped at the final
	STATE_CSI, // ESC [, collecting a sequence that may pass
	STATE_CSI_IGNORE, // a CSI that will be dropped, up to its final byte
	STATE_STRING, // OSC, DCS, APC, PM or SOS contents
	STATE_STRING_ESC, // ESC inside a string: ST or a new sequence
};

#define ESC 0x1b
#define CAN 0x18
#define SUB 0x1a

void console_filter_init(struct tinct_console_filter *filter)
{
	memset(filter, 0, sizeof(*filter));
	filter->state = STATE_GROUND;
}

void console_filter_finish(struct tinct_console_filter *filter)
{
	console_filter_init(filter);
}

static void hold(struct tinct_console_filter *filter, unsigned char c)
{
	filter->held[filter->held_len++] = (char)c;
}

static size_t emit_held(struct tinct_console_filter *filter, char *out)
{
	size_t n = filter->held_len;
	memcpy(out, filter->held, n);
	filter->held_len = 0;
	return n;
}

static bool params_are(const struct tinct_console_filter *filter, const char *const *allowed)
{
	// held is ESC [ parameters final.
	size_t len = filter->held_len - 3;
	for (; *allowed != NULL; allowed++) {
		if (strlen(*allowed) == len && memcmp(filter->held + 2, *allowed, len) == 0) {
			return true;
		}
	}
	return false;
}

// Whether the complete CSI in held (plain parameters only) passes.
static bool csi_passes(const struct tinct_console_filter *filter)
{
	static const char *const erase_display[] = {"", "0", "1", "2", NULL};
	char final = filter->held[filter->held_len - 1];
	switch (final) {
	case 'm':
	case 'A':
	case 'B':
	case 'C':
	case 'D':
	case 'E':
	case 'F':
	case 'G':
	case 'H':
	case 'f':
	case 'd':
	case 'K':
		return true;
	case 'J':
		return params_are(filter, erase_display);
	default:
		return false;
	}
}

static void start_utf8(struct tinct_console_filter *filter, unsigned char c)
{
	filter->state = STATE_UTF8;
	filter->held_len = 0;
	hold(filter, c);
	filter->utf8_lo = 0x80;
	filter->utf8_hi = 0xbf;
	if (c <= 0xdf) {
		filter->utf8_need = 1;
	} else if (c <= 0xef) {
		filter->utf8_need = 2;
		if (c == 0xe0) {
			filter->utf8_lo = 0xa0; // no overlong forms
		} else if (c == 0xed) {
			filter->utf8_hi = 0x9f; // no surrogates
		}
	} else {
		filter->utf8_need = 3;
		if (c == 0xf0) {
			filter->utf8_lo = 0x90; // no overlong forms
		} else if (c == 0xf4) {
			filter->utf8_hi = 0x8f; // nothing above U+10FFFF
		}
	}
}

static size_t ground(struct tinct_console_filter *filter, unsigned char c, char *out)
{
	if ((c >= 0x20 && c < 0x7f) || c == '\r' || c == '\n' || c == '\t' || c == '\b') {
		*out = (char)c;
		return 1;
	}
	if (c == ESC) {
		filter->state = STATE_ESC;
		return 0;
	}
	if (c < 0x80) {
		return 0; // other C0 controls and DEL
	}
	if (c < 0xc2 || c > 0xf4) {
		*out = '?'; // a stray continuation, an overlong lead or no lead at all
		return 1;
	}
	start_utf8(filter, c);
	return 0;
}

/*
 * Handles c in the current state. *again is set when c ended the current
 * item without being part of it and must be read again in the new state.
 */
static size_t step(struct tinct_console_filter *filter, unsigned char c, char *out, bool *again)
{
	*again = false;
	switch ((enum filter_state)filter->state) {
	case STATE_GROUND:
		return ground(filter, c, out);
	case STATE_UTF8:
		if (c < filter->utf8_lo || c > filter->utf8_hi) {
			filter->state = STATE_GROUND;
			filter->held_len = 0;
			*again = true;
			*out = '?';
			return 1;
		}
		hold(filter, c);
		filter->utf8_lo = 0x80;
		filter->utf8_hi = 0xbf;
		if (--filter->utf8_need > 0) {
			return 0;
		}
		filter->state = STATE_GROUND;
		if ((unsigned char)filter->held[0] == 0xc2 && c < 0xa0) {
			filter->held_len = 0; // a C1 control, U+0080..U+009F
			return 0;
		}
		return emit_held(filter, out);
	case STATE_ESC:
		if (c == '[') {
			filter->state = STATE_CSI;
			filter->held_len = 0;
			hold(filter, ESC);
			hold(filter, c);
		} else if (c == ']' || c == 'P' || c == '_' || c == '^' || c == 'X') {
			filter->state = STATE_STRING;
		} else if (c == '7' || c == '8') {
			filter->state = STATE_GROUND;
			out[0] = ESC;
			out[1] = (char)c;
			return 2;
		} else if (c >= 0x20 && c <= 0x2f) {
			filter->state = STATE_ESC_INTERMEDIATE;
		} else if (c >= 0x30 && c <= 0x7e) {
			filter->state = STATE_GROUND; // a two-byte escape, dropped
		} else if (c == CAN || c == SUB) {
			filter->state = STATE_GROUND;
		} else if (c != ESC) {
			filter->state = STATE_GROUND;
			*again = true;
		}
		return 0;
	case STATE_ESC_INTERMEDIATE:
		if (c >= 0x20 && c <= 0x2f) {
			return 0;
		}
		filter->state = STATE_GROUND;
		if (c == ESC) {
			filter->state = STATE_ESC;
		} else if (c < 0x30 || c > 0x7e) {
			*again = c != CAN && c != SUB;
		}
		return 0;
	case STATE_CSI:
	case STATE_CSI_IGNORE:
		if (c >= 0x40 && c <= 0x7e) {
			bool collecting = filter->state == STATE_CSI &&
					  filter->held_len < CONSOLE_FILTER_SEQ_MAX;
			filter->state = STATE_GROUND;
			if (collecting) {
				hold(filter, c);
				if (csi_passes(filter)) {
					return emit_held(filter, out);
				}
			}
			filter->held_len = 0;
			return 0;
		}
		if ((c >= '0' && c <= '9') || c == ';' || c == ':') {
			if (filter->state == STATE_CSI &&
				filter->held_len + 1 < CONSOLE_FILTER_SEQ_MAX) {
				hold(filter, c);
			} else {
				filter->state = STATE_CSI_IGNORE; // too long
			}
			return 0;
		}
		if ((c >= 0x20 && c <= 0x3f) || c == 0x7f) {
			// Private markers, intermediates, DEL: never passed.
			filter->state = STATE_CSI_IGNORE;
			return 0;
		}
		filter->held_len = 0;
		filter->state = STATE_GROUND;
		if (c == ESC) {
			filter->state = STATE_ESC;
		} else {
			*again = c != CAN && c != SUB;
		}
		return 0;
	case STATE_STRING:
		if (c == ESC) {
			filter->state = STATE_STRING_ESC;
		} else if (c == 0x07 || c == CAN || c == SUB) {
			filter->state = STATE_GROUND;
		}
		return 0;
	case STATE_STRING_ESC:
		if (c == '\\') {
			filter->state = STATE_GROUND; // ST
			return 0;
		}
		// As in a terminal, ESC ended the string and starts what follows.
		filter->state = STATE_ESC;
		*again = true;
		return 0;
	}
	return 0;
}

size_t console_filter_feed(
	struct tinct_console_filter *filter, const void *in, size_t len, char *out)
{
	const unsigned char *bytes = in;
	size_t n = 0;
	for (size_t i = 0; i < len; i++) {
		// At most three rounds: a string's ESC, then ESC, then ground.
		bool again;
		do {
			n += step(filter, bytes[i], out + n, &again);
		} while (again);
	}
	return n;
}
