"""The org admin pages begun: the org's people (seat, deactivate, activate), its API clients (create, with
the secret shown once; revoke) and its impact figures (a table by quarter and week, and their CSV). Through
the public APIs as the signed-in org admin, who may act on their own org only (the APIs refuse the rest)."""

from __future__ import annotations

import re
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse, Response

from console.apis import ApiProblem, Apis
from console.members import PAGE, Offset, field_errors, text
from console.web import SignedIn, Visit, checked_form, error_page, render
from mentornet_common.scopes import SCOPES

router = APIRouter(prefix="/admin", include_in_schema=False)

ROLES = ("member", "mentor", "org_admin")


def _org(visit: Visit) -> str:
    return str(visit.me.get("org_id") or "")


async def _people(
    request: Request,
    visit: Visit,
    offset: int,
    *,
    status_code: int = 200,
    problem: ApiProblem | None = None,
    values: dict[str, Any] | None = None,
) -> Response:
    apis: Apis = request.app.state.apis
    try:
        found = await apis.get(
            "identity", f"/v1/orgs/{_org(visit)}/users", visit.token, limit=PAGE, offset=offset
        )
    except ApiProblem as exc:
        return error_page(request, exc, visit)
    return render(
        request, "admin_people.html", status_code, visit=visit, people=found["items"],
        next_offset=found.get("next_offset"), offset=offset, roles=ROLES, problem=problem,
        errors=field_errors(problem), values=values or {"roles": ["member"]},
    )  # fmt: skip


@router.get("/people")
async def people_page(request: Request, visit: SignedIn, offset: Offset = 0) -> Response:
    return await _people(request, visit, offset)


@router.post("/people")
async def add_person(request: Request, visit: SignedIn) -> Response:
    form = await checked_form(request, visit)
    roles = [r for r in form.getlist("roles") if isinstance(r, str) and r in ROLES]
    body: dict[str, Any] = {"email": text(form, "email"), "name": text(form, "name"), "roles": roles}
    if text(form, "password"):
        body["password"] = text(form, "password")
    apis: Apis = request.app.state.apis
    try:
        await apis.post("identity", f"/v1/orgs/{_org(visit)}/users", visit.token, body)
    except ApiProblem as problem:
        values = {"email": body["email"], "name": body["name"], "roles": roles}  # never the password
        return await _people(request, visit, 0, status_code=problem.status, problem=problem, values=values)
    return RedirectResponse("/admin/people?added=1", 303)


@router.post("/people/{user_id}/{action}")
async def change_person(request: Request, visit: SignedIn, user_id: str, action: str) -> Response:
    await checked_form(request, visit)
    if action not in ("deactivate", "activate"):
        return error_page(request, ApiProblem(404, "Not Found", f"no action {action!r}"), visit)
    apis: Apis = request.app.state.apis
    try:
        await apis.post("identity", f"/v1/orgs/{_org(visit)}/users/{user_id}/{action}", visit.token)
    except ApiProblem as problem:
        return await _people(request, visit, 0, status_code=problem.status, problem=problem)
    return RedirectResponse("/admin/people", 303)


async def _clients(
    request: Request,
    visit: Visit,
    offset: int,
    *,
    status_code: int = 200,
    problem: ApiProblem | None = None,
    created: dict[str, Any] | None = None,
    values: dict[str, Any] | None = None,
) -> Response:
    apis: Apis = request.app.state.apis
    try:
        found = await apis.get(
            "identity", f"/v1/orgs/{_org(visit)}/clients", visit.token, limit=PAGE, offset=offset
        )
    except ApiProblem as exc:
        return error_page(request, exc, visit)
    return render(
        request, "admin_clients.html", status_code, visit=visit, clients=found["items"],
        next_offset=found.get("next_offset"), offset=offset, scopes=SCOPES, problem=problem,
        errors=field_errors(problem), created=created, values=values or {"scopes": []},
    )  # fmt: skip


