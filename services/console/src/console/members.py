"""The member pages: profile and mentor card, asks and their proposals, offers and sessions, feedback,
follow-ups, the journal and suggestions. Each reads and writes through the services' public APIs as the
signed-in person; what an API refuses is shown from its problem document, with the form as it was sent."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Any
from zoneinfo import available_timezones

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse, Response
from starlette.datastructures import FormData

from console.apis import ApiProblem, Apis
from console.web import WEEKDAYS, SignedIn, Visit, checked_form, error_page, render, zone

router = APIRouter(include_in_schema=False)

PAGE = 20
TIMEZONES = sorted(available_timezones())
ASK_STATUSES = ("open", "proposed", "scheduled", "completed", "expired", "cancelled")
SESSION_STATUSES = ("proposed", "scheduled", "declined", "expired", "completed", "cancelled", "no_show")
SHAREABLE = ("rating", "resolved", "preparation", "learned", "comment")
Offset = Annotated[int, Query(ge=0, le=1_000_000)]


def apis_of(request: Request) -> Apis:
    apis: Apis = request.app.state.apis
    return apis


class FormErrors(Exception):
    """What the console itself found wrong in a form, by field, before any API was called."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__("; ".join(f"{k}: {', '.join(v)}" for k, v in errors.items()))
        self.errors = errors


def field_errors(
    problem: ApiProblem | None, errors: dict[str, list[str]] | None = None
) -> dict[str, list[str]]:
    """Messages by form field: the console's own, and those of the API's problem document."""
    found: dict[str, list[str]] = {k: list(v) for k, v in (errors or {}).items()}
    for error in problem.errors if problem else []:
        parts = str(error.get("field", "")).split(".")
        name = parts[1] if len(parts) > 1 and parts[0] in ("body", "query", "path") else parts[0]
        found.setdefault(name, []).append(str(error.get("message", "")))
    return found


