from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.ask_closed_event_out import AskClosedEventOut
    from ..models.ask_created_event_out import AskCreatedEventOut
    from ..models.client_revoked_event_out import ClientRevokedEventOut
    from ..models.feedback_submitted_event_out import FeedbackSubmittedEventOut
    from ..models.follow_up_due_event_out import FollowUpDueEventOut
    from ..models.follow_up_recorded_event_out import FollowUpRecordedEventOut
    from ..models.match_declined_event_out import MatchDeclinedEventOut
    from ..models.match_expired_event_out import MatchExpiredEventOut
    from ..models.match_proposed_event_out import MatchProposedEventOut
    from ..models.mentor_published_event_out import MentorPublishedEventOut
    from ..models.mentor_withdrawn_event_out import MentorWithdrawnEventOut
    from ..models.org_offboarded_event_out import OrgOffboardedEventOut
    from ..models.org_registered_event_out import OrgRegisteredEventOut
    from ..models.org_resumed_event_out import OrgResumedEventOut
    from ..models.org_suspended_event_out import OrgSuspendedEventOut
    from ..models.profile_shared_event_out import ProfileSharedEventOut
    from ..models.profile_unshared_event_out import ProfileUnsharedEventOut
    from ..models.session_cancelled_event_out import SessionCancelledEventOut
    from ..models.session_completed_event_out import SessionCompletedEventOut
    from ..models.session_no_show_event_out import SessionNoShowEventOut
    from ..models.session_reminder_due_event_out import SessionReminderDueEventOut
    from ..models.session_rescheduled_event_out import SessionRescheduledEventOut
    from ..models.session_scheduled_event_out import SessionScheduledEventOut
    from ..models.user_deactivated_event_out import UserDeactivatedEventOut
    from ..models.user_erased_event_out import UserErasedEventOut
    from ..models.user_registered_event_out import UserRegisteredEventOut


T = TypeVar("T", bound="EventPage")


