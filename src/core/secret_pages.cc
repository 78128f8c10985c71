// SPDX-License-Identifier: Apache-2.0
// allocate_dontdump: a small size-class allocator over MADV_DONTDUMP mappings, for the secrets
// that live long (PINs, key material). One madvise per 64 KiB, not per secret.
#include <craton/hsm/secret.h>

#include <pthread.h>
#include <sys/mman.h>
#include <unistd.h>

#include <array>
#include <cstddef>
#include <new>

namespace craton::hsm {
namespace {

constexpr std::size_t kChunkBytes = std::size_t{64} << 10;
constexpr std::size_t kSmallestBlock = 16;  // keeps every block 16-aligned, as operator new does
constexpr std::size_t kLargestPooledBlock = 4096;
constexpr std::size_t kClasses = 9;  // 16, 32, ..., 4096

// The smallest size class that holds `size` bytes.
std::size_t class_of(std::size_t size) noexcept {
  std::size_t block = kSmallestBlock;
  std::size_t index = 0;
  while (block < size) {
    block <<= 1;
    ++index;
  }
  return index;
}

std::size_t block_size(std::size_t index) noexcept {
  return kSmallestBlock << index;
}

std::size_t page_rounded(std::size_t size) {
  const auto page = static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
  return (size + page - 1) / page * page;
}

// Fresh anonymous pages, excluded from core dumps where the kernel can (Linux 3.4+); a kernel
// that refuses the advice still gets working memory.
void* map_secret_pages(std::size_t bytes) {
  void* pages = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (pages == MAP_FAILED) throw std::bad_alloc();
  (void)madvise(pages, bytes, MADV_DONTDUMP);
  return pages;
}

struct FreeBlock {
  FreeBlock* next;
};

// Process-wide; never destroyed, because static objects holding secrets may free them during
// exit after this would have gone.
class SecretPages {
 public:
  static SecretPages& instance() {
    static SecretPages* const pages = [] {
      auto* created = new SecretPages;
      // fork() while another thread holds the lock would leave the child's copy locked forever,
      // and a copy taken mid-update inconsistent: hold it across fork, as malloc does.
      pthread_atfork([] { pthread_mutex_lock(&instance_mutex()); },
                     [] { pthread_mutex_unlock(&instance_mutex()); },
                     [] { pthread_mutex_unlock(&instance_mutex()); });
      return created;
    }();
    return *pages;
  }

  void* allocate(std::size_t size) {
    const std::size_t index = class_of(size);
    const std::size_t bytes = block_size(index);
    pthread_mutex_lock(&instance_mutex());
    void* block = nullptr;
    if (FreeBlock* head = free_[index]; head != nullptr) {
      free_[index] = head->next;
      head->next = nullptr;  // the rest was wiped when the block was freed
      block = head;
    } else {
      if (left_ < bytes) {
        try {
          next_ = static_cast<std::byte*>(map_secret_pages(kChunkBytes));
        } catch (...) {
          pthread_mutex_unlock(&instance_mutex());
          throw;
        }
        left_ = kChunkBytes;  // the old chunk's tail (< 4 KiB) is given up
      }
      block = next_;
      next_ += bytes;
      left_ -= bytes;
    }
    pthread_mutex_unlock(&instance_mutex());
    return block;
  }

  void deallocate(void* block, std::size_t size) noexcept {
    const std::size_t index = class_of(size);
    secure_wipe(block, block_size(index));
    auto* freed = static_cast<FreeBlock*>(block);
    pthread_mutex_lock(&instance_mutex());
    freed->next = free_[index];
    free_[index] = freed;
    pthread_mutex_unlock(&instance_mutex());
  }

 private:
  SecretPages() = default;
  // A function-local static: usable by the atfork handlers, which cannot capture.
  static pthread_mutex_t& instance_mutex() {
    static pthread_mutex_t mutex = PTHREAD_MUTEX_INITIALIZER;
    return mutex;
  }

  std::array<FreeBlock*, kClasses> free_{};
  std::byte* next_ = nullptr;
  std::size_t left_ = 0;
};

}  // namespace

void* allocate_dontdump(std::size_t size) {
  if (size == 0) size = 1;
  if (size > kLargestPooledBlock) return map_secret_pages(page_rounded(size));
  return SecretPages::instance().allocate(size);
}

void deallocate_dontdump(void* block, std::size_t size) noexcept {
  if (block == nullptr) return;
  if (size == 0) size = 1;
  if (size > kLargestPooledBlock) {
    // Its own mapping: the kernel zeroes the pages before anyone else gets them.
    (void)munmap(block, page_rounded(size));
    return;
  }
  SecretPages::instance().deallocate(block, size);
}

}  // namespace craton::hsm
