"""SCIM 2.0 (RFC 7643/7644) provisioning of one org's users and groups: a sub-application mounted at /scim/v2.

The protocol is here; the storage is a :class:`~identity.scim_directory.Directory` bound to the org of the
request's bearer token, which ``directory_for`` authenticates. Payloads are validated, patched and serialized
with scim2-models; this module adds the HTTP binding, the small schemas identity declares, the filters it can
answer and the mapping of resources to directory records.

Decisions (each one a reading of the RFCs that a client can rely on):

- Declared User attributes: userName, name{formatted,givenName,familyName}, displayName, emails{value,display,
  type,primary}, active, password (writeOnly: accepted and dropped, never stored nor returned), groups
  (readOnly) and the common externalId. Group: displayName, members{value,$ref,display}, externalId.
  ``members.display`` is readOnly and returned on request only (``attributes=members.display``): it is the
  member's current name, not something the client writes, and a default-returned value the client never sent
  would not round-trip. A ``display`` a client sends with a member (RFC 7644 §3.5.2.1's own example does) is
  ignored.
- Attributes no schema declares (``locale``, the enterprise extension...) are ignored, not refused, as most
  IdPs send some by default. Read-only attributes sent on POST/PUT (id, meta, groups) are ignored too.
- A resource is answered as last written: the directory keeps ``attributes``, and the record's typed fields
  (userName, externalId, displayName, active) win where the directory normalizes them. An unassigned
  ``active`` (never sent, removed by PATCH, left out of a PUT) means an active user, and is not answered
  unless the directory holds the user inactive.
- PATCH (RFC 7644 §3.5.2) is applied by scim2-models to the current resource, atomically, then written back
  with ``replace_*``. Lenient where IdPs need it: ``op`` is case-insensitive, a ``remove`` may carry the
  values to remove (Entra), and an ``add``/``replace`` through a filter that matches nothing creates the
  entry the filter describes (``emails[type eq "work"].value``; Entra). A PATCH that changes nothing writes
  nothing. The response is 200 with the resource.
- DELETE answers 204, then the resource is gone (404). PUT replaces every writable attribute.
- Filters: ``eq`` on userName (case-insensitive), externalId, id (users); displayName (case-insensitive),
  externalId, id (groups); joined by ``and``. A filter holding ``id eq`` (or, for users, ``userName eq``,
  unique) may hold any other expression besides, which is then evaluated on the few resources that match,
  e.g. Entra's ``id eq "…" and members[value eq "…"]``. Anything else answers 400 invalidFilter.
- Pagination by startIndex/count; count is capped at ``max_results``, which is also the default page size.
  sortBy/sortOrder are ignored (sort is declared unsupported), so are cursors.
- Not supported, and declared so in ServiceProviderConfig: bulk (/Bulk answers 501), sort, etag,
  changePassword. /Me and POST /.search (searching several resource types at once) answer 501.
- /Schemas lists User and Group, and the schemas of ServiceProviderConfig, ResourceType and Schema
  (RFC 7643 §8.7.2). A filter on a discovery endpoint answers 403 (RFC 7644 §4).
- Every endpoint requires the bearer token, discovery included; only 404 (no such path) and 405 (no such
  method) are answered without it.
"""

import asyncio
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Annotated, Any, TypeVar
from weakref import WeakValueDictionary

from fastapi import Depends, FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from pydantic import Field, ValidationError
from scim2_models import (
    URN,
    AuthenticationScheme,
    BaseModel,
    Bulk,
    CaseExact,
    ChangePassword,
    ComplexAttribute,
    Context,
    Email,
    Error,
    ETag,
    Filter,
    GroupMembership,
    InvalidFilterException,
    InvalidSyntaxException,
    InvalidValueException,
    ListResponse,
    Mutability,
    NotFoundException,
    NotImplementedException,
    Pagination,
    Patch,
    PatchOp,
    Reference,
    Required,
    Resource,
    ResourceType,
    ResponseParameters,
    Returned,
    Schema,
    SCIMException,
    ScimFilter,
    ScimPolicy,
    SearchRequest,
    ServiceProviderConfig,
    Sort,
    Uniqueness,
)
from scim2_models.path import CompareOperator, Comparison, FilterNode, LogicalExpr, LogicalOperator
from starlette.exceptions import HTTPException as StarletteHTTPException

