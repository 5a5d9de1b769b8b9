"""docs/configuration.md, generated from the settings classes: ``python -m mentornet_devkit.configref
docs/configuration.md`` (part of ``make schemas``; tests/contract/test_configuration_reference.py fails when
the committed file differs from what this renders).

Every field of ``CommonSettings`` and of each service's settings class becomes a row: its environment
variable (named as pydantic-settings names it: the class's ``env_prefix`` and the field's name, or the
field's validation alias), its type, its default and its ``description``. A default that is a secret is never
printed. The variables read any other way (the container entrypoint, the operations CLI, the developer tools,
the test harness) are kept by hand in ``OUTSIDE`` below, each with what reads it and what it means.

It imports every service's ``config`` module, so it runs where all of them are installed (``make install``).
"""

from __future__ import annotations

import importlib
import json
import os
import re
import sys
import types
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, Union, get_args, get_origin
from unittest import mock

import annotated_types
from pydantic import SecretStr
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined
from pydantic_settings import BaseSettings, EnvSettingsSource

from mentornet_common.settings import DEVELOPMENT_SECRETS, CommonSettings
from mentornet_devkit import run

# Each service's settings class, in the order of their ports.
SERVICES: dict[str, str] = {
    "identity": "IdentitySettings",
    "profiles": "ProfilesSettings",
    "matching": "MatchingSettings",
    "sessions": "SessionsSettings",
    "feedback": "FeedbackSettings",
    "streams": "StreamsSettings",
    "console": "ConsoleSettings",
}

# Units, from the suffix a field's name ends with (the settings name every duration and size this way).
UNITS = (
    ("_ms", "milliseconds"),
    ("_s", "seconds"),
    ("_days", "days"),
    ("_kib", "KiB"),
    ("_bytes", "bytes"),
    ("_per_minute", "per minute"),
)
# A default is shown as a placeholder when the field holds a SecretStr or its name says it is a secret.
SECRET_WORDS = ("secret", "password")


@dataclass(frozen=True)
class Outside:
    """A variable read without a settings class (os.environ, a Node script, a Dockerfile), kept by hand."""

    name: str
    read_by: str
    default: str
    meaning: str


def _per_service(template: str, read_by: str, default: str, meaning: str) -> list[Outside]:
    """One row per service for a name the code builds from the service's name (``{service}``)."""
    return [
        Outside(
            f"MENTORNET_{service.upper()}_{template}",
            read_by,
            default.format(service=service, port=port),
            meaning.format(service=service),
        )
        for (service, port) in run.SERVICES
    ]


