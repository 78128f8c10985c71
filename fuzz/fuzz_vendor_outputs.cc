// SPDX-License-Identifier: Apache-2.0
// Fuzz target: how the backend reads a misbehaving vendor's answers (src/pkcs11/session:
// output_length, attribute_length, text_field, query_list). The first byte picks the reader,
// the rest is the module's answer: lengths and counts of the fuzzer's choosing, the bytes of a
// fixed-width text field, a scripted two-call list. Each reader must accept exactly the
// answers that fit, fail otherwise with Pkcs11Failure (or the mapped CK_RV), and never touch
// memory outside the buffer it owns (ASan).
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <vector>

#include "pkcs11/session/output_length.h"
#include "pkcs11/session/size_query.h"
#include "pkcs11/session/text_field.h"
#include "support/check.h"

namespace {

using craton::hsm::ErrorCode;
using craton::hsm::pkcs11::ExpectedLength;
using craton::hsm::pkcs11::Fn;
using craton::hsm::pkcs11::kMaxAttributeBytes;
using craton::hsm::pkcs11::output_length;
using craton::hsm::pkcs11::query_list;
using craton::hsm::pkcs11::text_field;
using craton::hsm::pkcs11::attribute_length::fixed;
using craton::hsm::pkcs11::attribute_length::reported;
using craton::hsm::pkcs11::attribute_length::written;

// Takes little-endian integers off the front of the input; zeros once it runs out.
class Reader {
 public:
  explicit Reader(std::span<const std::uint8_t> data) : data_(data) {}
  template <typename T>
  T take() {
    T value = 0;
    for (std::size_t i = 0; i < sizeof(T) && !data_.empty(); ++i) {
      value |= static_cast<T>(static_cast<T>(data_.front()) << (8 * i));
      data_ = data_.subspan(1);
    }
    return value;
  }
  // A length: often near the interesting edges (0, the buffer, the limits), sometimes anything.
  CK_ULONG length(std::size_t capacity) {
    switch (take<std::uint8_t>() % 6) {
      case 0:
        return 0;
      case 1:
        return capacity;
      case 2:
        return capacity + 1 + take<std::uint8_t>();
      case 3:
        return CK_UNAVAILABLE_INFORMATION;
      case 4:
        return take<std::uint16_t>();
      default:
        return take<CK_ULONG>();
    }
  }
  [[nodiscard]] std::span<const std::uint8_t> rest() const { return data_; }

 private:
  std::span<const std::uint8_t> data_;
};

bool is_module_failure(const craton::hsm::HsmError& error, std::string_view function) {
  return error.code() == ErrorCode::Pkcs11Failure && error.function() == function;
}

void check_output_length(Reader& in) {
  const std::size_t capacity = in.take<std::uint16_t>();
  const CK_ULONG claim = in.length(capacity);
  std::size_t low = in.take<std::uint16_t>();
  std::size_t high = in.take<std::uint16_t>();
  if (low > high) std::swap(low, high);
  const auto length = output_length(Fn::Sign, claim, capacity, ExpectedLength::between(low, high));
  const bool fits = claim <= capacity && claim >= low && claim <= high;
  FUZZ_CHECK(length.has_value() == fits, "a length is accepted exactly when it fits");
  if (length) {
    FUZZ_CHECK(*length == claim, "an accepted length is the module's");
    // Reading that much of a buffer of `capacity` stays inside it (ASan checks the read).
    const std::vector<std::uint8_t> buffer(capacity, 0x5a);
    FUZZ_CHECK(std::span(buffer).first(*length).size() == *length, "inside the buffer");
  } else {
    FUZZ_CHECK(is_module_failure(length.error(), "C_Sign"), "Pkcs11Failure from C_Sign");
  }
}

void check_attribute_length(Reader& in) {
  const CK_ATTRIBUTE_TYPE type = in.take<std::uint16_t>();
  const std::size_t capacity = in.take<std::uint16_t>();
  const CK_ULONG first = in.length(capacity);
  const auto query = reported(type, first);
  const bool believable = first != CK_UNAVAILABLE_INFORMATION && first <= kMaxAttributeBytes;
  FUZZ_CHECK(query.has_value() == believable, "a query length is believed up to the limit");
  if (!query) {
    FUZZ_CHECK(is_module_failure(query.error(), "C_GetAttributeValue"), "Pkcs11Failure");
  }
  const CK_ULONG second = in.length(capacity);
  const auto value = written(type, second, capacity);
  FUZZ_CHECK(value.has_value() == (second <= capacity), "a value fits its buffer");
  if (value) FUZZ_CHECK(*value == second, "an accepted length is the module's");
  const std::size_t size = in.take<std::uint8_t>() % 2 == 0 ? sizeof(CK_ULONG) : sizeof(CK_BBOOL);
  const CK_ULONG third = in.length(size);
  FUZZ_CHECK(fixed(type, third, size).has_value() == (third == size), "fixed means fixed");
}

// What text_field promises: printable UTF-8, no NUL, no padding, no longer than the field, and
// a fixed point (decoding the text again gives it back).
void check_text_field(Reader& in) {
  const std::span<const std::uint8_t> field = in.rest();
  const std::string text = text_field(field);
  FUZZ_CHECK(text.size() <= field.size(), "never longer than the field");
  FUZZ_CHECK(text.empty() || text.back() != ' ', "trailing blanks trimmed");
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    FUZZ_CHECK(byte >= 0x20 && byte != 0x7f, "no NUL, control byte or DEL");
  }
  const std::span<const std::uint8_t> bytes(reinterpret_cast<const std::uint8_t*>(text.data()),
                                            text.size());
  FUZZ_CHECK(text_field(bytes) == text, "safe text decodes to itself");
}

