#!/usr/bin/env python3
"""Known answer for the broker's sealed secret (docs/kbs.md, protocol sealwright-kbs/2), made with an
independent HPKE implementation (pyca/cryptography >= 46, `cryptography.hazmat.primitives.hpke`, base
mode, DHKEM(P-256, HKDF-SHA256), HKDF-SHA256, AES-256-GCM, empty AAD), not with sealwright's code.
HPKE's ephemeral key is random, so each run prints a different enc/ciphertext that opens the same way;
the printed values are pasted into test/kbs_test.c and SecretEnvelopeSpec. Rerun: python3 native-helpers/test/kbs_vector.py"""
import hashlib
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.hpke import AEAD, KDF, KEM, Suite

tee_d = 0x1f2e3d4c5b6a79881f2e3d4c5b6a79881f2e3d4c5b6a79881f2e3d4c5b6a7988
nonce = bytes(range(32))
resource = "luks-root"
secret = b"correct horse battery staple"

tee = ec.derive_private_key(tee_d, ec.SECP256R1())
tee_pub = tee.public_key().public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
r = resource.encode()
info = b"sealwright-kbs/2" + len(r).to_bytes(2, "big") + r + nonce
sealed = Suite(KEM.P256, KDF.HKDF_SHA256, AEAD.AES_256_GCM).encrypt(secret, tee.public_key(), info=info)
print("tee_priv   ", format(tee_d, "064x"))
print("tee_pub    ", tee_pub.hex())
print("nonce      ", nonce.hex())
print("reportdata ", hashlib.sha512(nonce + tee_pub).hexdigest())
print("info       ", info.hex())
print("enc        ", sealed[:65].hex())
print("ciphertext ", sealed[65:].hex())
