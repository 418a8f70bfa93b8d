#!/usr/bin/env python3
"""Known-answer vector for the broker's secret envelope (docs/kbs.md), computed with an independent
implementation (Python `cryptography`), not with sealwright's code. Its output is pasted into
test/kbs_test.c and KbsEnvelopeSpec; rerun to check: python3 native-helpers/test/kbs_vector.py"""
import hashlib
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

tee_d = 0x1f2e3d4c5b6a79881f2e3d4c5b6a79881f2e3d4c5b6a79881f2e3d4c5b6a7988
eph_d = 0x0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
nonce = bytes(range(32))
resource = "luks-root"
secret = b"correct horse battery staple"
iv = bytes.fromhex("000102030405060708090a0b")

tee = ec.derive_private_key(tee_d, ec.SECP256R1())
eph = ec.derive_private_key(eph_d, ec.SECP256R1())
pt = serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
tee_pub = tee.public_key().public_bytes(*pt)
eph_pub = eph.public_key().public_bytes(*pt)
z = eph.exchange(ec.ECDH(), tee.public_key())
key = HKDF(hashes.SHA256(), 32, salt=nonce, info=("sealwright-kbs/v1 " + resource).encode()).derive(z)
ct = AESGCM(key).encrypt(iv, secret, resource.encode())
print("tee_priv   ", format(tee_d, "064x"))
print("tee_pub    ", tee_pub.hex())
print("nonce      ", nonce.hex())
print("reportdata ", hashlib.sha512(nonce + tee_pub).hexdigest())
print("epk        ", eph_pub.hex())
print("iv         ", iv.hex())
print("ciphertext ", ct.hex())