// A scripted module answering the two-call list convention: each call's CK_RV and count come
// from the input; it writes only as many items as the buffer it was given holds.
void check_query_list(Reader& in) {
  int calls = 0;
  const auto module = [&](CK_SLOT_ID* buffer, CK_ULONG* count) -> CK_RV {
    ++calls;
    const CK_ULONG capacity = *count;
    const std::uint8_t choice = in.take<std::uint8_t>();
    if (choice % 8 == 0) return CKR_DEVICE_ERROR;
    if (choice % 8 == 1) return CKR_BUFFER_TOO_SMALL;
    const CK_ULONG answer = choice % 8 == 2 ? in.take<CK_ULONG>() : in.take<std::uint8_t>();
    if (buffer != nullptr) {
      for (CK_ULONG i = 0; i < capacity && i < answer; ++i) buffer[i] = i;
    }
    *count = answer;
    return CKR_OK;
  };
  // Counts above 255 are the lies: a list that size would only cost memory.
  const auto slots =
      query_list<CK_SLOT_ID>(Fn::GetSlotList, [&](CK_SLOT_ID* buffer, CK_ULONG* count) {
        if (buffer == nullptr) {
          const CK_RV rv = module(nullptr, count);
          if (rv == CKR_OK && *count > 255) *count = 255;
          return rv;
        }
        return module(buffer, count);
      });
  FUZZ_CHECK(calls <= 8, "at most four rounds of two calls");
  if (slots) {
    FUZZ_CHECK(slots->size() <= 255, "never more items than the buffer held");
    for (std::size_t i = 0; i < slots->size(); ++i) {
      FUZZ_CHECK((*slots)[i] == i, "only items the module wrote");
    }
  } else {
    const ErrorCode code = slots.error().code();
    FUZZ_CHECK(code == ErrorCode::Pkcs11Failure || code == ErrorCode::DeviceError ||
                   code == ErrorCode::BufferTooSmall,
               "the module's failure, mapped, or Pkcs11Failure");
  }
}

}  // namespace

// NOLINTNEXTLINE(readability-identifier-naming): the name libFuzzer calls
extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  Reader in(std::span(data + 1, size - 1));
  switch (data[0] % 4) {
    case 0:
      check_output_length(in);
      break;
    case 1:
      check_attribute_length(in);
      break;
    case 2:
      check_text_field(in);
      break;
    default:
      check_query_list(in);
      break;
  }
  return 0;
}
