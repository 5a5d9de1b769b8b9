"""Contains all the data models used in inputs/outputs"""

from .accept_in import AcceptIn
from .ask_closed_data import AskClosedData
from .ask_closed_event_out import AskClosedEventOut
from .ask_closed_webhook import AskClosedWebhook
from .ask_created_data import AskCreatedData
from .ask_created_data_duration_minutes import AskCreatedDataDurationMinutes
from .ask_created_data_scope import AskCreatedDataScope
from .ask_created_event_out import AskCreatedEventOut
from .ask_created_webhook import AskCreatedWebhook
from .ask_in import AskIn
from .ask_in_duration_minutes import AskInDurationMinutes
from .ask_in_scope import AskInScope
from .ask_list import AskList
from .ask_out import AskOut
from .ask_out_scope import AskOutScope
from .ask_out_status import AskOutStatus
from .availability_window import AvailabilityWindow
from .body_finish_authorization import BodyFinishAuthorization
from .body_issue_token import BodyIssueToken
from .body_revoke_token import BodyRevokeToken
from .card_out import CardOut
from .client_create import ClientCreate
from .client_credentials import ClientCredentials
from .client_list import ClientList
from .client_public import ClientPublic
from .client_revoked_data import ClientRevokedData
from .client_revoked_event_out import ClientRevokedEventOut
from .client_revoked_webhook import ClientRevokedWebhook
from .consortium_health import ConsortiumHealth
from .dead_letter_detail import DeadLetterDetail
from .dead_letter_detail_headers import DeadLetterDetailHeaders
from .dead_letter_list import DeadLetterList
from .dead_letter_out import DeadLetterOut
from .dead_letters_settled import DeadLettersSettled
from .delivery_list import DeliveryList
from .delivery_out import DeliveryOut
from .delivery_out_status import DeliveryOutStatus
from .erasure_out import ErasureOut
from .event_page import EventPage
from .export_my_journal_format import ExportMyJournalFormat
from .feedback_in import FeedbackIn
from .feedback_in_resolved import FeedbackInResolved
from .feedback_in_share_with_other_item import FeedbackInShareWithOtherItem
from .feedback_list import FeedbackList
from .feedback_out import FeedbackOut
from .feedback_out_resolved import FeedbackOutResolved
from .feedback_submitted_data import FeedbackSubmittedData
from .feedback_submitted_data_author_role import FeedbackSubmittedDataAuthorRole
from .feedback_submitted_data_resolved import FeedbackSubmittedDataResolved
from .feedback_submitted_event_out import FeedbackSubmittedEventOut
from .feedback_submitted_webhook import FeedbackSubmittedWebhook
from .field_error import FieldError
from .figures_out import FiguresOut
from .follow_up_due_data import FollowUpDueData
from .follow_up_due_event_out import FollowUpDueEventOut
from .follow_up_due_webhook import FollowUpDueWebhook
from .follow_up_in import FollowUpIn
from .follow_up_in_resolved import FollowUpInResolved
from .follow_up_list import FollowUpList
from .follow_up_out import FollowUpOut
from .follow_up_out_resolved import FollowUpOutResolved
from .follow_up_out_role import FollowUpOutRole
from .follow_up_recorded_data import FollowUpRecordedData
from .follow_up_recorded_data_resolved import FollowUpRecordedDataResolved
from .follow_up_recorded_event_out import FollowUpRecordedEventOut
from .follow_up_recorded_webhook import FollowUpRecordedWebhook
from .get_json_web_key_set_response_getjsonwebkeyset import GetJsonWebKeySetResponseGetjsonwebkeyset
from .group_figures import GroupFigures
from .impact import Impact
from .journal import Journal
from .journal_entry import JournalEntry
from .journal_entry_kind import JournalEntryKind
from .journal_entry_role import JournalEntryRole
from .journal_entry_shown_to_me import JournalEntryShownToMe
from .jwks import Jwks
from .jwks_keys_item import JwksKeysItem
from .lag_list import LagList
from .lag_out import LagOut
from .list_asks_status_type_0 import ListAsksStatusType0
from .list_sessions_status_type_0 import ListSessionsStatusType0
from .list_webhook_deliveries_status_type_0 import ListWebhookDeliveriesStatusType0
from .match_declined_data import MatchDeclinedData
from .match_declined_event_out import MatchDeclinedEventOut
from .match_declined_webhook import MatchDeclinedWebhook
from .match_expired_data import MatchExpiredData
from .match_expired_event_out import MatchExpiredEventOut
from .match_expired_webhook import MatchExpiredWebhook
from .match_proposed_data import MatchProposedData
from .match_proposed_data_duration_minutes import MatchProposedDataDurationMinutes
from .match_proposed_event_out import MatchProposedEventOut
from .match_proposed_webhook import MatchProposedWebhook
from .matching_figures import MatchingFigures
from .mentor_card import MentorCard
from .mentor_card_seniority_type_0 import MentorCardSeniorityType0
from .mentor_list import MentorList
from .mentor_out import MentorOut
from .mentor_out_scope import MentorOutScope
from .mentor_out_skills_item import MentorOutSkillsItem
from .mentor_published_data import MentorPublishedData
from .mentor_published_data_scope import MentorPublishedDataScope
from .mentor_published_event_out import MentorPublishedEventOut
from .mentor_published_webhook import MentorPublishedWebhook
from .mentor_withdrawn_data import MentorWithdrawnData
from .mentor_withdrawn_event_out import MentorWithdrawnEventOut
from .mentor_withdrawn_webhook import MentorWithdrawnWebhook
from .mentoring_in import MentoringIn
from .mentoring_out import MentoringOut
from .offboarded_out import OffboardedOut
from .org_create import OrgCreate
from .org_list import OrgList
from .org_offboard import OrgOffboard
from .org_offboarded_data import OrgOffboardedData
from .org_offboarded_event_out import OrgOffboardedEventOut
from .org_offboarded_webhook import OrgOffboardedWebhook
from .org_public import OrgPublic
from .org_registered_data import OrgRegisteredData
from .org_registered_event_out import OrgRegisteredEventOut
from .org_registered_webhook import OrgRegisteredWebhook
from .org_resumed_data import OrgResumedData
from .org_resumed_event_out import OrgResumedEventOut
from .org_resumed_webhook import OrgResumedWebhook
from .org_suspended_data import OrgSuspendedData
from .org_suspended_event_out import OrgSuspendedEventOut
from .org_suspended_webhook import OrgSuspendedWebhook
from .outbox_list import OutboxList
from .outbox_out import OutboxOut
from .participation_out import ParticipationOut
from .person_card import PersonCard
from .person_card_seniority_type_0 import PersonCardSeniorityType0
from .problem import Problem
from .profile_in import ProfileIn
from .profile_in_seniority_type_0 import ProfileInSeniorityType0
from .profile_in_visibility import ProfileInVisibility
from .profile_out import ProfileOut
from .profile_out_seniority_type_0 import ProfileOutSeniorityType0
from .profile_out_visibility import ProfileOutVisibility
from .profile_shared_data import ProfileSharedData
from .profile_shared_data_scope import ProfileSharedDataScope
from .profile_shared_event_out import ProfileSharedEventOut
from .profile_shared_webhook import ProfileSharedWebhook
from .profile_unshared_data import ProfileUnsharedData
from .profile_unshared_event_out import ProfileUnsharedEventOut
from .profile_unshared_webhook import ProfileUnsharedWebhook
from .proposal_out import ProposalOut
from .reason_in import ReasonIn
from .received_list import ReceivedList
from .received_out import ReceivedOut
from .received_out_shared import ReceivedOutShared
from .reciprocity import Reciprocity
from .reschedule_in import RescheduleIn
from .resolved_split import ResolvedSplit
from .reverse_mentoring import ReverseMentoring
from .roles_in import RolesIn
from .roles_in_roles_item import RolesInRolesItem
from .service_health import ServiceHealth
from .service_health_checks import ServiceHealthChecks
from .session_cancelled_data import SessionCancelledData
from .session_cancelled_event_out import SessionCancelledEventOut
from .session_cancelled_webhook import SessionCancelledWebhook
from .session_completed_data import SessionCompletedData
from .session_completed_event_out import SessionCompletedEventOut
from .session_completed_webhook import SessionCompletedWebhook
from .session_list import SessionList
from .session_no_show_data import SessionNoShowData
from .session_no_show_event_out import SessionNoShowEventOut
from .session_no_show_webhook import SessionNoShowWebhook
from .session_out import SessionOut
from .session_out_status import SessionOutStatus
from .session_reminder_due_data import SessionReminderDueData
from .session_reminder_due_data_duration_minutes import SessionReminderDueDataDurationMinutes
from .session_reminder_due_data_lead import SessionReminderDueDataLead
from .session_reminder_due_event_out import SessionReminderDueEventOut
from .session_reminder_due_webhook import SessionReminderDueWebhook
from .session_rescheduled_data import SessionRescheduledData
from .session_rescheduled_data_duration_minutes import SessionRescheduledDataDurationMinutes
from .session_rescheduled_event_out import SessionRescheduledEventOut
from .session_rescheduled_webhook import SessionRescheduledWebhook
from .session_scheduled_data import SessionScheduledData
from .session_scheduled_data_duration_minutes import SessionScheduledDataDurationMinutes
from .session_scheduled_event_out import SessionScheduledEventOut
from .session_scheduled_webhook import SessionScheduledWebhook
from .settings_in import SettingsIn
from .settings_in_group_roles import SettingsInGroupRoles
from .settings_in_group_roles_additional_property import SettingsInGroupRolesAdditionalProperty
from .settings_out import SettingsOut
from .settings_out_group_roles import SettingsOutGroupRoles
from .signing_key_public import SigningKeyPublic
from .skill import Skill
from .skill_in import SkillIn
from .sso_in import SsoIn
from .sso_out import SsoOut
from .store_list import StoreList
from .store_out import StoreOut
from .suggestion_list import SuggestionList
from .suggestion_out import SuggestionOut
from .time_range import TimeRange
from .token_response import TokenResponse
from .user_create import UserCreate
from .user_create_roles_item import UserCreateRolesItem
from .user_deactivated_data import UserDeactivatedData
from .user_deactivated_event_out import UserDeactivatedEventOut
from .user_deactivated_webhook import UserDeactivatedWebhook
from .user_erased_data import UserErasedData
from .user_erased_event_out import UserErasedEventOut
from .user_erased_webhook import UserErasedWebhook
from .user_list import UserList
from .user_public import UserPublic
from .user_registered_data import UserRegisteredData
from .user_registered_data_roles_item import UserRegisteredDataRolesItem
from .user_registered_event_out import UserRegisteredEventOut
from .user_registered_webhook import UserRegisteredWebhook
from .webhook_created import WebhookCreated
from .webhook_in import WebhookIn
from .webhook_list import WebhookList
from .webhook_out import WebhookOut
from .week_figures import WeekFigures
from .window_in import WindowIn

