"""The documentation holds together and stays inside the repository.

Every relative link in every Markdown file leads to a file of the repository, and a ``#anchor`` into a
Markdown file to one of its headings (GitHub's slugs); every repository path that a page, a docstring or a
comment cites (``docs/…``, ``libs/…``, ``services/…``, ``tests/…``, ``deploy/…``) exists; no file names a
document kept outside the repository; and the README stays short enough to read at once.

The files are git's: tracked ones, and new ones git does not ignore, so a page is checked before its first
commit.
"""

from __future__ import annotations

import os
import re
import subprocess
from collections import Counter
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from urllib.parse import unquote

import pytest

ROOT = Path(__file__).resolve().parents[2]
README_LIMIT = 10 * 1024  # bytes
# Documents that live beside the repository, not in it: nothing here may send a reader to them. Spelt in
# pieces so that this file does not name them itself.
OUTSIDE = (*(name + ".md" for name in ("CONTRACT", "ARCHITECTURE")), ".." + "/shared")
CITED = re.compile(r"(?<![\w./-])((?:docs|libs|services|tests|deploy)/[\w./-]*)")
FENCE = re.compile(r"^\s*(```|~~~)")
HEADING = re.compile(r"^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$")
CODE_SPAN = re.compile(r"(`+)(.+?)\1")
INLINE_LINK = re.compile(r"!?\[(?:[^\[\]]|\[[^\]]*\])*\]\(\s*<?([^)\s>]*)>?(?:\s+\"[^\"]*\")?\s*\)")
REFERENCE = re.compile(r"^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)")
HTML_ANCHOR = re.compile(r"<a\s+(?:name|id)=\"([^\"]+)\"", re.IGNORECASE)
SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")


