// Email address normalisation, shared by the Customer.io processor and the mapping language's
// email() function (SPEC §5.2).
#pragma once

#include <string>
#include <string_view>

namespace cohort {

// Extracts the address from `"Name <addr>"` or a bare `addr`, trims spaces, lowercases it.
// Returns "" when the text is not an address: it must have exactly one '@', a non-empty local
// part, a domain with a dot that neither starts nor ends the domain, and no spaces or angle
// brackets inside.
std::string NormalizeEmail(std::string_view text);

// The domain part of NormalizeEmail(text), or "" if it is not an address.
std::string EmailDomain(std::string_view text);

}  // namespace cohort
