"""The scopes an org's API client (a portal, a partner system, an identity provider) may be granted.

A client's token, for itself or acting for a person, may do only what its scopes open; acting for a
person, it may also do no more than the person's roles allow. docs/scopes.md is generated from ``SCOPES``
(the contract tests compare them), and every route names the scope it needs in its dependency.
"""

from __future__ import annotations

SCOPES: dict[str, str] = {
    "users:read": "the org's people (list, read) and, acting for a person, `GET /v1/me`",
    "users:write": "create the org's people; acting for a person, erase them",
    "profiles:read": "profiles, mentor cards, the mentor directory and suggestions (acting for a person)",
    "profiles:write": "the person's own profile and mentor card (acting for a person)",
    "asks:read": "the person's asks and their proposals (acting for a person)",
    "asks:write": "post an ask (acting for a person)",
    "sessions:read": "the person's sessions and invitations (acting for a person)",
    "sessions:write": "accept, decline, complete, cancel, reschedule, report a no-show (acting for a person)",
    "feedback:read": "feedback given and received, follow-ups, the journal and its export "
    "(acting for a person)",
    "feedback:write": "give feedback, record a follow-up (acting for a person)",
    "impact:read": "the org's impact, matching figures and participation (for itself, or acting for an "
    "org_admin)",
    "events:read": "the org's event feed (`GET /v1/events`)",
    "webhooks:read": "the org's webhook endpoints and their delivery logs",
    "webhooks:write": "register, re-enable, remove webhook endpoints and redeliver",
    "scim": "provision the org's people and groups over SCIM 2.0 (`/scim/v2`)",
    "data:export": "the person's data export, `GET /v1/me/export` (acting for a person)",
}

KNOWN_SCOPES = frozenset(SCOPES)