OUTSIDE: dict[str, tuple[str, list[Outside]]] = {
    "Container images and the operations CLI": (
        "The images' entrypoint and the `mentornet` command (libs/ops) read these besides the common "
        "variables.",
        [
            Outside(
                "MENTORNET_SERVICE",
                "`mentornet-entrypoint` (libs/common/src/mentornet_common/entrypoint.py)",
                "(none: required; each image sets its own)",
                "The service whose `api`, `worker` or `migrate` role the entrypoint runs.",
            ),
            *_per_service(
                "DATABASE_URL",
                "`mentornet` (libs/ops/src/mentornet_ops/cli.py)",
                "(none)",
                "The database of the {service} service's stores for the commands about stores "
                "(`tenants`, `migrate`, `outbox`, `kept`), instead of MENTORNET_DATABASE_URL (and, both "
                "empty, the SQLite files under MENTORNET_DATA_DIR).",
            ),
            *_per_service(
                "URL",
                "`mentornet` (libs/ops/src/mentornet_ops/cli.py, remote.py)",
                "(none: `--base-url` in the API mode, `http://127.0.0.1:{port}` in the direct mode)",
                "Where the {service} API answers: `mentornet health` (direct mode) asks its /readyz, and the "
                "API mode its /v1/operations/{service} there instead of at `--base-url`.",
            ),
            Outside(
                "MENTORNET_BASE_URL",
                "`mentornet` (libs/ops/src/mentornet_ops/cli.py, members.py, remote.py)",
                "(none: the direct mode)",
                "The default of `--base-url`: the gateway or Ingress in front of every service. Given, "
                "`health`, `lag`, `outbox` and `dlq` ask the operator API (/v1/operations) instead of "
                "reading stores and the broker; `orgs` and `keys` always need it.",
            ),
            Outside(
                "MENTORNET_OPERATOR_TOKEN",
                "`mentornet` (libs/ops/src/mentornet_ops/remote.py)",
                "(none: sign in with MENTORNET_OPERATOR_EMAIL and MENTORNET_OPERATOR_PASSWORD)",
                "An operator's access token for the API mode. Without it, the command signs in at "
                "`POST /v1/token` with MENTORNET_OPERATOR_EMAIL and MENTORNET_OPERATOR_PASSWORD (password "
                "grant) and keeps the token in memory only.",
            ),
        ],
    ),
    "Developer tools": (
        "`make run`, `make demo` and `make bench` also take MENTORNET_DATA_DIR as the default of their "
        "`--data-dir`, and MENTORNET_OPERATOR_EMAIL and MENTORNET_OPERATOR_PASSWORD as the operator to seed "
        "or sign in as (else the one `make run` generated, kept in operator-login.txt of the data folder).",
        [
            Outside(
                "MENTORNET_BENCH_POSTGRES",
                "`make bench`, `make bench-pg` (libs/devkit/src/mentornet_devkit/bench.py)",
                "(empty: a PostgreSQL server of the bench's own)",
                "The default of `--postgres-server`: the URL of a PostgreSQL server's maintenance database "
                "(postgresql://postgres@127.0.0.1:5432/postgres) on which the bench creates, and drops, a "
                "database per service.",
            ),
            Outside(
                "MENTORNET_NODE",
                "the sample OpenID providers: `make idp`, the sign-in tests (mentornet_devkit.idp)",
                "`node`, from PATH",
                "The Node.js executable that runs the sample OpenID providers.",
            ),
            Outside(
                "MENTORNET_IDP_PREFIX",
                "mentornet_devkit.idp and its provider.mjs",
                "`idp` in the virtual environment (.venv/idp, where `make tools` installs)",
                "Where the providers' node modules are (`<prefix>/node_modules`); provider.mjs run by hand "
                "without it looks next to itself.",
            ),
            Outside(
                "MENTORNET_IDP_CONFIG",
                "provider.mjs (libs/devkit/src/mentornet_devkit/idp)",
                '`{"issuers": []}`',
                "The providers' JSON configuration (issuers, clients, accounts) when it is not given as the "
                "first argument.",
            ),
            Outside(
                "MENTORNET_IDP_EXIT_ON_EOF",
                "provider.mjs (libs/devkit/src/mentornet_devkit/idp)",
                "(unset)",
                "Set: the providers also stop when their standard input closes. mentornet_devkit.idp sets "
                "it, so that the providers never outlive the tests that started them.",
            ),
        ],
    ),
    "Test harness": (
        "The pytest plugin every test runs with (libs/devkit/src/mentornet_devkit/pytest_plugin.py).",
        [
            Outside(
                "MENTORNET_TEST_POSTGRES_URL",
                "the pytest plugin",
                "`postgresql+psycopg://postgres@127.0.0.1:5432/test`",
                "The PostgreSQL server the tests' PostgreSQL stores use (fresh schemas for each test, "
                "dropped afterwards). Tests that need it are skipped when it does not answer.",
            ),
            Outside(
                "MENTORNET_REQUIRE_POSTGRES",
                "the pytest plugin",
                "(unset)",
                "Any non-empty value (CI sets 1): a test that needs PostgreSQL fails when it does not answer "
                "instead of being skipped.",
            ),
            Outside(
                "MENTORNET_TEST_REDIS_URL",
                "the pytest plugin",
                "`redis://127.0.0.1:6379/0`",
                "The Redis the tests that count in Redis use, each under a key prefix of its own whose keys "
                "are deleted afterwards. Tests that need it are skipped when it does not answer.",
            ),
            Outside(
                "MENTORNET_REQUIRE_REDIS",
                "the pytest plugin",
                "(unset)",
                "Any non-empty value (CI sets 1): a test that needs Redis fails when it does not answer "
                "instead of being skipped.",
            ),
            Outside(
                "MENTORNET_REQUIRE_TOOLS",
                "the pytest plugin",
                "(unset)",
                "Any non-empty value (CI sets 1): a test that needs a program from outside Python "
                "(docker-compose, kubectl, Node.js and the OpenID providers' node modules, the official "
                "AsyncAPI schemas, PostgreSQL's server binaries, Prometheus and promtool, chromium, "
                "axe-core) fails when it is missing instead of being skipped. `make tools` installs them "
                "(with apt-get as root or through sudo); the skip says how to get each.",
            ),
            Outside(
                "MENTORNET_CONSOLE_SCREENSHOTS",
                "tests/e2e/test_console.py",
                "(unset)",
                "A folder (`docs`): the console's browser tests save there the screenshot of each role's "
                "main page that the README shows (docs/console-member.png).",
            ),
        ],
    ),
    "Standard variables": (
        "Not mentornet's own, but read by every service process (mentornet_common.telemetry).",
        [
            Outside(
                "OTEL_EXPORTER_OTLP_ENDPOINT",
                "every API and worker",
                "(none: spans are not exported)",
                "When it or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT is set, spans (and a span per SQL statement) "
                "are exported there by OTLP over HTTP; the exporter reads the other standard "
                "OTEL_EXPORTER_OTLP_* variables too.",
            ),
            Outside(
                "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
                "every API and worker",
                "(none)",
                "The same, for traces alone.",
            ),
            Outside(
                "OTEL_SERVICE_NAME",
                "every API and worker",
                "MENTORNET_SERVICE_NAME (a worker: `<service_name>-worker`)",
                "The service.name of the spans a process exports.",
            ),
        ],
    ),
}