from identity.scim_directory import (
    Directory,
    GroupRecord,
    ScimError,
    ScimForbidden,
    ScimUnauthorized,
    UserRecord,
)

SCIM_JSON = "application/scim+json"
USER_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:User"
GROUP_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Group"

POLICY = ScimPolicy(
    unknown=ScimPolicy.Unknown.ignore,
    remove_value_as_filter=ScimPolicy.RemoveValue.apply,
    unmatched_path_filter=ScimPolicy.UnmatchedPathFilter.create,
)
"""What identity tolerates from clients (see the module's docstring); comparisons are scim2-models' default:
NFC, and lower case unless the attribute is caseExact."""

# Keys a directory record's ``attributes`` never holds: the router derives them.
_NOT_STORED = ("schemas", "id", "meta", "groups", "members", "password")


class UserName(ComplexAttribute):
    formatted: str | None = None
    """The full name, including all middle names, titles, and suffixes, formatted for display."""

    family_name: str | None = None
    """The family name of the User, or last name in most Western languages."""

    given_name: str | None = None
    """The given name of the User, or first name in most Western languages."""


class UserEmail(ComplexAttribute):
    value: str | None = None
    """Email address for the user. The org's directory may refuse an address outside the org's domains."""

    display: str | None = None
    """A human-readable name, primarily used for display purposes."""

    type: Email.Type | None = None
    """A label indicating the attribute's function, e.g., 'work' or 'home'."""

    primary: bool | None = None
    """Whether this is the preferred address. 'true' appears no more than once."""


class ScimUser(Resource[Any]):
    """User Account"""

    __schema__ = URN(USER_SCHEMA)

    user_name: Annotated[str | None, Required.true, Uniqueness.server] = None
    """The User's unique identifier within the org (their email address), compared case-insensitively."""

    name: UserName | None = None
    """The components of the user's real name."""

    display_name: str | None = None
    """The name of the User, suitable for display to end-users."""

    emails: list[UserEmail] | None = None
    """Email addresses for the user."""

    active: bool | None = None
    """The User's administrative status. Unassigned means active."""

    password: Annotated[str | None, Mutability.write_only, Returned.never, CaseExact.true] = None
    """Accepted and discarded: mentornet never stores a password sent over SCIM."""

    groups: Annotated[list[GroupMembership] | None, Mutability.read_only] = None
    """The groups the User is a direct member of. Changed through the Group's members."""


class GroupMember(ComplexAttribute):
    value: Annotated[str | None, Mutability.immutable, CaseExact.true] = None
    """The id of a User of the org that is a member of this Group."""

    # The reference type is the resource type's name, "User", not this module's model's name.
    ref: Annotated[Reference["User"] | None, Mutability.immutable] = Field(  # type: ignore[name-defined] # noqa: F821
        None, serialization_alias="$ref", validation_alias="$ref"
    )
    """The URI of the member User."""

    display: Annotated[str | None, Mutability.read_only, Returned.request] = None
    """The member's display name, as the org's directory knows it."""


class ScimGroup(Resource[Any]):
    """Group"""

    __schema__ = URN(GROUP_SCHEMA)

    display_name: Annotated[str | None, Required.true] = None
    """A human-readable name for the Group, compared case-insensitively."""

    members: list[GroupMember] | None = None
    """The Users that are members of the Group."""


ModelT = TypeVar("ModelT", bound=Resource[Any])
ValidatedT = TypeVar("ValidatedT", bound=BaseModel)


def _schema(model: type[Resource[Any]], name: str, description: str) -> Schema:
    schema = model.to_schema()
    schema.name = name
    schema.description = description
    return schema


SCHEMAS: dict[str, Schema] = {
    USER_SCHEMA: _schema(ScimUser, "User", "User Account"),
    GROUP_SCHEMA: _schema(ScimGroup, "Group", "Group"),
    # RFC 7643 §8.7.2: the schemas of the discovery documents themselves.
    **{str(model.__schema__): model.to_schema() for model in (ServiceProviderConfig, ResourceType, Schema)},
}

RESOURCE_TYPES: dict[str, ResourceType] = {
    "User": ResourceType(
        id="User",
        name="User",
        description="User Account",
        endpoint=Reference("/Users"),
        schema_=Reference(USER_SCHEMA),
        schema_extensions=[],
    ),
    "Group": ResourceType(
        id="Group",
        name="Group",
        description="Group",
        endpoint=Reference("/Groups"),
        schema_=Reference(GROUP_SCHEMA),
        schema_extensions=[],
    ),
}


