// SPDX-License-Identifier: Apache-2.0
// The parts of Pkcs11PassthroughConfig::validate() that have a file of their own.
#pragma once

#include <craton/hsm/audit.h>
#include <craton/hsm/config.h>
#include <craton/hsm/error.h>

namespace craton::hsm::config {

// token_uri (when set): names a token and no object; its text fields fit the PKCS#11 fields;
// module-path and module-name agree with library_path; a pin-source names an absolute path and
// pin_file is not set as well. Errors: ConfigInvalid "token_uri: ...".
[[nodiscard]] Result<void> check_token_uri(const Pkcs11PassthroughConfig& config);

// [audit]: file set, exactly one of key_file / key_label, ranges. Errors: ConfigInvalid
// naming the field ("audit.queue_capacity: ...").
[[nodiscard]] Result<void> check_audit(const AuditConfig& audit);

// [budget]: a durable store has its path (sqlite) or url (postgresql, no password in it) and
// exactly one identity key; 1 <= block_min <= block_max <= 2^20; the timeout's range; no
// setting the store does not read. Errors: ConfigInvalid naming the field ("budget.url: ...").
[[nodiscard]] Result<void> check_budget(const BudgetConfig& budget);

// vendor_profile is "auto" or a built-in profile; every [vendor_quirks] key is a known switch
// with a value of its type. Errors: ConfigInvalid naming the field, with the closest known
// name for a misspelt one.
[[nodiscard]] Result<void> check_vendor(const Pkcs11PassthroughConfig& config);

}  // namespace craton::hsm::config
