"""A test certification authority made in the test: its root, and a signing certificate it issued, with the key in
a PKCS#12 file as a signing body receives it; and an RFC 3161 timestamp server on a local port."""

import datetime
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from asn1crypto import keys as asn1_keys
from asn1crypto import tsp
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper
from pyhanko_certvalidator.registry import SimpleCertificateStore

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


def _root(common_name: str) -> tuple[ec.EllipticCurvePrivateKey, x509.Certificate]:
    now = datetime.datetime.now(datetime.UTC)
    root_key = ec.generate_private_key(ec.SECP256R1())
    root_name = _name(common_name, "Ban Cơ yếu thử nghiệm")
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
    return root_key, root


def _issued(
    root_key: ec.EllipticCurvePrivateKey,
    root: x509.Certificate,
    key: ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey,
    subject: x509.Name,
    time_stamping: bool = False,
) -> x509.Certificate:
    now = datetime.datetime.now(datetime.UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(root.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(hours=1))
        .not_valid_after(now + datetime.timedelta(days=90))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(True, True, False, False, False, False, False, False, False), critical=True
        )  # digital_signature, content_commitment (non-repudiation)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(root_key.public_key()), critical=False)
    )
    if time_stamping:
        builder = builder.add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True)
    return builder.sign(root_key, hashes.SHA256())


def _asn1(cert: x509.Certificate) -> asn1_x509.Certificate:
    return asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))


def make_signing_key(
    folder: Path, signer_name: str, organisation: str = "Đảng bộ phường Thử Nghiệm"
) -> SigningKeyFiles:
    root_key, root = _root("CA thử nghiệm chuyên dùng")
    key = ec.generate_private_key(ec.SECP256R1())
    cert = _issued(root_key, root, key, _name(signer_name, organisation))
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
        root=_asn1(root),
        root_pem=root_pem,
        signer_name=signer_name,
    )


@dataclass(frozen=True)
class TimestampAuthority:
    stamper: DummyTimeStamper
    root: asn1_x509.Certificate


def make_timestamp_authority() -> TimestampAuthority:
    """A TSA (its own root and a time-stamping certificate) that answers every request with the time now."""
    root_key, root = _root("TSA thử nghiệm")
    # pyHanko's test TSA signs with RSA only.
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    cert = _issued(root_key, root, key, _name("Máy chủ cấp dấu thời gian thử nghiệm", "TSA"), time_stamping=True)
    private = key.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    stamper = DummyTimeStamper(
        tsa_cert=_asn1(cert),
        tsa_key=asn1_keys.PrivateKeyInfo.load(private),
        certs_to_embed=SimpleCertificateStore.from_certs([_asn1(root)]),
    )
    return TimestampAuthority(stamper=stamper, root=_asn1(root))


@contextmanager
def timestamp_server(authority: TimestampAuthority) -> Iterator[str]:
    """An RFC 3161 server over HTTP on a local port, while the block runs; yields its address."""

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            request = tsp.TimeStampReq.load(self.rfile.read(int(self.headers["Content-Length"])))
            answer = authority.stamper.request_tsa_response(request).dump()
            self.send_response(200)
            self.send_header("Content-Type", "application/timestamp-reply")
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, format: str, *args: object) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def use_portal_key(settings: Any, folder: Path, signer: str) -> SigningKeyFiles:
    """A key made for `signer`, set as the portal's signing key."""
    key = make_signing_key(folder, signer)
    settings.PORTAL_SIGNING_PKCS12 = str(key.pkcs12)
    settings.PORTAL_SIGNING_PASSPHRASE = key.passphrase
    return key