@cache
def repository_files() -> tuple[str, ...]:
    """The repository's files, as paths relative to its root."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return tuple(sorted({f for f in listed.split("\0") if f and (ROOT / f).is_file()}))


@cache
def repository_dirs() -> frozenset[str]:
    """Every folder that holds a repository file."""
    dirs = set()
    for name in repository_files():
        parent = Path(name).parent
        while parent != Path("."):
            dirs.add(parent.as_posix())
            parent = parent.parent
    return frozenset(dirs)


def in_repository(path: str) -> bool:
    """A repository file, or a folder holding one (``path`` relative to the root, normalised)."""
    path = path.rstrip("/")
    return path in repository_files() or path in repository_dirs()


def text_of(name: str) -> str | None:
    try:
        return (ROOT / name).read_text(encoding="utf-8")
    except UnicodeDecodeError:
        return None  # not text


def markdown_files() -> list[str]:
    return [name for name in repository_files() if name.endswith(".md")]


def outside_code(text: str) -> list[tuple[int, str]]:
    """The lines of a Markdown text that are not in a fenced code block, numbered from 1."""
    lines, fenced = [], False
    for number, line in enumerate(text.splitlines(), 1):
        if FENCE.match(line):
            fenced = not fenced
            continue
        if not fenced:
            lines.append((number, line))
    return lines


def slug(heading: str) -> str:
    """The anchor GitHub gives a heading: its text, lower-cased, without punctuation, spaces as hyphens."""
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", heading)  # a link counts by its text
    text = re.sub(r"<[^>]+>", "", text)  # inline HTML
    text = text.strip().lower()
    text = re.sub(r"[^\w\- ]", "", text)  # letters, digits, _ and - stay; everything else goes
    return text.replace(" ", "-")


def anchors(text: str) -> set[str]:
    """Every anchor a Markdown text offers: its headings' slugs (the second of a name gets -1, …) and
    explicit HTML anchors."""
    found: set[str] = set()
    seen: Counter[str] = Counter()
    for _, line in outside_code(text):
        if heading := HEADING.match(line):
            base = slug(heading.group(2))
            found.add(base if seen[base] == 0 else f"{base}-{seen[base]}")
            seen[base] += 1
        found.update(HTML_ANCHOR.findall(line))
    return found


@dataclass(frozen=True)
class Link:
    source: str  # the Markdown file, relative to the root
    line: int
    target: str  # as written

    def __str__(self) -> str:
        return f"{self.source}:{self.line}: ({self.target})"


def links(source: str, text: str) -> list[Link]:
    """The links of a Markdown text, code spans and fenced blocks left out."""
    found = []
    for number, line in outside_code(text):
        bare = CODE_SPAN.sub(lambda m: " " * len(m.group(0)), line)
        targets = INLINE_LINK.findall(bare)
        if reference := REFERENCE.match(bare):
            targets.append(reference.group(1))
        found += [Link(source, number, target) for target in targets]
    return found


def problem(link: Link, read: dict[str, str]) -> str | None:
    """What is wrong with a link, or None. ``read`` has the text of Markdown files by path (the others are
    read from the repository)."""
    if SCHEME.match(link.target):
        return None  # a web address
    path, _, anchor = link.target.partition("#")
    if path.startswith("/"):
        return "a link from the site's root: write it relative to the page"
    if path:
        joined = os.path.normpath(os.path.join(os.path.dirname(link.source), unquote(path)))
        if joined == ".." or joined.startswith("../"):
            return "leads outside the repository"
        if not in_repository(joined):
            return "no such file in the repository"
        target = joined
    else:
        target = link.source
    if anchor and target.endswith(".md"):
        text = read[target] if target in read else (ROOT / target).read_text(encoding="utf-8")
        if anchor not in anchors(text):
            return f"{target} has no heading #{anchor}"
    return None


def link_problems(read: dict[str, str]) -> list[str]:
    return [
        f"{link}: {trouble}"
        for source, text in read.items()
        for link in links(source, text)
        if (trouble := problem(link, read)) is not None
    ]


def docs() -> dict[str, str]:
    return {name: (ROOT / name).read_text(encoding="utf-8") for name in markdown_files()}


def cited_paths(text: str) -> list[tuple[int, str]]:
    """Repository paths a text cites, with their lines: ``docs/adr/``, ``services/matching/eval/bench.py``."""
    return [
        (number, match.group(1).rstrip(".-"))
        for number, line in enumerate(text.splitlines(), 1)
        for match in CITED.finditer(line)
    ]


# the repository ------------------------------------------------------------------------------------------


@pytest.mark.integration  # runs git ls-files
def test_every_relative_link_leads_to_a_file_and_heading_of_the_repository() -> None:
    problems = link_problems(docs())
    assert not problems, "broken links:\n" + "\n".join(problems)


@pytest.mark.integration  # runs git ls-files
def test_no_file_sends_readers_to_documents_outside_the_repository() -> None:
    found = [
        f"{name}:{number}: {needle}"
        for name in repository_files()
        if (text := text_of(name)) is not None
        for number, line in enumerate(text.splitlines(), 1)
        for needle in OUTSIDE
        if needle in line
    ]
    assert not found, "point these at the repository's own docs:\n" + "\n".join(found)


@pytest.mark.integration  # runs git ls-files
def test_every_path_the_docs_and_the_code_cite_exists() -> None:
    missing = [
        f"{name}:{number}: {path}"
        for name in repository_files()
        if (text := text_of(name)) is not None
        for number, path in cited_paths(text)
        if not in_repository(path)
    ]
    assert not missing, "cited paths that do not exist:\n" + "\n".join(missing)


def test_the_readme_stays_short() -> None:
    size = (ROOT / "README.md").stat().st_size
    assert size <= README_LIMIT, f"README.md is {size} bytes, over {README_LIMIT}: move the detail into docs/"


@pytest.mark.integration  # runs git ls-files
def test_the_readme_maps_every_page_of_the_docs() -> None:
    readme = {link.target.partition("#")[0] for link in links("README.md", (ROOT / "README.md").read_text())}
    pages = {name for name in markdown_files() if name.startswith("docs/") and "/adr/" not in name}
    assert pages <= readme, f"README.md's map lacks {sorted(pages - readme)}"


# the checks themselves -----------------------------------------------------------------------------------


SLUGS = {
    "1. Two member orgs join and seat their people (identity, :8001)": (
        "1-two-member-orgs-join-and-seat-their-people-identity-8001"
    ),
    "Privacy: a person's data, and erasing a person": "privacy-a-persons-data-and-erasing-a-person",
    "Safe retries: `Idempotency-Key`": "safe-retries-idempotency-key",
    "Partner delivery (`services/streams`, :8006)": "partner-delivery-servicesstreams-8006",
    "Faults mentornet rides through (`make chaos`)": "faults-mentornet-rides-through-make-chaos",
    "[Unreleased]": "unreleased",
}


def test_slugs_follow_githubs_rules() -> None:
    assert {heading: slug(heading) for heading in SLUGS} == SLUGS
    page = "# Notes\n## Notes\n```\n# not a heading\n```\n## Notes"
    assert anchors(page) == {"notes", "notes-1", "notes-2"}


@pytest.mark.integration  # runs git ls-files
def test_the_checker_finds_what_is_broken() -> None:
    page = "\n".join(
        [
            "# A page",
            "[fine](../README.md) [fine too](#a-page) [a folder](adr/) [the web](https://example.org/x)",
            "[gone](missing.md) [no such heading](../README.md#nowhere) [out](../../elsewhere.md)",
            "`[in code](missing.md)`",
            "```",
            "[in a block](missing.md)",
            "```",
            "[ref]: ../CONTRIBUTING.md#no-such-section",
        ]
    )
    read = {"docs/api.md": page, "README.md": (ROOT / "README.md").read_text()}  # a page in docs/
    assert [p.split(": ", 1)[1] for p in link_problems(read)] == [
        "(missing.md): no such file in the repository",
        "(../README.md#nowhere): README.md has no heading #nowhere",
        "(../../elsewhere.md): leads outside the repository",
        "(../CONTRIBUTING.md#no-such-section): CONTRIBUTING.md has no heading #no-such-section",
    ]


@pytest.mark.integration  # runs git ls-files
def test_cited_paths_are_found_where_prose_and_code_name_them() -> None:
    text = "see " + "docs" + "/adr/0007 and (`services/matching/eval/bench.py`); src/matching/x.py is none."
    assert cited_paths(text) == [(1, "docs" + "/adr/0007"), (1, "services/matching/eval/bench.py")]
    assert not in_repository("docs" + "/adr/0007") and in_repository("services/matching/eval/bench.py")
