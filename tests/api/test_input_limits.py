"""Every JSON body and query is bounded: no string, list or map a client sends is without
a limit (a passphrase can't feed argon2 megabytes, an import can't hold 1 MB titles), and
past a limit the answer is a 422 with a JSON detail and nothing stored."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from tests.conftest import PASSWORD, signup
from tests.soft_authenticator import SoftAuthenticator

# Bounded by a validator rather than in the schema: WebAuthn JSON from the browser keeps
# the fields the browser adds (CredentialJSON checks their number and size).
GUARDED = {"CredentialJSON", "CredentialJSON.response"}


def _unbounded(spec: dict[str, Any]) -> list[str]:
    defs = spec["components"]["schemas"]
    found: list[str] = []

    def walk(schema: dict[str, Any], where: str, name: str, seen: frozenset[str]) -> None:
        if "$ref" in schema:
            ref = schema["$ref"].split("/")[-1]
            if ref not in seen:
                walk(defs[ref], f"{where}<{ref}>", ref, seen | {ref})
            return
        for key in ("anyOf", "oneOf", "allOf"):
            for sub in schema.get(key, []):
                walk(sub, where, name, seen)
        kind = schema.get("type")
        if kind == "string" and not {"maxLength", "enum", "const", "pattern"} & schema.keys():
            if schema.get("format") not in ("uuid", "date", "date-time"):
                found.append(f"{where}: a string without maxLength")
        elif kind == "array":
            if "maxItems" not in schema:
                found.append(f"{where}: a list without maxItems")
            walk(schema.get("items", {}), f"{where}[]", name, seen)
        elif kind == "object":
            for key, sub in schema.get("properties", {}).items():
                walk(sub, f"{where}.{key}", f"{name}.{key}", seen)
            extra = schema.get("additionalProperties")
            if extra is True and name not in GUARDED:
                found.append(f"{where}: any extra keys")
            elif isinstance(extra, dict):
                keys = schema.get("propertyNames", {})
                if "enum" not in keys and "maxProperties" not in schema:
                    found.append(f"{where}: a map without maxProperties")
                if not {"enum", "maxLength"} & keys.keys() and name not in GUARDED:
                    found.append(f"{where}: a map with keys of any length")
                walk(extra, f"{where}{{}}", name, seen)

    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            where = f"{method.upper()} {path}"
            for content in operation.get("requestBody", {}).get("content", {}).values():
                walk(content["schema"], where, "", frozenset())
            for parameter in operation.get("parameters", []):
                walk(parameter["schema"], f"{where} ?{parameter['name']}", "", frozenset())
    return found


def test_every_string_list_and_map_a_client_sends_has_a_limit(app: Any) -> None:
    assert _unbounded(app.openapi()) == []


def test_passphrases_longer_than_1024_characters_are_422_before_hashing(
    client: TestClient, user: dict[str, Any]
) -> None:
    huge = "p" * 1025
    for path, body in [
        ("/api/auth/login", {"username": user["username"], "password": huge}),
        ("/api/auth/reauth", {"password": huge}),
        ("/api/auth/passphrase", {"current_password": huge, "new_password": PASSWORD + "!"}),
        ("/api/auth/recover", {"username": "x", "recovery_code": "y", "new_password": huge}),
        ("/api/auth/signup", {"username": "longpass", "password": huge}),
    ]:
        r = client.post(path, json=body)
        assert r.status_code == 422, (path, r.text)
        assert r.json()["detail"]
    login = {"username": user["username"], "password": PASSWORD}
    assert client.post("/api/auth/login", json=login).status_code == 200


def test_a_passkey_credential_of_megabytes_is_422_and_nothing_is_stored(
    client: TestClient,
) -> None:
    signup(client)
    options = client.post("/api/passkeys/register/options").json()
    credential = SoftAuthenticator().create(options)
    too_big = {**credential, "response": {**credential["response"], "padding": "x" * 70_000}}
    many = {**credential, **{f"extra{i}": i for i in range(11)}}
    for sent in (too_big, many):
        r = client.post("/api/passkeys/register", json={"credential": sent, "name": "Phone"})
        assert r.status_code == 422, r.text
        assert r.json()["detail"]
    assert client.get("/api/passkeys").json() == []
    r = client.post("/api/passkeys/register", json={"credential": credential, "name": "Phone"})
    assert r.status_code == 201, r.text


def test_an_import_names_at_most_twenty_values_to_apply(
    client: TestClient, user: dict[str, Any]
) -> None:
    doc = client.get("/api/export").json()
    r = client.post("/api/import", params={"apply": ["country"] * 21}, json=doc)
    assert r.status_code == 422 and r.json()["detail"]
    r = client.post("/api/import", params={"apply": ["country"] * 20}, json=doc)
    assert r.status_code == 200, r.text
