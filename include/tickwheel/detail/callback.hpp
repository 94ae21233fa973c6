// File: the type-erased callback stored inside a wheel node.
//
// Small callables (up to 16 bytes, nothrow-destructible) live in the node
// itself, so scheduling them allocates nothing; larger ones go to the heap.
// Nodes never move once constructed (the pool is paged), so the callback is
// neither moved nor copied after it is stored.
#pragma once

#include <cstddef>
#include <new>
#include <type_traits>
#include <utility>

#include "tickwheel/fwd.hpp"

namespace tickwheel::detail {

inline constexpr std::size_t callback_buffer = 16;

struct callback_ops {
  void (*invoke)(void* storage, timer_id self);
  void (*destroy)(void* storage) noexcept;
};

template <class F>
inline constexpr bool fits_inline = sizeof(F) <= callback_buffer &&
                                    alignof(F) <= 8 && std::is_nothrow_destructible_v<F>;

template <class F>
void call(F& f, timer_id self) {
  if constexpr (std::is_invocable_v<F&, timer_id>) {
    f(self);
  } else {
    static_assert(std::is_invocable_v<F&>, "a timer callback takes () or (timer_id)");
    f();
  }
}

template <class F>
struct inline_ops {
  static void invoke(void* s, timer_id self) { call(*std::launder(static_cast<F*>(s)), self); }
  static void destroy(void* s) noexcept { std::launder(static_cast<F*>(s))->~F(); }
  static constexpr callback_ops table{&invoke, &destroy};
};

template <class F>
struct heap_ops {
  static F*& ptr(void* s) noexcept { return *std::launder(static_cast<F**>(s)); }
  static void invoke(void* s, timer_id self) { call(*ptr(s), self); }
  static void destroy(void* s) noexcept { delete ptr(s); }
  static constexpr callback_ops table{&invoke, &destroy};
};

/// Constructs `f` into `storage` and returns the operations that use it.
template <class F>
const callback_ops* emplace_callback(void* storage, F&& f) {
  using T = std::decay_t<F>;
  if constexpr (fits_inline<T>) {
    ::new (storage) T(std::forward<F>(f));
    return &inline_ops<T>::table;
  } else {
    ::new (storage) T*(new T(std::forward<F>(f)));
    return &heap_ops<T>::table;
  }
}

}  // namespace tickwheel::detail
