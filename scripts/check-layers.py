#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Fails when an #include in src/ or include/ runs against the layer rules of docs/architecture.md.

The rules are read from that document's ```layers block, so they are written down once:
  component: allowed components...      (a component may always include itself)
  cryptoki: components...               (who may see raw PKCS#11 types)
  <header.h>: components...             (who may include a public header that builds a backend)
A component is a folder under src/ (two levels for backends/, pkcs11/ and bench/raw). Public
headers (<craton/hsm/...>) are the vocabulary every component may use; they themselves include
only each other. A folder the rules do not name fails too: new code must be placed on purpose.
"""
import argparse
import pathlib
import re
import sys

TWO_LEVEL = ("backends", "pkcs11", "bench/raw")
QUOTED = re.compile(r'^\s*#\s*include\s+"([^"]+)"')
ANGLED = re.compile(r"^\s*#\s*include\s+<([^>]+)>")
CRYPTOKI = {"pkcs11/loader/cryptoki.h", "p11-kit/pkcs11.h"}


def component(path: str) -> str:
    parts = path.split("/")
    if "/".join(parts[:2]) == "bench/raw":
        return "bench/raw"
    if parts[0] in TWO_LEVEL and len(parts) > 2:
        return "/".join(parts[:2])
    return parts[0]


def read_rules(root: pathlib.Path) -> tuple[dict[str, set[str]], set[str], dict[str, set[str]]]:
    text = (root / "docs/architecture.md").read_text()
    block = re.search(r"```layers\n(.*?)```", text, re.S)
    if not block:
        sys.exit("check-layers: docs/architecture.md has no ```layers block")
    allowed: dict[str, set[str]] = {}
    cryptoki: set[str] = set()
    factories: dict[str, set[str]] = {}
    for line in block.group(1).splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        name, _, deps = line.partition(":")
        name = name.strip()
        if name == "cryptoki":
            cryptoki = set(deps.split())
        elif name.startswith("<"):
            factories["craton/hsm/" + name.strip("<>")] = set(deps.split())
        else:
            allowed[name] = set(deps.split())
    return allowed, cryptoki, factories


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=pathlib.Path,
                        default=pathlib.Path(__file__).resolve().parent.parent,
                        help="the source tree to check (default: this script's checkout)")
    root = parser.parse_args().root
    allowed, cryptoki, factories = read_rules(root)
    errors = []
    for file in sorted((root / "src").rglob("*")):
        if file.suffix not in (".h", ".cc"):
            continue
        rel = file.relative_to(root / "src").as_posix()
        own = component(rel)
        if own not in allowed:
            errors.append(f"src/{rel}: folder '{own}' has no line in docs/architecture.md's layers")
            continue
        for number, line in enumerate(file.read_text().splitlines(), 1):
            where = f"src/{rel}:{number}"
            quoted, angled = QUOTED.match(line), ANGLED.match(line)
            target = quoted.group(1) if quoted else angled.group(1) if angled else None
            if target is None:
                continue
            if target in CRYPTOKI and own not in cryptoki:
                errors.append(f"{where}: '{own}' may not see raw PKCS#11 types ({target})")
            if target in factories and own not in factories[target]:
                errors.append(f"{where}: '{own}' may not build backends (<{target}>)")
            if not quoted:
                continue
            other = component(target)
            if other != own and other not in allowed[own]:
                errors.append(f"{where}: '{own}' may not include '{other}' ({target})")
    for file in sorted((root / "include").rglob("*.h")):
        rel = file.relative_to(root).as_posix()
        for number, line in enumerate(file.read_text().splitlines(), 1):
            quoted, angled = QUOTED.match(line), ANGLED.match(line)
            if quoted or (angled and angled.group(1) in CRYPTOKI):
                errors.append(f"{rel}:{number}: public headers include only public headers")
    for error in errors:
        print(f"check-layers: {error}", file=sys.stderr)
    if errors:
        print(f"check-layers: {len(errors)} include(s) break the layers (docs/architecture.md)",
              file=sys.stderr)
        return 1
    print("check-layers: every include follows docs/architecture.md")
    return 0


if __name__ == "__main__":
    sys.exit(main())