@router.get("/clients")
async def clients_page(request: Request, visit: SignedIn, offset: Offset = 0) -> Response:
    return await _clients(request, visit, offset)


@router.post("/clients")
async def create_client(request: Request, visit: SignedIn) -> Response:
    """The new client's secret is on this answer alone (never stored, never shown again; no-store)."""
    form = await checked_form(request, visit)
    scopes = [s for s in form.getlist("scopes") if isinstance(s, str) and s in SCOPES]
    body = {"name": text(form, "name"), "scopes": scopes}
    apis: Apis = request.app.state.apis
    try:
        created = await apis.post("identity", f"/v1/orgs/{_org(visit)}/clients", visit.token, body)
    except ApiProblem as problem:
        return await _clients(request, visit, 0, status_code=problem.status, problem=problem, values=body)
    return await _clients(request, visit, 0, status_code=201, created=created)


@router.post("/clients/{client_id}/revoke")
async def revoke_client(request: Request, visit: SignedIn, client_id: str) -> Response:
    await checked_form(request, visit)
    apis: Apis = request.app.state.apis
    try:
        await apis.send("DELETE", "identity", f"/v1/orgs/{_org(visit)}/clients/{client_id}", visit.token)
    except ApiProblem as problem:
        return await _clients(request, visit, 0, status_code=problem.status, problem=problem)
    return RedirectResponse("/admin/clients", 303)


QUARTER = re.compile(r"^\d{4}-Q[1-4]$")
FIGURES = (
    ("asks_created", "Asks posted", "count"),
    ("share_of_asks_with_a_proposal", "Asks that found a mentor", "share"),
    ("median_minutes_to_first_proposal", "Median minutes to the first proposal", "number"),
    ("sessions_completed", "Sessions completed", "count"),
    ("unique_mentees", "People who asked", "count"),
    ("unique_mentors", "People who mentored", "count"),
    ("completion_rate", "Sessions completed of those that ended", "share"),
    ("no_show_rate", "No-shows", "share"),
    ("resolution_rate_from_feedback", "Questions resolved (feedback)", "share"),
    ("resolution_rate_from_follow_ups", "Questions resolved (follow-ups)", "share"),
    ("average_rating", "Average rating (of 5)", "number"),
    ("share_of_sessions_across_orgs", "Sessions across member orgs", "share"),
    ("reverse_mentoring_share", "Reverse mentoring", "share"),
)


def shown(value: Any, kind: str) -> str:
    if value is None:
        return "—"
    if kind == "share":
        return f"{float(value) * 100:.0f} %"
    if kind == "number":
        return f"{float(value):.1f}"
    return str(value)


def _quarter(value: str | None) -> str | None:
    return value if value and QUARTER.match(value) else None


@router.get("/impact")
async def impact_page(
    request: Request, visit: SignedIn, quarter: Annotated[str | None, Query(max_length=7)] = None
) -> Response:
    """The org's impact figures (the org_admin's; an operator's are the consortium's), as a table."""
    apis: Apis = request.app.state.apis
    try:
        figures = await apis.get("feedback", "/v1/impact", visit.token, quarter=_quarter(quarter))
    except ApiProblem as problem:
        return error_page(request, problem, visit)
    rows = [(label, shown(figures.get(key), kind)) for key, label, kind in FIGURES]
    return render(
        request, "admin_impact.html", visit=visit, figures=figures, rows=rows, quarter=quarter or ""
    )


@router.get("/impact/export.csv")
async def impact_export(
    request: Request, visit: SignedIn, quarter: Annotated[str | None, Query(max_length=7)] = None
) -> Response:
    apis: Apis = request.app.state.apis
    try:
        answer = await apis.send(
            "GET", "feedback", "/v1/impact/export", visit.token, params={"quarter": _quarter(quarter)}
        )
    except ApiProblem as problem:
        return error_page(request, problem, visit)
    return Response(
        answer.content,
        media_type="text/csv",
        headers={"Content-Disposition": 'attachment; filename="mentornet-impact.csv"'},
    )
