"""The generated Python client (docs/api.md, "Generated Python client") in use: a person signs in, posts an
ask and reads it back; a refusal comes back as a typed problem document.

    pip install ./clients/python      # from a checkout of the repository
    python client_example.py http://127.0.0.1:8001 http://127.0.0.1:8003 ann@acme.example 'her password'

Behind the gateway every service has one base URL; `make run` serves each on a port of its own (identity
on 8001, matching on 8003). tests/e2e/test_client_example.py runs this file against the running system.
"""

from __future__ import annotations

import sys
import uuid
from typing import TypeVar

from mentornet_client import AuthenticatedClient, Client
from mentornet_client.api.asks import create_ask, get_ask
from mentornet_client.api.tokens import issue_token
from mentornet_client.models import AskIn, AskOut, BodyIssueToken, Problem

T = TypeVar("T")


class Refused(Exception):
    """mentornet answered a problem document (application/problem+json) instead."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(f"{problem.status} {problem.title}: {problem.detail}")
        self.problem = (
            problem  # also .error on the token endpoint, .missing_scopes on a 403, .errors on a 422
        )


def expect(answer: T | Problem | None) -> T:
    """What a call answered when it succeeded. Every operation's problems are typed as Problem; None is a
    status the document does not declare."""
    if isinstance(answer, Problem):
        raise Refused(answer)
    if answer is None:
        raise RuntimeError("an answer the OpenAPI document does not declare")
    return answer


def sign_in(identity_url: str, email: str, password: str) -> str:
    """An access token from the password grant; the client sends the token endpoint's form."""
    with Client(base_url=identity_url) as identity:
        grant = BodyIssueToken(grant_type="password", username=email, password=password)
        return expect(issue_token.sync(client=identity, body=grant)).access_token


def post_ask(matching_url: str, token: str, question: str) -> AskOut:
    """Post an ask and read it back, with its proposals so far."""
    with AuthenticatedClient(base_url=matching_url, token=token) as matching:
        body = AskIn(question=question, skills=["negotiation"], scope="consortium")
        # A retry with the same Idempotency-Key gets the first answer again instead of a second ask.
        posted = expect(create_ask.sync(client=matching, body=body, idempotency_key=str(uuid.uuid4())))
        return expect(get_ask.sync(posted.id, client=matching))


def main(argv: list[str]) -> int:
    identity_url, matching_url, email, password = argv
    try:
        token = sign_in(identity_url, email, password)
        ask = post_ask(matching_url, token, "How do I push back on a 40% price rise at renewal?")
    except Refused as refused:
        print(f"refused: {refused}", file=sys.stderr)
        return 1
    print(f"{ask.id} is {ask.status}, with {len(ask.proposals)} proposal(s) so far: {ask.question}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
