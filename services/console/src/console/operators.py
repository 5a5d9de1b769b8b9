"""The consortium operator's pages: the operations overview (every service's readiness, consumer lag, outbox
backlog), the dead letters (browse, show, replay one or all of a service, drop one), the member orgs (with
each service's store of theirs; register one) and each org's page (seat an org admin; suspend, resume, or
offboard it once its slug is typed). Through the public operator API only (docs/operations.md "The operator
API"), as the signed-in operator; anyone else is refused before any call."""

from __future__ import annotations

import asyncio
from typing import Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from console.apis import ApiProblem, Apis
from console.config import API_SERVICES
from console.members import PAGE, Offset, field_errors, text
from console.web import Forbidden, SignedIn, Visit, checked_form, error_page, render

router = APIRouter(prefix="/ops", include_in_schema=False)

SETTLED = {"replay": "Replayed", "drop": "Dropped"}
STORES_PAGE = 200  # the API's largest page
STORES_PAGES = 50  # each service's stores are read page by page, up to 10,000 of them
# identity answers an offboarding after every API has followed the org's revocations (about 6 s)
OFFBOARD_WAIT_S = 60.0
ORG_ACTIONS = {"suspend": "Suspended", "resume": "Resumed"}
DONE = ORG_ACTIONS | {"register": "Registered"}


def operator(visit: Visit) -> Visit:
    """The visit, if the signed-in person is a consortium operator (else 403, and no API is asked)."""
    if "operator" not in visit.roles or visit.is_member:
        raise Forbidden("This page is for the consortium's operators.")
    return visit


def _service(service: str) -> str:
    if service not in API_SERVICES:
        raise ApiProblem(404, "Not Found", f"There is no service {service!r}.")
    return service


async def _each(
    apis: Apis, token: str, path: str, services: tuple[str, ...] = API_SERVICES, **params: Any
) -> dict[str, Any]:
    """Every service's answer to ``/v1/operations/{service}{path}``: its body, or the ApiProblem it gave."""

    async def one(service: str) -> Any:
        try:
            return await apis.get(service, f"/v1/operations/{service}{path}", token, **params)
        except ApiProblem as problem:
            return problem

    answers = await asyncio.gather(*(one(s) for s in services))
    return dict(zip(services, answers, strict=True))


def age(seconds: float | None) -> str:
    if seconds is None:
        return "—"
    whole = int(seconds)
    if whole < 120:
        return f"{whole} s"
    if whole < 7200:
        return f"{whole // 60} min"
    return f"{whole // 3600} h {whole % 3600 // 60} min"


def size(value: int | None) -> str:
    if value is None:
        return "—"
    amount = float(value)
    for unit in ("bytes", "KiB", "MiB", "GiB"):
        if amount < 1024 or unit == "GiB":
            return f"{amount:.0f} {unit}" if unit == "bytes" else f"{amount:.1f} {unit}"
        amount /= 1024
    return str(value)


@router.get("")
async def overview(request: Request, visit: SignedIn) -> Response:
    """Every service's readiness, its consumer group's lag per topic and partition, its outbox backlog."""
    operator(visit)
    apis: Apis = request.app.state.apis
    try:
        health = await apis.get("identity", "/v1/operations/health", visit.token)
    except ApiProblem as problem:
        health = problem
    lag, outbox = await asyncio.gather(
        _each(apis, visit.token, "/lag", tuple(s for s in API_SERVICES if s != "identity")),
        _each(apis, visit.token, "/outbox", limit=STORES_PAGE),
    )
    return render(
        request, "ops_overview.html", visit=visit, health=health, lag=lag, outbox=outbox, age=age
    )  # fmt: skip


@router.get("/dead-letters")
async def dead_letters(
    request: Request, visit: SignedIn, service: str | None = None, offset: Offset = 0
) -> Response:
    """Every service's dead letters (a page each), or one service's, page by page."""
    operator(visit)
    apis: Apis = request.app.state.apis
    services = (_service(service),) if service else API_SERVICES
    found = await _each(apis, visit.token, "/dead-letters", services, limit=PAGE, offset=offset)
    return render(
        request, "ops_dead_letters.html", visit=visit, found=found, service=service, offset=offset,
        message=_settled_message(request),
    )  # fmt: skip


def _settled_message(request: Request) -> str | None:
    query = request.query_params
    action, of, count = query.get("settled"), query.get("of"), query.get("count", "")
    if action not in SETTLED or of not in API_SERVICES or not count.isdigit():
        return None
    letters = "dead letter" if count == "1" else "dead letters"
    return f"{SETTLED[action]} {count} {letters} of {of}."


