// SPDX-License-Identifier: Apache-2.0
// The baseline's token-object keys: created once under a unique label, found once per worker.
#include <array>
#include <string>

#include <fmt/format.h>

#include <craton/hsm/diagnostics.h>

#include "bench/raw/raw_state.h"
#include "bench/raw/raw_templates.h"

namespace craton::hsm::bench::raw {
namespace {

class TokenKey final : public RawTokenKey {
 public:
  TokenKey(Session session, std::string label)
      : session_(std::move(session)), label_(std::move(label)) {}
  TokenKey(const TokenKey&) = delete;
  TokenKey& operator=(const TokenKey&) = delete;
  ~TokenKey() override {
    if (handle_ == CK_INVALID_HANDLE) return;
    if (auto destroyed = session_.call<Fn::DestroyObject>(handle_); !destroyed) {
      report_diagnostic(destroyed.error());
    }
  }

  [[nodiscard]] const std::string& label() const noexcept override { return label_; }
  Result<void> create(AttributeTemplate& tmpl) {
    return session_.call<Fn::CreateObject>(tmpl.data(), tmpl.size(), &handle_);
  }

 private:
  Session session_;
  std::string label_;
  CK_OBJECT_HANDLE handle_ = CK_INVALID_HANDLE;
};

}  // namespace

Result<std::unique_ptr<RawTokenKey>> RawToken::create_token_key(const Key& material, RawOp op,
                                                                std::string label) const {
  CRATON_ASSIGN_OR_RETURN(Session session, Session::open(state_->module, state_->slot));
  auto key = std::make_unique<TokenKey>(std::move(session), std::move(label));
  AttributeTemplate tmpl;
  CRATON_RETURN_IF_ERROR(
      key_template(tmpl, material.material(), op, state_->logged_in, key->label()));
  CRATON_RETURN_IF_ERROR(key->create(tmpl));
  return std::unique_ptr<RawTokenKey>(std::move(key));
}

Result<CK_OBJECT_HANDLE> find_token_key(const Session& session, const RawTokenKey& key) {
  CK_BBOOL token = CK_TRUE;
  std::array<CK_ATTRIBUTE, 2> search{};
  search[0].type = CKA_TOKEN;
  search[0].pValue = &token;
  search[0].ulValueLen = sizeof token;
  search[1].type = CKA_LABEL;
  search[1].pValue = const_cast<char*>(key.label().data());
  search[1].ulValueLen = static_cast<CK_ULONG>(key.label().size());
  CRATON_RETURN_IF_ERROR(
      session.call<Fn::FindObjectsInit>(search.data(), static_cast<CK_ULONG>(search.size())));
  std::array<CK_OBJECT_HANDLE, 2> found{};
  CK_ULONG count = 0;
  const Result<void> searched =
      session.call<Fn::FindObjects>(found.data(), static_cast<CK_ULONG>(found.size()), &count);
  const Result<void> finished = session.call<Fn::FindObjectsFinal>();
  CRATON_RETURN_IF_ERROR(searched);
  CRATON_RETURN_IF_ERROR(finished);
  if (count == 0) {
    return fail(ErrorCode::KeyNotFound, fmt::format("no token object '{}'", key.label()));
  }
  if (count > 1) {
    return fail(ErrorCode::KeyAmbiguous, fmt::format("several objects '{}'", key.label()));
  }
  return found[0];
}

}  // namespace craton::hsm::bench::raw