__all__ = (
    "AcceptIn",
    "AskClosedData",
    "AskClosedEventOut",
    "AskClosedWebhook",
    "AskCreatedData",
    "AskCreatedDataDurationMinutes",
    "AskCreatedDataScope",
    "AskCreatedEventOut",
    "AskCreatedWebhook",
    "AskIn",
    "AskInDurationMinutes",
    "AskInScope",
    "AskList",
    "AskOut",
    "AskOutScope",
    "AskOutStatus",
    "AvailabilityWindow",
    "BodyFinishAuthorization",
    "BodyIssueToken",
    "BodyRevokeToken",
    "CardOut",
    "ClientCreate",
    "ClientCredentials",
    "ClientList",
    "ClientPublic",
    "ClientRevokedData",
    "ClientRevokedEventOut",
    "ClientRevokedWebhook",
    "ConsortiumHealth",
    "DeadLetterDetail",
    "DeadLetterDetailHeaders",
    "DeadLetterList",
    "DeadLetterOut",
    "DeadLettersSettled",
    "DeliveryList",
    "DeliveryOut",
    "DeliveryOutStatus",
    "ErasureOut",
    "EventPage",
    "ExportMyJournalFormat",
    "FeedbackIn",
    "FeedbackInResolved",
    "FeedbackInShareWithOtherItem",
    "FeedbackList",
    "FeedbackOut",
    "FeedbackOutResolved",
    "FeedbackSubmittedData",
    "FeedbackSubmittedDataAuthorRole",
    "FeedbackSubmittedDataResolved",
    "FeedbackSubmittedEventOut",
    "FeedbackSubmittedWebhook",
    "FieldError",
    "FiguresOut",
    "FollowUpDueData",
    "FollowUpDueEventOut",
    "FollowUpDueWebhook",
    "FollowUpIn",
    "FollowUpInResolved",
    "FollowUpList",
    "FollowUpOut",
    "FollowUpOutResolved",
    "FollowUpOutRole",
    "FollowUpRecordedData",
    "FollowUpRecordedDataResolved",
    "FollowUpRecordedEventOut",
    "FollowUpRecordedWebhook",
    "GetJsonWebKeySetResponseGetjsonwebkeyset",
    "GroupFigures",
    "Impact",
    "Journal",
    "JournalEntry",
    "JournalEntryKind",
    "JournalEntryRole",
    "JournalEntryShownToMe",
    "Jwks",
    "JwksKeysItem",
    "LagList",
    "LagOut",
    "ListAsksStatusType0",
    "ListSessionsStatusType0",
    "ListWebhookDeliveriesStatusType0",
    "MatchDeclinedData",
    "MatchDeclinedEventOut",
    "MatchDeclinedWebhook",
    "MatchExpiredData",
    "MatchExpiredEventOut",
    "MatchExpiredWebhook",
    "MatchingFigures",
    "MatchProposedData",
    "MatchProposedDataDurationMinutes",
    "MatchProposedEventOut",
    "MatchProposedWebhook",
    "MentorCard",
    "MentorCardSeniorityType0",
    "MentoringIn",
    "MentoringOut",
    "MentorList",
    "MentorOut",
    "MentorOutScope",
    "MentorOutSkillsItem",
    "MentorPublishedData",
    "MentorPublishedDataScope",
    "MentorPublishedEventOut",
    "MentorPublishedWebhook",
    "MentorWithdrawnData",
    "MentorWithdrawnEventOut",
    "MentorWithdrawnWebhook",
    "OffboardedOut",
    "OrgCreate",
    "OrgList",
    "OrgOffboard",
    "OrgOffboardedData",
    "OrgOffboardedEventOut",
    "OrgOffboardedWebhook",
    "OrgPublic",
    "OrgRegisteredData",
    "OrgRegisteredEventOut",
    "OrgRegisteredWebhook",
    "OrgResumedData",
    "OrgResumedEventOut",
    "OrgResumedWebhook",
    "OrgSuspendedData",
    "OrgSuspendedEventOut",
    "OrgSuspendedWebhook",
    "OutboxList",
    "OutboxOut",
    "ParticipationOut",
    "PersonCard",
    "PersonCardSeniorityType0",
    "Problem",
    "ProfileIn",
    "ProfileInSeniorityType0",
    "ProfileInVisibility",
    "ProfileOut",
    "ProfileOutSeniorityType0",
    "ProfileOutVisibility",
    "ProfileSharedData",
    "ProfileSharedDataScope",
    "ProfileSharedEventOut",
    "ProfileSharedWebhook",
    "ProfileUnsharedData",
    "ProfileUnsharedEventOut",
    "ProfileUnsharedWebhook",
    "ProposalOut",
    "ReasonIn",
    "ReceivedList",
    "ReceivedOut",
    "ReceivedOutShared",
    "Reciprocity",
    "RescheduleIn",
    "ResolvedSplit",
    "ReverseMentoring",
    "RolesIn",
    "RolesInRolesItem",
    "ServiceHealth",
    "ServiceHealthChecks",
    "SessionCancelledData",
    "SessionCancelledEventOut",
    "SessionCancelledWebhook",
    "SessionCompletedData",
    "SessionCompletedEventOut",
    "SessionCompletedWebhook",
    "SessionList",
    "SessionNoShowData",
    "SessionNoShowEventOut",
    "SessionNoShowWebhook",
    "SessionOut",
    "SessionOutStatus",
    "SessionReminderDueData",
    "SessionReminderDueDataDurationMinutes",
    "SessionReminderDueDataLead",
    "SessionReminderDueEventOut",
    "SessionReminderDueWebhook",
    "SessionRescheduledData",
    "SessionRescheduledDataDurationMinutes",
    "SessionRescheduledEventOut",
    "SessionRescheduledWebhook",
    "SessionScheduledData",
    "SessionScheduledDataDurationMinutes",
    "SessionScheduledEventOut",
    "SessionScheduledWebhook",
    "SettingsIn",
    "SettingsInGroupRoles",
    "SettingsInGroupRolesAdditionalProperty",
    "SettingsOut",
    "SettingsOutGroupRoles",
    "SigningKeyPublic",
    "Skill",
    "SkillIn",
    "SsoIn",
    "SsoOut",
    "StoreList",
    "StoreOut",
    "SuggestionList",
    "SuggestionOut",
    "TimeRange",
    "TokenResponse",
    "UserCreate",
    "UserCreateRolesItem",
    "UserDeactivatedData",
    "UserDeactivatedEventOut",
    "UserDeactivatedWebhook",
    "UserErasedData",
    "UserErasedEventOut",
    "UserErasedWebhook",
    "UserList",
    "UserPublic",
    "UserRegisteredData",
    "UserRegisteredDataRolesItem",
    "UserRegisteredEventOut",
    "UserRegisteredWebhook",
    "WebhookCreated",
    "WebhookIn",
    "WebhookList",
    "WebhookOut",
    "WeekFigures",
    "WindowIn",
)
