"""String hashes that TensorFlow's `to_hash_bucket_fast` / `_strong` use, in plain Python.

Keras's Hashing, HashedCrossing and the lookups' extra OOV slots bucket strings with FarmHash's
Fingerprint64 (`farmhashna::Hash64`) or, with a salt, SipHash-2-4 keyed by the salt. Written
here from the published algorithms so bucket numbers equal Keras's without TensorFlow; tests
compare them with values recorded from TensorFlow.
"""

from __future__ import annotations

import numpy as np

_MASK = (1 << 64) - 1
_K0 = 0xC3A5C85C97CB3127
_K1 = 0xB492B66FBE98F273
_K2 = 0x9AE16A3B2F90404F
_KMUL = 0x9DDFEA08EB382D69


def _u64(data, at):
    return int.from_bytes(data[at : at + 8], "little")


def _u32(data, at):
    return int.from_bytes(data[at : at + 4], "little")


def _rot(value, shift):
    return value if shift == 0 else ((value >> shift) | (value << (64 - shift))) & _MASK


def _shift_mix(value):
    return value ^ (value >> 47)


def _mix16(u, v, mul=_KMUL):
    a = ((u ^ v) * mul) & _MASK
    a ^= a >> 47
    b = ((v ^ a) * mul) & _MASK
    b ^= b >> 47
    return (b * mul) & _MASK


def _short(data, n):
    """Strings of up to 16 bytes."""
    if n >= 8:
        mul = _K2 + n * 2
        a = (_u64(data, 0) + _K2) & _MASK
        b = _u64(data, n - 8)
        c = (_rot(b, 37) * mul + a) & _MASK
        d = ((_rot(a, 25) + b) * mul) & _MASK
        return _mix16(c, d, mul)
    if n >= 4:
        mul = _K2 + n * 2
        return _mix16((n + (_u32(data, 0) << 3)) & _MASK, _u32(data, n - 4), mul)
    if n > 0:
        y = (data[0] + (data[n >> 1] << 8)) & 0xFFFFFFFF
        z = (n + (data[n - 1] << 2)) & 0xFFFFFFFF
        return (_shift_mix(((y * _K2) ^ (z * _K0)) & _MASK) * _K2) & _MASK
    return _K2


def _medium(data, n):
    """Strings of 17 to 32 bytes."""
    mul = _K2 + n * 2
    a = (_u64(data, 0) * _K1) & _MASK
    b = _u64(data, 8)
    c = (_u64(data, n - 8) * mul) & _MASK
    d = (_u64(data, n - 16) * _K2) & _MASK
    return _mix16(
        (_rot((a + b) & _MASK, 43) + _rot(c, 30) + d) & _MASK,
        (a + _rot((b + _K2) & _MASK, 18) + c) & _MASK,
        mul,
    )


def _long(data, n):
    """Strings of 33 to 64 bytes."""
    mul = _K2 + n * 2
    a = (_u64(data, 0) * _K2) & _MASK
    b = _u64(data, 8)
    c = (_u64(data, n - 8) * mul) & _MASK
    d = (_u64(data, n - 16) * _K2) & _MASK
    y = (_rot((a + b) & _MASK, 43) + _rot(c, 30) + d) & _MASK
    z = _mix16(y, (a + _rot((b + _K2) & _MASK, 18) + c) & _MASK, mul)
    e = (_u64(data, 16) * mul) & _MASK
    f = _u64(data, 24)
    g = ((y + _u64(data, n - 32)) * mul) & _MASK
    h = ((z + _u64(data, n - 24)) * mul) & _MASK
    return _mix16(
        (_rot((e + f) & _MASK, 43) + _rot(g, 30) + h) & _MASK,
        (e + _rot((f + a) & _MASK, 18) + g) & _MASK,
        mul,
    )


def _weak32(data, at, a, b):
    w, x, y, z = (_u64(data, at + 8 * i) for i in range(4))
    a = (a + w) & _MASK
    b = _rot((b + a + z) & _MASK, 21)
    c = a
    a = (a + x + y) & _MASK
    b = (b + _rot(a, 44)) & _MASK
    return (a + z) & _MASK, (b + c) & _MASK