# the settings classes ------------------------------------------------------------------------------------


def settings_classes() -> dict[str, type[CommonSettings]]:
    """Each service's settings class, by service."""
    found: dict[str, type[CommonSettings]] = {}
    for service, name in SERVICES.items():
        cls = getattr(importlib.import_module(f"{service}.config"), name)
        assert issubclass(cls, CommonSettings), f"{service}.config.{name} is not a CommonSettings"
        found[service] = cls
    return found


def env_names(cls: type[BaseSettings], name: str) -> list[str]:
    """The environment variables a field is read from, as pydantic-settings derives them (its own
    ``EnvSettingsSource``: ``env_prefix`` + the field's name, or its validation alias / alias, the prefix
    applied as ``env_prefix_target`` says); upper-cased unless the class is case-sensitive."""
    source = EnvSettingsSource(cls)
    found = [env for _, env, _ in source._extract_field_info(cls.model_fields[name], name)]
    if not cls.model_config.get("case_sensitive", False):
        found = [env.upper() for env in found]
    return list(dict.fromkeys(found))


def description(cls: type[BaseSettings], name: str) -> str:
    """A field's description; a subclass that only changes a default (``port: int = 8003``) inherits it."""
    for klass in cls.__mro__:
        fields: dict[str, FieldInfo] = getattr(klass, "model_fields", {})
        if name in fields and fields[name].description:
            return str(fields[name].description)
    return ""


def _type_name(annotation: Any) -> str:
    origin = get_origin(annotation)
    if origin is Literal:
        return "one of " + ", ".join(f"`{value}`" for value in get_args(annotation))
    if origin in (Union, types.UnionType):
        args = get_args(annotation)
        named = " or ".join(_type_name(arg) for arg in args if arg is not type(None))
        return f"{named}, optional" if type(None) in args else named
    if origin is dict:
        key, value = get_args(annotation)
        return f"JSON object ({_type_name(key)} → {_type_name(value)})"
    if origin is list:
        (item,) = get_args(annotation)
        return f"JSON list of {_type_name(item)}s"
    simple = {
        str: "string",
        int: "integer",
        float: "number",
        bool: "boolean",
        Path: "path",
        SecretStr: "secret",
    }
    return simple.get(annotation, getattr(annotation, "__name__", str(annotation)))


def _number(value: Any) -> str:
    if isinstance(value, float):
        short = f"{value:g}"
        return short if float(short) == value else repr(value)
    return str(value)


