"""The typed Python client of the public API, generated from docs/openapi.json: ``python -m
mentornet_devkit.pyclient`` from the repository's root (``make client``, also run by ``make schemas``)
writes it to clients/python (the package ``mentornet-client``, imported as ``mentornet_client``);
``--check`` only says whether the committed folder differs. tests/contract/test_client.py runs the same
generation into a temporary folder and fails while the committed one differs.

The generator is openapi-python-client, in a virtualenv of its own (.venv/openapi-python-client, pinned by
constraints-client-generator.txt, created by ``make client-generator``): it needs an older typer than the
ops CLI pins. Its settings and the templates that replace its pyproject.toml and README.md are in
clients/generator. It formats what it writes with the project's ruff (this interpreter's, pinned by
constraints.txt), put first on PATH, so the output is the same wherever it is generated.

The generator writes a fresh folder; only the files that differ are then copied over the committed ones
(and files it no longer writes deleted), so an unchanged pyproject.toml keeps its time and ``make install``
does not run again.
"""

from __future__ import annotations

import argparse
import filecmp
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

GENERATOR = Path(".venv/openapi-python-client/bin/openapi-python-client")
DOCUMENT = Path("docs/openapi.json")
SETTINGS = Path("clients/generator/config.yaml")
TEMPLATES = Path("clients/generator/templates")
OUTPUT = Path("clients/python")
# What tools leave in the folder and git ignores: never compared, copied or deleted.
IGNORED = {"__pycache__", ".ruff_cache", ".mypy_cache", ".pytest_cache", "build", "dist"}
IGNORED_SUFFIXES = (".egg-info", ".pyc")


class GeneratorMissing(RuntimeError):
    pass


def generate(root: Path, out: Path) -> None:
    """Generate the client from ``root``'s OpenAPI document into ``out``, which must not exist yet."""
    generator = root / GENERATOR
    if not generator.exists():
        raise GeneratorMissing(f"the client generator is not installed at {generator}: run `make tools`")
    ruff = Path(sys.executable).parent / "ruff"
    if not ruff.exists():
        raise GeneratorMissing(f"the project's ruff is not at {ruff}: run `make install`")
    env = {**os.environ, "PATH": f"{ruff.parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    command = [
        str(generator),
        "generate",
        "--path",
        str(root / DOCUMENT),
        "--config",
        str(root / SETTINGS),
        "--custom-template-path",
        str(root / TEMPLATES),
        # Any kind but `none` and `setup`: our template writes pyproject.toml whatever the kind.
        "--meta",
        "uv",
        "--output-path",
        str(out),
        # A post hook that cannot run (ruff missing) is only a warning to the generator: fail instead.
        "--fail-on-warning",
    ]
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"openapi-python-client failed ({done.returncode}):\n{done.stdout}{done.stderr}")


def files(folder: Path) -> set[str]:
    """The files under ``folder`` that a generation writes, relative to it (what tools leave aside)."""
    found = set()
    for path in folder.rglob("*"):
        relative = path.relative_to(folder)
        if any(part in IGNORED or part.endswith(IGNORED_SUFFIXES) for part in relative.parts):
            continue
        if path.is_file():
            found.add(relative.as_posix())
    return found


def differences(generated: Path, committed: Path) -> list[str]:
    """How ``committed`` differs from ``generated``: one line per file added, removed or changed."""
    new, old = files(generated), files(committed) if committed.exists() else set()
    lines = [f"missing: {name}" for name in sorted(new - old)]
    lines += [f"not generated: {name}" for name in sorted(old - new)]
    lines += [
        f"differs: {name}"
        for name in sorted(new & old)
        if not filecmp.cmp(generated / name, committed / name, shallow=False)
    ]
    return lines


def sync(generated: Path, committed: Path) -> list[str]:
    """Make ``committed`` hold what ``generated`` does, touching only the files that differ."""
    changes = differences(generated, committed)
    for line in changes:
        kind, name = line.split(": ", 1)
        if kind == "not generated":
            (committed / name).unlink()
        else:
            (committed / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(generated / name, committed / name)
    for folder in sorted((p for p in committed.rglob("*") if p.is_dir()), reverse=True):
        if not any(folder.iterdir()):
            folder.rmdir()  # a tag or module the document no longer has
    return changes


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--check", action="store_true", help="only say whether clients/python differs")
    args = parser.parse_args(argv)
    root = Path.cwd()
    with tempfile.TemporaryDirectory() as scratch:
        generated = Path(scratch) / "client"
        try:
            generate(root, generated)
        except GeneratorMissing as exc:
            print(exc, file=sys.stderr)
            return 1
        if args.check:
            changes = differences(generated, root / OUTPUT)
            print("\n".join(changes) or f"{OUTPUT} is up to date")
            return 1 if changes else 0
        changes = sync(generated, root / OUTPUT)
    print("\n".join(changes) or f"{OUTPUT} is up to date")
    return 0


if __name__ == "__main__":
    sys.exit(main())
