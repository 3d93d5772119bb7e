#!/usr/bin/env python3
"""Decodes an 8-bit RGB, non-interlaced PNG with the standard library only and writes its raw
RGB24 rows to stdout. Tests use it as a reference independent of FFmpeg ("Python can open it")."""
import struct
import sys
import zlib


def paeth(a, b, c):
    p = a + b - c
    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
    if pa <= pb and pa <= pc:
        return a
    return b if pb <= pc else c


def decode(data):
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("not a PNG")
    pos, idat, header = 8, b"", None
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        crc = struct.unpack(">I", data[pos + 8 + length:pos + 12 + length])[0]
        if zlib.crc32(kind + body) != crc:
            raise ValueError(f"bad CRC in {kind!r} chunk")
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    width, height, depth, color, _, _, interlace = header
    if (depth, color, interlace) != (8, 2, 0):
        raise ValueError(f"only 8-bit RGB non-interlaced, got depth {depth} colour {color}")
    raw, stride, bpp = zlib.decompress(idat), width * 3, 3
    out, previous = bytearray(), bytearray(stride)
    for row in range(height):
        kind = raw[row * (stride + 1)]
        line = bytearray(raw[row * (stride + 1) + 1:(row + 1) * (stride + 1)])
        for i in range(stride):
            left = line[i - bpp] if i >= bpp else 0
            up, upleft = previous[i], previous[i - bpp] if i >= bpp else 0
            predictor = (0, left, up, (left + up) // 2, paeth(left, up, upleft))[kind]
            line[i] = (line[i] + predictor) & 0xFF
        out += line
        previous = line
    return width, height, bytes(out)


if __name__ == "__main__":
    width, height, pixels = decode(open(sys.argv[1], "rb").read())
    sys.stderr.write(f"{width}x{height}\n")
    sys.stdout.buffer.write(pixels)
