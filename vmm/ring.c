/*
 * Console ring buffer (see ring.h).
 */
#include "vmm/ring.h"

#include <stdlib.h>
#include <string.h>

bool ring_init(struct tinct_ring *ring, size_t capacity)
{
	if (capacity == 0) {
		capacity = 1;
	}
	*ring = (struct tinct_ring){0};
	ring->data = malloc(capacity);
	if (ring->data == NULL) {
		return false;
	}
	ring->capacity = capacity;
	return true;
}

void ring_finish(struct tinct_ring *ring)
{
	free(ring->data);
	*ring = (struct tinct_ring){0};
}

void ring_write(struct tinct_ring *ring, const void *data, size_t len)
{
	const char *bytes = data;
	// Only the last `capacity` bytes can survive anyway.
	if (len > ring->capacity) {
		bytes += len - ring->capacity;
		ring->total += len - ring->capacity;
		len = ring->capacity;
	}
	while (len > 0) {
		size_t off = ring->total % ring->capacity;
		size_t n = ring->capacity - off;
		if (n > len) {
			n = len;
		}
		memcpy(ring->data + off, bytes, n);
		bytes += n;
		len -= n;
		ring->total += n;
	}
}

uint64_t ring_start(const struct tinct_ring *ring)
{
	return ring->total > ring->capacity ? ring->total - ring->capacity : 0;
}

size_t ring_peek(const struct tinct_ring *ring, uint64_t pos, const char **data)
{
	uint64_t start = ring_start(ring);
	if (pos < start) {
		pos = start;
	}
	if (pos >= ring->total) {
		*data = NULL;
		return 0;
	}
	size_t off = pos % ring->capacity;
	uint64_t avail = ring->total - pos;
	size_t n = ring->capacity - off;
	if (n > avail) {
		n = (size_t)avail;
	}
	*data = ring->data + off;
	return n;
}
