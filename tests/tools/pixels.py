#!/usr/bin/env python3
"""Pixel checks on screenshots (binary PPM as written by `grim -t ppm`).

  pixels.py at FILE X Y            print the pixel at (X, Y) as rrggbb
  pixels.py count FILE RRGGBB [MIN_Y]
                                   print how many pixels have exactly that colour
                                   (only rows from MIN_Y down)
  pixels.py bbox FILE RRGGBB [MIN_Y]
                                   print "x y w h" of the pixels with that colour
  pixels.py size FILE              print "w h"
  pixels.py distinct FILE X Y W H  print the number of distinct colours in a box
  pixels.py differ FILE X Y W H RRGGBB
                                   print how many pixels in the box are not RRGGBB
  pixels.py frame FILE RRGGBB BORDER TITLE X Y W H
                                   for a window frame at (X, Y, W, H) with a
                                   BORDER wide ring and a TITLE high title bar
                                   inside its top: print how many ring pixels
                                   are not RRGGBB, then how many title bar
                                   pixels are not (its text)
  pixels.py near FILE X Y RRGGBB TOL
                                   print "ok" if every channel of the pixel at
                                   (X, Y) is within TOL of RRGGBB, else the pixel
  pixels.py same FILE OTHER [MIN_Y]
                                   print how many pixels differ between two
                                   screenshots of one size (rows from MIN_Y)
  pixels.py batch FILE             load FILE once, then answer one query per
                                   line of stdin ("count RRGGBB 26", "at X Y",
                                   ...: the commands above without FILE), one
                                   answer per line
"""
import sys


def load(path):
    with open(path, "rb") as f:
        data = f.read()
    fields = []
    pos = 0
    while len(fields) < 4:
        while data[pos:pos + 1].isspace():
            pos += 1
        if data[pos:pos + 1] == b"#":
            while data[pos:pos + 1] != b"\n":
                pos += 1
            continue
        start = pos
        while not data[pos:pos + 1].isspace():
            pos += 1
        fields.append(data[start:pos])
    if fields[0] != b"P6" or int(fields[3]) != 255:
        sys.exit(f"{path}: not an 8-bit binary PPM")
    width, height = int(fields[1]), int(fields[2])
    pixels = data[pos + 1:]
    if len(pixels) < width * height * 3:
        sys.exit(f"{path}: truncated")
    return width, height, pixels


def colour(pixels, width, x, y):
    i = (y * width + x) * 3
    return pixels[i:i + 3].hex()


def main(argv):
    if len(argv) < 3:
        sys.exit(__doc__)
    cmd, path = argv[1], argv[2]
    image = load(path)
    if cmd == "batch":
        for line in sys.stdin:
            words = line.split()
            if words:
                answer(image, [argv[0], words[0], path] + words[1:])
        return
    answer(image, argv)


def answer(image, argv):
    """Answers one query, argv as on the command line, from a loaded image."""
    width, height, pixels = image
    cmd = argv[1]
    if cmd == "size":
        print(width, height)
    elif cmd == "at":
        x, y = int(argv[3]), int(argv[4])
        if not (0 <= x < width and 0 <= y < height):
            sys.exit(f"({x}, {y}) is outside {width}x{height}")
        print(colour(pixels, width, x, y))
    elif cmd in ("count", "bbox"):
        want = bytes.fromhex(argv[3].lstrip("#"))
        min_y = int(argv[4]) if len(argv) > 4 else 0
        count = 0
        x0, y0, x1, y1 = width, height, -1, -1
        for y in range(min_y, height):
            row = pixels[y * width * 3:(y + 1) * width * 3]
            start = 0
            while True:
                i = row.find(want, start)
                if i < 0:
                    break
                if i % 3 == 0:
                    x = i // 3
                    count += 1
                    x0, y0, x1, y1 = min(x0, x), min(y0, y), max(x1, x), max(y1, y)
                    start = i + 3
                else:
                    start = i + 1
        if cmd == "count":
            print(count)
        elif count == 0:
            print("none")
        else:
            print(x0, y0, x1 - x0 + 1, y1 - y0 + 1)
    elif cmd == "distinct":
        x, y, w, h = (int(v) for v in argv[3:7])
        seen = set()
        for yy in range(y, y + h):
            for xx in range(x, x + w):
                seen.add(colour(pixels, width, xx, yy))
        print(len(seen))
    elif cmd == "near":
        x, y, tol = int(argv[3]), int(argv[4]), int(argv[6])
        got = colour(pixels, width, x, y)
        want = bytes.fromhex(argv[5].lstrip("#"))
        close = all(abs(a - b) <= tol for a, b in zip(bytes.fromhex(got), want))
        print("ok" if close else got)
    elif cmd == "same":
        other_width, other_height, other = load(argv[3])
        if (other_width, other_height) != (width, height):
            sys.exit(f"{argv[3]} is {other_width}x{other_height}, not {width}x{height}")
        start = (int(argv[4]) if len(argv) > 4 else 0) * width * 3
        print(sum(1 for i in range(start, len(pixels) - 2, 3)
                  if pixels[i:i + 3] != other[i:i + 3]))
    elif cmd == "differ":
        x, y, w, h = (int(v) for v in argv[3:7])
        want = argv[7].lstrip("#").lower()
        print(sum(1 for yy in range(y, y + h) for xx in range(x, x + w)
                  if colour(pixels, width, xx, yy) != want))
    elif cmd == "frame":
        want = argv[3].lstrip("#").lower()
        border, title = int(argv[4]), int(argv[5])
        x, y, w, h = (int(v) for v in argv[6:10])

        def differ(bx, by, bw, bh):
            return sum(1 for yy in range(max(by, 0), min(by + bh, height))
                       for xx in range(max(bx, 0), min(bx + bw, width))
                       if colour(pixels, width, xx, yy) != want)
        ring = (differ(x, y, w, border) + differ(x, y + h - border, w, border) +
                differ(x, y + border, border, h - 2 * border) +
                differ(x + w - border, y + border, border, h - 2 * border))
        print(ring, differ(x + border, y + border, w - 2 * border, title))
    else:
        sys.exit(__doc__)
    sys.stdout.flush()


if __name__ == "__main__":
    main(sys.argv)
