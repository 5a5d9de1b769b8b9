"""The org admin's integrations: single sign-on (identity's /v1/orgs/{org_id}/sso; the client secret is
write-only and never shown back), the group→role mapping (identity's settings ``group_roles``; the email
domains shown read-only: only operators change them), SCIM (its base URL and how to provision) and webhooks
(streams' /v1/webhooks: register with the secret shown once, disable, enable, delete, the delivery log and
redelivery)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from console.apis import ApiProblem, Apis
from console.config import ConsoleSettings
from console.members import PAGE, Offset, field_errors, listed, text
from console.web import SignedIn, Visit, checked_form, error_page, render

router = APIRouter(prefix="/admin", include_in_schema=False)

ROLES = ("member", "mentor", "org_admin")
DELIVERY_STATUSES = ("pending", "succeeded", "failed")  # streams' DeliveryStatus


def _org(visit: Visit) -> str:
    return str(visit.me.get("org_id") or "")


# single sign-on, group roles, SCIM ---------------------------------------------------------------------


def parse_group_roles(value: str) -> tuple[dict[str, str], list[str]]:
    """``Group name = role``, one a line, into the mapping; and what was wrong with the lines that are not."""
    mapping: dict[str, str] = {}
    wrong: list[str] = []
    for number, line in enumerate(value.splitlines(), start=1):
        if not line.strip():
            continue
        group, sep, role = line.rpartition("=")
        if not sep or not group.strip() or role.strip() not in ROLES:
            wrong.append(f"line {number}: write a group, '=', and one of {', '.join(ROLES)}")
            continue
        mapping[group.strip()] = role.strip()
    return mapping, wrong


async def _sso(
    request: Request,
    visit: Visit,
    *,
    status_code: int = 200,
    problem: ApiProblem | None = None,
    errors: dict[str, list[str]] | None = None,
    values: dict[str, Any] | None = None,
    roles_problem: ApiProblem | None = None,
    roles_errors: dict[str, list[str]] | None = None,
    roles_text: str | None = None,
) -> Response:
    apis: Apis = request.app.state.apis
    settings: ConsoleSettings = request.app.state.settings
    org = _org(visit)
    try:
        org_settings = await apis.get("identity", f"/v1/orgs/{org}/settings", visit.token)
    except ApiProblem as exc:
        return error_page(request, exc, visit)
    try:
        sso = await apis.get("identity", f"/v1/orgs/{org}/sso", visit.token)
    except ApiProblem as exc:
        if exc.status != 404:
            return error_page(request, exc, visit)
        sso = None
    mapping = org_settings.get("group_roles") or {}
    if roles_text is None:
        roles_text = "\n".join(f"{group} = {role}" for group, role in mapping.items())
    shown = values or (
        {**sso, "scopes": " ".join(sso["scopes"]), "exchange_audiences": ", ".join(sso["exchange_audiences"])}
        if sso
        else {"scopes": "openid email profile", "groups_claim": "groups", "jit_create": True,
              "allow_passwords": True}
    )  # fmt: skip
    return render(
        request, "admin_sso.html", status_code, visit=visit, sso=sso, values=shown, problem=problem,
        errors=field_errors(problem, errors), domains=org_settings.get("email_domains") or [],
        roles_text=roles_text,
        roles_problem=roles_problem, roles_errors=field_errors(roles_problem, roles_errors), roles=ROLES,
        scim_url=f"{settings.public_url.rstrip('/')}/scim/v2", saved=request.query_params.get("saved"),
    )  # fmt: skip


@router.get("/sso")
async def sso_page(request: Request, visit: SignedIn) -> Response:
    return await _sso(request, visit)


@router.post("/sso")
async def configure_sso(request: Request, visit: SignedIn) -> Response:
    """identity reads the provider's discovery document at once: a provider it cannot reach is its 502,
    shown beside the form with everything typed kept (but the secret, never sent back to the browser)."""
    form = await checked_form(request, visit)
    values: dict[str, Any] = {
        "issuer": text(form, "issuer"), "client_id": text(form, "client_id"),
        "scopes": text(form, "scopes"), "groups_claim": text(form, "groups_claim"),
        "jit_create": form.get("jit_create") == "on", "allow_passwords": form.get("allow_passwords") == "on",
        "exchange_audiences": text(form, "exchange_audiences"),
    }  # fmt: skip
    body = {
        **values,
        "client_secret": text(form, "client_secret"),
        "scopes": values["scopes"].split() or ["openid"],
        "exchange_audiences": listed(values["exchange_audiences"]),
    }
    apis: Apis = request.app.state.apis
    try:
        await apis.put("identity", f"/v1/orgs/{_org(visit)}/sso", visit.token, body)
    except ApiProblem as problem:
        return await _sso(request, visit, status_code=problem.status, problem=problem, values=values)
    return RedirectResponse("/admin/sso?saved=sso", 303)


@router.post("/sso/remove")
async def remove_sso(request: Request, visit: SignedIn) -> Response:
    await checked_form(request, visit)
    apis: Apis = request.app.state.apis
    try:
        await apis.send("DELETE", "identity", f"/v1/orgs/{_org(visit)}/sso", visit.token)
    except ApiProblem as problem:
        return await _sso(request, visit, status_code=problem.status, problem=problem)
    return RedirectResponse("/admin/sso?saved=removed", 303)


@router.post("/sso/group-roles")
async def save_group_roles(request: Request, visit: SignedIn) -> Response:
    form = await checked_form(request, visit)
    typed = form.get("group_roles")
    typed = typed if isinstance(typed, str) else ""
    mapping, wrong = parse_group_roles(typed)
    if wrong:
        return await _sso(
            request, visit, status_code=422, roles_errors={"group_roles": wrong}, roles_text=typed
        )
    apis: Apis = request.app.state.apis
    try:
        await apis.put("identity", f"/v1/orgs/{_org(visit)}/settings", visit.token, {"group_roles": mapping})
    except ApiProblem as problem:
        return await _sso(request, visit, status_code=problem.status, roles_problem=problem, roles_text=typed)
    return RedirectResponse("/admin/sso?saved=roles#group-roles", 303)


# webhooks ------------------------------------------------------------------------------------------------


async def _webhooks(
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
        found = await apis.get("streams", "/v1/webhooks", visit.token, limit=PAGE, offset=offset)
    except ApiProblem as exc:
        return error_page(request, exc, visit)
    response = render(
        request, "admin_webhooks.html", status_code, visit=visit, hooks=found["items"],
        next_offset=found.get("next_offset"), offset=offset, problem=problem, errors=field_errors(problem),
        created=created, values=values or {"event_types": "*"},
    )  # fmt: skip
    response.headers["Cache-Control"] = "no-store"  # the secret, when just created, is on this answer alone
    return response


@router.get("/webhooks")
async def webhooks_page(request: Request, visit: SignedIn, offset: Offset = 0) -> Response:
    return await _webhooks(request, visit, offset)


@router.post("/webhooks")
async def register_webhook(request: Request, visit: SignedIn) -> Response:
    """streams refuses a URL it may not reach (a private or loopback address, unless the deployment allows
    it): its problem is shown beside the form, with what was typed."""
    form = await checked_form(request, visit)
    values = {"url": text(form, "url"), "event_types": text(form, "event_types")}
    body = {"url": values["url"], "event_types": listed(values["event_types"]) or ["*"]}
    apis: Apis = request.app.state.apis
    try:
        created = await apis.post("streams", "/v1/webhooks", visit.token, body)
    except ApiProblem as problem:
        return await _webhooks(request, visit, 0, status_code=problem.status, problem=problem, values=values)
    return await _webhooks(request, visit, 0, status_code=201, created=created)


@router.post("/webhooks/{webhook_id}/{action}")
async def change_webhook(request: Request, visit: SignedIn, webhook_id: str, action: str) -> Response:
    await checked_form(request, visit)
    apis: Apis = request.app.state.apis
    try:
        if action in ("disable", "enable"):
            await apis.post("streams", f"/v1/webhooks/{webhook_id}/{action}", visit.token)
        elif action == "delete":
            await apis.send("DELETE", "streams", f"/v1/webhooks/{webhook_id}", visit.token)
        else:
            raise ApiProblem(404, "Not Found", f"no action {action!r}")
    except ApiProblem as problem:
        return await _webhooks(request, visit, 0, status_code=problem.status, problem=problem)
    return RedirectResponse("/admin/webhooks", 303)


async def _hook(apis: Apis, visit: Visit, webhook_id: str) -> dict[str, Any] | None:
    """The endpoint, from the org's list (streams has no single-endpoint read): None when it is not there."""
    offset: int | None = 0
    while offset is not None:
        found = await apis.get("streams", "/v1/webhooks", visit.token, limit=200, offset=offset)
        for hook in found["items"]:
            if hook["id"] == webhook_id:
                return dict(hook)
        offset = found.get("next_offset")
    return None