@router.get("/dead-letters/{service}/{ref}")
async def dead_letter(request: Request, visit: SignedIn, service: str, ref: str) -> Response:
    operator(visit)
    apis: Apis = request.app.state.apis
    try:
        letter = await apis.get(
            _service(service), f"/v1/operations/{service}/dead-letters/{quote(ref, safe=':')}", visit.token
        )
    except ApiProblem as problem:
        return error_page(request, problem, visit)
    return render(request, "ops_dead_letter.html", visit=visit, service=service, letter=letter)


async def _settle(request: Request, visit: Visit, service: str, path: str, action: str) -> Response:
    await checked_form(request, visit)
    operator(visit)
    apis: Apis = request.app.state.apis
    try:
        settled = await apis.post(
            _service(service), f"/v1/operations/{service}/dead-letters{path}", visit.token
        )
    except ApiProblem as problem:
        return error_page(request, problem, visit)
    query = urlencode({"settled": action, "of": service, "count": int((settled or {}).get("count", 0))})
    return RedirectResponse(f"/ops/dead-letters?{query}", 303)


@router.post("/dead-letters/{service}/replay")
async def replay_all(request: Request, visit: SignedIn, service: str) -> Response:
    """Every dead letter of the service's group replayed for it on its redrive topic, as
    ``mentornet dlq replay --all``."""
    return await _settle(request, visit, service, "/replay", "replay")


@router.post("/dead-letters/{service}/{ref}/{action}")
async def settle_one(request: Request, visit: SignedIn, service: str, ref: str, action: str) -> Response:
    if action not in SETTLED:
        await checked_form(request, visit)
        return error_page(request, ApiProblem(404, "Not Found", f"no action {action!r}"), visit)
    return await _settle(request, visit, service, f"/{quote(ref, safe=':')}/{action}", action)


async def _stores(
    apis: Apis, token: str
) -> tuple[dict[str, dict[str, Any]], dict[str, ApiProblem], set[str]]:
    """Each service's stores, page by page: tenant -> service -> store; the services that did not answer,
    with their problem; those with more than STORES_PAGES pages of stores (the rest are not read)."""

    async def every(service: str) -> tuple[list[dict[str, Any]], bool] | ApiProblem:
        found: list[dict[str, Any]] = []
        offset: int | None = 0
        for _ in range(STORES_PAGES):
            try:
                answer = await apis.get(
                    service, f"/v1/operations/{service}/stores", token, limit=STORES_PAGE, offset=offset
                )
            except ApiProblem as problem:
                return problem
            found.extend(answer.get("items", []))
            offset = answer.get("next_offset")
            if offset is None:
                return found, False
        return found, True

    answers = dict(zip(API_SERVICES, await asyncio.gather(*(every(s) for s in API_SERVICES)), strict=True))
    stores: dict[str, dict[str, Any]] = {}
    unanswered: dict[str, ApiProblem] = {}
    partial: set[str] = set()
    for service, answer in answers.items():
        if isinstance(answer, ApiProblem):
            unanswered[service] = answer
            continue
        items, more = answer
        if more:
            partial.add(service)
        for store in items:
            stores.setdefault(str(store.get("tenant")), {})[service] = store
    return stores, unanswered, partial


async def _stores_of(
    apis: Apis, token: str, org_id: str
) -> tuple[dict[str, dict[str, Any]], dict[str, ApiProblem]]:
    """Each service's store of one org (service -> store; none where it has none yet), and the services
    that did not answer, with their problem: one request a service, whatever the number of orgs."""

    async def one(service: str) -> list[dict[str, Any]] | ApiProblem:
        try:
            answer = await apis.get(service, f"/v1/operations/{service}/stores", token, tenant=org_id)
        except ApiProblem as problem:
            return problem
        return list(answer.get("items", []))

    answers = await asyncio.gather(*(one(s) for s in API_SERVICES))
    stores: dict[str, dict[str, Any]] = {}
    unanswered: dict[str, ApiProblem] = {}
    for service, answer in zip(API_SERVICES, answers, strict=True):
        if isinstance(answer, ApiProblem):
            unanswered[service] = answer
        elif answer:
            stores[service] = answer[0]
    return stores, unanswered


async def _orgs(
    request: Request,
    visit: Visit,
    offset: int,
    *,
    status_code: int = 200,
    problem: ApiProblem | None = None,
    form: str = "",
    values: dict[str, Any] | None = None,
) -> Response:
    apis: Apis = request.app.state.apis
    try:
        orgs = await apis.get("identity", "/v1/orgs", visit.token, limit=PAGE, offset=offset)
    except ApiProblem as exc:
        return error_page(request, exc, visit)
    stores, unanswered, partial = await _stores(apis, visit.token)
    return render(
        request, "ops_orgs.html", status_code, visit=visit, orgs=orgs["items"],
        next_offset=orgs.get("next_offset"), offset=offset, stores=stores, unanswered=unanswered,
        partial=partial, services=API_SERVICES, size=size, problem=problem, form=form,
        errors=field_errors(problem), values=values or {},
    )  # fmt: skip


