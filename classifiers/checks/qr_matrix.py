"""Decode a QR code from its module grid when some modules are unknown.

zxing reads a code from an image and needs its three finder patterns; it corrects errors but
knows nothing of erasures. A code whose top rows fell off the page edge (a skewed scan of an
invoice whose code sits 3 mm from the top) has lost both top finders and a tenth of its
modules. Sampled on a grid located from what is left (:mod:`qr_cut`), the missing modules are
*known to be unknown*: Reed-Solomon corrects twice as many erasures as errors, enough for
such a code.

The layout tables (alignment positions, error-correction blocks, masks, format codes) come
from the ``qrcode`` package; Reed-Solomon from ``reedsolo``. A read is only returned when at
least ``MARGIN`` check symbols per block were left over after the correction, so a grid
sampled wrong does not decode into a plausible, wrong payload.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import cache

import numpy as np

MARGIN = 4  # check symbols per block left unused by the correction: a miscorrection's guard
EC_LEVELS = (1, 0, 3, 2)  # qrcode's L, M, Q, H: also the two format bits each stands for
MAX_FORMAT_DISTANCE = 2  # known format bits a candidate may disagree with (the BCH code's distance is 7)


def version_of(n: int) -> int | None:
    """The version of an ``n``×``n`` code, or None when no version has that size."""
    v, r = divmod(n - 17, 4)
    return v if r == 0 and 1 <= v <= 40 else None


@cache
def function_mask(version: int) -> np.ndarray:
    """True where a module is a function pattern (finders, timing, alignment, format, version)."""
    from qrcode.util import pattern_position

    n = 17 + 4 * version
    f = np.zeros((n, n), bool)
    f[:9, :9] = f[:9, n - 8:] = f[n - 8:, :9] = True  # finders, separators, format areas
    pos = pattern_position(version)
    for r in pos:
        for c in pos:
            if not f[r, c]:  # an alignment pattern never overlaps a finder
                f[r - 2:r + 3, c - 2:c + 3] = True
    f[6, :] = f[:, 6] = True  # timing
    if version >= 7:
        f[:6, n - 11:n - 8] = f[n - 11:n - 8, :6] = True
    return f


def data_positions(version: int) -> Iterator[tuple[int, int]]:
    """Data modules in placement order: two-column zigzags from the bottom-right, up then down."""
    func = function_mask(version)
    n = func.shape[0]
    upward = True
    for col in range(n - 1, 0, -2):
        if col <= 6:
            col -= 1  # the vertical timing column is skipped
        rows = range(n - 1, -1, -1) if upward else range(n)
        for r in rows:
            for c in (col, col - 1):
                if not func[r, c]:
                    yield r, c
        upward = not upward


def format_bits(dark: np.ndarray, known: np.ndarray) -> list[tuple[int, bool, bool]]:
    """(bit index, value, known) of both copies of the 15 format bits (layout as ``qrcode`` places them)."""
    n = dark.shape[0]
    cells = []
    for i in range(15):  # the copy along column 8: by the top-left finder, then the bottom-left's
        cells.append((i, i if i < 6 else i + 1 if i < 8 else n - 15 + i, 8))
    for i in range(15):  # the copy along row 8: by the top-right finder, then the top-left's
        cells.append((i, 8, n - i - 1 if i < 8 else 15 - i if i == 8 else 14 - i))
    out = [(i, bool(dark[r, c]), bool(known[r, c])) for i, r, c in cells]
    return out


def format_candidates(dark: np.ndarray, known: np.ndarray) -> list[tuple[int, int]]:
    """(error-correction level, mask) pairs, the likeliest first by distance to the known format bits.
    With both top copies cut off only 7 bits are left and several pairs fit them: each is tried,
    and only the right one gives blocks that Reed-Solomon accepts."""
    from qrcode.util import BCH_type_info

    seen = format_bits(dark, known)
    scored = []
    for ec in EC_LEVELS:
        for mask in range(8):
            code = BCH_type_info((ec << 3) | mask)
            dist = sum(((code >> i) & 1) != v for i, v, k in seen if k)
            scored.append((dist, ec, mask))
    scored.sort()
    return [(ec, mask) for dist, ec, mask in scored if dist <= MAX_FORMAT_DISTANCE]


@cache
def _placement(version: int) -> tuple[np.ndarray, np.ndarray]:
    rows, cols = zip(*data_positions(version))
    return np.array(rows), np.array(cols)


@cache
def _mask(n: int, mask: int) -> np.ndarray:
    from qrcode.util import mask_func

    flip = mask_func(mask)
    return np.array([[bool(flip(r, c)) for c in range(n)] for r in range(n)])


def _codewords(dark: np.ndarray, known: np.ndarray, version: int, mask: int) -> tuple[list[int], list[bool]]:
    """The unmasked codewords in placement order and whether each one has an unknown bit."""
    rows, cols = _placement(version)
    count = len(rows) // 8 * 8  # the remainder bits after the last codeword carry nothing
    rows, cols = rows[:count], cols[:count]
    bits = (dark ^ _mask(dark.shape[0], mask))[rows, cols].reshape(-1, 8)
    lost = (~known[rows, cols]).reshape(-1, 8).any(axis=1)
    return np.packbits(bits, axis=1)[:, 0].tolist(), lost.tolist()


def _blocks(words: list[int], lost: list[bool], version: int, ec: int) -> list[tuple[list[int], list[int], int]]:
    """De-interleave into (codewords, erased positions, data count) per Reed-Solomon block."""
    from qrcode.base import rs_blocks

    specs = rs_blocks(version, ec)
    blocks: list[list[int]] = [[] for _ in specs]
    order = [(b, i) for i in range(max(s.data_count for s in specs)) for b, s in enumerate(specs) if i < s.data_count]
    ec_len = [s.total_count - s.data_count for s in specs]
    order += [(b, s.data_count + i) for i in range(max(ec_len)) for b, s in enumerate(specs) if i < ec_len[b]]
    erased: list[list[int]] = [[] for _ in specs]
    for k, (b, i) in enumerate(order):
        blocks[b].append(words[k])
        if lost[k]:
            erased[b].append(i)
    return [(blocks[b], erased[b], s.data_count) for b, s in enumerate(specs)]


def _correct(blocks: list[tuple[list[int], list[int], int]]) -> bytes | None:
    """The data codewords with erasures and errors corrected, or None beyond ``MARGIN``."""
    from reedsolo import ReedSolomonError, RSCodec

    data = bytearray()
    for words, erased, n_data in blocks:
        nsym = len(words) - n_data
        if len(erased) > nsym - MARGIN:
            return None
        try:
            msg, _, errata = RSCodec(nsym).decode(bytearray(words), erase_pos=erased or None)
        except ReedSolomonError:
            return None
        errors = len(set(errata) - set(erased))
        if len(erased) + 2 * errors > nsym - MARGIN:
            return None
        data += msg
    return bytes(data)


class _Bits:
    def __init__(self, data: bytes) -> None:
        self.data, self.pos = data, 0

    def left(self) -> int:
        return len(self.data) * 8 - self.pos

    def take(self, n: int) -> int:
        v = 0
        for _ in range(n):
            v = (v << 1) | ((self.data[self.pos // 8] >> (7 - self.pos % 8)) & 1)
            self.pos += 1
        return v


ALNUM = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"


def parse_segments(data: bytes, version: int) -> str | None:
    """The text of numeric, alphanumeric and byte segments (ECI headers skipped); None when malformed."""
    size = 0 if version <= 9 else 1 if version <= 26 else 2
    count_bits = {1: (10, 12, 14)[size], 2: (9, 11, 13)[size], 4: (8, 16, 16)[size]}
    bits = _Bits(data)
    raw = bytearray()
    while bits.left() >= 4:
        mode = bits.take(4)
        if mode == 0:
            break
        if mode == 7:  # ECI: its designator is one, two or three bytes long
            first = bits.take(8)
            bits.take(0 if first < 0x80 else 8 if first < 0xC0 else 16)
            continue
        if mode not in count_bits or bits.left() < count_bits[mode]:
            return None
        count = bits.take(count_bits[mode])
        if mode == 1:
            for k in range(0, count, 3):
                digits = min(3, count - k)
                raw += str(bits.take((4, 7, 10)[digits - 1])).zfill(digits).encode()
        elif mode == 2:
            for k in range(0, count, 2):
                if count - k >= 2:
                    v = bits.take(11)
                    raw += (ALNUM[v // 45] + ALNUM[v % 45]).encode()
                else:
                    raw += ALNUM[bits.take(6)].encode()
        else:
            if bits.left() < 8 * count:
                return None
            raw += bytes(bits.take(8) for _ in range(count))
    for enc in ("utf-8", "gb18030"):  # byte segments carry no encoding; Chinese encoders use either
        try:
            return raw.decode(enc)
        except UnicodeDecodeError:
            continue
    return None


def decode(dark: np.ndarray, known: np.ndarray) -> str | None:
    """The text of an N×N grid (``dark``: module is dark; ``known``: module was seen), or None."""
    version = version_of(dark.shape[0])
    if version is None or dark.shape != known.shape:
        return None
    for ec, mask in format_candidates(dark, known):
        words, lost = _codewords(dark, known, version, mask)
        data = _correct(_blocks(words, lost, version, ec))
        if data is not None:
            text = parse_segments(data, version)
            if text:
                return text
    return None
