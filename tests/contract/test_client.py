"""clients/python, the typed Python client of the public API, is what openapi-python-client generates from
docs/openapi.json with the committed settings (mentornet_devkit.pyclient, `make client`), and installs
with the versions constraints.txt pins; the code docs/api.md shows is the example tests/e2e runs.

The generator lives in a virtualenv of its own, made by `make tools` (which `make test` runs first); without
it the comparison fails rather than skips, so that a CI run cannot pass without checking.
"""

from __future__ import annotations

import json
import re
import subprocess
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from mentornet_devkit.pyclient import GENERATOR, OUTPUT, GeneratorMissing, differences, generate, sync

ROOT = Path(__file__).resolve().parents[2]


def pins(name: str) -> dict[str, str]:
    """A constraints file's exact pins, by canonical package name."""
    found = {}
    for line in (ROOT / name).read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            package, _, version = line.partition("==")
            found[canonicalize_name(package)] = version
    return found


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("client") / "python"
    try:
        generate(ROOT, out)
    except GeneratorMissing as exc:
        pytest.fail(str(exc))
    return out


@pytest.mark.integration  # runs the generator's virtualenv
def test_the_committed_client_is_the_one_the_document_generates(generated: Path) -> None:
    changed = differences(generated, ROOT / OUTPUT)
    assert not changed, f"{OUTPUT} differs from what docs/openapi.json generates: run `make client`\n" + (
        "\n".join(changed)
    )


@pytest.mark.integration  # runs the generator's virtualenv
def test_the_generator_venv_holds_exactly_what_its_constraints_pin() -> None:
    python = ROOT / GENERATOR.parent / "python"
    if not python.exists():
        pytest.fail(f"the client generator is not installed at {GENERATOR.parent.parent}: run `make tools`")
    listed = subprocess.run(
        [str(python), "-m", "pip", "list", "--format=json", "--exclude", "pip", "--exclude", "setuptools"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    installed = {canonicalize_name(p["name"]): p["version"] for p in json.loads(listed)}
    assert installed == pins("constraints-client-generator.txt")


def test_the_client_installs_with_the_versions_the_project_pins() -> None:
    project = tomllib.loads((ROOT / OUTPUT / "pyproject.toml").read_text())["project"]
    assert (project["name"], project["license"]) == ("mentornet-client", "Apache-2.0")
    pinned = pins("constraints.txt")
    for requirement in map(Requirement, project["dependencies"]):
        name = canonicalize_name(requirement.name)
        assert name in pinned, f"constraints.txt does not pin {name}, which the client needs"
        assert requirement.specifier.contains(pinned[name]), f"the client needs {requirement}, pinned {name}"


def test_a_changed_added_or_removed_file_is_a_difference_and_sync_undoes_it(tmp_path: Path) -> None:
    generated, committed = tmp_path / "generated", tmp_path / "committed"
    for folder in (generated, committed):
        (folder / "pkg" / "models").mkdir(parents=True)
        (folder / "pkg" / "same.py").write_text("x = 1\n")
    (generated / "pkg" / "models" / "new.py").write_text("y = 2\n")
    (generated / "pkg" / "edited.py").write_text("z = 3\n")
    (committed / "pkg" / "edited.py").write_text("z = 4\n")
    (committed / "pkg" / "gone").mkdir()
    (committed / "pkg" / "gone" / "old.py").write_text("w = 5\n")
    (committed / "pkg" / "__pycache__").mkdir()
    (committed / "pkg" / "__pycache__" / "same.cpython-311.pyc").write_bytes(b"ignored")
    expected = ["missing: pkg/models/new.py", "not generated: pkg/gone/old.py", "differs: pkg/edited.py"]
    assert differences(generated, committed) == expected

    assert sync(generated, committed) == expected
    assert differences(generated, committed) == []
    assert not (committed / "pkg" / "gone").exists()
    assert (committed / "pkg" / "__pycache__" / "same.cpython-311.pyc").exists()


def test_the_code_the_api_page_shows_is_the_example_the_tests_run() -> None:
    page = (ROOT / "docs/api.md").read_text()
    section = page.split("## Generated Python client", 1)[1].split("\n## ", 1)[0]
    shown = re.findall(r"```python\n(.*?)```", section, re.DOTALL)
    example = (ROOT / "docs/examples/client_example.py").read_text()
    assert shown, "docs/api.md's Generated Python client section shows no Python"
    for code in shown:
        assert code in example, f"docs/api.md shows code that docs/examples/client_example.py lacks:\n{code}"