def _bounds(field: FieldInfo) -> list[str]:
    found = []
    for constraint in field.metadata:
        for kind, sign in (
            (annotated_types.Ge, "≥"),
            (annotated_types.Gt, ">"),
            (annotated_types.Le, "≤"),
            (annotated_types.Lt, "<"),
        ):
            if isinstance(constraint, kind):
                found.append(f"{sign} {_number(getattr(constraint, kind.__name__.lower()))}")
    return found


def type_text(name: str, field: FieldInfo) -> str:
    """The type, the unit its name gives it and its bounds: ``number, seconds, > 0``."""
    parts = [_type_name(field.annotation)]
    parts += [unit for suffix, unit in UNITS if name.endswith(suffix)][:1]
    return ", ".join(parts + _bounds(field))


def default_text(name: str, field: FieldInfo) -> str:
    """The default as one would write it in the environment; a secret's never (a placeholder instead)."""
    value = field.default
    if field.default_factory is not None:
        value = field.default_factory()  # type: ignore[call-arg]
    if value is PydanticUndefined:
        return "(required)"
    if value is None:
        return "(none)"
    if isinstance(value, SecretStr) or any(word in name for word in SECRET_WORDS):
        raw = value.get_secret_value() if isinstance(value, SecretStr) else str(value)
        if raw == "":
            return "(none)"
        return "(development placeholder)" if raw in DEVELOPMENT_SECRETS else "(hidden)"
    if value == "":
        return "(empty)"
    if isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, dict | list):
        text = json.dumps(value, separators=(", ", ": "))
    else:
        text = _number(value)
    return f"`{text}`"


# markdown ------------------------------------------------------------------------------------------------


def _escape(text: str) -> str:
    """Table-cell text: outside code spans, ``<``/``>`` would be taken for HTML and ``*`` for emphasis."""
    pieces = text.replace("|", "\\|").split("`")
    for i in range(0, len(pieces), 2):  # the even pieces are outside code spans
        pieces[i] = pieces[i].replace("<", "&lt;").replace(">", "&gt;").replace("*", "\\*")
    return "`".join(pieces)


