from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.dead_letter_detail_headers import DeadLetterDetailHeaders


T = TypeVar("T", bound="DeadLetterDetail")


@_attrs_define
class DeadLetterDetail:
    """
    Attributes:
        ref (str): How to name it: `<dead-letter topic>:<partition>:<offset>`.
        topic (str): The dead-letter topic.
        partition (int):
        offset (int):
        original_topic (str): The topic the group read it from; a replay reaches the group on its own redrive topic and
            is handled as a record of this one.
        type_ (None | str): The event's CloudEvents type (`ce_type`).
        tenant (None | str): The org the event names (`ce_tenantid`).
        group (None | str): The consumer group that gave up on it.
        handler (None | str):
        reason (str): `handler`, `unknown-tenant`, `malformed` or `foreign-store`.
        error (None | str):
        failed_at (None | str):
        redrives (int): How many times the group's redrive policy replayed it already.
        key (None | str): The record's key (the event's subject), as text.
        headers (DeadLetterDetailHeaders): Every header of the record, as text.
        payload (Any): The record's value as JSON; null when it is not JSON (see `text`).
        text (None | str): The record's value as text (bytes that are not UTF-8 replaced).
    """

    ref: str
    topic: str
    partition: int
    offset: int
    original_topic: str
    type_: None | str
    tenant: None | str
    group: None | str
    handler: None | str
    reason: str
    error: None | str
    failed_at: None | str
    redrives: int
    key: None | str
    headers: DeadLetterDetailHeaders
    payload: Any
    text: None | str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        ref = self.ref

        topic = self.topic

        partition = self.partition

        offset = self.offset

        original_topic = self.original_topic

        type_: None | str
        type_ = self.type_

        tenant: None | str
        tenant = self.tenant

        group: None | str
        group = self.group

        handler: None | str
        handler = self.handler

        reason = self.reason

        error: None | str
        error = self.error

        failed_at: None | str
        failed_at = self.failed_at

        redrives = self.redrives

        key: None | str
        key = self.key

        headers = self.headers.to_dict()

        payload = self.payload

        text: None | str
        text = self.text

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "ref": ref,
                "topic": topic,
                "partition": partition,
                "offset": offset,
                "original_topic": original_topic,
                "type": type_,
                "tenant": tenant,
                "group": group,
                "handler": handler,
                "reason": reason,
                "error": error,
                "failed_at": failed_at,
                "redrives": redrives,
                "key": key,
                "headers": headers,
                "payload": payload,
                "text": text,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.dead_letter_detail_headers import DeadLetterDetailHeaders  # noqa: PLC0415

        d = dict(src_dict)
        ref = d.pop("ref")

        topic = d.pop("topic")

        partition = d.pop("partition")

        offset = d.pop("offset")

        original_topic = d.pop("original_topic")

        def _parse_type_(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        type_ = _parse_type_(d.pop("type"))

        def _parse_tenant(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        tenant = _parse_tenant(d.pop("tenant"))

        def _parse_group(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        group = _parse_group(d.pop("group"))

        def _parse_handler(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        handler = _parse_handler(d.pop("handler"))

        reason = d.pop("reason")

        def _parse_error(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        error = _parse_error(d.pop("error"))

        def _parse_failed_at(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        failed_at = _parse_failed_at(d.pop("failed_at"))

        redrives = d.pop("redrives")

        def _parse_key(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        key = _parse_key(d.pop("key"))

        headers = DeadLetterDetailHeaders.from_dict(d.pop("headers"))

        payload = d.pop("payload")

        def _parse_text(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        text = _parse_text(d.pop("text"))

        dead_letter_detail = cls(
            ref=ref,
            topic=topic,
            partition=partition,
            offset=offset,
            original_topic=original_topic,
            type_=type_,
            tenant=tenant,
            group=group,
            handler=handler,
            reason=reason,
            error=error,
            failed_at=failed_at,
            redrives=redrives,
            key=key,
            headers=headers,
            payload=payload,
            text=text,
        )

        dead_letter_detail.additional_properties = d
        return dead_letter_detail

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
