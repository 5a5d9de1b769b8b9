"""What the SCIM conformance runs expect of scim2-tester 0.5.2, shared by the protocol's unit test (an
in-memory directory) and the e2e test (the running identity): every check it runs passes, and the only
ones it skips are POST /.search with attributes (identity answers 501: searching several resource types at
once is not supported, which the ServiceProviderConfig has no field for)."""

from __future__ import annotations

from typing import Any

from scim2_tester import Status

# check_server's checkers (plus core_schemas_validation, which it defines but does not call) ...
TESTER_CHECKS = {
    "service_provider_config_endpoint", "service_provider_config_endpoint_methods",
    "query_all_resource_types", "query_resource_type_by_id", "resource_types_schema_validation",
    "access_invalid_resource_type",
    "resource_types_endpoint_methods", "query_all_schemas", "access_schema_by_id", "access_invalid_schema",
    "schemas_endpoint_methods", "random_url",
}  # fmt: skip
TESTER_RESOURCE_CHECKS = {
    "object_creation", "object_query", "object_query_without_id", "object_query_with_attributes",
    "object_list_with_attributes", "search_with_attributes", "object_replacement", "object_deletion",
    "check_add_attribute", "check_remove_attribute", "check_replace_attribute",
}  # fmt: skip
# ... and the attributes its PATCH checkers go through.
PATCHED = {
    ("User", "check_add_attribute"): {"externalId", "name", "displayName", "emails", "active", "password"},
    ("User", "check_remove_attribute"): {"externalId", "name", "displayName", "emails", "active"},
    ("User", "check_replace_attribute"): {
        *("externalId", "userName", "name", "displayName", "emails", "active", "password"),
    },
    ("Group", "check_add_attribute"): {"externalId", "members"},
    ("Group", "check_remove_attribute"): {"externalId", "members"},
    ("Group", "check_replace_attribute"): {"externalId", "displayName", "members"},
}


def describe(result: Any) -> str:
    return f"{result.status.name} {result.resource_type or '-'} {result.title}: {result.reason}"


def assert_no_fault(results: list[Any]) -> None:
    """Every check ran and passed, but for the two expected skips; every PATCH went through its attributes."""
    skipped = [result for result in results if result.status == Status.SKIPPED]
    faults = [describe(result) for result in results if result.status not in (Status.SUCCESS, Status.SKIPPED)]
    assert faults == []
    assert sorted((result.title, result.resource_type) for result in skipped) == [
        ("search_with_attributes", "Group"),
        ("search_with_attributes", "User"),
    ]
    assert all("several resource types at once is not supported" in (r.reason or "") for r in skipped)
    assert {r.title for r in results if r.resource_type is None} == {
        *TESTER_CHECKS,
        "core_schemas_validation",
    }
    for resource_type in ("User", "Group"):
        ran = {result.title for result in results if result.resource_type == resource_type}
        assert ran == TESTER_RESOURCE_CHECKS, resource_type
    for (resource_type, title), attributes in PATCHED.items():
        patched = {
            (result.data or {})["urn"]
            for result in results
            if (result.resource_type, result.title) == (resource_type, title)
            and result.status == Status.SUCCESS
        }
        assert patched == attributes, (resource_type, title)
