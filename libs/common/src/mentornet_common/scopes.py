"""The scopes an org's API client (a portal, a partner system) may be granted."""

from __future__ import annotations

KNOWN_SCOPES = frozenset(
    {
        "users:read",
        "users:write",
        "profiles:read",
        "profiles:write",
        "asks:read",
        "asks:write",
        "sessions:read",
        "sessions:write",
        "feedback:read",
        "feedback:write",
        "impact:read",
        "events:read",
    }
)
