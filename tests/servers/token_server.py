#!/usr/bin/env python3
"""Registry v2 token server for tests: ``GET /token?service=S&scope=repository:NAME:pull,push``.

Valid Basic credentials get every action they ask for, wrong ones 401, anonymous clients pull ``public/*``
only. Env: TOKEN_PORT (0 = any; the port is printed), TOKEN_KEY, TOKEN_CERT (PEM), TOKEN_ISSUER,
TOKEN_HDR = kid | x5c | jwk, TOKEN_FIELD = both | token | access_token (which field carries the token).
Every request is counted; ``GET /count`` returns the number of token requests served so far.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

import jwt
from cryptography import x509
from cryptography.hazmat.primitives import serialization as ser
from cryptography.hazmat.primitives.asymmetric import ec

USERS = {"alice": "s3cret"}
ISSUER, HDR, TTL = os.environ.get("TOKEN_ISSUER", "test-issuer"), os.environ.get("TOKEN_HDR", "kid"), 300
FIELD = os.environ.get("TOKEN_FIELD", "both")
KEY: Any = ser.load_pem_private_key(Path(os.environ.get("TOKEN_KEY", "signing.key")).read_bytes(), None)
CERT = x509.load_pem_x509_certificate(Path(os.environ.get("TOKEN_CERT", "signing.crt")).read_bytes())
ALG = "ES256" if isinstance(KEY, ec.EllipticCurvePrivateKey) else "RS256"
COUNT = [0]
LOCK = threading.Lock()


def libtrust_kid(pub: Any) -> str:
    """base32(sha256(DER SPKI)[:30]), unpadded, groups of 4 joined by ':' — what registry 2.8 expects."""
    der = pub.public_bytes(ser.Encoding.DER, ser.PublicFormat.SubjectPublicKeyInfo)
    s = base64.b32encode(hashlib.sha256(der).digest()[:30]).decode().rstrip("=")
    return ":".join(s[i : i + 4] for i in range(0, len(s), 4))


def header() -> dict[str, Any]:
    if HDR == "x5c":
        return {"x5c": [base64.b64encode(CERT.public_bytes(ser.Encoding.DER)).decode()]}
    if HDR == "jwk":
        return {"jwk": json.loads(jwt.algorithms.get_default_algorithms()[ALG].to_jwk(KEY.public_key()))}
    return {"kid": libtrust_kid(KEY.public_key())}


def parse_scope(s: str) -> dict[str, Any]:  # "repository:a/b/c:pull,push" | "registry:catalog:*"
    typ, rest = s.split(":", 1)
    name, actions = rest.rsplit(":", 1)
    return {"type": typ, "name": name, "actions": actions.split(",")}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args: Any) -> None:
        pass

    def reply(self, code: int, obj: Any, headers: tuple[tuple[str, str], ...] = ()) -> None:
        body = json.dumps(obj).encode()
        self.send_response(code)
        for k, v in [("Content-Type", "application/json"), ("Content-Length", str(len(body))), *headers]:
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        u = urlparse(self.path)
        q = parse_qs(u.query)
        if u.path == "/count":
            return self.reply(200, {"count": COUNT[0]})
        if u.path != "/token":
            return self.reply(404, {"error": "not found"})
        with LOCK:
            COUNT[0] += 1
        scopes = [parse_scope(s) for sc in q.get("scope", []) for s in sc.split()]
        user, auth = None, self.headers.get("Authorization", "")
        if auth.startswith("Basic "):
            user, _, pw = base64.b64decode(auth[6:]).decode().partition(":")
            if USERS.get(user) != pw:
                err = {"errors": [{"code": "UNAUTHORIZED", "message": "bad credentials"}]}
                return self.reply(401, err, (("WWW-Authenticate", 'Basic realm="token"'),))
        access = (
            scopes
            if user
            else [
                dict(s, actions=["pull"])
                for s in scopes
                if s["type"] == "repository" and s["name"].startswith("public/") and "pull" in s["actions"]
            ]
        )
        now = int(time.time())
        claims = {
            "iss": ISSUER,
            "sub": user or "",
            "aud": q.get("service", [""])[0],  # a string: registry 2.8 refuses a list
            "exp": now + TTL,
            "nbf": now - 5,
            "iat": now,
            "jti": uuid.uuid4().hex,
            "access": access,
        }
        tok = jwt.encode(claims, KEY, algorithm=ALG, headers=header())
        fields = {"token": tok, "access_token": tok} if FIELD == "both" else {FIELD: tok}
        self.reply(
            200, {**fields, "expires_in": TTL, "issued_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(now))}
        )


if __name__ == "__main__":
    srv = ThreadingHTTPServer(("127.0.0.1", int(os.environ.get("TOKEN_PORT", "0"))), Handler)
    print(f"listening on 127.0.0.1:{srv.server_address[1]} alg={ALG} hdr={HDR}", flush=True)
    srv.serve_forever()
