"""Streams' public HTTP API: the pull feed and webhook endpoints of the caller's org (docs/streams.md)."""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Query, Request, Response, status
from pydantic import BaseModel

from mentornet_common.auth import Principal, org_admin
from mentornet_common.http import RuntimeDep
from mentornet_common.openapi import problems
from mentornet_common.pagination import Limit, Offset
from streams import service
from streams.config import StreamsSettings
from streams.models import (
    DeliveryList,
    DeliveryOut,
    DeliveryStatus,
    EventPage,
    EventType,
    WebhookCreated,
    WebhookIn,
    WebhookList,
    WebhookOut,
)
from streams.partner import WEBHOOK_BODIES

events_router = APIRouter(prefix="/v1/events", tags=["events"])
webhooks_router = APIRouter(prefix="/v1/webhooks", tags=["webhooks"])

FeedReader = Annotated[Principal, Depends(org_admin("events:read"))]
WebhookReader = Annotated[Principal, Depends(org_admin("webhooks:read"))]
WebhookWriter = Annotated[Principal, Depends(org_admin("webhooks:write"))]
WebhookOverseer = Annotated[Principal, Depends(org_admin("webhooks:read", operators=True))]
WebhookStopper = Annotated[Principal, Depends(org_admin("webhooks:write", operators=True))]
OrgQuery = Annotated[
    str | None,
    Query(
        max_length=48,
        description="The org whose endpoints these are: required of a consortium operator; an org's own "
        "caller may omit it (another org's: 404).",
    ),
]


@events_router.get(
    "",
    operation_id="listEvents",
    responses=problems(
        (429, "Too many requests, or too many long-polls of this caller (or in all) are waiting")
    ),
    response_model=EventPage,
    response_model_exclude_unset=True,  # each event's data as it was stored: no field added by a default
    summary="The org's events after a cursor (long-poll)",
)
async def events(
    request: Request,
    runtime: RuntimeDep,
    caller: FeedReader,
    after: Annotated[str | None, Query(max_length=20, description="The last cursor you saw.")] = None,
    limit: Limit = 100,
    wait: Annotated[float, Query(ge=0, le=30, description="Seconds to wait for a first event.")] = 0,
    type: Annotated[list[EventType] | None, Query(max_length=50)] = None,
) -> EventPage:
    settings = runtime.settings.as_(StreamsSettings)
    wait_s = min(wait, settings.feed_max_wait_s)
    waiting = getattr(request.app.state, "feed_waiting", None)
    if waiting is None:  # one per process: what this replica holds open
        waiting = service.Waiting(settings.feed_waiting_per_caller, settings.feed_waiting_overall)
        request.app.state.feed_waiting = waiting
    return await service.feed(runtime, caller, after, limit, wait_s, list(type or []), waiting)


@webhooks_router.post(
    "",
    operation_id="registerWebhook",
    status_code=status.HTTP_201_CREATED,
    response_model=WebhookCreated,
    summary="Register an endpoint",
)
async def register(
    body: WebhookIn, runtime: RuntimeDep, caller: WebhookWriter, response: Response
) -> WebhookCreated:
    response.headers["Cache-Control"] = "no-store"  # the secret is shown once: never kept for a replay
    endpoint, secret = await service.register(runtime, caller, body)
    return WebhookCreated(**WebhookOut.of(endpoint).model_dump(), secret=secret)


@webhooks_router.get(
    "",
    operation_id="listWebhooks",
    response_model=WebhookList,
    responses=problems((404, "`org_id` names another org than the caller's, or an unknown one")),
    summary="The org's endpoints",
)
async def list_endpoints(
    runtime: RuntimeDep,
    caller: WebhookOverseer,
    limit: Limit = 50,
    offset: Offset = 0,
    org_id: OrgQuery = None,
) -> WebhookList:
    rows, next_offset = await service.endpoints(runtime, caller, limit, offset, org_id)
    return WebhookList(items=[WebhookOut.of(r) for r in rows], next_offset=next_offset)


@webhooks_router.post(
    "/{webhook_id}/disable",
    operation_id="disableWebhook",
    response_model=WebhookOut,
    summary="Stop delivering to an endpoint until it is re-enabled (nothing is deleted)",
)
async def disable(
    webhook_id: str, runtime: RuntimeDep, caller: WebhookStopper, org_id: OrgQuery = None
) -> WebhookOut:
    return WebhookOut.of(await service.disable(runtime, caller, webhook_id, org_id))


