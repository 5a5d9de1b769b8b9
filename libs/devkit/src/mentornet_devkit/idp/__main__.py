"""``make idp``: the two sample OpenID providers (acme and globex) on loopback, to try single sign-on and
token exchange against a running ``make run`` (docs/walkthrough.md: "Member orgs plug in").

Each provider has the clients ``mentornet`` (its redirect URI: identity's callback) and ``portal``, with
secrets ``<org>-<client>-secret``, and the people alice@acme.example (group "mentors") and
bob@globex.example. Sign-in is automatic for the person named by ``login_hint``. Not for production.
"""

from __future__ import annotations

import argparse
import contextlib
import signal
import tempfile
import threading
from pathlib import Path

from mentornet_devkit.idp import MENTORNET_CLIENT_ID, default_issuers, start_providers


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--identity",
        default="http://127.0.0.1:8001",
        help="identity's public URL (its callback is registered)",
    )
    args = parser.parse_args()
    log = Path(tempfile.mkdtemp(prefix="mentornet-idp-")) / "oidc-provider.log"
    with start_providers(default_issuers(), log) as providers:
        for name in ("acme", "globex"):
            # identity's callback for the org of that slug (docs/walkthrough.md names them so)
            callback = f"{args.identity.rstrip('/')}/v1/orgs/{name}/sso/callback"
            providers.add_redirect_uris(name, MENTORNET_CLIENT_ID, callback)
            print(f"{name:>6}: issuer {providers.issuer(name).url}", flush=True)
        print(f"log: {log}\nCtrl-C stops them.", flush=True)
        stop = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
        with contextlib.suppress(KeyboardInterrupt):
            stop.wait()


if __name__ == "__main__":
    main()
