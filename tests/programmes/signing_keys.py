"""A test certification authority made in the test: its root, and a signing certificate it issued, with the key in
a PKCS#12 file as a signing body receives it."""

import datetime
from dataclasses import dataclass
from pathlib import Path

from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID

PASSPHRASE = "mat-khau-thu"


@dataclass(frozen=True)
class SigningKeyFiles:
    pkcs12: Path
    passphrase: str
    root: asn1_x509.Certificate
    root_pem: Path
    signer_name: str


def _name(common_name: str, organisation: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def make_signing_key(folder: Path, signer_name: str, organisation: str = "Đảng bộ phường Thử Nghiệm") -> SigningKeyFiles:
    now = datetime.datetime.now(datetime.UTC)
    root_key = ec.generate_private_key(ec.SECP256R1())
    root_name = _name("CA thử nghiệm chuyên dùng", "Ban Cơ yếu thử nghiệm")
    root = (
        x509.CertificateBuilder()
        .subject_name(root_name)
        .issuer_name(root_name)
        .public_key(root_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=365))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True
        )  # key_cert_sign, crl_sign
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(root_key.public_key()), critical=False)
        .sign(root_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name(signer_name, organisation))
        .issuer_name(root_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(hours=1))
        .not_valid_after(now + datetime.timedelta(days=90))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(True, True, False, False, False, False, False, False, False), critical=True
        )  # digital_signature, content_commitment (non-repudiation)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(root_key.public_key()), critical=False)
        .sign(root_key, hashes.SHA256())
    )
    folder.mkdir(parents=True, exist_ok=True)
    bundle = folder / "ky-so.p12"
    bundle.write_bytes(
        pkcs12.serialize_key_and_certificates(
            b"ky-so", key, cert, [root], serialization.BestAvailableEncryption(PASSPHRASE.encode())
        )
    )
    root_pem = folder / "ca.pem"
    root_pem.write_bytes(root.public_bytes(serialization.Encoding.PEM))
    return SigningKeyFiles(
        pkcs12=bundle,
        passphrase=PASSPHRASE,
        root=asn1_x509.Certificate.load(root.public_bytes(serialization.Encoding.DER)),
        root_pem=root_pem,
        signer_name=signer_name,
    )