@webhooks_router.post(
    "/{webhook_id}/enable",
    operation_id="enableWebhook",
    response_model=WebhookOut,
    summary="Re-enable a disabled endpoint",
)
async def enable(webhook_id: str, runtime: RuntimeDep, caller: WebhookWriter) -> WebhookOut:
    return WebhookOut.of(await service.enable(runtime, caller, webhook_id))


@webhooks_router.delete(
    "/{webhook_id}", operation_id="deleteWebhook", response_model=WebhookOut, summary="Remove an endpoint"
)
async def remove(webhook_id: str, runtime: RuntimeDep, caller: WebhookWriter) -> WebhookOut:
    return WebhookOut.of(await service.remove(runtime, caller, webhook_id))


@webhooks_router.get(
    "/{webhook_id}/deliveries",
    operation_id="listWebhookDeliveries",
    response_model=DeliveryList,
    summary="The delivery log",
)
async def list_deliveries(
    webhook_id: str,
    runtime: RuntimeDep,
    caller: WebhookReader,
    status: Annotated[DeliveryStatus | None, Query()] = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> DeliveryList:
    rows, next_offset = await service.deliveries(runtime, caller, webhook_id, status, limit, offset)
    return DeliveryList(items=[DeliveryOut.of(r) for r in rows], next_offset=next_offset)


@webhooks_router.post(
    "/{webhook_id}/deliveries/{delivery_id}/redeliver",
    operation_id="redeliverWebhookDelivery",
    responses=problems((409, "The endpoint is disabled: enable it first")),
    response_model=DeliveryOut,
    summary="Send it again now",
)
async def redeliver(
    webhook_id: str, delivery_id: str, runtime: RuntimeDep, caller: WebhookWriter
) -> DeliveryOut:
    return DeliveryOut.of(await service.redeliver(runtime, caller, webhook_id, delivery_id))


# The webhooks an org's endpoints receive, described in the OpenAPI document (its `webhooks`): one POST per
# event type, sent by streams.webhooks.Sender. Nothing here is served.
webhook_deliveries = APIRouter(tags=["webhooks"])

SIGNED = {
    "webhook_id": (str, "The event id, the same on every retry of this delivery: de-duplicate on it."),
    "webhook_timestamp": (int, "When this attempt was sent, in seconds since the epoch."),
    "webhook_signature": (
        str,
        "`v1,` and the base64 HMAC-SHA256 of `{webhook-id}.{webhook-timestamp}.{body}`, keyed with the "
        "base64-decoded part of the endpoint's secret after `whsec_` (Standard Webhooks).",
    ),
}
RETRIED = (
    "Any other answer, or none within the timeout (10 s), is retried after 5 s, 5 min, 30 min, 2 h, 5 h, "
    "10 h and 10 h; when the last retry fails the endpoint is disabled until `POST "
    "/v1/webhooks/{webhook_id}/enable`. The answer's body is never read."
)


def _described(body: type[BaseModel]) -> Callable[..., Awaitable[None]]:
    async def delivery(**_: Any) -> None:  # pragma: no cover - a description, never called
        return None

    headers = [
        inspect.Parameter(
            name, inspect.Parameter.KEYWORD_ONLY, annotation=Annotated[kind, Header(description=why)]
        )
        for name, (kind, why) in SIGNED.items()
    ]
    body_parameter = inspect.Parameter("body", inspect.Parameter.KEYWORD_ONLY, annotation=body)
    delivery.__signature__ = inspect.Signature([body_parameter, *headers])  # type: ignore[attr-defined]
    return delivery


for _type, _body in WEBHOOK_BODIES.items():
    _name = _body.__name__.removesuffix("Webhook")
    webhook_deliveries.add_api_route(
        _type,
        _described(_body),
        methods=["POST"],
        operation_id=f"deliver{_name}",
        summary=f"A `{_type}` event, POSTed to each enabled endpoint that subscribed to it (or to `*`)",
        description="Verify `webhook-signature` with the endpoint's secret before trusting the body, and "
        "refuse a `webhook-timestamp` far from now. Deliveries are at least once: de-duplicate on "
        "`webhook-id`. docs/streams.md has a complete receiver.",
        response_class=Response,
        response_description="Delivered: any 2xx answer is a success",
        responses={"default": {"description": RETRIED}},
    )
