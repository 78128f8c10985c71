// SPDX-License-Identifier: Apache-2.0
// Slow and hung calls, and a misbehaving vendor's answers (which the shim gives without ever
// writing past the caller's buffer: this binary runs under ASan in the asan preset).
#include <array>
#include <chrono>
#include <future>
#include <string>

#include "shim_fixture.h"

namespace craton::hsm::testing {
namespace {

using pkcs11::Fn;
using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

class AnswersTest : public ShimTest {
 protected:
  void digest_init(CK_SESSION_HANDLE session) const {
    CK_MECHANISM mechanism{CKM_SHA256, nullptr, 0};
    EXPECT_EQ(call<Fn::DigestInit>(session, &mechanism), CKR_OK);
  }
  // C_Digest (SHA-256) of "abc" into a buffer of `capacity` (a length query without one);
  // returns the CK_RV and the length.
  std::pair<CK_RV, CK_ULONG> digest(CK_SESSION_HANDLE session, CK_BYTE_PTR out,
                                    CK_ULONG capacity) const {
    CK_BYTE data[] = {'a', 'b', 'c'};
    CK_ULONG length = capacity;
    const CK_RV rv = call<Fn::Digest>(session, data, CK_ULONG{sizeof data}, out, &length);
    return {rv, length};
  }
};

milliseconds since(Clock::time_point start) {
  return std::chrono::duration_cast<milliseconds>(Clock::now() - start);
}

TEST_F(AnswersTest, ASlowFunctionTakesItsLatencyAndOthersDoNot) {
  const CK_SESSION_HANDLE session = open(false);
  shim_.add("C_GenerateRandom:sleep=40");
  auto start = Clock::now();
  EXPECT_EQ(random(session), CKR_OK);
  EXPECT_GE(since(start), milliseconds(40));
  start = Clock::now();
  CK_SESSION_INFO info{};
  EXPECT_EQ(call<Fn::GetSessionInfo>(session, &info), CKR_OK);
  EXPECT_LT(since(start), milliseconds(40));
}

TEST_F(AnswersTest, LatencyOnEveryCall) {
  const CK_SESSION_HANDLE session = open(false);
  shim_.add("*:sleep=15");
  const auto start = Clock::now();
  CK_SESSION_INFO info{};
  EXPECT_EQ(call<Fn::GetSessionInfo>(session, &info), CKR_OK);
  EXPECT_EQ(random(session), CKR_OK);
  EXPECT_GE(since(start), milliseconds(30));
}

TEST_F(AnswersTest, AHungCallIsReleasedByReset) {
  const CK_SESSION_HANDLE session = open(false);
  shim_.add("C_GenerateRandom:sleep=30000:nth=1");
  const auto start = Clock::now();
  auto hung = std::async(std::launch::async, [&] { return random(session); });
  EXPECT_EQ(hung.wait_for(milliseconds(100)), std::future_status::timeout) << "it hangs";
  shim_.reset();
  ASSERT_EQ(hung.wait_for(milliseconds(5000)), std::future_status::ready);
  EXPECT_EQ(hung.get(), CKR_OK) << "then it completes";
  EXPECT_LT(since(start), milliseconds(5000));
}

TEST_F(AnswersTest, OversizeOutputReportsMoreThanTheBufferHolds) {
  const CK_SESSION_HANDLE session = open(false);
  shim_.add("C_Digest:oversize_output");
  // The length query stays truthful; the answer with a buffer lies about its length only.
  digest_init(session);
  EXPECT_EQ(digest(session, nullptr, 0), std::make_pair(CKR_OK, CK_ULONG{32}));
  std::array<CK_BYTE, 48> out{};
  const auto [rv, length] = digest(session, out.data(), out.size());
  EXPECT_EQ(rv, CKR_OK);
  EXPECT_GT(length, out.size());
  EXPECT_EQ(shim_.stats().faults_injected, 1u);
}

TEST_F(AnswersTest, OversizeOutputOnEncryptionAndSigning) {
  const CK_SESSION_HANDLE session = open();
  const CK_OBJECT_HANDLE key = aes_key(session, false, label("key"));
  shim_.add("C_Encrypt:oversize_output");
  CK_MECHANISM ecb{CKM_AES_ECB, nullptr, 0};
  ASSERT_EQ(call<Fn::EncryptInit>(session, &ecb, key), CKR_OK);
  std::array<CK_BYTE, 16> block{};
  std::array<CK_BYTE, 16> out{};
  CK_ULONG length = out.size();
  EXPECT_EQ(call<Fn::Encrypt>(session, block.data(), CK_ULONG{16}, out.data(), &length), CKR_OK);
  EXPECT_GT(length, out.size());
}

TEST_F(AnswersTest, EmptyOutputWithOk) {
  const CK_SESSION_HANDLE session = open(false);
  shim_.add("C_Digest:empty_output:nth=2");  // the 1st call is the length query
  std::array<CK_BYTE, 32> out{};
  digest_init(session);
  EXPECT_EQ(digest(session, nullptr, 0).second, 32u);
  EXPECT_EQ(digest(session, out.data(), out.size()), std::make_pair(CKR_OK, CK_ULONG{0}));
}

TEST_F(AnswersTest, AttributeLengthsUnavailableWithOk) {
  const CK_SESSION_HANDLE session = open();
  const CK_OBJECT_HANDLE key = aes_key(session, false, label("key"));
  shim_.add("C_GetAttributeValue:unavailable_lengths");
  CK_ATTRIBUTE query{CKA_LABEL, nullptr, 0};
  EXPECT_EQ(call<Fn::GetAttributeValue>(session, key, &query, CK_ULONG{1}), CKR_OK);
  EXPECT_EQ(query.ulValueLen, CK_UNAVAILABLE_INFORMATION);
}

TEST_F(AnswersTest, OversizeAttributeLengthsOnlyWithABuffer) {
  const CK_SESSION_HANDLE session = open();
  const CK_OBJECT_HANDLE key = aes_key(session, false, label("key"));
  shim_.add("C_GetAttributeValue:oversize_output");
  CK_ATTRIBUTE query{CKA_LABEL, nullptr, 0};
  ASSERT_EQ(call<Fn::GetAttributeValue>(session, key, &query, CK_ULONG{1}), CKR_OK);
  EXPECT_EQ(query.ulValueLen, label("key").size()) << "a length query stays truthful";
  EXPECT_EQ(shim_.stats().faults_injected, 0u);
  std::array<CK_BYTE, 64> value{};
  CK_ATTRIBUTE read{CKA_LABEL, value.data(), CK_ULONG{value.size()}};
  ASSERT_EQ(call<Fn::GetAttributeValue>(session, key, &read, CK_ULONG{1}), CKR_OK);
  EXPECT_EQ(read.ulValueLen, value.size() + 16);
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(value.data()), label("key").size()),
            label("key"))
      << "the value itself is the module's";
  EXPECT_EQ(shim_.stats().faults_injected, 1u);
}

