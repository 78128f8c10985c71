// SPDX-License-Identifier: Apache-2.0
// craton-hsm: the operator CLI (placeholder).
int main() {
  return 0;
}