def service_provider_config(max_results: int) -> ServiceProviderConfig:
    """What this server supports (RFC 7643 §5), without its ``meta``."""
    return ServiceProviderConfig(
        patch=Patch(supported=True),
        bulk=Bulk(supported=False, max_operations=0, max_payload_size=0),
        filter=Filter(supported=True, max_results=max_results),
        change_password=ChangePassword(supported=False),
        sort=Sort(supported=False),
        etag=ETag(supported=False),
        authentication_schemes=[
            AuthenticationScheme(
                type=AuthenticationScheme.Type.oauthbearertoken,
                name="OAuth Bearer Token",
                description="A bearer access token of an API client of the org that holds the scope 'scim'.",
                spec_uri=Reference("https://www.rfc-editor.org/info/rfc6750"),
                primary=True,
            )
        ],
        pagination=Pagination(
            cursor=False,
            index=True,
            default_pagination_method=Pagination.DefaultPaginationMethod.index,
            default_page_size=max_results,
            max_page_size=max_results,
        ),
    )


# ---------------------------------------------------------------------------------------------------------
# Responses and errors


class ScimResponse(Response):
    media_type = SCIM_JSON

    def render(self, content: Any) -> bytes:
        return json.dumps(content, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def error_response(
    status: int, detail: str, scim_type: str | None = None, headers: dict[str, str] | None = None
) -> ScimResponse:
    """A SCIM Error (RFC 7644 §3.12): ``status`` as a string, ``scimType`` when there is one."""
    error = Error(status=status, scim_type=scim_type, detail=detail)
    return ScimResponse(error.model_dump(scim_ctx=Context.RESOURCE_QUERY_RESPONSE), status, headers)


def _validation_failure(exc: ValidationError) -> SCIMException:
    errors = Error.from_validation_errors(exc)
    first = errors[0]
    first.detail = "; ".join(error.detail or "" for error in errors)
    return SCIMException.from_error(first)


def _validate(model: type[ValidatedT], payload: Any, context: Context) -> ValidatedT:
    try:
        return model.model_validate(payload, scim_ctx=context, scim_policy=POLICY)
    except ValidationError as exc:
        raise _validation_failure(exc) from exc


def _not_found(kind: str, resource_id: str) -> NotFoundException:
    return NotFoundException(detail=f"{kind} {resource_id} not found")


# ---------------------------------------------------------------------------------------------------------
# Resources <-> directory records


def base_url(request: Request) -> str:
    """The URL this sub-application is mounted at, as the client reached it (e.g. https://host/scim/v2)."""
    url = request.url
    return f"{url.scheme}://{url.netloc}{request.scope.get('root_path', '')}".rstrip("/")


def _meta(resource_type: str, location: str, record: UserRecord | GroupRecord) -> dict[str, Any]:
    return {
        "resourceType": resource_type,
        "created": record.created,
        "lastModified": record.last_modified,
        "location": location,
    }


def _stored(attributes: dict[str, Any], *derived: str) -> dict[str, Any]:
    skipped = {*_NOT_STORED, *derived}
    return {key: value for key, value in attributes.items() if key not in skipped}


def user_resource(record: UserRecord, base: str) -> ScimUser:
    """The SCIM User a directory record stands for."""
    payload = _stored(record.attributes, "userName", "externalId", "active", "displayName")
    payload.update(
        id=record.id, userName=record.user_name, meta=_meta("User", f"{base}/Users/{record.id}", record)
    )
    if record.external_id is not None:
        payload["externalId"] = record.external_id
    if "active" in record.attributes or not record.active:
        payload["active"] = record.active
    if "displayName" in record.attributes:
        payload["displayName"] = record.display_name
    if record.groups:
        payload["groups"] = [
            {"value": group_id, "$ref": f"{base}/Groups/{group_id}", "display": name, "type": "direct"}
            for group_id, name in record.groups
        ]
    return ScimUser.model_validate(payload, scim_policy=POLICY)


def group_resource(record: GroupRecord, base: str) -> ScimGroup:
    """The SCIM Group a directory record stands for."""
    payload = _stored(record.attributes, "displayName", "externalId")
    payload.update(
        id=record.id,
        displayName=record.display_name,
        meta=_meta("Group", f"{base}/Groups/{record.id}", record),
    )
    if record.external_id is not None:
        payload["externalId"] = record.external_id
    if record.members:
        payload["members"] = [
            {"value": user_id, "$ref": f"{base}/Users/{user_id}", "display": name}
            for user_id, name in record.members
        ]
    return ScimGroup.model_validate(payload, scim_policy=POLICY)


def _attributes(resource: Resource[Any]) -> dict[str, Any]:
    return _stored(resource.model_dump(scim_ctx=Context.DEFAULT))


def user_fields(user: ScimUser) -> dict[str, Any]:
    """The directory's create/replace arguments for a User; its password is dropped here."""
    user_name = user.user_name or ""
    name = user.name or UserName()
    given_family = " ".join(part for part in (name.given_name, name.family_name) if part)
    display_name = user.display_name or name.formatted or given_family or user_name
    return {
        "user_name": user_name,
        "display_name": display_name,
        "active": True if user.active is None else user.active,
        "external_id": user.external_id,
        "attributes": _attributes(user),
    }


def group_fields(group: ScimGroup) -> dict[str, Any]:
    """The directory's create/replace arguments for a Group: members by id, each once."""
    member_ids: list[str] = []
    for member in group.members or []:
        if not member.value:
            raise InvalidValueException(detail="every member needs a 'value': the id of a User of the org")
        if member.value not in member_ids:
            member_ids.append(member.value)
    return {
        "display_name": group.display_name or "",
        "external_id": group.external_id,
        "member_ids": member_ids,
        "attributes": _attributes(group),
    }


def _without_member_display(body: Any) -> Any:
    """Drop the read-only ``display`` of the members a PATCH adds or replaces (Okta and RFC 7644 send it)."""

    def strip(members: Any) -> Any:
        if isinstance(members, dict):
            members = [members]
        if not isinstance(members, list):
            return members
        return [
            {key: value for key, value in member.items() if key.lower() != "display"}
            if isinstance(member, dict)
            else member
            for member in members
        ]

    if not isinstance(body, dict):
        return body
    operations = next((value for key, value in body.items() if key.lower() == "operations"), None)
    if not isinstance(operations, list):
        return body
    for operation in operations:
        if not isinstance(operation, dict) or "value" not in operation:
            continue
        path = operation.get("path")
        value = operation["value"]
        if isinstance(path, str) and path.strip().lower() == "members":
            operation["value"] = strip(value)
        elif path is None and isinstance(value, dict):
            operation["value"] = {
                key: strip(item) if key.lower() == "members" else item for key, item in value.items()
            }
    return body


# ---------------------------------------------------------------------------------------------------------
# Filters


@dataclass
class _Plan:
    """How to answer a filter: by id, by the directory's criteria, then (maybe) by matching locally."""

    resource_id: str | None = None
    criteria: dict[str, str] = field(default_factory=dict)
    match_locally: bool = False


_CRITERIA: dict[type[Resource[Any]], dict[str, tuple[str, str]]] = {
    ScimUser: {"username": ("userName", "user_name"), "externalid": ("externalId", "external_id")},
    ScimGroup: {"displayname": ("displayName", "display_name"), "externalid": ("externalId", "external_id")},
}
"""By resource type: lower-case attribute name -> (its SCIM name, the directory's ``list_*`` keyword)."""


def _equality(node: FilterNode, model: type[Resource[Any]]) -> tuple[str, str] | None:
    """(lower-case attribute name, value) of ``attr eq "string"`` on a top-level attribute, else None."""
    if not isinstance(node, Comparison) or node.op != CompareOperator.eq or not isinstance(node.value, str):
        return None
    attr_path = node.attr_path
    if attr_path.sub_attr is not None:
        return None
    if attr_path.uri is not None and attr_path.uri.lower() != str(model.__schema__).lower():
        return None
    return attr_path.attr.lower(), node.value


def plan(model: type[Resource[Any]], scim_filter: ScimFilter[Any] | None) -> _Plan:
    """Split a filter into what the directory answers and what is matched on the resources it answers."""
    result = _Plan()
    if scim_filter is None:
        return result
    ast = scim_filter.ast
    terms = ast.terms if isinstance(ast, LogicalExpr) and ast.op == LogicalOperator.and_ else (ast,)
    criteria = _CRITERIA[model]
    for term in terms:
        name, value = _equality(term, model) or ("", "")
        keyword = criteria[name][1] if name in criteria else None
        if name == "id" and result.resource_id is None:
            result.resource_id = value
        elif keyword is not None and keyword not in result.criteria:
            result.criteria[keyword] = value
        else:  # anything else, including a second comparison on the same attribute
            result.match_locally = True
    anchored = result.resource_id is not None or "user_name" in result.criteria
    if result.match_locally and not anchored:
        names = ", ".join(f'{name} eq "…"' for name in ("id", *(name for name, _ in criteria.values())))
        anchors = 'id eq "…" or userName eq "…"' if model is ScimUser else 'id eq "…"'
        raise InvalidFilterException(
            detail=f"unsupported filter: use {names}, joined by 'and'; anything else only beside {anchors}"
        )
    if result.resource_id is not None:
        result.match_locally = True
    return result


# ---------------------------------------------------------------------------------------------------------
# The application


class _Locks:
    """One lock per resource id, held across a read-modify-write (PATCH, PUT) in this process."""

    def __init__(self) -> None:
        self._locks: WeakValueDictionary[str, asyncio.Lock] = WeakValueDictionary()

    def __call__(self, resource_id: str) -> asyncio.Lock:
        lock = self._locks.get(resource_id)
        if lock is None:
            lock = asyncio.Lock()
            self._locks[resource_id] = lock
        return lock


async def _json_body(request: Request) -> dict[str, Any]:
    raw = await request.body()
    try:
        body = json.loads(raw)
    except ValueError as exc:
        raise InvalidSyntaxException(detail="the request body is not JSON") from exc
    if not isinstance(body, dict):
        raise InvalidSyntaxException(detail="the request body is not a JSON object")
    return body


def _query(request: Request) -> dict[str, str]:
    """The query parameters, by lower-case name (the first value of each)."""
    params: dict[str, str] = {}
    for key, value in request.query_params.multi_items():
        params.setdefault(key.lower(), value)
    return params


def response_parameters(model: type[ModelT], request: Request) -> ResponseParameters[ModelT]:
    """``attributes``/``excludedAttributes`` (RFC 7644 §3.9) of any request that answers a resource."""
    query = _query(request)
    payload = {
        name: query[name.lower()] for name in ("attributes", "excludedAttributes") if name.lower() in query
    }
    try:
        return ResponseParameters[model].model_validate(payload)  # type: ignore[valid-type]
    except ValidationError as exc:
        raise _validation_failure(exc) from exc


def search_request(model: type[ModelT], request: Request) -> SearchRequest[ModelT]:
    query = _query(request)
    names = ("filter", "startIndex", "count", "attributes", "excludedAttributes")
    payload = {name: query[name.lower()] for name in names if name.lower() in query}
    return _validate(SearchRequest[model], payload, Context.SEARCH_REQUEST)  # type: ignore[valid-type]


def page_of(query: SearchRequest[Any], max_results: int) -> tuple[int, int]:
    """(startIndex, count) of a query: count defaults to, and is capped at, ``max_results``."""
    # past any directory: an empty page, never an offset the database cannot hold
    start = min(query.start_index or 1, MAX_START_INDEX)
    return start, min(max_results, max_results if query.count is None else query.count)


MAX_START_INDEX = 2**31 - 1


def _dump(resource: Resource[Any], context: Context, parameters: ResponseParameters[Any]) -> dict[str, Any]:
    return resource.model_dump(scim_ctx=context, response_parameters=parameters)


def _list_response(
    model: type[Resource[Any]],
    resources: list[Any],
    total: int,
    start: int,
    parameters: ResponseParameters[Any] | None = None,
) -> ScimResponse:
    listing = ListResponse[model](  # type: ignore[valid-type]
        total_results=total, start_index=start, items_per_page=len(resources), resources=resources
    )
    return ScimResponse(
        listing.model_dump(scim_ctx=Context.RESOURCE_QUERY_RESPONSE, response_parameters=parameters)
    )


def scim_app(directory_for: Callable[[Request], Awaitable[Directory]], *, max_results: int = 200) -> FastAPI:
    """The SCIM 2.0 service provider, to mount at ``/scim/v2``.

    ``directory_for`` authenticates the request (its bearer token) and answers the directory of the token's
    org, or raises :class:`~identity.scim_directory.ScimUnauthorized` / ``ScimForbidden``. ``max_results``
    caps every page (and is the default page size).
    """
    if max_results < 1:
        raise ValueError("max_results must be at least 1")
    app = FastAPI(
        title="mentornet identity SCIM 2.0",
        openapi_url=None,
        docs_url=None,
        redoc_url=None,
    )
    config = service_provider_config(max_results)
    locks = _Locks()

    async def directory(request: Request) -> Directory:
        return await directory_for(request)

    DirectoryDep = Annotated[Directory, Depends(directory)]

    # -- errors -------------------------------------------------------------------------------------------

    @app.exception_handler(ScimError)
    async def on_directory_error(request: Request, exc: ScimError) -> Response:
        headers = {"WWW-Authenticate": "Bearer"} if isinstance(exc, ScimUnauthorized) else None
        return error_response(exc.status, exc.detail, exc.scim_type, headers)

    @app.exception_handler(SCIMException)
    async def on_scim_exception(request: Request, exc: SCIMException) -> Response:
        error = exc.to_error()
        return error_response(error.status or 400, error.detail or str(exc), error.scim_type)

    @app.exception_handler(StarletteHTTPException)
    async def on_http_exception(request: Request, exc: StarletteHTTPException) -> Response:
        detail = exc.detail if isinstance(exc.detail, str) else str(exc.detail)
        return error_response(exc.status_code, detail, None, dict(exc.headers or {}))

    @app.exception_handler(RequestValidationError)
    async def on_request_validation(request: Request, exc: RequestValidationError) -> Response:
        return error_response(400, str(exc), "invalidValue")

    @app.exception_handler(Exception)
    async def on_unexpected(request: Request, exc: Exception) -> Response:
        return error_response(500, "internal error")

    # -- discovery (RFC 7644 §4) ---------------------------------------------------------------------------

    def refuse_filter(request: Request) -> None:
        # RFC 7644 §4: a filter on a discovery endpoint SHOULD be answered 403, so that no client assumes
        # that what it filtered on holds.
        if "filter" in _query(request):
            raise ScimForbidden("discovery endpoints cannot be filtered")

    def schema_document(schema: Schema, base: str) -> Schema:
        return _with_meta(schema, "Schema", f"{base}/Schemas/{schema.id}")

    def resource_type_document(resource_type: ResourceType, base: str) -> ResourceType:
        return _with_meta(resource_type, "ResourceType", f"{base}/ResourceTypes/{resource_type.id}")

    @app.get("/ServiceProviderConfig")
    async def get_service_provider_config(request: Request, _: DirectoryDep) -> Response:
        refuse_filter(request)
        document = _with_meta(config, "ServiceProviderConfig", f"{base_url(request)}/ServiceProviderConfig")
        return ScimResponse(document.model_dump(scim_ctx=Context.RESOURCE_QUERY_RESPONSE))

    @app.get("/Schemas")
    async def list_schemas(request: Request, _: DirectoryDep) -> Response:
        refuse_filter(request)
        base = base_url(request)
        documents = [schema_document(schema, base) for schema in SCHEMAS.values()]
        return _list_response(Schema, documents, len(documents), 1)

    @app.get("/Schemas/{schema_id}")
    async def get_schema(schema_id: str, request: Request, _: DirectoryDep) -> Response:
        schema = SCHEMAS.get(schema_id)
        if schema is None:
            raise NotFoundException(detail=f"schema {schema_id} not found")
        document = schema_document(schema, base_url(request))
        return ScimResponse(document.model_dump(scim_ctx=Context.RESOURCE_QUERY_RESPONSE))

    @app.get("/ResourceTypes")
    async def list_resource_types(request: Request, _: DirectoryDep) -> Response:
        refuse_filter(request)
        base = base_url(request)
        documents = [resource_type_document(item, base) for item in RESOURCE_TYPES.values()]
        return _list_response(ResourceType, documents, len(documents), 1)

    @app.get("/ResourceTypes/{type_id}")
    async def get_resource_type(type_id: str, request: Request, _: DirectoryDep) -> Response:
        resource_type = RESOURCE_TYPES.get(type_id)
        if resource_type is None:
            raise NotFoundException(detail=f"resource type {type_id} not found")
        document = resource_type_document(resource_type, base_url(request))
        return ScimResponse(document.model_dump(scim_ctx=Context.RESOURCE_QUERY_RESPONSE))

    # -- what is not supported -----------------------------------------------------------------------------

    @app.post("/.search")
    async def search_everything(_: DirectoryDep) -> Response:
        raise NotImplementedException(detail="searching several resource types at once is not supported")

    @app.post("/Bulk")
    async def bulk(_: DirectoryDep) -> Response:
        raise NotImplementedException(detail="bulk operations are not supported")

    @app.api_route("/Me", methods=["GET", "POST", "PUT", "PATCH", "DELETE"])
    async def me(_: DirectoryDep) -> Response:
        raise NotImplementedException(detail="/Me is not supported")

    # -- Users ---------------------------------------------------------------------------------------------

    @app.get("/Users")
    async def list_users(request: Request, directory: DirectoryDep) -> Response:
        query = search_request(ScimUser, request)
        base = base_url(request)
        start, count = page_of(query, max_results)
        how = plan(ScimUser, query.filter)
        if not how.match_locally:
            records, total = await directory.list_users(
                user_name=how.criteria.get("user_name"),
                external_id=how.criteria.get("external_id"),
                start_index=start,
                count=count,
            )
            page = [user_resource(record, base) for record in records]
            return _list_response(ScimUser, page, total, start, query)
        if how.resource_id is not None:
            record = await directory.get_user(how.resource_id)
            candidates = [record] if record is not None else []
        else:
            candidates, _ = await directory.list_users(
                user_name=how.criteria.get("user_name"),
                external_id=how.criteria.get("external_id"),
                start_index=1,
                count=max_results,
            )
        assert query.filter is not None
        matches = [user for user in (user_resource(r, base) for r in candidates) if query.filter.match(user)]
        return _list_response(ScimUser, matches[start - 1 : start - 1 + count], len(matches), start, query)

    @app.get("/Users/{user_id}")
    async def get_user(user_id: str, request: Request, directory: DirectoryDep) -> Response:
        parameters = response_parameters(ScimUser, request)
        record = await directory.get_user(user_id)
        if record is None:
            raise _not_found("User", user_id)
        user = user_resource(record, base_url(request))
        return ScimResponse(_dump(user, Context.RESOURCE_QUERY_RESPONSE, parameters))

    @app.post("/Users")
    async def create_user(request: Request, directory: DirectoryDep) -> Response:
        parameters = response_parameters(ScimUser, request)
        user = _validate(ScimUser, await _json_body(request), Context.RESOURCE_CREATION_REQUEST)
        record = await directory.create_user(**user_fields(user))
        created = user_resource(record, base_url(request))
        location = created.meta.location if created.meta and created.meta.location else ""
        body = _dump(created, Context.RESOURCE_CREATION_RESPONSE, parameters)
        return ScimResponse(body, 201, {"Location": location})

    @app.put("/Users/{user_id}")
    async def replace_user(user_id: str, request: Request, directory: DirectoryDep) -> Response:
        parameters = response_parameters(ScimUser, request)
        replacement = _validate(ScimUser, await _json_body(request), Context.RESOURCE_REPLACEMENT_REQUEST)
        base = base_url(request)
        async with locks(user_id):
            record = await directory.get_user(user_id)
            if record is None:
                raise _not_found("User", user_id)
            replacement.replace(user_resource(record, base))
            updated = await directory.replace_user(user_id, **user_fields(replacement))
        if updated is None:
            raise _not_found("User", user_id)
        return ScimResponse(
            _dump(user_resource(updated, base), Context.RESOURCE_REPLACEMENT_RESPONSE, parameters)
        )

    @app.patch("/Users/{user_id}")
    async def patch_user(user_id: str, request: Request, directory: DirectoryDep) -> Response:
        parameters = response_parameters(ScimUser, request)
        patch = _validate(PatchOp[ScimUser], await _json_body(request), Context.RESOURCE_PATCH_REQUEST)
        base = base_url(request)
        async with locks(user_id):
            record = await directory.get_user(user_id)
            if record is None:
                raise _not_found("User", user_id)
            user = user_resource(record, base)
            before = user_fields(user)
            patch.patch(user, scim_policy=POLICY)
            after = user_fields(user)
            if after != before:  # a PATCH that changes nothing writes nothing
                record = await directory.replace_user(user_id, **after)
                if record is None:
                    raise _not_found("User", user_id)
        return ScimResponse(_dump(user_resource(record, base), Context.RESOURCE_PATCH_RESPONSE, parameters))

    @app.delete("/Users/{user_id}")
    async def delete_user(user_id: str, directory: DirectoryDep) -> Response:
        if not await directory.delete_user(user_id):
            raise _not_found("User", user_id)
        return Response(status_code=204)

    # -- Groups --------------------------------------------------------------------------------------------

    @app.get("/Groups")
    async def list_groups(request: Request, directory: DirectoryDep) -> Response:
        query = search_request(ScimGroup, request)
        base = base_url(request)
        start, count = page_of(query, max_results)
        how = plan(ScimGroup, query.filter)
        if not how.match_locally:
            records, total = await directory.list_groups(
                display_name=how.criteria.get("display_name"),
                external_id=how.criteria.get("external_id"),
                start_index=start,
                count=count,
            )
            page = [group_resource(record, base) for record in records]
            return _list_response(ScimGroup, page, total, start, query)
        assert how.resource_id is not None and query.filter is not None
        record = await directory.get_group(how.resource_id)
        candidates = [record] if record is not None else []
        matches = [
            group for group in (group_resource(r, base) for r in candidates) if query.filter.match(group)
        ]
        return _list_response(ScimGroup, matches[start - 1 : start - 1 + count], len(matches), start, query)

    @app.get("/Groups/{group_id}")
    async def get_group(group_id: str, request: Request, directory: DirectoryDep) -> Response:
        parameters = response_parameters(ScimGroup, request)
        record = await directory.get_group(group_id)
        if record is None:
            raise _not_found("Group", group_id)
        return ScimResponse(
            _dump(group_resource(record, base_url(request)), Context.RESOURCE_QUERY_RESPONSE, parameters)
        )

    @app.post("/Groups")
    async def create_group(request: Request, directory: DirectoryDep) -> Response:
        parameters = response_parameters(ScimGroup, request)
        group = _validate(ScimGroup, await _json_body(request), Context.RESOURCE_CREATION_REQUEST)
        record = await directory.create_group(**group_fields(group))
        created = group_resource(record, base_url(request))
        location = created.meta.location if created.meta and created.meta.location else ""
        body = _dump(created, Context.RESOURCE_CREATION_RESPONSE, parameters)
        return ScimResponse(body, 201, {"Location": location})

    @app.put("/Groups/{group_id}")
    async def replace_group(group_id: str, request: Request, directory: DirectoryDep) -> Response:
        parameters = response_parameters(ScimGroup, request)
        replacement = _validate(ScimGroup, await _json_body(request), Context.RESOURCE_REPLACEMENT_REQUEST)
        base = base_url(request)
        async with locks(group_id):
            record = await directory.get_group(group_id)
            if record is None:
                raise _not_found("Group", group_id)
            replacement.replace(group_resource(record, base))
            updated = await directory.replace_group(group_id, **group_fields(replacement))
        if updated is None:
            raise _not_found("Group", group_id)
        return ScimResponse(
            _dump(group_resource(updated, base), Context.RESOURCE_REPLACEMENT_RESPONSE, parameters)
        )

    @app.patch("/Groups/{group_id}")
    async def patch_group(group_id: str, request: Request, directory: DirectoryDep) -> Response:
        parameters = response_parameters(ScimGroup, request)
        body = _without_member_display(await _json_body(request))
        patch = _validate(PatchOp[ScimGroup], body, Context.RESOURCE_PATCH_REQUEST)
        base = base_url(request)
        async with locks(group_id):
            record = await directory.get_group(group_id)
            if record is None:
                raise _not_found("Group", group_id)
            group = group_resource(record, base)
            before = group_fields(group)
            patch.patch(group, scim_policy=POLICY)
            after = group_fields(group)
            if after != before:  # e.g. adding a member twice changes nothing
                record = await directory.replace_group(group_id, **after)
                if record is None:
                    raise _not_found("Group", group_id)
        return ScimResponse(_dump(group_resource(record, base), Context.RESOURCE_PATCH_RESPONSE, parameters))

    @app.delete("/Groups/{group_id}")
    async def delete_group(group_id: str, directory: DirectoryDep) -> Response:
        if not await directory.delete_group(group_id):
            raise _not_found("Group", group_id)
        return Response(status_code=204)

    return app


def _with_meta(document: ModelT, resource_type: str, location: str) -> ModelT:
    """A copy of a discovery document with its ``meta`` (the location depends on the request)."""
    payload = document.model_dump(scim_ctx=Context.DEFAULT)
    payload["meta"] = {"resourceType": resource_type, "location": location}
    return type(document).model_validate(payload)
