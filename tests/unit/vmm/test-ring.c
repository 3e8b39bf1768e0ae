/*
 * Unit tests of the console ring buffer: wrap-around, overwrite of the
 * oldest bytes, and positions of readers that fell behind.
 */
#include <stdlib.h>

#include "check.h"
#include "vmm/ring.h"

static char *read_all(struct tinct_ring *ring, uint64_t pos)
{
	static char out[256];
	size_t len = 0;
	const char *data;
	size_t n;
	if (pos < ring_start(ring)) {
		pos = ring_start(ring);
	}
	while ((n = ring_peek(ring, pos, &data)) > 0) {
		memcpy(out + len, data, n);
		len += n;
		pos += n;
	}
	out[len] = '\0';
	return out;
}

int main(void)
{
	struct tinct_ring ring;
	ok(ring_init(&ring, 8), "init");
	ok(ring_start(&ring) == 0 && ring.total == 0, "empty");
	const char *data;
	ok(ring_peek(&ring, 0, &data) == 0, "nothing to peek when empty");

	ring_write(&ring, "abc", 3);
	is_str(read_all(&ring, 0), "abc", "reads back");
	ring_write(&ring, "defgh", 5);
	is_str(read_all(&ring, 0), "abcdefgh", "full");
	ring_write(&ring, "ij", 2);
	ok(ring_start(&ring) == 2, "oldest moves on overwrite");
	is_str(read_all(&ring, 0), "cdefghij", "behind reader is clamped to the oldest byte");
	is_str(read_all(&ring, 7), "hij", "reader in the middle");
	ok(ring_peek(&ring, 2, &data) == 6, "contiguous up to the physical end");
	is_str(read_all(&ring, 10), "", "caught-up reader gets nothing");

	ring_write(&ring, "0123456789ABCDEF", 16);
	ok(ring.total == 26, "total counts every byte");
	is_str(read_all(&ring, 0), "89ABCDEF", "a write larger than the ring keeps its tail");
	ring_finish(&ring);

	ok(ring_init(&ring, 0) && ring.capacity == 1, "capacity 0 becomes 1");
	ring_write(&ring, "xyz", 3);
	is_str(read_all(&ring, 0), "z", "one byte ring");
	ring_finish(&ring);
	return check_done();
}