@router.get("/orgs")
async def orgs_page(request: Request, visit: SignedIn, offset: Offset = 0) -> Response:
    operator(visit)
    return await _orgs(request, visit, offset)


@router.post("/orgs")
async def register_org(request: Request, visit: SignedIn) -> Response:
    form = await checked_form(request, visit)
    operator(visit)
    domains = [d.strip() for d in text(form, "email_domains").replace(",", " ").split() if d.strip()]
    body = {"slug": text(form, "slug"), "name": text(form, "name"), "email_domains": domains}
    apis: Apis = request.app.state.apis
    try:
        created = await apis.post("identity", "/v1/orgs", visit.token, body)
    except ApiProblem as problem:
        values = body | {"email_domains": ", ".join(domains)}
        return await _orgs(request, visit, 0, status_code=problem.status, problem=problem, form="org",
                           values=values)  # fmt: skip
    return RedirectResponse(f"/ops/orgs/{quote(str(created.get('id', '')), safe='')}?done=register", 303)


@router.post("/orgs/admins")
async def seat_admin(request: Request, visit: SignedIn) -> Response:
    """The org's first org admin, with a first password (or none, where the org signs in with its own
    identity provider); the password is never shown back."""
    form = await checked_form(request, visit)
    operator(visit)
    org_id = text(form, "org_id")
    body: dict[str, Any] = {"email": text(form, "email"), "name": text(form, "name"), "roles": ["org_admin"]}
    if text(form, "password"):
        body["password"] = text(form, "password")
    apis: Apis = request.app.state.apis
    try:
        await apis.post("identity", f"/v1/orgs/{quote(org_id, safe='')}/users", visit.token, body)
    except ApiProblem as problem:
        values = {"email": body["email"], "name": body["name"]}
        return await _org(request, visit, org_id, status_code=problem.status, problem=problem, form="admin",
                          values=values)  # fmt: skip
    return RedirectResponse(f"/ops/orgs/{quote(org_id, safe='')}?{urlencode({'seated': body['email']})}", 303)


async def _org(
    request: Request,
    visit: Visit,
    org_id: str,
    *,
    status_code: int = 200,
    problem: ApiProblem | None = None,
    form: str = "",
    values: dict[str, Any] | None = None,
) -> Response:
    """One org: its registration and status, each service's store of it; seat an org admin, suspend or
    resume it, offboard it. ``form``: the form ``problem`` answered, shown again with its ``values``."""
    apis: Apis = request.app.state.apis
    try:
        org = await apis.get("identity", f"/v1/orgs/{quote(org_id, safe='')}", visit.token)
    except ApiProblem as exc:
        return error_page(request, exc, visit)
    stores, unanswered = await _stores_of(apis, visit.token, str(org["id"]))
    done = request.query_params.get("done")
    return render(
        request, "ops_org.html", status_code, visit=visit, org=org, stores=stores,
        unanswered=unanswered, services=API_SERVICES, size=size, problem=problem,
        errors=field_errors(problem), form=form, values=values or {}, done=DONE.get(done or ""),
    )  # fmt: skip


@router.get("/orgs/{org_id}")
async def org_page(request: Request, visit: SignedIn, org_id: str) -> Response:
    operator(visit)
    return await _org(request, visit, org_id)


@router.post("/orgs/{org_id}/{action}")
async def org_action(request: Request, visit: SignedIn, org_id: str, action: str) -> Response:
    """Suspend or resume an org (``mentornet orgs suspend`` / ``resume``), or offboard it once its slug is
    typed (identity's part of ``mentornet orgs offboard``, without the export: no API reaches every
    service's stores)."""
    form = await checked_form(request, visit)
    operator(visit)
    apis: Apis = request.app.state.apis
    path = f"/v1/orgs/{quote(org_id, safe='')}/{action}"
    if action in ORG_ACTIONS:
        try:
            await apis.post("identity", path, visit.token)
        except ApiProblem as problem:
            return error_page(request, problem, visit)
        return RedirectResponse(f"/ops/orgs/{quote(org_id, safe='')}?done={action}", 303)
    if action != "offboard":
        return error_page(request, ApiProblem(404, "Not Found", f"no action {action!r}"), visit)
    typed = text(form, "slug")
    try:
        gone = await apis.post("identity", path, visit.token, {"slug": typed}, wait_s=OFFBOARD_WAIT_S)
    except ApiProblem as problem:
        if problem.status == 422:
            return await _org(request, visit, org_id, status_code=422, problem=problem, form="offboard",
                              values={"slug": typed})  # fmt: skip
        return error_page(request, problem, visit)
    query = urlencode({"offboarded": gone.get("slug", ""), "people": gone.get("people", 0)})
    return RedirectResponse(f"/ops/orgs?{query}", 303)
