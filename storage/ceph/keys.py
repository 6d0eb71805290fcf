"""cephx keys as Pulumi secrets: 16 random bytes from pulumi-random, wrapped in Ceph's key encoding
(little-endian u16 type 1 = AES, u32 seconds and u32 nanoseconds of creation, u16 length, the secret), base64.
The creation time is zero so the key is a pure function of its random bytes."""

import base64
import struct

import pulumi
import pulumi_random as random


def encode(secret: bytes) -> str:
    return base64.b64encode(struct.pack("<HIIH", 1, 0, 0, len(secret)) + secret).decode()


def cephx_key(name: str, parent: pulumi.Resource) -> pulumi.Output[str]:
    raw = random.RandomBytes(name, length=16, opts=pulumi.ResourceOptions(parent=parent))
    return pulumi.Output.secret(raw.base64.apply(lambda b: encode(base64.b64decode(b)) if _is_base64(b) else b))


def _is_base64(text: str) -> bool:
    try:
        return len(base64.b64decode(text, validate=True)) == 16
    except ValueError:
        return False  # the offline evaluation's placeholder stays a placeholder
