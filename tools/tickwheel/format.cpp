#include "format.hpp"

#include <cstdint>

namespace tickwheel::cli {
namespace {

constexpr std::int64_t ns_per_us = 1'000;
constexpr std::int64_t ns_per_ms = 1'000'000;
constexpr std::int64_t ns_per_s = 1'000'000'000;

// The magnitude as unsigned, so INT64_MIN does not overflow.
std::uint64_t magnitude(std::int64_t v) {
  return v < 0 ? std::uint64_t{0} - static_cast<std::uint64_t>(v) : static_cast<std::uint64_t>(v);
}

std::string padded(std::uint64_t v, int width) {
  std::string s = std::to_string(v);
  while (static_cast<int>(s.size()) < width) s.insert(s.begin(), '0');
  return s;
}

}  // namespace

std::string format_short(duration d) {
  const std::uint64_t ns = magnitude(d.count());
  std::string out = d.count() < 0 ? "-" : "";
  if (ns == 0) return "0s";
  if (ns % ns_per_s == 0) {
    std::uint64_t s = ns / ns_per_s;
    if (const std::uint64_t h = s / 3600; h != 0) out += std::to_string(h) + "h";
    s %= 3600;
    if (const std::uint64_t m = s / 60; m != 0) out += std::to_string(m) + "m";
    if (s % 60 != 0) out += std::to_string(s % 60) + "s";
    return out;
  }
  if (ns < ns_per_s) {
    if (ns % ns_per_ms == 0) return out + std::to_string(ns / ns_per_ms) + "ms";
    if (ns % ns_per_us == 0) return out + std::to_string(ns / ns_per_us) + "us";
    return out + std::to_string(ns) + "ns";
  }
  std::string fraction = padded(ns % ns_per_s, 9);
  while (fraction.back() == '0') fraction.pop_back();
  return out + std::to_string(ns / ns_per_s) + "." + fraction + "s";
}

std::string format_offset(duration d) {
  const std::uint64_t ms = magnitude(d.count()) / ns_per_ms;
  return std::string(d.count() < 0 ? "-" : "+") + std::to_string(ms / 1000) + "." +
         padded(ms % 1000, 3) + "s";
}

std::string format_drift(duration d) {
  const std::uint64_t tenths = magnitude(d.count()) / (ns_per_ms / 10);
  return std::string(d.count() < 0 ? "-" : "") + std::to_string(tenths / 10) + "." +
         std::to_string(tenths % 10) + "ms";
}

}  // namespace tickwheel::cli
