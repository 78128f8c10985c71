#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Writes the seed corpora of fuzz/corpus/<harness>/ (docs/fuzzing.md): valid inputs and edge
cases per harness. Run once and commit the result; key and certificate seeds come from the
openssl command (fresh keys each run), audit trails are sealed here with HMAC-SHA-256 under the
harnesses' fixed key (00 01 .. 1f) and with the constant all-zero MAC (support/audit_input.h).
Files the fuzzer added, or crash reproducers, are left alone: only the named seeds are written.
"""
import hashlib
import hmac
import pathlib
import subprocess
import tempfile

ROOT = pathlib.Path(__file__).resolve().parent / "corpus"
FIXED_KEY = bytes(range(32))


def put(harness: str, name: str, data) -> None:
    directory = ROOT / harness
    directory.mkdir(parents=True, exist_ok=True)
    (directory / name).write_bytes(data.encode() if isinstance(data, str) else data)


def openssl(*args: str, stdin: bytes = b"") -> bytes:
    return subprocess.run(["openssl", *args], input=stdin, check=True, capture_output=True).stdout


# --- config -------------------------------------------------------------------------------
BASE = 'library_path = "/usr/lib/softhsm/libsofthsm2.so"\n'
CONFIGS = {
    "minimal.toml": BASE + 'token_label = "ci-token"\n',
    "slot.toml": BASE + "slot_id = 0\npool_size = 4\nacquire_timeout_ms = 100\n",
    "serial.toml": BASE + 'token_serial = "4f2a9c11d07b3e21"\ncache_capacity = 16\n',
    "uri.toml": 'token_uri = "pkcs11:token=ci-token?module-path=/usr/lib/softhsm/libsofthsm2.so"\n'
    'library_path = "/usr/lib/softhsm/libsofthsm2.so"\n',
    "uri_pin_source.toml": BASE + 'token_uri = "pkcs11:token=a%20b;serial=1?pin-source=file:/nonexistent/pin"\n',
    "limits.toml": BASE + 'token_label = "t"\ngcm_max_messages_per_key = 4294967296\n'
    "max_message_bytes = 67108864\nallow_software_keygen_fallback = true\n"
    "allow_unprotected_library_path = true\nallow_keys_without_login = false\n",
    "pin_env.toml": BASE + 'token_label = "t"\npin_env = "CRATON_FUZZ_NO_SUCH_VARIABLE"\n',
    "pin_file_missing.toml": BASE + 'token_label = "t"\npin_file = "/nonexistent/pin"\n',
    "audit.toml": BASE + 'token_label = "ci-token"\n\n[audit]\nfile = "/var/log/craton/audit.jsonl"\n'
    'key_file = "/etc/craton/audit.key"\ndurability = "per_batch"\non_failure = "fail_closed"\n',
    "audit_full.toml": BASE + 'token_label = "ci-token"\n[audit]\nfile = "/tmp/a.jsonl"\n'
    'key_label = "audit-hmac"\ndurability = "per_record"\non_failure = "fail_open"\n'
    "queue_capacity = 1\nmax_wait_ms = 0\nrotate_bytes = 1048576\nlock_timeout_ms = 0\n",
    "audit_both_keys.toml": BASE + 'token_label = "t"\n[audit]\nfile = "a"\nkey_file = "k"\nkey_label = "l"\n',
    "user_pin_refused.toml": BASE + 'token_label = "t"\nuser_pin = "1234"\n',
    "two_selectors.toml": BASE + 'token_label = "t"\nslot_id = 1\n',
    "typo.toml": BASE + 'token_lable = "t"\n',
    "bad_types.toml": 'library_path = 5\ntoken_label = ["x"]\npool_size = -1\n',
    "inline_audit.toml": BASE + 'token_label = "t"\naudit = { file = "x", key_file = "y", durability = "none" }\n',
    "broken.toml": 'library_path = "unterminated\n[[audit]]\n',
    "empty.toml": "",
}


def config_seeds() -> None:
    for name, text in CONFIGS.items():
        put("config", name, text)


# --- URIs ---------------------------------------------------------------------------------
URIS = [
    "pkcs11:token=ci-token",
    "pkcs11:token=signing;serial=4f2a9c11d07b3e21",
    "pkcs11:token=ci-token?module-path=/usr/lib/softhsm/libsofthsm2.so",
    "pkcs11:object=signing-1;id=%01;type=private",
    "pkcs11:token=My%20token%25%20created%20by%20Joe",
    "pkcs11:manufacturer=SoftHSM%20project;model=SoftHSM%20v2;slot-id=0;slot-description=x;"
    "slot-manufacturer=y;library-manufacturer=z;library-description=d;library-version=2.6",
    "pkcs11:object=k;type=secret-key?module-name=softhsm2&pin-source=file:/etc/pin",
    "pkcs11:id=%00%ff%10;type=public",
    "pkcs11:type=cert;object=c",
    "pkcs11:type=data;object=d",
    "PKCS11:token=upper-scheme",
    "pkcs11:token=x?pin-value=1234",
    "pkcs11:x-vendor=1",
    "pkcs11:token=a;token=b",
    "pkcs11:token=%4",
    "pkcs11:library-version=1.2.3",
    "pkcs11:",
    "sign,verify,decrypt",
    "encrypt, wrap ,unwrap,derive",
]


def uri_seeds() -> None:
    for i, uri in enumerate(URIS):
        put("uri", f"seed{i:02}", uri)


# --- ECDSA --------------------------------------------------------------------------------
def der_len(n: int) -> bytes:
    return bytes([n]) if n < 0x80 else bytes([0x81, n]) if n < 0x100 else bytes([0x82, n >> 8, n & 0xFF])


def der_int(value: bytes) -> bytes:
    value = value.lstrip(b"\0") or b"\0"
    if value[0] & 0x80:
        value = b"\0" + value
    return b"\x02" + der_len(len(value)) + value


def ecdsa_seeds() -> None:
    for selector, field in ((31, 32), (47, 48), (65, 66)):
        r = bytes([0x80 | (field & 0x7F)]) + bytes(range(1, field))
        s = bytes([0x01]) + bytes(range(field - 1, 0, -1))
        body = der_int(r) + der_int(s)
        put("ecdsa_der", f"der_{field}", bytes([selector]) + b"\x30" + der_len(len(body)) + body)
        put("ecdsa_der", f"raw_{field}", bytes([selector]) + r + s)
    put("ecdsa_der", "small_ints", bytes([31]) + b"\x30\x06\x02\x01\x01\x02\x01\x02")
    put("ecdsa_der", "zero", bytes([31]) + b"\x30\x06\x02\x01\x00\x02\x01\x00")
    put("ecdsa_der", "negative", bytes([31]) + b"\x30\x06\x02\x01\x80\x02\x01\x01")
    put("ecdsa_der", "long_form", bytes([31]) + b"\x30\x81\x06\x02\x01\x01\x02\x01\x01")
    put("ecdsa_der", "trailing", bytes([31]) + b"\x30\x06\x02\x01\x01\x02\x01\x01\x00")


# --- keys and PEM files ---------------------------------------------------------------------
def key_seeds() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        def pem_key(name: str, *genpkey: str) -> bytes:
            path = f"{tmp}/{name}.pem"
            openssl("genpkey", *genpkey, "-out", path)
            return pathlib.Path(path).read_bytes()

        rsa = pem_key("rsa", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048")
        p256 = pem_key("p256", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256")
        p384 = pem_key("p384", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-384")
        ed = pem_key("ed", "-algorithm", "ED25519")
        k1 = pem_key("k1", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:secp256k1")
        der = lambda pem, *a: openssl("pkey", "-outform", "DER", *a, stdin=pem)
        rsa_der, rsa_spki = der(rsa), der(rsa, "-pubout")
        p256_spki, p384_spki = der(p256, "-pubout"), der(p384, "-pubout")
        # The SEC1 point is the SPKI's BIT STRING content: the last 65 / 97 bytes.
        p256_point, p384_point = p256_spki[-65:], p384_spki[-97:]
        p256_scalar = openssl("ec", "-outform", "DER", stdin=p256)[7:39]
        put("keys", "rsa_pkcs8", b"\x00" + rsa_der)
        put("keys", "rsa_spki", b"\x01" + rsa_spki)
        put("keys", "ec_spki_as_rsa", b"\x01" + p256_spki)
        put("keys", "p256_point", b"\x02" + p256_point)
        put("keys", "p256_compressed", b"\x02" + bytes([2 + (p256_point[-1] & 1)]) + p256_point[1:33])
        put("keys", "p384_point", b"\x03" + p384_point)
        put("keys", "p256_scalar", b"\x04" + p256_scalar)
        put("keys", "p384_scalar_order", b"\x05" + bytes.fromhex(
            "ffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196accc52973"))
        put("keys", "ed25519", b"\x06" + bytes(range(32)))
        put("keys", "empty_pkcs8", b"\x00")

        cert = openssl("req", "-x509", "-new", "-key", f"{tmp}/p256.pem", "-subj", "/CN=fuzz",
                       "-days", "1")
        put("cli_pem", "rsa_pkcs8.pem", rsa)
        put("cli_pem", "rsa_pkcs1.pem", openssl("pkey", "-traditional", stdin=rsa))
        put("cli_pem", "rsa_pkcs8.der", rsa_der)
        put("cli_pem", "p256_sec1.pem", openssl("ec", stdin=p256))
        put("cli_pem", "p384_pkcs8.pem", p384)
        put("cli_pem", "ed25519.pem", ed)
        put("cli_pem", "secp256k1.pem", k1)
        put("cli_pem", "encrypted.pem",
            openssl("pkcs8", "-topk8", "-v2", "aes-128-cbc", "-passout", "pass:x", stdin=p256))
        put("cli_pem", "public.pem", openssl("pkey", "-pubout", stdin=p256))
        put("cli_pem", "cert.pem", cert)
        put("cli_pem", "cert.der", openssl("x509", "-outform", "DER", stdin=cert))
        put("cli_pem", "proc_type.pem", "-----BEGIN EC PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\n"
            "DEK-Info: AES-128-CBC,00112233445566778899AABBCCDDEEFF\n\nAAAA\n-----END EC PRIVATE KEY-----\n")
        put("cli_pem", "aes256.raw", bytes(range(32)))


# --- audit trails ---------------------------------------------------------------------------
ORIGIN = '"backend":"pkcs11:SoftHSM","token":"ci-token","serial":"4f2a9c11d07b3e21","slot":0'


class Trail:
    """Records sealed like src/audit/record_format.cc seals them."""

    def __init__(self, constant: bool):
        self.constant = constant
        self.seq = 0
        self.last = ""

    def seal(self, unsealed: str) -> str:
        tag = bytes(32) if self.constant else hmac.new(FIXED_KEY, unsealed.encode(), hashlib.sha256).digest()
        self.last = tag.hex()
        return f'{unsealed},"mac":"{tag.hex()}"}}'

    def head(self, op: str) -> str:
        self.seq += 1
        return f'{{"ts":"2026-12-03T21:00:{self.seq % 60:02}.000000Z","seq":{self.seq},"op":"{op}"'

    def genesis(self, prev_file: str = "") -> str:
        return self.seal(f'{self.head("genesis")},{ORIGIN},"prev_file":"{prev_file}","prev":"{prev_file}"')

    def restart(self, detail: str = "") -> str:
        prev, extra = self.last, f',"detail":"{detail}"' if detail else ""
        return self.seal(f'{self.head("restart")},{ORIGIN}{extra},"prev":"{prev}"')

    def event(self, op: str, outcome: str = "ok", intent: int = 0, key: str = "fp:" + "ab" * 32) -> str:
        prev = self.last
        text = (f'{self.head(op)},"mech":"CKM_ECDSA","key":"{key}","in":32,"out":64,'
                f'"outcome":"{outcome}"')
        if outcome == "error":
            text += ',"code":"KeyNotFound","ckr":"CKR_OBJECT_HANDLE_INVALID"'
        if intent:
            text += f',"intent":{intent}'
        text += f',"us":12,{ORIGIN},"fallback":false,"recovered":false,"retries":0,"prev":"{prev}"'
        return self.seal(text)

    def anchor(self) -> str:
        tag_input = f'{{"anchor":1,"seq":{self.seq},"last":"{self.last}"'
        tag = bytes(32) if self.constant else hmac.new(FIXED_KEY, tag_input.encode(), hashlib.sha256).digest()
        return f'{tag_input},"mac":"{tag.hex()}"}}\n'


def trails(constant: bool) -> dict:
    t = Trail(constant)
    lines = [t.genesis(), t.event("sign"), t.event("key_destroy", "intent", key="pkcs11:object=old"),
             t.event("key_destroy", "ok", intent=3, key="pkcs11:object=old"), t.event("verify", "error")]
    one = "\n".join(lines) + "\n"
    seeds = {"intact": one, "intact_anchor": one + "#anchor\n" + t.anchor()}
    seeds["torn_tail"] = one + lines[1][: len(lines[1]) // 2]
    # A continued file: restart and one more event after the first process's records.
    t2 = Trail(constant)
    cont = [t2.genesis(), t2.event("sign"), t2.restart("continued"), t2.event("digest")]
    seeds["restart"] = "\n".join(cont) + "\n#anchor\n" + t2.anchor()
    # An intent left open by a crash.
    t3 = Trail(constant)
    seeds["open_intent"] = "\n".join([t3.genesis(), t3.event("key_generate", "intent")]) + "\n"
    # Rotation: the second file's genesis names the first file's last MAC.
    t4 = Trail(constant)
    first = [t4.genesis(), t4.event("sign"), t4.event("sign")]
    second = [t4.genesis(prev_file=t4.last), t4.event("random")]
    seeds["rotated"] = "\n".join(first) + "\n#file\n" + "\n".join(second) + "\n#anchor\n" + t4.anchor()
    # The anchor is ahead of the file: records were removed from the end.
    t5 = Trail(constant)
    short = [t5.genesis(), t5.event("sign")]
    t5.event("sign")
    seeds["anchor_ahead"] = "\n".join(short) + "\n#anchor\n" + t5.anchor()
    # Only an anchor: the file was rotated away or removed.
    seeds["anchor_only"] = "#anchor\n" + t5.anchor()
    seeds["gap"] = "\n".join([lines[0], lines[2]]) + "\n"
    return seeds


def audit_seeds() -> None:
    for constant in (False, True):
        suffix = "_zero_mac" if constant else ""
        for name, text in trails(constant).items():
            put("audit_verify", name + suffix, text)
            put("audit_resume", name + suffix, text)
        for i, line in enumerate(trails(constant)["intact"].splitlines()):
            put("audit_record", f"line{i}{suffix}", line)
    put("audit_verify", "empty", "")
    put("audit_resume", "empty", "")
    put("audit_resume", "no_newline", '{"ts":"x","seq":1')
    put("audit_record", "nested", '{"seq":1,"op":{"a":1},"mac":"00"}')
    put("audit_record", "escapes", '{"seq":1,"op":"a\\"b","key":"\\u0000\\ufffd","prev":""}')


# --- vendor outputs -----------------------------------------------------------------------
def vendor_seeds() -> None:
    """fuzz_vendor_outputs: byte 0 picks the reader (0 output_length, 1 attribute_length,
    2 text_field, 3 query_list); the rest is the module's answer (fuzz_vendor_outputs.cc)."""
    u16 = lambda n: n.to_bytes(2, "little")
    u64 = lambda n: n.to_bytes(8, "little")
    # output_length: capacity, a length choice (0 zero, 1 the buffer, 2 past it, 3 unavailable,
    # 4 a u16, 5 a u64), then the expected range.
    put("vendor_outputs", "output_exact", b"\x00" + u16(256) + b"\x01" + u16(256) + u16(256))
    put("vendor_outputs", "output_oversize", b"\x00" + u16(64) + b"\x02\x0f" + u16(64) + u16(64))
    put("vendor_outputs", "output_empty", b"\x00" + u16(32) + b"\x00" + u16(32) + u16(32))
    put("vendor_outputs", "output_huge", b"\x00" + u16(132) + b"\x05" + u64(2**63) + u16(1) + u16(132))
    # attribute_length: type, capacity, the query's length, the value's, the fixed size.
    put("vendor_outputs", "attribute_unavailable",
        b"\x01" + u16(0x11) + u16(32) + b"\x03" + b"\x03" + b"\x00\x03")
    put("vendor_outputs", "attribute_fits", b"\x01" + u16(0x102) + u16(65) + b"\x01" + b"\x01" + b"\x01\x01")
    put("vendor_outputs", "attribute_grown", b"\x01" + u16(0x11) + u16(16) + b"\x04" + u16(1 << 15) + b"\x02\x07\x00\x04\x08\x00")
    # text_field: the field's bytes.
    put("vendor_outputs", "text_padded", b"\x02" + b"ci-token".ljust(32, b" "))
    put("vendor_outputs", "text_c_string", b"\x02" + b"SoftHSM".ljust(32, b"\x00"))
    put("vendor_outputs", "text_shim_garbage", b"\x02" + bytes([0x07, 0xFF, 0x1B, 0x7F, 0x00, 0x80, 0xC3, 0x0A]) * 4)
    put("vendor_outputs", "text_utf8", b"\x02" + "Jürgen € 🔑 \u00a0".encode().ljust(32, b" "))
    put("vendor_outputs", "text_invalid_utf8", b"\x02" + b"\xc0\xaf\xe0\x80\xaf\xed\xa0\x80\xf4\x90\x80\x80\xc2\x85\x1b[31m")
    # query_list: per call, a choice (0 device error, 1 buffer too small, 2 a u64 count, else a
    # byte count) and the count.
    put("vendor_outputs", "list_honest", b"\x03" + b"\x03\x02" + b"\x03\x02")
    put("vendor_outputs", "list_lying", b"\x03" + b"\x03\x02" + b"\x03\x12")
    put("vendor_outputs", "list_grows", b"\x03" + b"\x03\x01" + b"\x01" + b"\x03\x02" + b"\x03\x02")
    put("vendor_outputs", "list_huge", b"\x03" + b"\x02" + u64(2**40) + b"\x02" + u64(2**40))
    put("vendor_outputs", "list_fails", b"\x03\x00")


def main() -> None:
    config_seeds()
    uri_seeds()
    ecdsa_seeds()
    key_seeds()
    audit_seeds()
    vendor_seeds()


if __name__ == "__main__":
    main()
