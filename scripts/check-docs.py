#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Cheap truths about README.md and docs/**/*.md: their links land and their commands exist.

  python3 scripts/check-docs.py [--root DIR] [--cli PATH/TO/craton-hsm]

- Every relative link ([text](target), [label]: target) names a file or directory inside the
  repository: a document the project relies on must live in it, so ../ out of the tree fails
  too. A #fragment must name a heading of the target document (GitHub's anchors).
- With --cli, every `craton-hsm <command>` written in those documents is a command that
  `craton-hsm --help` lists, and every --option written after it (up to the end of the code
  span, a pipe, `&&` or `;`) is one that the command's --help (or the global --help) lists.

- Every installed header (include/craton/hsm/*.h) has a row in README's header table.

Exits 0 when everything holds, 1 with one line per problem on stderr ("FILE:LINE: ...").
"""
import argparse
import pathlib
import re
import subprocess
import sys

INLINE_LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")
REFERENCE_LINK = re.compile(r"^\s*\[[^\]]+\]:\s*(\S+)")
COMMAND = re.compile(r"\bcraton-hsm[ \t]+([a-z][a-z0-9-]*)")
OPTION = re.compile(r"(?<![\w-])(--[a-z][a-z0-9-]*)")
END_OF_COMMAND = re.compile(r"`|\||&&|;|\)")
HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
FENCE = re.compile(r"^\s*(```|~~~)")


def documents(root: pathlib.Path) -> list[pathlib.Path]:
    docs = sorted((root / "docs").rglob("*.md")) if (root / "docs").is_dir() else []
    readme = root / "README.md"
    return ([readme] if readme.is_file() else []) + docs


def anchors(markdown: pathlib.Path) -> set[str]:
    """GitHub's heading anchors: lowercase, punctuation dropped, spaces to '-', repeats numbered."""
    seen: dict[str, int] = {}
    result = set()
    in_fence = False
    for line in markdown.read_text(encoding="utf-8").splitlines():
        if FENCE.match(line):
            in_fence = not in_fence
            continue
        match = None if in_fence else HEADING.match(line)
        if not match:
            continue
        text = re.sub(r"[`*_]|\[([^\]]*)\]\([^)]*\)", r"\1", match.group(2)).strip().lower()
        slug = re.sub(r"[^\w\- ]", "", text).replace(" ", "-")
        count = seen.get(slug, 0)
        seen[slug] = count + 1
        result.add(slug if count == 0 else f"{slug}-{count}")
    return result


def links(text: str):
    """(line number, target) of every link outside fenced code blocks."""
    in_fence = False
    for number, line in enumerate(text.splitlines(), start=1):
        if FENCE.match(line):
            in_fence = not in_fence
            continue
        if in_fence:
            continue
        for match in INLINE_LINK.finditer(line):
            yield number, match.group(1)
        match = REFERENCE_LINK.match(line)
        if match:
            yield number, match.group(1)


def check_links(root: pathlib.Path, doc: pathlib.Path) -> list[str]:
    problems = []
    where = doc.relative_to(root)
    for number, target in links(doc.read_text(encoding="utf-8")):
        if re.match(r"^[a-z][a-z0-9+.-]*:", target, re.IGNORECASE):  # https:, mailto:, ...
            continue
        path_part, _, fragment = target.partition("#")
        path_part = path_part.split("?", 1)[0]
        resolved = (doc.parent / path_part).resolve() if path_part else doc.resolve()
        if path_part.startswith("/") or not resolved.is_relative_to(root.resolve()):
            problems.append(f"{where}:{number}: link {target} leaves the repository")
            continue
        if not resolved.exists():
            problems.append(f"{where}:{number}: link {target} names nothing ({resolved})")
            continue
        if fragment and resolved.suffix == ".md" and fragment not in anchors(resolved):
            problems.append(f"{where}:{number}: link {target}: no heading with that anchor")
    return problems


class Cli:
    """What the built craton-hsm says about its commands and options, asked once per command."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.helps: dict[tuple[str, ...], str] = {}

    def help(self, command: tuple[str, ...]) -> str:
        if command not in self.helps:
            self.helps[command] = subprocess.run(
                [self.path, *command, "--help"], capture_output=True, text=True, check=False).stdout
        return self.helps[command]

    def subcommands(self, command: tuple[str, ...]) -> set[str]:
        """The names listed under "Subcommands:" in the command's --help."""
        names = set()
        listing = False
        for line in self.help(command).splitlines():
            if line.strip() == "Subcommands:":
                listing = True
                continue
            if listing:
                match = re.match(r"^  (\S+)", line)
                if not match:
                    break
                names.add(match.group(1))
        return names

    def options(self, command: tuple[str, ...]) -> set[str]:
        return set(OPTION.findall(self.help(command))) | set(OPTION.findall(self.help(())))


def check_commands(root: pathlib.Path, doc: pathlib.Path, cli: Cli) -> list[str]:
    problems = []
    where = doc.relative_to(root)
    for number, line in enumerate(doc.read_text(encoding="utf-8").splitlines(), start=1):
        for match in COMMAND.finditer(line):
            if match.group(1) not in cli.subcommands(()):
                problems.append(f"{where}:{number}: craton-hsm {match.group(1)}: "
                                f"no such command in craton-hsm --help")
                continue
            rest = line[match.end():]
            end = END_OF_COMMAND.search(rest)
            words = (rest[:end.start()] if end else rest).split()
            command = (match.group(1),)
            while words and words[0] in cli.subcommands(command):
                command += (words.pop(0),)
            for option in OPTION.findall(" ".join(words)):
                if option not in cli.options(command):
                    problems.append(f"{where}:{number}: craton-hsm {' '.join(command)} {option}: "
                                    f"no such option in its --help")
    return problems


def check_headers(root: pathlib.Path) -> list[str]:
    headers = sorted((root / "include/craton/hsm").glob("*.h"))
    readme = root / "README.md"
    rows = [line for line in readme.read_text(encoding="utf-8").splitlines()
            if line.startswith("| `")] if readme.is_file() else []
    return [f"README.md: the header table has no row for installed header {header.name}"
            for header in headers
            if not any(line.startswith(f"| `{header.name}`") for line in rows)]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=pathlib.Path,
                        default=pathlib.Path(__file__).resolve().parents[1])
    parser.add_argument("--cli", help="the built craton-hsm, to check the commands named")
    args = parser.parse_args()
    root = args.root.resolve()
    docs = documents(root)
    if not docs:
        print(f"check-docs: no README.md or docs/*.md under {root}", file=sys.stderr)
        return 1
    problems = check_headers(root)
    cli = Cli(args.cli) if args.cli else None
    for doc in docs:
        problems += check_links(root, doc)
        if cli is not None:
            problems += check_commands(root, doc, cli)
    for problem in problems:
        print(problem, file=sys.stderr)
    checked = "links" + (" and commands" if cli is not None else "")
    print(f"check-docs: {len(docs)} documents, {checked}: "
          f"{'ok' if not problems else f'{len(problems)} problem(s)'}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
