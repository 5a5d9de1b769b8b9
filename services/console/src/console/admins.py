"""The org admin's people and API clients: seat a person, change their roles, deactivate and activate them;
create a client (its secret shown once) and revoke one. Through the public APIs as the signed-in org admin,
who may act on their own org only (the APIs refuse the rest). The figures: admin_figures.py; single sign-on,
SCIM and webhooks: admin_integrations.py."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
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
        changed=request.query_params.get("changed"),
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


async def _person(
    request: Request,
    visit: Visit,
    user_id: str,
    *,
    status_code: int = 200,
    problem: ApiProblem | None = None,
    held: list[str] | None = None,
) -> Response:
    apis: Apis = request.app.state.apis
    try:
        person = await apis.get("identity", f"/v1/orgs/{_org(visit)}/users/{user_id}", visit.token)
    except ApiProblem as exc:
        return error_page(request, exc, visit)
    return render(
        request, "admin_person.html", status_code, visit=visit, person=person, roles=ROLES, problem=problem,
        held=held if held is not None else person["roles"],
    )  # fmt: skip


@router.get("/people/{user_id}/roles")
async def person_page(request: Request, visit: SignedIn, user_id: str) -> Response:
    return await _person(request, visit, user_id)


@router.post("/people/{user_id}/roles")
async def change_roles(request: Request, visit: SignedIn, user_id: str) -> Response:
    """identity's PUT .../roles: ``member`` always kept; the org's last org_admin, and roles its identity
    provider's groups give, are refused there (409), and shown beside the form with the boxes as ticked."""
    form = await checked_form(request, visit)
    roles = sorted({r for r in form.getlist("roles") if isinstance(r, str) and r in ROLES} | {"member"})
    apis: Apis = request.app.state.apis
    path = f"/v1/orgs/{_org(visit)}/users/{user_id}/roles"
    try:
        await apis.put("identity", path, visit.token, {"roles": roles})
    except ApiProblem as problem:
        return await _person(request, visit, user_id, status_code=problem.status, problem=problem, held=roles)
    if user_id == visit.me.get("id") and "org_admin" not in roles:
        return RedirectResponse("/", 303)  # no longer an admin: identity ended their sign-in
    return RedirectResponse(f"/admin/people?changed={user_id}#person-{user_id}", 303)


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
