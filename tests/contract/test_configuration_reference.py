"""docs/configuration.md: what mentornet_devkit.configref renders from the settings classes now, and naming
every MENTORNET_ variable that the code, the deployment files and the tests use."""

from __future__ import annotations

import difflib
import re
from pathlib import Path

import pytest
from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from mentornet_common.settings import DEVELOPMENT_SECRETS, CommonSettings
from mentornet_devkit import configref

ROOT = Path(__file__).resolve().parents[2]
REFERENCE = ROOT / "docs" / "configuration.md"

# A variable's name. The bare prefix (`startswith("MENTORNET_")`, f"MENTORNET_{service.upper()}_URL",
# "MENTORNET_*" in prose) does not match: it takes a character after the underscore.
NAME = re.compile(r"MENTORNET_[A-Z0-9_]+")
# Where names are looked for: the code, the deployment files, the tests.
SCANNED = (
    "libs/*/src/**/*",
    "services/*/src/**/*",
    "libs/*/tests/**/*",
    "services/*/tests/**/*",
    "tests/**/*",
    "deploy/**/*",
    "Makefile",
    "docker-compose.yml",
    "Dockerfile",
    "conftest.py",
)
SKIPPED_DIRS = {"__pycache__", "node_modules"}
# Names that match but that no process reads from its environment.
NOT_VARIABLES = {
    # A Python constant of mentornet_devkit.idp: the client id the sample OpenID providers register.
    "MENTORNET_CLIENT_ID",
    # A field of the settings class that libs/common/tests/test_settings.py defines to test the refusal of
    # development secrets; no process has it.
    "MENTORNET_API_SECRET",
}


def used_names() -> dict[str, list[str]]:
    """Every name NAME finds in the scanned files, with where (path:line)."""
    found: dict[str, list[str]] = {}
    files = {path for pattern in SCANNED for path in ROOT.glob(pattern) if path.is_file()}
    for path in sorted(files - {Path(__file__).resolve()}):  # this file names NOT_VARIABLES itself
        relative = path.relative_to(ROOT)
        if SKIPPED_DIRS & set(relative.parts):
            continue
        text = path.read_bytes().decode("utf-8", errors="ignore")
        for number, line in enumerate(text.splitlines(), 1):
            for name in NAME.findall(line):
                # MENTORNET_TENANT_DATABASE_URLS__ACME: one key of an object setting (env_nested_delimiter).
                found.setdefault(name.split("__")[0], []).append(f"{relative}:{number}")
    return found


def test_the_committed_reference_is_what_the_generator_renders_now() -> None:
    rendered = configref.render()
    committed = REFERENCE.read_text() if REFERENCE.exists() else ""
    if committed != rendered:
        diff = difflib.unified_diff(
            committed.splitlines(), rendered.splitlines(), "committed", "rendered now", lineterm="", n=1
        )
        pytest.fail(
            "docs/configuration.md is not what mentornet_devkit.configref renders from the settings now: "
            "run `make schemas` and commit it\n" + "\n".join(list(diff)[:40])
        )


def test_every_mentornet_variable_in_the_code_deployment_and_tests_is_in_the_reference() -> None:
    documented = configref.documented()
    missing = {
        name: where
        for name, where in used_names().items()
        if name not in documented and name not in NOT_VARIABLES
    }
    assert not missing, (
        "not in docs/configuration.md: "
        + "; ".join(f"{name} ({', '.join(where[:3])})" for name, where in sorted(missing.items()))
        + ". Give it a settings field, or a row of OUTSIDE in mentornet_devkit/configref.py, then run "
        "`make schemas`"
    )
    committed = REFERENCE.read_text()
    assert not [name for name in documented if f"`{name}`" not in committed], "run `make schemas`"


def test_the_names_that_are_no_variables_are_still_used_and_not_documented() -> None:
    used = used_names()
    assert {name for name in NOT_VARIABLES if name not in used} == set(), "drop it from NOT_VARIABLES"
    assert NOT_VARIABLES.isdisjoint(configref.documented())


def test_every_setting_has_a_description() -> None:
    classes = [CommonSettings, *configref.settings_classes().values()]
    bare = [
        f"{cls.__name__}.{name}"
        for cls in classes
        for name in cls.model_fields
        if not configref.description(cls, name).strip()
    ]
    assert bare == [], f"give {bare} a description= (their meaning in docs/configuration.md)"


def test_no_secret_value_is_shown() -> None:
    rendered = configref.render()
    assert not [secret for secret in DEVELOPMENT_SECRETS if secret and secret in rendered]
    assert "(development placeholder)" in rendered


class Aliased(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="TOY_", extra="ignore")

    plain: str = ""
    renamed: str = Field(default="", validation_alias="OTHER_NAME")
    either: str = Field(default="", validation_alias=AliasChoices("FIRST_NAME", "SECOND_NAME"))
    by_alias: str = Field(default="", alias="ALIASED")


@pytest.mark.parametrize(
    ("field", "names"),
    [
        ("plain", ["TOY_PLAIN"]),
        ("renamed", ["OTHER_NAME"]),
        ("either", ["FIRST_NAME", "SECOND_NAME"]),
        ("by_alias", ["ALIASED"]),
    ],
)
def test_variables_are_named_as_pydantic_settings_reads_them(
    monkeypatch: pytest.MonkeyPatch, field: str, names: list[str]
) -> None:
    assert configref.env_names(Aliased, field) == names
    for name in names:
        monkeypatch.setenv(name, f"from {name}")
        assert getattr(Aliased(), field) == f"from {name}"
        monkeypatch.delenv(name)
