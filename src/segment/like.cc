#include "segment/like.h"

#include <cstddef>

namespace cohort::segment {
namespace {

char Lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

// Whether `piece` (lowercase) equals text[at, at + piece.size()) ignoring ASCII case.
bool PieceAt(std::string_view text, size_t at, std::string_view piece) {
  if (at + piece.size() > text.size()) return false;
  for (size_t i = 0; i < piece.size(); ++i) {
    if (Lower(text[at + i]) != piece[i]) return false;
  }
  return true;
}

// The first position >= from in text[.., end) where `piece` starts, or npos.
size_t Find(std::string_view text, size_t from, size_t end, std::string_view piece) {
  if (piece.size() > end) return std::string_view::npos;
  for (size_t at = from; at + piece.size() <= end; ++at) {
    if (PieceAt(text, at, piece)) return at;
  }
  return std::string_view::npos;
}

}  // namespace

LikePattern::LikePattern(std::string_view pattern) {
  pieces_.emplace_back();
  for (size_t i = 0; i < pattern.size(); ++i) {
    char c = pattern[i];
    if (c == '\\' && i + 1 < pattern.size()) {
      pieces_.back().push_back(Lower(pattern[++i]));
    } else if (c == '*') {
      pieces_.emplace_back();
    } else {
      pieces_.back().push_back(Lower(c));
    }
  }
}

bool LikePattern::Matches(std::string_view text) const {
  const std::string& first = pieces_.front();
  if (pieces_.size() == 1) return text.size() == first.size() && PieceAt(text, 0, first);
  const std::string& last = pieces_.back();
  if (text.size() < first.size() + last.size()) return false;
  if (!PieceAt(text, 0, first) || !PieceAt(text, text.size() - last.size(), last)) return false;
  // Middle pieces, leftmost first, between the prefix and the suffix: greedy leftmost
  // matching is exact for patterns whose only wildcard is '*'.
  size_t at = first.size();
  const size_t end = text.size() - last.size();
  for (size_t i = 1; i + 1 < pieces_.size(); ++i) {
    size_t found = Find(text, at, end, pieces_[i]);
    if (found == std::string_view::npos) return false;
    at = found + pieces_[i].size();
  }
  return true;
}

}  // namespace cohort::segment