def _table(header: Sequence[str], rows: Iterable[Sequence[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return lines


def _code(names: Iterable[str]) -> str:
    return "<br>".join(f"`{name}`" for name in names)


def _named_as_variables(cls: type[CommonSettings], text: str) -> str:
    """A description names other fields of its class (``data_dir``); the reference, their variables. Only
    names of two words or more: ``port`` or ``host`` are words of the prose too."""
    names = sorted((name for name in cls.model_fields if "_" in name), key=len, reverse=True)
    if not names:
        return text
    pattern = re.compile(r"\b(" + "|".join(map(re.escape, names)) + r")\b")
    return pattern.sub(lambda match: " or ".join(f"`{env}`" for env in env_names(cls, match.group(1))), text)


def _settings_rows(
    cls: type[CommonSettings], names: Iterable[str], also: dict[str, list[str]] | None = None
) -> list[tuple[str, str, str, str]]:
    rows = []
    for name in names:
        field = cls.model_fields[name]
        meaning = _named_as_variables(cls, description(cls, name))
        others = (also or {}).get(name, [])
        if others:
            meaning += f" Also a setting of {', '.join(others)} (below), with a meaning of its own there."
        rows.append(
            (
                _code(env_names(cls, name)),
                _escape(type_text(name, field)),
                _escape(default_text(name, field)),
                _escape(meaning),
            )
        )
    return rows


def own_fields(cls: type[CommonSettings]) -> list[str]:
    """The fields a service adds to the common ones, in the order its class declares them."""
    return [name for name in cls.model_fields if name not in CommonSettings.model_fields]


def changed_defaults(cls: type[CommonSettings]) -> list[str]:
    """The common fields whose default the service's class changes."""
    return [
        name
        for name, field in CommonSettings.model_fields.items()
        if default_text(name, cls.model_fields[name]) != default_text(name, field)
    ]


def embedded_env() -> list[tuple[str, str]]:
    """What `make run` puts into every process's environment (mentornet_devkit.run.service_env), each with
    whether a value of the caller's own wins: computed with no MENTORNET_ variable set, then with each set."""
    services = list(run.SERVICES)
    data, operator, mine = Path("data"), ("(email)", "(password)"), "(mine)"
    with mock.patch.dict(os.environ):
        for key in [key for key in os.environ if key.startswith("MENTORNET_")]:
            del os.environ[key]
        bare = run.service_env(data, "127.0.0.1:9092", services[0][1], services, operator)
        os.environ.update({key: mine for key in bare if key.startswith("MENTORNET_")})
        given = run.service_env(data, "127.0.0.1:9092", services[0][1], services, operator)
    special = {
        "MENTORNET_DATA_DIR": "the data folder, made absolute: `--data-dir`, else MENTORNET_DATA_DIR, "
        "else `data`",
        "MENTORNET_KAFKA_BOOTSTRAP_SERVERS": "its embedded broker's address (`--broker-port`, 9092)",
        "MENTORNET_OPERATOR_EMAIL": "yours, with MENTORNET_OPERATOR_PASSWORD (an operator added unless an "
        f"account has that email), else `{run.DEFAULT_OPERATOR}` while the data folder has no other operator",
        "MENTORNET_OPERATOR_PASSWORD": "yours, with MENTORNET_OPERATOR_EMAIL, else generated (kept in "
        "operator-login.txt of the data folder)",
    }
    rows = []
    for key, value in bare.items():
        if not key.startswith("MENTORNET_"):
            continue
        shown = special.get(key, f"`{value}`")
        if key not in special and given[key] == mine:
            shown += ", unless set"
        rows.append((key, shown))
    ports = ", ".join(f"{service} {port}" for service, port in services)
    console = services[0][1] - 1
    rows.append(("MENTORNET_PORT", f"each API its own (`--port-base`): {ports}; the console {console}"))
    for key, value in run.console_env(console, services).items():
        rows.append((key, f"`{value}` (the console's only)"))
    return rows


INTRODUCTION = """\
# Configuration reference

<!-- Generated by `python -m mentornet_devkit.configref docs/configuration.md` (`make schemas`) from the
settings classes; edit the field descriptions there, or the generator, never this file. -->

Every mentornet process reads its settings from environment variables when it starts. The settings are
pydantic-settings classes: `CommonSettings` (libs/common/src/mentornet_common/settings.py), which every
service's class extends with its own (services/&lt;service&gt;/src/&lt;service&gt;/config.py).

- **Names.** {naming}
- **Files.** {files}
- **Values.** Numbers and booleans as text (`true`/`false`, `1`/`0`); a choice as one of the values listed;
  a list or an object as JSON. An object can also be given one key at a time, with `{delimiter}` between the
  variable and the key: `MENTORNET_TENANT_DATABASE_URLS__ACME=postgresql+psycopg://...` (the key arrives
  lower-cased: `acme`).
- **Mistakes.** {extra} A value that does not fit its type or bounds stops the process at start, with an
  error naming the setting.
- **Secrets.** Outside `MENTORNET_ENVIRONMENT=development`, a process refuses to start while a secret still
  holds its development default; this reference never shows a secret's value.
- **Who reads what.** Each service's API and worker (`python -m <service>.main` and `<service>.worker`, or
  `mentornet-entrypoint api|worker` in its image) read every variable of its class: all of [every
  service's](#every-service), and those of the service's own section below. The images' `migrate` role
  and the `mentornet` operations CLI read the common ones (`mentornet kept` also streams' retention).
  Many matter to one role only (the HTTP ones to the API, the consumer ones to the worker); their meaning
  says so.
- **Units.** The type column gives the unit a name's ending stands for: `_ms` milliseconds, `_s` seconds,
  `_days` days, `_kib` KiB, `_bytes` bytes.

{count} variables in all: {settings_count} settings (the common ones and each service's own), and
{outside_count} read without a settings class ([at the end](#read-without-a-settings-class)).

## `make run`

`make run` (mentornet_devkit.run) starts every process with the environment it was started in, and these
on top:

"""


def render() -> str:
    """docs/configuration.md."""
    classes = settings_classes()
    config = CommonSettings.model_config
    prefix = config.get("env_prefix", "")
    case = "case-sensitive" if config.get("case_sensitive") else "case-insensitive (written upper-case here)"
    every: list[type[CommonSettings]] = [CommonSettings, *classes.values()]
    aliased = [
        f"`{cls.__name__}.{name}`"
        for cls in every
        for name, field in cls.model_fields.items()
        if field.validation_alias is not None or field.alias is not None
    ]
    naming = (
        f"The class's prefix `{prefix}` and the field's name: the field `kafka_bootstrap_servers` is read "
        f"from `{prefix}KAFKA_BOOTSTRAP_SERVERS`. Names are {case}. "
        + (
            f"These fields are read under their alias instead: {', '.join(sorted(set(aliased)))}."
            if aliased
            else "No field has an alias."
        )
    )
    env_file = config.get("env_file")
    files = (
        f"Also read from `{env_file}`; the environment wins over it."
        if env_file
        else "Only the environment: no `.env` file is read (nor a secrets folder)."
        if not config.get("secrets_dir")
        else "The environment, and the secrets folder."
    )
    extra = (
        "A variable that names no setting is ignored (a misspelt name goes unnoticed)."
        if config.get("extra") == "ignore"
        else "A variable that names no setting is refused."
    )
    settings_names = documented_settings(classes)
    outside_names = [row.name for _, rows in OUTSIDE.values() for row in rows]
    lines = INTRODUCTION.format(
        naming=naming,
        files=files,
        delimiter=config.get("env_nested_delimiter") or "(no delimiter)",
        extra=extra,
        count=len(settings_names | set(outside_names)),
        settings_count=len(settings_names),
        outside_count=len(outside_names),
    ).splitlines()
    lines += _table(("Variable", "`make run` passes"), ((f"`{k}`", _escape(v)) for k, v in embedded_env()))
    lines += [
        "",
        "## Every service",
        "",
        "Read by every service's API and worker, the `migrate` role and the `mentornet` CLI "
        "(`CommonSettings`).",
        "",
    ]
    header = ("Variable", "Type", "Default", "Meaning")
    lines += _table(header, _settings_rows(CommonSettings, CommonSettings.model_fields))
    owners: dict[str, list[str]] = {}
    for service, cls in classes.items():
        for name in own_fields(cls):
            owners.setdefault(name, []).append(service)
    for service, cls in classes.items():
        where = f"{service}/src/{cls.__module__.replace('.', '/')}.py"
        lines += [
            "",
            f"## {service}",
            "",
            f"Read by the {service} {'process' if service == 'console' else 'API and worker'} besides the "
            f"common ones (`{cls.__name__}`, "
            f"services/{where}).",
        ]
        changed = changed_defaults(cls)
        if changed:
            defaults = ", ".join(
                f"{_code(env_names(cls, name))} = {default_text(name, cls.model_fields[name])}"
                for name in changed
            )
            lines += [f"Its own defaults of common variables: {defaults}."]
        own = own_fields(cls)
        lines += [""]
        if own:
            also = {name: [s for s in owners[name] if s != service] for name in own}
            lines += _table(header, _settings_rows(cls, own, also))
        else:
            lines += ["No variables of its own."]
    lines += [
        "",
        "## Read without a settings class",
        "",
        "Kept by hand in libs/devkit/src/mentornet_devkit/configref.py (`OUTSIDE`): the contract test fails "
        "when a `MENTORNET_` name in the code, the deployment files or the tests is in neither part of this "
        "reference.",
    ]
    for title, (intro, rows) in OUTSIDE.items():
        lines += ["", f"### {title}", "", intro, ""]
        lines += _table(
            ("Variable", "Read by", "Default", "Meaning"),
            ((f"`{r.name}`", _escape(r.read_by), _escape(r.default), _escape(r.meaning)) for r in rows),
        )
    return "\n".join(lines) + "\n"


def documented_settings(classes: dict[str, type[CommonSettings]] | None = None) -> set[str]:
    """Every environment variable of every settings class."""
    classes = classes if classes is not None else settings_classes()
    every: list[type[CommonSettings]] = [CommonSettings, *classes.values()]
    return {env for cls in every for name in cls.model_fields for env in env_names(cls, name)}


def documented() -> set[str]:
    """Every variable this reference documents."""
    return documented_settings() | {row.name for _, rows in OUTSIDE.values() for row in rows}


def main(argv: list[str]) -> int:
    target = Path(argv[0] if argv else "docs/configuration.md")
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(render())
    print(target)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
