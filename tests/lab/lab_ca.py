"""A throwaway certificate authority by openssl, standing in for the PKI layer in labs that prove another layer
(the PKI lab proves the real step-ca issuance)."""

import subprocess
from dataclasses import dataclass
from pathlib import Path

_EC = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"]


@dataclass(frozen=True)
class LabCa:
    directory: Path
    cert: Path
    key: Path

    @classmethod
    def create(cls, directory: Path, common_name: str = "goldentooth lab root") -> "LabCa":
        cert, key = directory / "ca.pem", directory / "ca.key"
        subprocess.run(["openssl", "req", "-x509", *_EC, "-keyout", key, "-out", cert, "-days", "2",
                        "-subj", f"/CN={common_name}"], check=True, capture_output=True)
        return cls(directory, cert, key)

    def issue(self, name: str, common_name: str, sans: str) -> tuple[Path, Path]:
        """(certificate, key) for `common_name` with `sans` (openssl's subjectAltName syntax), server and client."""
        key, csr, cert, ext = (self.directory / f"{name}.{s}" for s in ("key", "csr", "crt", "ext"))
        ext.write_text(f"subjectAltName={sans}\nextendedKeyUsage=serverAuth,clientAuth\n", encoding="utf-8")
        subprocess.run(["openssl", "req", *_EC, "-keyout", key, "-out", csr, "-subj", f"/CN={common_name}"],
                       check=True, capture_output=True)
        subprocess.run(["openssl", "x509", "-req", "-in", csr, "-CA", self.cert, "-CAkey", self.key, "-CAcreateserial",
                        "-out", cert, "-days", "2", "-extfile", ext], check=True, capture_output=True)
        return cert, key
