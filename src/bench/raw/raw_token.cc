// SPDX-License-Identifier: Apache-2.0
// Opening the baseline's token: module, slot, anchor session, login, mechanism list.
#include "bench/raw/raw_token.h"

#include <array>

#include "backends/pkcs11/token_options.h"
#include "bench/raw/raw_state.h"
#include "pkcs11/session/size_query.h"

namespace craton::hsm::bench::raw {
namespace {

using pkcs11::error_from_rv;
using pkcs11::kFnCount;
using pkcs11::open_configured_token;
using pkcs11::query_list;
using pkcs11::TokenTarget;

Result<void> log_in(const Session& session, const SecretString& pin) {
  SecretString copy = pin.clone();
  // The C prototype takes a non-const pointer; modules only read the PIN.
  auto* chars = reinterpret_cast<CK_UTF8CHAR*>(const_cast<char*>(copy.expose().data()));
  const CK_RV rv = session.invoke<Fn::Login>(static_cast<CK_USER_TYPE>(CKU_USER), chars,
                                             static_cast<CK_ULONG>(copy.size()));
  if (rv == CKR_OK || rv == CKR_USER_ALREADY_LOGGED_IN) return {};
  return std::unexpected(error_from_rv(rv, Fn::Login, "user login refused"));
}

}  // namespace

CK_MECHANISM_TYPE mechanism_of(RawOp op) noexcept {
  switch (op) {
    case RawOp::EcdsaP256Sign:
    case RawOp::EcdsaP256Verify:
      return CKM_ECDSA;
    case RawOp::RsaPkcs1v15Sha256Sign:
      return CKM_SHA256_RSA_PKCS;
    case RawOp::RsaPssSha256Sign:
      return CKM_SHA256_RSA_PKCS_PSS;
    case RawOp::Ed25519Sign:
      return CKM_EDDSA;
    case RawOp::AesGcmEncrypt:
      return CKM_AES_GCM;
    case RawOp::HmacSha256:
      return CKM_SHA256_HMAC;
    case RawOp::Sha256:
      return CKM_SHA256;
    case RawOp::Random:
      break;
  }
  return CKM_VENDOR_DEFINED;  // C_GenerateRandom needs no mechanism
}

RawToken::RawToken(std::unique_ptr<State> state) : state_(std::move(state)) {}

RawToken::~RawToken() = default;

Result<std::unique_ptr<RawToken>> RawToken::open(const Pkcs11PassthroughConfig& config) {
  CRATON_ASSIGN_OR_RETURN(const TokenTarget target, open_configured_token(config));
  auto state = std::make_unique<State>();
  state->module = target.module;
  state->slot = static_cast<CK_SLOT_ID>(target.slot);
  CRATON_ASSIGN_OR_RETURN(Session anchor, Session::open(state->module, state->slot));
  if (config.user_pin) {
    CRATON_RETURN_IF_ERROR(log_in(anchor, *config.user_pin));
    state->logged_in = true;
  }
  state->anchor.emplace(std::move(anchor));
  const Module& module = *state->module;
  const CK_SLOT_ID slot = state->slot;
  CRATON_ASSIGN_OR_RETURN(const std::vector<CK_MECHANISM_TYPE> mechanisms,
                          query_list<CK_MECHANISM_TYPE>(
                              Fn::GetMechanismList, [&](CK_MECHANISM_TYPE* buffer, CK_ULONG* n) {
                                return module.invoke<Fn::GetMechanismList>(slot, buffer, n);
                              }));
  state->mechanisms.insert(mechanisms.begin(), mechanisms.end());
  return std::unique_ptr<RawToken>(new RawToken(std::move(state)));
}

bool RawToken::supports(RawOp op) const {
  return op == RawOp::Random || state_->mechanisms.contains(mechanism_of(op));
}

Result<std::unique_ptr<RawWorker>> RawToken::prepare(const RawInputs& inputs) const {
  return make_worker(*state_, inputs);
}

Result<std::uint64_t> RawToken::count_objects() const {
  const Session& session = *state_->anchor;
  CRATON_RETURN_IF_ERROR(session.call<Fn::FindObjectsInit>(nullptr, CK_ULONG{0}));
  std::uint64_t total = 0;
  std::array<CK_OBJECT_HANDLE, 64> batch{};
  Result<void> searched;
  for (;;) {
    CK_ULONG found = 0;
    searched =
        session.call<Fn::FindObjects>(batch.data(), static_cast<CK_ULONG>(batch.size()), &found);
    if (!searched || found == 0) break;
    total += found;
  }
  const Result<void> finished = session.call<Fn::FindObjectsFinal>();
  CRATON_RETURN_IF_ERROR(searched);
  CRATON_RETURN_IF_ERROR(finished);
  return total;
}

CallCounts RawToken::call_counts() const noexcept {
  const Module& module = *state_->module;
  CallCounts counts;
  for (std::size_t i = 0; i < kFnCount; ++i) counts.total += module.call_count(static_cast<Fn>(i));
  counts.create_object = module.call_count(Fn::CreateObject);
  counts.find_objects_init = module.call_count(Fn::FindObjectsInit);
  return counts;
}

}  // namespace craton::hsm::bench::raw
