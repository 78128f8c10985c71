// SPDX-License-Identifier: Apache-2.0
// Messages of any length for digest, sign and verify: small ones go to the token whole, longer
// ones are hashed on the token in pieces and their digest is signed or verified.
#pragma once

#include <craton/hsm/backend.h>
#include <craton/hsm/error.h>
#include <craton/hsm/keys.h>
#include <craton/hsm/schemes.h>

#include <cstddef>
#include <optional>
#include <string>

#include "cli/io.h"

namespace craton::hsm::cli {

// Messages up to this size are signed or verified in one token call, whose audit record states
// the message length. Longer ones are hashed on the token in pieces, with bounded memory, and
// their digest is signed: the same signature, since a hash-and-sign mechanism hashes the same
// way (the audit trail then shows a digest and a sign_digest).
inline constexpr std::size_t kOneShotMessageBytes = std::size_t{1} << 20;

// The pieces a message is hashed in.
inline constexpr std::size_t kDigestPieceBytes = std::size_t{64} * 1024;

// Reads as much of the message as the choice between one call and streaming needs, before the
// token is opened. Ed25519 signs the message itself (RFC 8032 PureEdDSA hashes it twice), so
// its message is read whole: more than kMaxWholeInputBytes is DataLenRange naming the limit.
// Errors: those of read_head.
[[nodiscard]] Result<InputHead> read_message(const std::optional<std::string>& path,
                                             SignScheme scheme);

// The digest of the message's head and then the rest of its input, computed on the token in
// kDigestPieceBytes pieces. Errors: the input's and the token's.
[[nodiscard]] Result<Bytes> digest_on_token(CryptoBackend& token, HashAlg hash, InputHead& message);

// sign / verify for a complete message, else sign_digest / verify_digest of digest_on_token.
[[nodiscard]] Result<Bytes> sign_message(CryptoBackend& token, const Key& key, SignScheme scheme,
                                         InputHead& message, SignatureEncoding encoding);
[[nodiscard]] Result<VerifyOutcome> verify_message(CryptoBackend& token, const Key& key,
                                                   SignScheme scheme, InputHead& message,
                                                   ByteView signature, SignatureEncoding encoding);

}  // namespace craton::hsm::cli
