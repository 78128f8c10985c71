// SPDX-License-Identifier: Apache-2.0
// Pkcs11PassthroughConfig::clone: every field, the PIN through SecretString::clone.
#include <craton/hsm/config.h>

namespace craton::hsm {

Pkcs11PassthroughConfig Pkcs11PassthroughConfig::clone() const {
  Pkcs11PassthroughConfig copy;
  copy.library_path = library_path;
  copy.slot_id = slot_id;
  copy.token_label = token_label;
  copy.token_serial = token_serial;
  copy.token_uri = token_uri;
  if (user_pin) copy.user_pin = user_pin->clone();
  copy.pin_env = pin_env;
  copy.pin_file = pin_file;
  copy.init_reserved = init_reserved;
  copy.serialize_calls = serialize_calls;
  copy.vendor_profile = vendor_profile;
  copy.vendor_quirks = vendor_quirks;
  copy.import_method = import_method;
  copy.allow_software_keygen_fallback = allow_software_keygen_fallback;
  copy.allow_unprotected_library_path = allow_unprotected_library_path;
  copy.allow_keys_without_login = allow_keys_without_login;
  copy.strict_usages = strict_usages;
  copy.pool_size = pool_size;
  copy.acquire_timeout = acquire_timeout;
  copy.operation_timeout = operation_timeout;
  copy.breaker_threshold = breaker_threshold;
  copy.breaker_cooldown = breaker_cooldown;
  copy.cache_capacity = cache_capacity;
  copy.gcm_max_messages_per_key = gcm_max_messages_per_key;
  copy.budget = budget;
  copy.max_message_bytes = max_message_bytes;
  copy.concurrency = concurrency;
  copy.audit = audit;
  return copy;
}

}  // namespace craton::hsm