def text(form: FormData, name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def listed(value: str) -> list[str]:
    return [part.strip() for part in value.split(",") if part.strip()]


async def my_profile(apis: Apis, visit: Visit) -> dict[str, Any] | None:
    """The person's profile (None until they save one)."""
    try:
        profile: dict[str, Any] = await apis.get("profiles", "/v1/profiles/me", visit.token)
    except ApiProblem as exc:
        if exc.status == 404:
            return None
        raise
    return profile


async def my_timezone(apis: Apis, visit: Visit) -> str:
    """The person's own time zone, from their profile (UTC until they say)."""
    profile = await my_profile(apis, visit)
    return str(profile.get("timezone") or "UTC") if profile else "UTC"


# home ----------------------------------------------------------------------------------------------------


@router.get("/")
async def home(request: Request, visit: SignedIn) -> Response:
    if not visit.is_member:
        return render(request, "home_staff.html", visit=visit)
    apis = apis_of(request)
    try:
        profile = await my_profile(apis, visit)
        offers = await apis.get("sessions", "/v1/sessions", visit.token, status="proposed", limit=PAGE)
        upcoming = await apis.get("sessions", "/v1/sessions", visit.token, status="scheduled", limit=PAGE)
        asks = await apis.get("matching", "/v1/asks", visit.token, limit=5)
        suggestions = await apis.get("matching", "/v1/suggestions", visit.token, limit=5)
    except ApiProblem as problem:
        return error_page(request, problem, visit)
    me_id = visit.me.get("id")
    return render(
        request, "home.html", visit=visit, tz=(profile or {}).get("timezone", "UTC"), profile=profile,
        offers=[s for s in offers["items"] if s["mentor_id"] == me_id],
        waiting=[s for s in offers["items"] if s["mentee_id"] == me_id],
        upcoming=upcoming["items"], asks=asks["items"], suggestions=suggestions["items"],
    )  # fmt: skip


# profile and mentor card ---------------------------------------------------------------------------------

AVAILABILITY = re.compile(r"^(?P<day>[A-Za-z]+)\s+(?P<start>\d{1,2}:\d{2})\s*-\s*(?P<end>\d{1,2}:\d{2})$")
SKILL = re.compile(r"^(?P<name>[^:]+?)\s*(?::\s*(?P<level>\d+))?$")


def profile_values(profile: dict[str, Any] | None) -> dict[str, Any]:
    """The profile as the form shows it."""
    if profile is None:
        return {"visibility": "org", "timezone": "UTC", "capacity_per_month": "2"}
    mentoring = profile.get("mentoring") or {}
    return {
        "display_name": profile.get("display_name", ""),
        "headline": profile.get("headline", ""),
        "bio": profile.get("bio", ""),
        "skills": "\n".join(f"{s['name']}: {s['level']}" for s in profile.get("skills", [])),
        "languages": ", ".join(profile.get("languages", [])),
        "timezone": profile.get("timezone", "UTC"),
        "availability": "\n".join(
            f"{WEEKDAYS[w['weekday']]} {w['start']}-{w['end']}" for w in profile.get("availability", [])
        ),
        "seniority": profile.get("seniority") or "",
        "mentoring_active": "on" if mentoring.get("active") else "",
        "capacity_per_month": str(mentoring.get("capacity_per_month", 2)),
        "open_to_reverse": "on" if mentoring.get("open_to_reverse") else "",
        "visibility": profile.get("visibility", "org"),
        "self_identified_groups": ", ".join(profile.get("self_identified_groups") or []),
        "group_statistics_consent": "on" if profile.get("group_statistics_consent") else "",
    }


def profile_body(form: FormData) -> dict[str, Any]:
    """The form as ``PUT /v1/profiles/me`` takes it; FormErrors names each line the console cannot read."""
    errors: dict[str, list[str]] = {}
    skills = []
    for number, line in enumerate(text(form, "skills").splitlines(), 1):
        if not line.strip():
            continue
        match = SKILL.match(line.strip())
        if not match:
            errors.setdefault("skills", []).append(f"line {number}: write a skill as 'name: level'")
            continue
        skills.append({"name": match["name"], "level": int(match["level"] or 3)})
    windows = []
    for number, line in enumerate(text(form, "availability").splitlines(), 1):
        if not line.strip():
            continue
        match = AVAILABILITY.match(line.strip())
        days = [
            i for i, name in enumerate(WEEKDAYS) if match and name.lower().startswith(match["day"].lower())
        ]
        if not match or len(days) != 1 or len(match["day"]) < 2:
            errors.setdefault("availability", []).append(
                f"line {number}: write a window as 'Tuesday 09:00-12:00'"
            )
            continue
        windows.append({"weekday": days[0], "start": match["start"].zfill(5), "end": match["end"].zfill(5)})
    capacity = text(form, "capacity_per_month") or "0"
    if not capacity.isdigit():
        errors.setdefault("capacity_per_month", []).append("a whole number of sessions a month")
    if errors:
        raise FormErrors(errors)
    body: dict[str, Any] = {
        "display_name": text(form, "display_name"),
        "headline": text(form, "headline"),
        "bio": text(form, "bio"),
        "skills": skills,
        "languages": listed(text(form, "languages")),
        "timezone": text(form, "timezone") or "UTC",
        "availability": windows,
        "seniority": text(form, "seniority") or None,
        "mentoring": {
            "active": form.get("mentoring_active") == "on",
            "capacity_per_month": int(capacity),
            "open_to_reverse": form.get("open_to_reverse") == "on",
        },
        "visibility": text(form, "visibility") or "org",
        "self_identified_groups": listed(text(form, "self_identified_groups")),
        "group_statistics_consent": form.get("group_statistics_consent") == "on",
    }
    return body


@router.get("/profile")
async def profile_page(request: Request, visit: SignedIn, saved: bool = False) -> Response:
    apis = apis_of(request)
    try:
        profile = await my_profile(apis, visit)
    except ApiProblem as exc:
        return error_page(request, exc, visit)
    return render(
        request, "profile.html", visit=visit, profile=profile, values=profile_values(profile),
        timezones=TIMEZONES, errors={}, problem=None, saved=saved,
    )  # fmt: skip


@router.post("/profile")
async def save_profile(request: Request, visit: SignedIn) -> Response:
    form = await checked_form(request, visit)
    values = {key: text(form, key) for key in form}
    try:
        body = profile_body(form)
        await apis_of(request).put("profiles", "/v1/profiles/me", visit.token, body)
    except FormErrors as exc:
        return render(
            request, "profile.html", 422, visit=visit, profile=None, values=values, timezones=TIMEZONES,
            errors=exc.errors, problem=None, saved=False,
        )  # fmt: skip
    except ApiProblem as problem:
        return render(
            request, "profile.html", 422 if problem.status == 422 else 400, visit=visit, profile=None,
            values=values, timezones=TIMEZONES, errors=field_errors(problem), problem=problem, saved=False,
        )  # fmt: skip
    return RedirectResponse("/profile?saved=true", 303)


# asks ----------------------------------------------------------------------------------------------------


@router.get("/asks")
async def asks_page(
    request: Request,
    visit: SignedIn,
    status: Annotated[str | None, Query(max_length=20)] = None,
    offset: Offset = 0,
) -> Response:
    status = status if status in ASK_STATUSES else None
    try:
        listed_asks = await apis_of(request).get(
            "matching", "/v1/asks", visit.token, status=status, limit=PAGE, offset=offset
        )
    except ApiProblem as problem:
        return error_page(request, problem, visit)
    return render(
        request, "asks.html", visit=visit, asks=listed_asks["items"],
        next_offset=listed_asks.get("next_offset"), offset=offset, status=status, statuses=ASK_STATUSES,
    )  # fmt: skip


ASK_DEFAULTS = {"duration_minutes": "30", "scope": "consortium"}


@router.get("/asks/new")
async def new_ask(request: Request, visit: SignedIn) -> Response:
    return render(request, "ask_new.html", visit=visit, values=ASK_DEFAULTS, errors={}, problem=None)


@router.post("/asks")
async def create_ask(request: Request, visit: SignedIn) -> Response:
    form = await checked_form(request, visit)
    values = {key: text(form, key) for key in form}
    body: dict[str, Any] = {
        "question": values.get("question", ""),
        "background": values.get("background", ""),
        "success_criteria": values.get("success_criteria", ""),
        "skills": listed(values.get("skills", "")),
        "scope": values.get("scope") or "consortium",
        "languages": listed(values.get("languages", "")),
    }
    duration = values.get("duration_minutes", "30")
    body["duration_minutes"] = int(duration) if duration.isdigit() else duration
    try:
        ask = await apis_of(request).post("matching", "/v1/asks", visit.token, body)
    except ApiProblem as problem:
        return render(
            request, "ask_new.html", 422, visit=visit, values=values, errors=field_errors(problem),
            problem=problem,
        )  # fmt: skip
    return RedirectResponse(f"/asks/{ask['id']}", 303)


async def mentor_names(apis: Apis, visit: Visit, ids: list[str]) -> dict[str, dict[str, Any]]:
    """The cards the person may see of these mentors (their colleague's profile or a consortium card)."""
    cards: dict[str, dict[str, Any]] = {}
    for mentor_id in dict.fromkeys(ids):
        try:
            found = await apis.get("profiles", f"/v1/profiles/{mentor_id}", visit.token)
        except ApiProblem:
            continue
        card = found.get("card") or found  # another org's shared card, or a colleague's profile
        cards[mentor_id] = {
            "display_name": card.get("display_name", ""),
            "headline": card.get("headline", ""),
        }
    return cards


@router.get("/asks/{ask_id}")
async def ask_page(request: Request, visit: SignedIn, ask_id: str) -> Response:
    apis = apis_of(request)
    try:
        ask = await apis.get("matching", f"/v1/asks/{ask_id}", visit.token)
        tz = await my_timezone(apis, visit)
        sessions = await apis.get("sessions", "/v1/sessions", visit.token, limit=200)
    except ApiProblem as problem:
        return error_page(request, problem, visit)
    cards = await mentor_names(apis, visit, [p["mentor_id"] for p in ask["proposals"]])
    by_mentor = {s["mentor_id"]: s for s in sessions["items"] if s["ask_id"] == ask_id}
    return render(request, "ask.html", visit=visit, ask=ask, cards=cards, tz=tz, sessions=by_mentor)


# sessions ------------------------------------------------------------------------------------------------


@router.get("/sessions")
async def sessions_page(
    request: Request,
    visit: SignedIn,
    status: Annotated[str | None, Query(max_length=20)] = None,
    offset: Offset = 0,
) -> Response:
    status = status if status in SESSION_STATUSES else None
    apis = apis_of(request)
    try:
        found = await apis.get(
            "sessions", "/v1/sessions", visit.token, status=status, limit=PAGE, offset=offset
        )
        tz = await my_timezone(apis, visit)
    except ApiProblem as problem:
        return error_page(request, problem, visit)
    return render(
        request, "sessions.html", visit=visit, sessions=found["items"], next_offset=found.get("next_offset"),
        offset=offset, status=status, statuses=SESSION_STATUSES, tz=tz,
    )  # fmt: skip


async def session_view(
    request: Request,
    visit: Visit,
    session_id: str,
    *,
    status: int = 200,
    problem: ApiProblem | None = None,
    values: dict[str, Any] | None = None,
    done: str = "",
) -> Response:
    """The session as the person sees it, with what they may do next (and a refusal, if one came)."""
    apis = apis_of(request)
    try:
        session = await apis.get("sessions", f"/v1/sessions/{session_id}", visit.token)
        tz = await my_timezone(apis, visit)
        given = await apis.get("feedback", "/v1/feedback", visit.token, limit=200)
        received = await apis.get("feedback", "/v1/feedback/received", visit.token, limit=200)
        follow_ups = await apis.get("feedback", "/v1/follow-ups", visit.token, limit=200)
    except ApiProblem as exc:
        return error_page(request, exc, visit)
    me_id = visit.me.get("id")
    role = "mentor" if session["mentor_id"] == me_id else "mentee"
    other_id = session["mentee_id"] if role == "mentor" else session["mentor_id"]
    other = (await mentor_names(apis, visit, [other_id])).get(other_id)
    return render(
        request, "session.html", status, visit=visit, session=session, tz=tz, role=role, other=other,
        mine=[f for f in given["items"] if f["session_id"] == session_id],
        theirs=[r for r in received["items"] if r["session_id"] == session_id],
        follow_ups=[f for f in follow_ups["items"] if f["session_id"] == session_id],
        problem=problem, errors=field_errors(problem), values=values or {}, shareable=SHAREABLE, done=done,
    )  # fmt: skip


@router.get("/sessions/{session_id}")
async def session_page(
    request: Request, visit: SignedIn, session_id: str, done: Annotated[str, Query(max_length=40)] = ""
) -> Response:
    return await session_view(request, visit, session_id, done=done)


@router.get("/sessions/{session_id}/invitation.ics")
async def invitation(request: Request, visit: SignedIn, session_id: str) -> Response:
    try:
        answer = await apis_of(request).send(
            "GET", "sessions", f"/v1/sessions/{session_id}/calendar.ics", visit.token
        )
    except ApiProblem as problem:
        return error_page(request, problem, visit)
    return Response(
        answer.content,
        media_type="text/calendar",
        headers={"Content-Disposition": f'attachment; filename="mentornet-{session_id}.ics"'},
    )


def local_to_utc(value: str, tz: str) -> str:
    """A ``datetime-local`` field's value, read in the person's time zone, as an ISO moment in UTC."""
    try:
        moment = datetime.fromisoformat(value)
    except ValueError as exc:
        raise FormErrors({"start_at": ["a date and a time, as the field asks"]}) from exc
    return moment.replace(tzinfo=zone(tz)).isoformat()


ACTIONS = {"accept", "decline", "reschedule", "cancel", "no-show", "complete"}


@router.post("/sessions/{session_id}/{action}")
async def act_on_session(request: Request, visit: SignedIn, session_id: str, action: str) -> Response:
    form = await checked_form(request, visit)
    values = {key: text(form, key) for key in form}
    apis = apis_of(request)
    try:
        if action == "feedback":
            shared = [v for v in form.getlist("share_with_other") if isinstance(v, str) and v in SHAREABLE]
            body: dict[str, Any] = {
                "session_id": session_id,
                "rating": int(values["rating"])
                if values.get("rating", "").isdigit()
                else values.get("rating"),
                "resolved": values.get("resolved") or None,
                "learned": values.get("learned", ""),
                "comment": values.get("comment", ""),
                "share_with_other": shared,
            }
            if values.get("preparation", "").isdigit():
                body["preparation"] = int(values["preparation"])
            await apis.post("feedback", "/v1/feedback", visit.token, body)
        elif action == "follow-up":
            follow_up = {
                "session_id": session_id,
                "what_i_did": values.get("what_i_did", ""),
                "resolved": values.get("resolved") or None,
                "share_with_mentor": form.get("share_with_mentor") == "on",
            }
            await apis.post("feedback", "/v1/follow-ups", visit.token, follow_up)
        elif action in ACTIONS:
            body = {}
            if action == "accept":
                body["start_at"] = values.get("start_at", "")
            if action == "reschedule":
                body["start_at"] = local_to_utc(values.get("start_at", ""), await my_timezone(apis, visit))
            if action in ("decline", "reschedule", "cancel", "no-show") and values.get("reason"):
                body["reason"] = values["reason"]
            await apis.post("sessions", f"/v1/sessions/{session_id}/{action}", visit.token, body)
        else:
            return error_page(request, ApiProblem(404, "Not Found", f"no action {action!r}"), visit)
    except FormErrors as exc:
        problem = ApiProblem(
            422, "Check the form", "", [{"field": k, "message": m} for k, v in exc.errors.items() for m in v]
        )
        return await session_view(request, visit, session_id, status=422, problem=problem, values=values)
    except ApiProblem as problem:
        return await session_view(
            request, visit, session_id, status=problem.status, problem=problem, values=values
        )
    return RedirectResponse(f"/sessions/{session_id}?done={action}", 303)


# feedback, follow-ups, journal, suggestions ----------------------------------------------------------------


@router.get("/feedback")
async def feedback_page(request: Request, visit: SignedIn, offset: Offset = 0) -> Response:
    apis = apis_of(request)
    try:
        given = await apis.get("feedback", "/v1/feedback", visit.token, limit=PAGE, offset=offset)
        received = await apis.get("feedback", "/v1/feedback/received", visit.token, limit=PAGE)
        follow_ups = await apis.get("feedback", "/v1/follow-ups", visit.token, limit=PAGE)
    except ApiProblem as problem:
        return error_page(request, problem, visit)
    return render(
        request, "feedback.html", visit=visit, given=given["items"], next_offset=given.get("next_offset"),
        offset=offset, received=received["items"], follow_ups=follow_ups["items"],
    )  # fmt: skip


@router.get("/journal")
async def journal_page(request: Request, visit: SignedIn, offset: Offset = 0) -> Response:
    apis = apis_of(request)
    try:
        journal = await apis.get("feedback", "/v1/journal", visit.token, limit=PAGE, offset=offset)
        tz = await my_timezone(apis, visit)
    except ApiProblem as problem:
        return error_page(request, problem, visit)
    return render(
        request, "journal.html", visit=visit, entries=journal["entries"],
        next_offset=journal.get("next_offset"), offset=offset, tz=tz,
    )  # fmt: skip


EXPORTS = {"csv": ("csv", "text/csv"), "md": ("markdown", "text/markdown")}


@router.get("/journal/export.{extension}")
async def journal_export(request: Request, visit: SignedIn, extension: str) -> Response:
    if extension not in EXPORTS:
        return error_page(request, ApiProblem(404, "Not Found", "the journal exports as .csv or .md"), visit)
    kind, media_type = EXPORTS[extension]
    try:
        answer = await apis_of(request).send(
            "GET", "feedback", "/v1/journal/export", visit.token, params={"format": kind}
        )
    except ApiProblem as problem:
        return error_page(request, problem, visit)
    return Response(
        answer.content,
        media_type=media_type,
        headers={"Content-Disposition": f'attachment; filename="mentornet-journal.{extension}"'},
    )


@router.get("/suggestions")
async def suggestions_page(request: Request, visit: SignedIn) -> Response:
    try:
        found = await apis_of(request).get("matching", "/v1/suggestions", visit.token, limit=20)
    except ApiProblem as problem:
        return error_page(request, problem, visit)
    return render(
        request, "suggestions.html", visit=visit, suggestions=found["items"], based_on=found["based_on_asks"]
    )
