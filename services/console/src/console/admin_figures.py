"""The org admin's figures: the org's impact with its charts and CSV (feedback's GET /v1/impact),
participation by self-identified group (profiles' GET /v1/impact/participation, small groups hidden by the
API) and how matching did (matching's GET /v1/matching/figures). An operator sees the consortium's."""

from __future__ import annotations

import re
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from console.apis import ApiProblem, Apis
from console.charts import RATES, impact_charts
from console.web import SignedIn, Visit, error_page, render

router = APIRouter(prefix="/admin", include_in_schema=False)

QUARTER = re.compile(r"^\d{4}-Q[1-4]$")
Quarter = Annotated[str | None, Query(max_length=7)]
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
    ("follow_ups_recorded", "Follow-ups recorded", "count"),
    ("resolution_rate_from_follow_ups", "Questions resolved (follow-ups)", "share"),
    ("average_rating", "Average rating (of 5)", "number"),
    ("share_of_sessions_across_orgs", "Sessions across member orgs", "share"),
    ("reverse_mentoring_share", "Reverse mentoring", "share"),
)
MATCHING = (
    ("asks", "Asks", "count"),
    ("asks_proposed_a_mentor", "Asks proposed a mentor", "count"),
    ("asks_closed_without_a_mentor", "Asks closed without a mentor", "count"),
    ("median_minutes_to_first_proposal", "Median minutes to the first proposal", "number"),
    ("proposals", "Proposals", "count"),
    ("accepted", "Accepted", "count"),
    ("declined", "Declined", "count"),
    ("expired", "Expired", "count"),
    ("open", "Still open", "count"),
    ("cross_org_share_of_accepted", "Accepted across member orgs", "share"),
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


async def _org_names(apis: Apis, visit: Visit, ids: list[str]) -> dict[str, str]:
    """The names of the orgs the figures name (identity's orgs: anyone signed in may read them)."""
    names: dict[str, str] = {}
    try:
        if visit.is_member:
            org = await apis.get("identity", f"/v1/orgs/{visit.me['org_id']}", visit.token)
            names[org["id"]] = org["name"]
        else:
            found = await apis.get("identity", "/v1/orgs", visit.token, limit=200)
            names.update({o["id"]: o["name"] for o in found["items"]})
    except ApiProblem:
        pass  # the figures still show, by org id
    return {i: names.get(i, i) for i in ids}


@router.get("/impact")
async def impact_page(request: Request, visit: SignedIn, quarter: Quarter = None) -> Response:
    """The org's impact figures (the org_admin's; an operator's are the consortium's): charts, and tables
    with every number the charts show."""
    apis: Apis = request.app.state.apis
    try:
        figures = await apis.get("feedback", "/v1/impact", visit.token, quarter=_quarter(quarter))
    except ApiProblem as problem:
        return error_page(request, problem, visit)
    rows = [(label, shown(figures.get(key), kind)) for key, label, kind in FIGURES]
    reciprocity = figures.get("reciprocity") or []
    names = await _org_names(apis, visit, [r["org_id"] for r in reciprocity])
    rates = [(label, shown(figures.get(key), "share")) for key, label in RATES]
    return render(
        request, "admin_impact.html", visit=visit, figures=figures, rows=rows, quarter=quarter or "",
        charts=impact_charts(figures, names), rates=rates, names=names,
        happened=any(w.get("asks_created") or w.get("sessions_completed") for w in figures.get("weekly", [])),
    )  # fmt: skip


@router.get("/impact/export.csv")
async def impact_export(request: Request, visit: SignedIn, quarter: Quarter = None) -> Response:
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


@router.get("/participation")
async def participation_page(request: Request, visit: SignedIn, quarter: Quarter = None) -> Response:
    """Participation by self-identified group: only people who consented count, and the API leaves out
    every group too small to show (``groups_suppressed``); the page says how many and why."""
    apis: Apis = request.app.state.apis
    try:
        found = await apis.get("profiles", "/v1/impact/participation", visit.token, quarter=_quarter(quarter))
    except ApiProblem as problem:
        return error_page(request, problem, visit)
    return render(request, "admin_participation.html", visit=visit, found=found, quarter=quarter or "")


@router.get("/matching")
async def matching_page(request: Request, visit: SignedIn, quarter: Quarter = None) -> Response:
    apis: Apis = request.app.state.apis
    try:
        found = await apis.get("matching", "/v1/matching/figures", visit.token, quarter=_quarter(quarter))
    except ApiProblem as problem:
        return error_page(request, problem, visit)
    orgs = found.get("orgs") or []
    names = await _org_names(apis, visit, [o["scope"] for o in orgs]) if orgs else {}
    rows = [(label, shown(found.get(key), kind)) for key, label, kind in MATCHING]
    return render(
        request, "admin_matching.html", visit=visit, found=found, rows=rows, quarter=quarter or "",
        matching=MATCHING, orgs=[(names.get(o["scope"], o["scope"]), o) for o in orgs], shown=shown,
    )  # fmt: skip
