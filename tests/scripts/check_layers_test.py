#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""scripts/check-layers.py passes the real tree and fails each kind of wrong-way include.

Each case copies docs/architecture.md (the real rules) into a scratch tree, adds one file, and
runs the checker on it: the rules are the repository's, the violation is planted.
"""
import pathlib
import shutil
import subprocess
import sys
import tempfile
import unittest

SOURCE = pathlib.Path(__file__).resolve().parents[2]
CHECKER = SOURCE / "scripts/check-layers.py"


def check(root: pathlib.Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(CHECKER), "--root", str(root)],
                          capture_output=True, text=True)


class CheckLayers(unittest.TestCase):
    def setUp(self) -> None:
        self.root = pathlib.Path(tempfile.mkdtemp())
        self.addCleanup(shutil.rmtree, self.root)
        (self.root / "docs").mkdir()
        shutil.copy(SOURCE / "docs/architecture.md", self.root / "docs")
        (self.root / "src").mkdir()
        (self.root / "include/craton/hsm").mkdir(parents=True)

    def plant(self, path: str, text: str) -> None:
        file = self.root / path
        file.parent.mkdir(parents=True, exist_ok=True)
        file.write_text(text)

    def assert_refused(self, path: str, text: str, reason: str) -> None:
        self.plant(path, text)
        result = check(self.root)
        self.assertEqual(result.returncode, 1, result.stdout + result.stderr)
        self.assertIn(reason, result.stderr)
        self.assertIn(path, result.stderr)

    def test_the_repository_follows_its_rules(self) -> None:
        result = check(SOURCE)
        self.assertEqual(result.returncode, 0, result.stderr)

    def test_allowed_includes_pass(self) -> None:
        self.plant("src/pkcs11/pool/pool.cc", '#include "pkcs11/session/session.h"\n'
                   '#include "pkcs11/loader/cryptoki.h"\n#include <craton/hsm/error.h>\n')
        self.plant("src/cli/main.cc", '#include <craton/hsm/pkcs11_backend.h>\n')
        result = check(self.root)
        self.assertEqual(result.returncode, 0, result.stderr)

    def test_a_lower_layer_including_a_higher_one_fails(self) -> None:
        self.assert_refused("src/pkcs11/session/session.cc",
                            '#include "backends/pkcs11/capabilities.h"\n',
                            "'pkcs11/session' may not include 'backends/pkcs11'")

    def test_sibling_backends_may_not_include_each_other(self) -> None:
        self.assert_refused("src/backends/pkcs11/sign.cc",
                            '#include "backends/software/algorithms.h"\n',
                            "'backends/pkcs11' may not include 'backends/software'")

    def test_the_cli_may_not_reach_into_the_token_layers(self) -> None:
        self.assert_refused("src/cli/info.cc", '#  include "pkcs11/loader/module.h"\n',
                            "'cli' may not include 'pkcs11/loader'")

    def test_raw_pkcs11_types_stay_in_the_token_layers(self) -> None:
        self.assert_refused("src/keys/key.cc", "#include <p11-kit/pkcs11.h>\n",
                            "may not see raw PKCS#11 types")

    def test_only_the_layers_above_a_backend_may_build_one(self) -> None:
        self.assert_refused("src/backends/pkcs11/check.cc",
                            "#include <craton/hsm/software_backend.h>\n",
                            "may not build backends")

    def test_a_folder_without_rules_fails(self) -> None:
        self.assert_refused("src/newthing/x.cc", "int x;\n", "has no line")

    def test_public_headers_include_only_public_headers(self) -> None:
        self.assert_refused("include/craton/hsm/leak.h", '#include "core/hex.h"\n',
                            "public headers include only public headers")


if __name__ == "__main__":
    unittest.main()
