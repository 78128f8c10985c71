// SPDX-License-Identifier: Apache-2.0
// One token call for small messages, a token digest stream and the digest's signature for the
// rest.
#include "cli/message_stream.h"

#include <algorithm>

#include <fmt/format.h>

namespace craton::hsm::cli {

Result<InputHead> read_message(const std::optional<std::string>& path, SignScheme scheme) {
  if (scheme_has_prehash(scheme)) return read_head(path, kOneShotMessageBytes);
  CRATON_ASSIGN_OR_RETURN(InputHead message, read_head(path, kMaxWholeInputBytes));
  if (!message.complete) {
    return std::unexpected(
        input_too_large(message.input, kMaxWholeInputBytes,
                        fmt::format("{} takes (it signs the whole message, not a digest of pieces)",
                                    scheme_name(scheme))));
  }
  return message;
}

Result<Bytes> digest_on_token(CryptoBackend& token, HashAlg hash, InputHead& message) {
  CRATON_ASSIGN_OR_RETURN(const auto stream, token.digest_stream(hash));
  // The head in pieces too: max_message_bytes bounds each update and may be set below 1 MiB.
  const ByteView head(message.head);
  for (std::size_t at = 0; at < head.size(); at += kDigestPieceBytes) {
    CRATON_RETURN_IF_ERROR(
        stream->update(head.subspan(at, std::min(kDigestPieceBytes, head.size() - at))));
  }
  Bytes piece(kDigestPieceBytes);
  while (true) {
    CRATON_ASSIGN_OR_RETURN(const std::size_t got, message.input.read(piece));
    if (got > 0) CRATON_RETURN_IF_ERROR(stream->update(ByteView(piece).first(got)));
    if (got < piece.size()) break;
  }
  return stream->finish();
}

Result<Bytes> sign_message(CryptoBackend& token, const Key& key, SignScheme scheme,
                           InputHead& message, SignatureEncoding encoding) {
  if (message.complete) return token.sign(key, scheme, message.head, encoding);
  CRATON_ASSIGN_OR_RETURN(const Bytes digest, digest_on_token(token, scheme_hash(scheme), message));
  return token.sign_digest(key, scheme, digest, encoding);
}

Result<VerifyOutcome> verify_message(CryptoBackend& token, const Key& key, SignScheme scheme,
                                     InputHead& message, ByteView signature,
                                     SignatureEncoding encoding) {
  if (message.complete) return token.verify(key, scheme, message.head, signature, encoding);
  CRATON_ASSIGN_OR_RETURN(const Bytes digest, digest_on_token(token, scheme_hash(scheme), message));
  return token.verify_digest(key, scheme, digest, signature, encoding);
}

}  // namespace craton::hsm::cli