async def _deliveries(
    request: Request,
    visit: Visit,
    webhook_id: str,
    offset: int,
    status: str | None,
    *,
    status_code: int = 200,
    problem: ApiProblem | None = None,
    redelivered: bool = False,
) -> Response:
    apis: Apis = request.app.state.apis
    wanted = status if status in DELIVERY_STATUSES else None
    try:
        hook = await _hook(apis, visit, webhook_id)
        if hook is None:
            raise ApiProblem(404, "Not Found", "no such webhook endpoint of your org")
        found = await apis.get(
            "streams", f"/v1/webhooks/{webhook_id}/deliveries", visit.token, limit=PAGE, offset=offset,
            status=wanted,
        )  # fmt: skip
    except ApiProblem as exc:
        return error_page(request, exc, visit)
    return render(
        request, "admin_webhook.html", status_code, visit=visit, hook=hook, deliveries=found["items"],
        next_offset=found.get("next_offset"), offset=offset, status=wanted or "", statuses=DELIVERY_STATUSES,
        problem=problem, redelivered=redelivered,
    )  # fmt: skip


@router.get("/webhooks/{webhook_id}")
async def webhook_page(
    request: Request, visit: SignedIn, webhook_id: str, offset: Offset = 0, status: str | None = None
) -> Response:
    return await _deliveries(request, visit, webhook_id, offset, status)


@router.post("/webhooks/{webhook_id}/deliveries/{delivery_id}/redeliver")
async def redeliver(request: Request, visit: SignedIn, webhook_id: str, delivery_id: str) -> Response:
    await checked_form(request, visit)
    apis: Apis = request.app.state.apis
    path = f"/v1/webhooks/{webhook_id}/deliveries/{delivery_id}/redeliver"
    try:
        await apis.post("streams", path, visit.token)
    except ApiProblem as problem:
        return await _deliveries(
            request, visit, webhook_id, 0, None, status_code=problem.status, problem=problem
        )
    return RedirectResponse(f"/admin/webhooks/{webhook_id}?redelivered=1", 303)