def fingerprint64(data: bytes) -> int:
    """FarmHash Fingerprint64 of `data` (an unsigned 64-bit integer)."""
    n = len(data)
    if n <= 16:
        return _short(data, n)
    if n <= 32:
        return _medium(data, n)
    if n <= 64:
        return _long(data, n)
    seed = 81
    x = seed
    y = (seed * _K1 + 113) & _MASK
    z = (_shift_mix((y * _K2 + 113) & _MASK) * _K2) & _MASK
    v0 = v1 = w0 = w1 = 0
    x = (x * _K2 + _u64(data, 0)) & _MASK
    end = ((n - 1) // 64) * 64
    last = end + ((n - 1) & 63) - 63
    at = 0
    while True:
        x = (_rot((x + y + v0 + _u64(data, at + 8)) & _MASK, 37) * _K1) & _MASK
        y = (_rot((y + v1 + _u64(data, at + 48)) & _MASK, 42) * _K1) & _MASK
        x ^= w1
        y = (y + v0 + _u64(data, at + 40)) & _MASK
        z = (_rot((z + w0) & _MASK, 33) * _K1) & _MASK
        v0, v1 = _weak32(data, at, (v1 * _K1) & _MASK, (x + w0) & _MASK)
        w0, w1 = _weak32(data, at + 32, (z + w1) & _MASK, (y + _u64(data, at + 16)) & _MASK)
        z, x = x, z
        at += 64
        if at == end:
            break
    mul = _K1 + ((z & 0xFF) << 1)
    at = last
    w0 = (w0 + ((n - 1) & 63)) & _MASK
    v0 = (v0 + w0) & _MASK
    w0 = (w0 + v0) & _MASK
    x = (_rot((x + y + v0 + _u64(data, at + 8)) & _MASK, 37) * mul) & _MASK
    y = (_rot((y + v1 + _u64(data, at + 48)) & _MASK, 42) * mul) & _MASK
    x ^= (w1 * 9) & _MASK
    y = (y + v0 * 9 + _u64(data, at + 40)) & _MASK
    z = (_rot((z + w0) & _MASK, 33) * mul) & _MASK
    v0, v1 = _weak32(data, at, (v1 * mul) & _MASK, (x + w0) & _MASK)
    w0, w1 = _weak32(data, at + 32, (z + w1) & _MASK, (y + _u64(data, at + 16)) & _MASK)
    z, x = x, z
    return _mix16(
        (_mix16(v0, w0, mul) + _shift_mix(y) * _K0 + z) & _MASK,
        (_mix16(v1, w1, mul) + x) & _MASK,
        mul,
    )


def _sip_round(v0, v1, v2, v3):
    v0 = (v0 + v1) & _MASK
    v1 = _rot(v1, 64 - 13) ^ v0
    v0 = _rot(v0, 64 - 32)
    v2 = (v2 + v3) & _MASK
    v3 = _rot(v3, 64 - 16) ^ v2
    v0 = (v0 + v3) & _MASK
    v3 = _rot(v3, 64 - 21) ^ v0
    v2 = (v2 + v1) & _MASK
    v1 = _rot(v1, 64 - 17) ^ v2
    v2 = _rot(v2, 64 - 32)
    return v0, v1, v2, v3


def siphash(key, data: bytes) -> int:
    """SipHash-2-4 of `data` keyed by two 64-bit integers (TensorFlow's "strong" hash)."""
    k0, k1 = (int(k) & _MASK for k in key)
    v0, v1 = k0 ^ 0x736F6D6570736575, k1 ^ 0x646F72616E646F6D
    v2, v3 = k0 ^ 0x6C7967656E657261, k1 ^ 0x7465646279746573
    n = len(data)
    tail = data[n - n % 8 :] + bytes(7 - n % 8) + bytes([n & 0xFF])
    blocks = [_u64(data, i) for i in range(0, n - n % 8, 8)] + [_u64(tail, 0)]
    for m in blocks:
        v3 ^= m
        v0, v1, v2, v3 = _sip_round(*_sip_round(v0, v1, v2, v3))
        v0 ^= m
    v2 ^= 0xFF
    for _ in range(4):
        v0, v1, v2, v3 = _sip_round(v0, v1, v2, v3)
    return v0 ^ v1 ^ v2 ^ v3


def to_bytes(value, encoding="utf-8") -> bytes:
    if isinstance(value, bytes):
        return value
    return str(value).encode(encoding)


def hash_buckets(values, num_bins, salt=None):
    """int64 bucket of each string in `values` (an array of str/bytes/objects): Fingerprint64
    modulo `num_bins`, or SipHash keyed by `salt` modulo `num_bins`."""
    flat = np.asarray(values, dtype=object).reshape(-1)
    cache = {}
    out = np.empty(flat.shape, dtype="int64")
    for i, value in enumerate(flat):
        data = to_bytes(value)
        if data not in cache:
            digest = fingerprint64(data) if salt is None else siphash(salt, data)
            cache[data] = digest % num_bins
        out[i] = cache[data]
    return out.reshape(np.shape(values))


_CROSS_KEY = 0xDECAFCAFFE  # tf.sparse.cross_hashed's default hash key
_CAT_MUL = 0xC6A4A7935BD1E995


def fingerprint_cat64(first: int, second: int) -> int:
    """Combine two fingerprints (TensorFlow's FingerprintCat64)."""
    result = first ^ _CAT_MUL
    result ^= (_shift_mix((second * _CAT_MUL) & _MASK) * _CAT_MUL) & _MASK
    result = (result * _CAT_MUL) & _MASK
    result = (_shift_mix(result) * _CAT_MUL) & _MASK
    return _shift_mix(result)


def cross_buckets(columns, num_bins):
    """Bucket of each row's crossed feature: the values of `columns` (equal-length sequences of
    str/bytes/int) chained with FingerprintCat64 and taken modulo `num_bins`. Strings enter as
    their Fingerprint64, integers as their own 64 bits (as in TensorFlow's sparse cross)."""
    out = np.empty(len(columns[0]), dtype="int64")
    cache = {}
    for row, values in enumerate(zip(*columns)):
        digest = _CROSS_KEY
        for value in values:
            if isinstance(value, (int, np.integer)):
                feature = int(value) & _MASK
            else:
                data = to_bytes(value)
                if data not in cache:
                    cache[data] = fingerprint64(data)
                feature = cache[data]
            digest = fingerprint_cat64(digest, feature)
        out[row] = digest % num_bins
    return out
