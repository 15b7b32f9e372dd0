// Text functions: email(), emaildomain(), domain(), urlmain(), lower(), upper(), string(),
// int(), number(). Each works on a scalar or on each member of a list (EachScalar).
#include <cctype>
#include <string>
#include <string_view>

#include "common/email.h"
#include "lang/text.h"
#include "mapping/builtins.h"
#include "mapping/convert.h"

namespace cohort::mapping::builtins {
namespace {

Scalar NonEmptyString(std::string s) {
  return s.empty() ? Scalar::Null() : Scalar::String(std::move(s));
}

// Drops "scheme://" (scheme = a letter, then letters, digits, + - .) or a leading "//".
std::string_view DropScheme(std::string_view s) {
  size_t sep = s.find("://");
  if (sep != std::string_view::npos && sep > 0 && std::isalpha(static_cast<unsigned char>(s[0]))) {
    bool scheme = true;
    for (size_t k = 0; k < sep; ++k) {
      unsigned char c = static_cast<unsigned char>(s[k]);
      scheme = scheme && (std::isalnum(c) || c == '+' || c == '-' || c == '.');
    }
    if (scheme) return s.substr(sep + 3);
  }
  if (s.substr(0, 2) == "//") return s.substr(2);
  return s;
}

// The lowercased host if `host` looks like one: letters, digits, '-', '_' and non-ASCII
// bytes in dot-separated labels, with at least one dot inside ("example.com", "1.2.3.4"), or an
// IPv6 literal in brackets. One trailing dot is dropped. Otherwise "".
std::string ValidHost(std::string_view host) {
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') {
    for (char c : host.substr(1, host.size() - 2)) {
      if (!std::isxdigit(static_cast<unsigned char>(c)) && c != ':' && c != '.') return "";
    }
    return std::string(host);
  }
  if (!host.empty() && host.back() == '.') host.remove_suffix(1);  // "example.com."
  size_t dot = host.find('.');
  if (dot == std::string_view::npos || dot == 0 || host.back() == '.') return "";
  std::string out;
  char prev = 0;
  for (char c : host) {
    unsigned char u = static_cast<unsigned char>(c);
    if (!(std::isalnum(u) || c == '.' || c == '-' || c == '_' || u >= 0x80)) return "";
    if (c == '.' && prev == '.') return "";
    out.push_back(static_cast<char>(std::tolower(u)));
    prev = c;
  }
  return out;
}

// Splits "scheme://user@host:port/path?query#fragment" (scheme, "//" and user optional) into
// the host and the path, dropping the rest.
struct UrlParts {
  std::string_view host;
  std::string_view port;  // ":8443", or ""
  std::string_view path;  // from the first '/', or ""
};
UrlParts SplitUrl(std::string_view url) {
  std::string_view s = DropScheme(lang::TrimSpace(url));
  s = s.substr(0, s.find_first_of("?#"));
  size_t slash = s.find('/');
  UrlParts parts;
  parts.host = s.substr(0, slash);
  if (slash != std::string_view::npos) parts.path = s.substr(slash);
  size_t at = parts.host.rfind('@');
  if (at != std::string_view::npos) parts.host.remove_prefix(at + 1);
  // Drop a port, but not the colons of an IPv6 literal.
  size_t colon = parts.host.rfind(':');
  size_t bracket = parts.host.rfind(']');
  if (colon != std::string_view::npos && (bracket == std::string_view::npos || colon > bracket)) {
    parts.port = parts.host.substr(colon);
    parts.host = parts.host.substr(0, colon);
  }
  return parts;
}

}  // namespace

Datum Email(std::span<Datum> a, const EvalContext&) {
  return EachScalar(a[0],
                    [](const Scalar& s) { return NonEmptyString(NormalizeEmail(ScalarText(s))); });
}

Datum EmailDomainOf(std::span<Datum> a, const EvalContext&) {
  return EachScalar(a[0],
                    [](const Scalar& s) { return NonEmptyString(EmailDomain(ScalarText(s))); });
}

Datum Domain(std::span<Datum> a, const EvalContext&) {
  return EachScalar(a[0], [](const Scalar& s) {
    std::string text = ScalarText(s);
    if (text.find("://") == std::string::npos) {
      std::string d = EmailDomain(text);
      if (!d.empty()) return Scalar::String(std::move(d));
    }
    return NonEmptyString(ValidHost(SplitUrl(text).host));
  });
}

Datum UrlMain(std::span<Datum> a, const EvalContext&) {
  return EachScalar(a[0], [](const Scalar& s) {
    std::string text = ScalarText(s);
    UrlParts parts = SplitUrl(text);
    std::string host = ValidHost(parts.host);
    if (host.empty()) return Scalar::Null();
    host.append(parts.port).append(parts.path);
    return Scalar::String(std::move(host));
  });
}

Datum Lower(std::span<Datum> a, const EvalContext&) {
  return EachScalar(
      a[0], [](const Scalar& s) { return NonEmptyString(lang::AsciiLower(ScalarText(s))); });
}

Datum Upper(std::span<Datum> a, const EvalContext&) {
  return EachScalar(
      a[0], [](const Scalar& s) { return NonEmptyString(lang::AsciiUpper(ScalarText(s))); });
}

Datum String(std::span<Datum> a, const EvalContext&) {
  return EachScalar(a[0], [](const Scalar& s) { return NonEmptyString(ScalarText(s)); });
}

Datum Int(std::span<Datum> a, const EvalContext&) {
  return EachScalar(a[0], [](const Scalar& s) {
    std::optional<int64_t> v = ToInt(s);
    return v ? Scalar::Int(*v) : Scalar::Null();
  });
}

Datum Number(std::span<Datum> a, const EvalContext&) {
  return EachScalar(a[0], [](const Scalar& s) {
    std::optional<double> v = ToNumber(s);
    return v ? Scalar::Number(*v) : Scalar::Null();
  });
}

}  // namespace cohort::mapping::builtins
