#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""scripts/check-docs.py passes the real README and docs, and fails each kind of untruth.

Usage: check_docs_test.py PATH/TO/craton-hsm

The real tree is checked against the built CLI; the failures are planted in scratch trees,
with a stand-in CLI whose --help the test writes, so each case names exactly one problem.
"""
import pathlib
import shutil
import subprocess
import sys
import tempfile
import textwrap
import unittest

SOURCE = pathlib.Path(__file__).resolve().parents[2]
CHECKER = SOURCE / "scripts/check-docs.py"
CLI = sys.argv.pop(1) if len(sys.argv) > 1 else None

# A CLI with two commands, `sign` (--key) and `audit` whose `verify` takes --audit-key-file,
# and a global --config, answering --help as CLI11 does.
FAKE_CLI = textwrap.dedent('''\
    #!/usr/bin/env python3
    import sys
    args = [a for a in sys.argv[1:] if a != "--help"]
    if not args:
        print("Options:\\n  --config FILE\\n\\nSubcommands:\\n  sign   sign\\n  audit  audit\\n")
    elif args == ["sign"]:
        print("Options:\\n  --key URI\\n  --json\\n")
    elif args == ["audit"]:
        print("Subcommands:\\n  verify  check a trail\\n")
    elif args == ["audit", "verify"]:
        print("Options:\\n  --audit-key-file FILE\\n")
    ''')


def check(root: pathlib.Path, cli: str | None) -> subprocess.CompletedProcess:
    command = [sys.executable, str(CHECKER), "--root", str(root)]
    if cli:
        command += ["--cli", cli]
    return subprocess.run(command, capture_output=True, text=True)


class CheckDocs(unittest.TestCase):
    def setUp(self) -> None:
        self.outside = pathlib.Path(tempfile.mkdtemp())
        self.addCleanup(shutil.rmtree, self.outside)
        self.root = self.outside / "repo"
        (self.root / "docs").mkdir(parents=True)
        (self.outside / "shared").mkdir()
        (self.outside / "shared/STYLE.md").write_text("# Style\n")
        self.write("docs/guide.md", "# Guide\n\n## Two words\n\nText.\n")
        self.cli = self.outside / "craton-hsm"
        self.cli.write_text(FAKE_CLI)
        self.cli.chmod(0o755)

    def write(self, path: str, text: str) -> None:
        (self.root / path).write_text(text)

    def assert_refused(self, readme: str, *reasons: str) -> None:
        self.write("README.md", readme)
        result = check(self.root, str(self.cli))
        self.assertEqual(result.returncode, 1, result.stdout + result.stderr)
        for reason in reasons:
            self.assertIn(reason, result.stderr)

    def test_the_repository_is_true(self) -> None:
        if CLI is None:
            self.skipTest("no craton-hsm given")
        result = check(SOURCE, CLI)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertIn("links and commands: ok", result.stdout)

    def test_good_links_commands_and_options_pass(self) -> None:
        self.write("README.md", textwrap.dedent("""\
            # Read me
            See [the guide](docs/guide.md), [its section](docs/guide.md#two-words),
            [below](#usage), the [RFC](https://www.rfc-editor.org/rfc/rfc7512) and [docs](docs/).

            ## Usage
            `craton-hsm sign --key pkcs11:object=k --json` and
            `craton-hsm audit verify --audit-key-file k t` with `craton-hsm sign --config c`.

            ```sh
            [not a link](nowhere.md)
            craton-hsm sign --key k | craton-hsm audit verify --audit-key-file x
            ```
            """))
        result = check(self.root, str(self.cli))
        self.assertEqual(result.returncode, 0, result.stderr)

    def test_a_link_to_nothing_is_refused(self) -> None:
        self.assert_refused("# R\n\nSee [x](docs/missing.md).\n",
                            "README.md:3: link docs/missing.md names nothing")

    def test_a_link_out_of_the_repository_is_refused(self) -> None:
        self.assert_refused("# R\n\n[style](../shared/STYLE.md)\n",
                            "README.md:3: link ../shared/STYLE.md leaves the repository")

    def test_a_link_in_docs_resolves_from_its_own_folder(self) -> None:
        self.write("docs/other.md", "[guide](guide.md) and [readme](../README.md)\n")
        self.write("README.md", "# R\n")
        self.assertEqual(check(self.root, None).returncode, 0)
        self.write("docs/other.md", "[guide](docs/guide.md)\n")
        result = check(self.root, None)
        self.assertEqual(result.returncode, 1)
        self.assertIn("docs/other.md:1: link docs/guide.md names nothing", result.stderr)

    def test_a_missing_anchor_is_refused(self) -> None:
        self.assert_refused("# R\n\n[x](docs/guide.md#three-words)\n",
                            "README.md:3: link docs/guide.md#three-words: no heading")

    def test_an_installed_header_missing_from_the_table_is_refused(self) -> None:
        (self.root / "include/craton/hsm").mkdir(parents=True)
        (self.root / "include/craton/hsm/error.h").write_text("")
        (self.root / "include/craton/hsm/audit.h").write_text("")
        self.assert_refused("# R\n\n| header | what |\n| --- | --- |\n| `error.h` | errors |\n",
                            "no row for installed header audit.h")

    def test_an_unknown_command_is_refused(self) -> None:
        self.assert_refused("# R\n\nRun `craton-hsm signn --key k`.\n",
                            "README.md:3: craton-hsm signn: no such command")

    def test_an_unknown_option_is_refused(self) -> None:
        self.assert_refused("# R\n\n`craton-hsm sign --no-audit`\n",
                            "README.md:3: craton-hsm sign --no-audit: no such option")
        self.assert_refused("# R\n\n`craton-hsm audit verify --key k`\n",
                            "craton-hsm audit verify --key: no such option")


if __name__ == "__main__":
    unittest.main()
