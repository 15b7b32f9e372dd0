#include "common/email.h"

#include <cctype>

namespace cohort {
namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

}  // namespace

std::string NormalizeEmail(std::string_view text) {
  std::string_view s = Trim(text);
  // "Name <addr>": take what is inside the last pair of angle brackets.
  size_t close = s.rfind('>');
  if (close != std::string_view::npos) {
    size_t open = s.rfind('<', close);
    if (open == std::string_view::npos) return "";
    s = Trim(s.substr(open + 1, close - open - 1));
  }
  size_t at = s.find('@');
  if (at == std::string_view::npos || at == 0 || s.find('@', at + 1) != std::string_view::npos) {
    return "";
  }
  std::string_view domain = s.substr(at + 1);
  size_t dot = domain.find('.');
  if (domain.empty() || dot == std::string_view::npos || domain.front() == '.' ||
      domain.back() == '.' || domain.find_first_of("/:?#[]\\") != std::string_view::npos) {
    return "";  // a URL with user info ("https://u@host/path") is not an address
  }
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    unsigned char u = static_cast<unsigned char>(c);
    if (std::isspace(u) || c == '<' || c == '>' || c == ',' || u < 0x20) return "";
    out.push_back(static_cast<char>(std::tolower(u)));
  }
  return out;
}

std::string EmailDomain(std::string_view text) {
  std::string e = NormalizeEmail(text);
  if (e.empty()) return "";
  return e.substr(e.find('@') + 1);
}

}  // namespace cohort