TEST_F(AnswersTest, OversizeFindObjectsCount) {
  const CK_SESSION_HANDLE session = open();
  (void)aes_key(session, false, label("key"));
  shim_.add("C_FindObjects:oversize_output");
  const std::string wanted = label("key");
  CK_ATTRIBUTE tmpl{CKA_LABEL, const_cast<char*>(wanted.data()), CK_ULONG{wanted.size()}};
  ASSERT_EQ(call<Fn::FindObjectsInit>(session, &tmpl, CK_ULONG{1}), CKR_OK);
  std::array<CK_OBJECT_HANDLE, 4> found{};
  CK_ULONG count = 0;
  EXPECT_EQ(call<Fn::FindObjects>(session, found.data(), CK_ULONG{found.size()}, &count), CKR_OK);
  EXPECT_EQ(count, found.size() + 16);
  EXPECT_NE(found[0], CK_INVALID_HANDLE) << "the one real handle is there";
  EXPECT_EQ(call<Fn::FindObjectsFinal>(session), CKR_OK);
}

TEST_F(AnswersTest, GarbageInTokenInfoStrings) {
  shim_.add("C_GetTokenInfo:garbage_strings");
  CK_TOKEN_INFO info{};
  ASSERT_EQ(call<Fn::GetTokenInfo>(slot_, &info), CKR_OK);
  const std::string label(reinterpret_cast<const char*>(info.label), sizeof info.label);
  EXPECT_EQ(label.find(std::string(kTokenLabel)), std::string::npos);
  EXPECT_NE(label.find('\0'), std::string::npos) << "a NUL mid-string";
  EXPECT_NE(label.front(), '\0') << "junk before the NUL, not an empty C string";
  EXPECT_LT(static_cast<unsigned char>(label.front()), 0x20) << "a control byte";
  EXPECT_NE(label.back(), ' ') << "not blank-padded";
  const std::string serial(reinterpret_cast<const char*>(info.serialNumber),
                           sizeof info.serialNumber);
  EXPECT_NE(serial.find('\x07'), std::string::npos);
}

TEST_F(AnswersTest, GarbageOnlyWhereAsked) {
  shim_.add("C_GetTokenInfo:garbage_strings:nth=2");
  CK_TOKEN_INFO info{};
  ASSERT_EQ(call<Fn::GetTokenInfo>(slot_, &info), CKR_OK);
  const std::string label(reinterpret_cast<const char*>(info.label), sizeof info.label);
  EXPECT_EQ(label.rfind(std::string(kTokenLabel), 0), 0u);
}

}  // namespace
}  // namespace craton::hsm::testing