@_attrs_define
class EventPage:
    """
    Attributes:
        items (list[AskClosedEventOut | AskCreatedEventOut | ClientRevokedEventOut | FeedbackSubmittedEventOut |
            FollowUpDueEventOut | FollowUpRecordedEventOut | MatchDeclinedEventOut | MatchExpiredEventOut |
            MatchProposedEventOut | MentorPublishedEventOut | MentorWithdrawnEventOut | OrgOffboardedEventOut |
            OrgRegisteredEventOut | OrgResumedEventOut | OrgSuspendedEventOut | ProfileSharedEventOut |
            ProfileUnsharedEventOut | SessionCancelledEventOut | SessionCompletedEventOut | SessionNoShowEventOut |
            SessionReminderDueEventOut | SessionRescheduledEventOut | SessionScheduledEventOut | UserDeactivatedEventOut |
            UserErasedEventOut | UserRegisteredEventOut]): Oldest first; each item's `type` says what its `data` is.
        next_cursor (str): Send it as ?after= to continue; it is the last cursor you saw.
    """

    items: list[
        AskClosedEventOut
        | AskCreatedEventOut
        | ClientRevokedEventOut
        | FeedbackSubmittedEventOut
        | FollowUpDueEventOut
        | FollowUpRecordedEventOut
        | MatchDeclinedEventOut
        | MatchExpiredEventOut
        | MatchProposedEventOut
        | MentorPublishedEventOut
        | MentorWithdrawnEventOut
        | OrgOffboardedEventOut
        | OrgRegisteredEventOut
        | OrgResumedEventOut
        | OrgSuspendedEventOut
        | ProfileSharedEventOut
        | ProfileUnsharedEventOut
        | SessionCancelledEventOut
        | SessionCompletedEventOut
        | SessionNoShowEventOut
        | SessionReminderDueEventOut
        | SessionRescheduledEventOut
        | SessionScheduledEventOut
        | UserDeactivatedEventOut
        | UserErasedEventOut
        | UserRegisteredEventOut
    ]
    next_cursor: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.ask_closed_event_out import AskClosedEventOut  # noqa: PLC0415
        from ..models.ask_created_event_out import AskCreatedEventOut  # noqa: PLC0415
        from ..models.client_revoked_event_out import ClientRevokedEventOut  # noqa: PLC0415
        from ..models.feedback_submitted_event_out import FeedbackSubmittedEventOut  # noqa: PLC0415
        from ..models.follow_up_due_event_out import FollowUpDueEventOut  # noqa: PLC0415
        from ..models.follow_up_recorded_event_out import FollowUpRecordedEventOut  # noqa: PLC0415
        from ..models.match_declined_event_out import MatchDeclinedEventOut  # noqa: PLC0415
        from ..models.match_expired_event_out import MatchExpiredEventOut  # noqa: PLC0415
        from ..models.match_proposed_event_out import MatchProposedEventOut  # noqa: PLC0415
        from ..models.mentor_published_event_out import MentorPublishedEventOut  # noqa: PLC0415
        from ..models.mentor_withdrawn_event_out import MentorWithdrawnEventOut  # noqa: PLC0415
        from ..models.org_offboarded_event_out import OrgOffboardedEventOut  # noqa: PLC0415
        from ..models.org_registered_event_out import OrgRegisteredEventOut  # noqa: PLC0415
        from ..models.org_resumed_event_out import OrgResumedEventOut  # noqa: PLC0415
        from ..models.org_suspended_event_out import OrgSuspendedEventOut  # noqa: PLC0415
        from ..models.profile_shared_event_out import ProfileSharedEventOut  # noqa: PLC0415
        from ..models.profile_unshared_event_out import ProfileUnsharedEventOut  # noqa: PLC0415
        from ..models.session_cancelled_event_out import SessionCancelledEventOut  # noqa: PLC0415
        from ..models.session_completed_event_out import SessionCompletedEventOut  # noqa: PLC0415
        from ..models.session_no_show_event_out import SessionNoShowEventOut  # noqa: PLC0415
        from ..models.session_reminder_due_event_out import SessionReminderDueEventOut  # noqa: PLC0415
        from ..models.session_rescheduled_event_out import SessionRescheduledEventOut  # noqa: PLC0415
        from ..models.session_scheduled_event_out import SessionScheduledEventOut  # noqa: PLC0415
        from ..models.user_deactivated_event_out import UserDeactivatedEventOut  # noqa: PLC0415
        from ..models.user_erased_event_out import UserErasedEventOut  # noqa: PLC0415

        items = []
        for items_item_data in self.items:
            items_item: dict[str, Any]
            if isinstance(items_item_data, AskClosedEventOut):
                items_item = items_item_data.to_dict()
            elif isinstance(items_item_data, AskCreatedEventOut):
                items_item = items_item_data.to_dict()
            elif isinstance(items_item_data, ClientRevokedEventOut):
                items_item = items_item_data.to_dict()
            elif isinstance(items_item_data, FeedbackSubmittedEventOut):
                items_item = items_item_data.to_dict()
            elif isinstance(items_item_data, FollowUpDueEventOut):
                items_item = items_item_data.to_dict()
            elif isinstance(items_item_data, FollowUpRecordedEventOut):
                items_item = items_item_data.to_dict()
            elif isinstance(items_item_data, MatchDeclinedEventOut):
                items_item = items_item_data.to_dict()
            elif isinstance(items_item_data, MatchExpiredEventOut):
                items_item = items_item_data.to_dict()
            elif isinstance(items_item_data, MatchProposedEventOut):
                items_item = items_item_data.to_dict()
            elif isinstance(items_item_data, MentorPublishedEventOut):
                items_item = items_item_data.to_dict()
            elif isinstance(items_item_data, MentorWithdrawnEventOut):
                items_item = items_item_data.to_dict()
            elif isinstance(items_item_data, OrgOffboardedEventOut):
                items_item = items_item_data.to_dict()
            elif isinstance(items_item_data, OrgRegisteredEventOut):
                items_item = items_item_data.to_dict()
            elif isinstance(items_item_data, OrgResumedEventOut):
                items_item = items_item_data.to_dict()
            elif isinstance(items_item_data, OrgSuspendedEventOut):
                items_item = items_item_data.to_dict()
            elif isinstance(items_item_data, ProfileSharedEventOut):
                items_item = items_item_data.to_dict()
            elif isinstance(items_item_data, ProfileUnsharedEventOut):
                items_item = items_item_data.to_dict()
            elif isinstance(items_item_data, SessionCancelledEventOut):
                items_item = items_item_data.to_dict()
            elif isinstance(items_item_data, SessionCompletedEventOut):
                items_item = items_item_data.to_dict()
            elif isinstance(items_item_data, SessionNoShowEventOut):
                items_item = items_item_data.to_dict()
            elif isinstance(items_item_data, SessionReminderDueEventOut):
                items_item = items_item_data.to_dict()
            elif isinstance(items_item_data, SessionRescheduledEventOut):
                items_item = items_item_data.to_dict()
            elif isinstance(items_item_data, SessionScheduledEventOut):
                items_item = items_item_data.to_dict()
            elif isinstance(items_item_data, UserDeactivatedEventOut):
                items_item = items_item_data.to_dict()
            elif isinstance(items_item_data, UserErasedEventOut):
                items_item = items_item_data.to_dict()
            else:
                items_item = items_item_data.to_dict()

            items.append(items_item)

        next_cursor = self.next_cursor

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "items": items,
                "next_cursor": next_cursor,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.ask_closed_event_out import AskClosedEventOut  # noqa: PLC0415
        from ..models.ask_created_event_out import AskCreatedEventOut  # noqa: PLC0415
        from ..models.client_revoked_event_out import ClientRevokedEventOut  # noqa: PLC0415
        from ..models.feedback_submitted_event_out import FeedbackSubmittedEventOut  # noqa: PLC0415
        from ..models.follow_up_due_event_out import FollowUpDueEventOut  # noqa: PLC0415
        from ..models.follow_up_recorded_event_out import FollowUpRecordedEventOut  # noqa: PLC0415
        from ..models.match_declined_event_out import MatchDeclinedEventOut  # noqa: PLC0415
        from ..models.match_expired_event_out import MatchExpiredEventOut  # noqa: PLC0415
        from ..models.match_proposed_event_out import MatchProposedEventOut  # noqa: PLC0415
        from ..models.mentor_published_event_out import MentorPublishedEventOut  # noqa: PLC0415
        from ..models.mentor_withdrawn_event_out import MentorWithdrawnEventOut  # noqa: PLC0415
        from ..models.org_offboarded_event_out import OrgOffboardedEventOut  # noqa: PLC0415
        from ..models.org_registered_event_out import OrgRegisteredEventOut  # noqa: PLC0415
        from ..models.org_resumed_event_out import OrgResumedEventOut  # noqa: PLC0415
        from ..models.org_suspended_event_out import OrgSuspendedEventOut  # noqa: PLC0415
        from ..models.profile_shared_event_out import ProfileSharedEventOut  # noqa: PLC0415
        from ..models.profile_unshared_event_out import ProfileUnsharedEventOut  # noqa: PLC0415
        from ..models.session_cancelled_event_out import SessionCancelledEventOut  # noqa: PLC0415
        from ..models.session_completed_event_out import SessionCompletedEventOut  # noqa: PLC0415
        from ..models.session_no_show_event_out import SessionNoShowEventOut  # noqa: PLC0415
        from ..models.session_reminder_due_event_out import SessionReminderDueEventOut  # noqa: PLC0415
        from ..models.session_rescheduled_event_out import SessionRescheduledEventOut  # noqa: PLC0415
        from ..models.session_scheduled_event_out import SessionScheduledEventOut  # noqa: PLC0415
        from ..models.user_deactivated_event_out import UserDeactivatedEventOut  # noqa: PLC0415
        from ..models.user_erased_event_out import UserErasedEventOut  # noqa: PLC0415
        from ..models.user_registered_event_out import UserRegisteredEventOut  # noqa: PLC0415

        d = dict(src_dict)
        items = []
        _items = d.pop("items")
        for items_item_data in _items:

            def _parse_items_item(
                data: object,
            ) -> (
                AskClosedEventOut
                | AskCreatedEventOut
                | ClientRevokedEventOut
                | FeedbackSubmittedEventOut
                | FollowUpDueEventOut
                | FollowUpRecordedEventOut
                | MatchDeclinedEventOut
                | MatchExpiredEventOut
                | MatchProposedEventOut
                | MentorPublishedEventOut
                | MentorWithdrawnEventOut
                | OrgOffboardedEventOut
                | OrgRegisteredEventOut
                | OrgResumedEventOut
                | OrgSuspendedEventOut
                | ProfileSharedEventOut
                | ProfileUnsharedEventOut
                | SessionCancelledEventOut
                | SessionCompletedEventOut
                | SessionNoShowEventOut
                | SessionReminderDueEventOut
                | SessionRescheduledEventOut
                | SessionScheduledEventOut
                | UserDeactivatedEventOut
                | UserErasedEventOut
                | UserRegisteredEventOut
            ):
                try:
                    if not isinstance(data, dict):
                        raise TypeError()
                    items_item_type_0 = AskClosedEventOut.from_dict(data)

                    return items_item_type_0
                except (TypeError, ValueError, AttributeError, KeyError):
                    pass
                try:
                    if not isinstance(data, dict):
                        raise TypeError()
                    items_item_type_1 = AskCreatedEventOut.from_dict(data)

                    return items_item_type_1
                except (TypeError, ValueError, AttributeError, KeyError):
                    pass
                try:
                    if not isinstance(data, dict):
                        raise TypeError()
                    items_item_type_2 = ClientRevokedEventOut.from_dict(data)

                    return items_item_type_2
                except (TypeError, ValueError, AttributeError, KeyError):
                    pass
                try:
                    if not isinstance(data, dict):
                        raise TypeError()
                    items_item_type_3 = FeedbackSubmittedEventOut.from_dict(data)

                    return items_item_type_3
                except (TypeError, ValueError, AttributeError, KeyError):
                    pass
                try:
                    if not isinstance(data, dict):
                        raise TypeError()
                    items_item_type_4 = FollowUpDueEventOut.from_dict(data)

                    return items_item_type_4
                except (TypeError, ValueError, AttributeError, KeyError):
                    pass
                try:
                    if not isinstance(data, dict):
                        raise TypeError()
                    items_item_type_5 = FollowUpRecordedEventOut.from_dict(data)

                    return items_item_type_5
                except (TypeError, ValueError, AttributeError, KeyError):
                    pass
                try:
                    if not isinstance(data, dict):
                        raise TypeError()
                    items_item_type_6 = MatchDeclinedEventOut.from_dict(data)

                    return items_item_type_6
                except (TypeError, ValueError, AttributeError, KeyError):
                    pass
                try:
                    if not isinstance(data, dict):
                        raise TypeError()
                    items_item_type_7 = MatchExpiredEventOut.from_dict(data)

                    return items_item_type_7
                except (TypeError, ValueError, AttributeError, KeyError):
                    pass
                try:
                    if not isinstance(data, dict):
                        raise TypeError()
                    items_item_type_8 = MatchProposedEventOut.from_dict(data)

                    return items_item_type_8
                except (TypeError, ValueError, AttributeError, KeyError):
                    pass
                try:
                    if not isinstance(data, dict):
                        raise TypeError()
                    items_item_type_9 = MentorPublishedEventOut.from_dict(data)

                    return items_item_type_9
                except (TypeError, ValueError, AttributeError, KeyError):
                    pass
                try:
                    if not isinstance(data, dict):
                        raise TypeError()
                    items_item_type_10 = MentorWithdrawnEventOut.from_dict(data)

                    return items_item_type_10
                except (TypeError, ValueError, AttributeError, KeyError):
                    pass
                try:
                    if not isinstance(data, dict):
                        raise TypeError()
                    items_item_type_11 = OrgOffboardedEventOut.from_dict(data)

                    return items_item_type_11
                except (TypeError, ValueError, AttributeError, KeyError):
                    pass
                try:
                    if not isinstance(data, dict):
                        raise TypeError()
                    items_item_type_12 = OrgRegisteredEventOut.from_dict(data)

                    return items_item_type_12
                except (TypeError, ValueError, AttributeError, KeyError):
                    pass
                try:
                    if not isinstance(data, dict):
                        raise TypeError()
                    items_item_type_13 = OrgResumedEventOut.from_dict(data)

                    return items_item_type_13
                except (TypeError, ValueError, AttributeError, KeyError):
                    pass
                try:
                    if not isinstance(data, dict):
                        raise TypeError()
                    items_item_type_14 = OrgSuspendedEventOut.from_dict(data)

                    return items_item_type_14
                except (TypeError, ValueError, AttributeError, KeyError):
                    pass
                try:
                    if not isinstance(data, dict):
                        raise TypeError()
                    items_item_type_15 = ProfileSharedEventOut.from_dict(data)

                    return items_item_type_15
                except (TypeError, ValueError, AttributeError, KeyError):
                    pass
                try:
                    if not isinstance(data, dict):
                        raise TypeError()
                    items_item_type_16 = ProfileUnsharedEventOut.from_dict(data)

                    return items_item_type_16
                except (TypeError, ValueError, AttributeError, KeyError):
                    pass
                try:
                    if not isinstance(data, dict):
                        raise TypeError()
                    items_item_type_17 = SessionCancelledEventOut.from_dict(data)

                    return items_item_type_17
                except (TypeError, ValueError, AttributeError, KeyError):
                    pass
                try:
                    if not isinstance(data, dict):
                        raise TypeError()
                    items_item_type_18 = SessionCompletedEventOut.from_dict(data)

                    return items_item_type_18
                except (TypeError, ValueError, AttributeError, KeyError):
                    pass
                try:
                    if not isinstance(data, dict):
                        raise TypeError()
                    items_item_type_19 = SessionNoShowEventOut.from_dict(data)

                    return items_item_type_19
                except (TypeError, ValueError, AttributeError, KeyError):
                    pass
                try:
                    if not isinstance(data, dict):
                        raise TypeError()
                    items_item_type_20 = SessionReminderDueEventOut.from_dict(data)

                    return items_item_type_20
                except (TypeError, ValueError, AttributeError, KeyError):
                    pass
                try:
                    if not isinstance(data, dict):
                        raise TypeError()
                    items_item_type_21 = SessionRescheduledEventOut.from_dict(data)

                    return items_item_type_21
                except (TypeError, ValueError, AttributeError, KeyError):
                    pass
                try:
                    if not isinstance(data, dict):
                        raise TypeError()
                    items_item_type_22 = SessionScheduledEventOut.from_dict(data)

                    return items_item_type_22
                except (TypeError, ValueError, AttributeError, KeyError):
                    pass
                try:
                    if not isinstance(data, dict):
                        raise TypeError()
                    items_item_type_23 = UserDeactivatedEventOut.from_dict(data)

                    return items_item_type_23
                except (TypeError, ValueError, AttributeError, KeyError):
                    pass
                try:
                    if not isinstance(data, dict):
                        raise TypeError()
                    items_item_type_24 = UserErasedEventOut.from_dict(data)

                    return items_item_type_24
                except (TypeError, ValueError, AttributeError, KeyError):
                    pass
                if not isinstance(data, dict):
                    raise TypeError()
                items_item_type_25 = UserRegisteredEventOut.from_dict(data)

                return items_item_type_25

            items_item = _parse_items_item(items_item_data)

            items.append(items_item)

        next_cursor = d.pop("next_cursor")

        event_page = cls(
            items=items,
            next_cursor=next_cursor,
        )

        event_page.additional_properties = d
        return event_page

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
