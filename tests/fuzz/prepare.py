"""Test data for the fuzz runs, on the seeded demo server, before any run.

Logs in every demo role and, for each role's run, walks a fresh sourcing
request to `open` with the demo micro-machining supplier invited and one
question asked (a run may cancel or award its request), so that the fuzzer
reaches the operations behind an id. Writes, per role, its access token and
dictionaries of the ids that exist to OUT_DIR/<role>/.

usage: prepare.py BASE_URL PASSWORD OUT_DIR buyer=EMAIL supplier=EMAIL expert=EMAIL admin=EMAIL
"""

import datetime
import json
import os
import sys
import urllib.error
import urllib.request

base, password, out_dir, *accounts = sys.argv[1:]
emails = dict(account.split("=", 1) for account in accounts)


def call(method, path, token=None, body=None):
    request = urllib.request.Request(f"{base}{path}", method=method)
    if token:
        request.add_header("authorization", f"Bearer {token}")
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        request.add_header("content-type", "application/json")
    try:
        with urllib.request.urlopen(request, data) as reply:
            raw = reply.read()
            return json.loads(raw) if raw else None
    except urllib.error.HTTPError as error:
        sys.exit(f"prepare: {method} {path}: {error.code} {error.read().decode()}")


tokens = {
    name: call("POST", "/api/v1/auth/login", body={"email": email, "password": password})["access_token"]
    for name, email in emails.items()
}
users = {name: call("GET", "/api/v1/me", tokens[name])["user"] for name in tokens}
# The first demo supplier: micro-machining, ISO 13485, published.
supplier_id = users["supplier"]["organisation_id"]

def open_request():
    """A fresh open request; returns the dictionaries of the ids that exist."""
    now = datetime.datetime.now(datetime.timezone.utc)
    request = call("POST", "/api/v1/requests", tokens["buyer"], {
        "title": "Micro-usinage de vis implantables en titane",
        "description": "Vis d'ostéosynthèse en titane grade 5, diamètre 1,5 mm.",
        "capabilities": ["machining.micro_machining"],
        "certifications": [{"code": "iso_13485", "mandatory": False}],
        "sectors": ["medtech"],
        "quantities": "5 000 pièces par an",
        "budget": {"min": "10000", "max": "25000", "currency": "EUR"},
        "desired_delivery": (now + datetime.timedelta(days=120)).date().isoformat(),
        "response_deadline": (now + datetime.timedelta(days=14)).isoformat(),
        "region": "Bourgogne-Franche-Comté",
        "language": "fr",
        "confidential": True,
        "nda_required": False,
        "attachments": [],
    })
    request_id = request["id"]
    steps = f"/api/v1/requests/{request_id}"
    call("POST", f"{steps}/submit", tokens["buyer"], {})
    call("POST", f"{steps}/qualify", tokens["expert"], {"comment": "Besoin clair"})
    match = call("POST", f"{steps}/matches", tokens["expert"], {"supplier_id": supplier_id})
    call("POST", f"{steps}/matches/{match['id']}/approve", tokens["expert"], {"note_for_buyer": "Atelier audité"})
    call("POST", f"{steps}/open", tokens["expert"], {})
    question = call("POST", f"{steps}/questions", tokens["supplier"], {"question": "La passivation est-elle incluse ?"})
    profile = call("GET", f"/api/v1/organisations/{supplier_id}/profile", tokens["expert"])

    dictionaries = {
        "request_ids": [request_id],
        "organisation_ids": sorted({u["organisation_id"] for u in users.values() if u["organisation_id"]}),
        "user_ids": [u["id"] for u in users.values()],
        "supplier_ids": [supplier_id],
        "match_ids": [match["id"]],
        "question_ids": [question["id"]],
        "certificate_ids": [c["id"] for c in profile["certifications"]],
    }
    return dictionaries


for role, token in tokens.items():
    directory = os.path.join(out_dir, role)
    os.makedirs(directory, exist_ok=True)
    with open(os.path.join(directory, "token"), "w", encoding="utf-8") as out:
        out.write(token)
    for name, values in open_request().items():
        with open(os.path.join(directory, f"{name}.dict"), "w", encoding="utf-8") as out:
            out.writelines(f'"{value}"\n' for value in values)
